"""What each diagram covers: the pods to draw and the replicas folded into them.

A Cluster clones one Superpod hundreds of times; drawing 432 identical power trees or pod
wirings helps nobody. Pod-level diagrams therefore draw the first replica of each template
and say how many identical replicas it stands for; infrastructure of the other replicas is
folded into one summary node. Superpods that are not replicas, and cabinets outside every
superpod, are drawn as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from superpod_iac.model.derived import derived
from superpod_iac.model.generators import natural_key
from superpod_iac.model.inventory import Inventory


@dataclass(slots=True)
class Pod:
    name: str
    """The superpod drawn (the first replica for a replicated superpod)."""
    cabinets: list[str]
    replicas: list[str] = field(default_factory=list)
    """All superpods this one stands for (itself first); one entry when not replicated."""
    template: str | None = None
    standalone: bool = False
    """Cabinets outside every superpod, gathered as one pseudo-pod."""


@dataclass(slots=True)
class Folded:
    """Replicas not drawn, standing for one representative pod."""

    representative: str
    replicas: list[str]
    cabinets: list[str]
    prefixes: frozenset[str]
    """`<replica>.` name prefixes of the replicas' own infrastructure."""


@dataclass(slots=True)
class Scope:
    pods: list[Pod]
    folded: list[Folded]
    drawn_cabinets: list[str]
    """Cabinets of the drawn pods, in natural order."""

    def folded_prefix(self, name: str) -> Folded | None:
        """The folded set an object (power node, CDU, loop) belongs to, by its replica prefix."""
        head, sep, _ = name.partition(".")
        if not sep:
            return None
        for f in self.folded:
            if f"{head}." in f.prefixes:
                return f
        return None


STANDALONE = "cabinets outside superpods"


@derived
def build_scope(inv: Inventory) -> Scope:
    by_template: dict[str, list[str]] = {}
    pods: list[Pod] = []
    for name in sorted(inv.superpods, key=natural_key):
        sp = inv.superpods[name]
        if sp.template is not None:
            by_template.setdefault(sp.template, []).append(name)
        else:
            pods.append(Pod(name, sorted(sp.cabinets, key=natural_key), [name]))
    folded: list[Folded] = []
    for template in sorted(by_template, key=natural_key):
        names = by_template[template]
        rep = inv.superpods[names[0]]
        pods.append(Pod(rep.name, sorted(rep.cabinets, key=natural_key), names, template))
        if len(names) > 1:
            rest = names[1:]
            cabs = [c for r in rest for c in inv.superpods[r].cabinets]
            folded.append(Folded(rep.name, rest, cabs, frozenset(f"{r}." for r in rest)))
    in_pods = {c for sp in inv.superpods.values() for c in sp.cabinets}
    loose = sorted((c for c in inv.cabinets if c not in in_pods), key=natural_key)
    if loose:
        pods.append(Pod(STANDALONE, loose, [], None, standalone=True))
    pods.sort(key=lambda p: (p.standalone, natural_key(p.name)))
    drawn = [c for p in pods for c in p.cabinets]
    scope = Scope(pods, folded, drawn)
    return scope
