"""The built-in part catalog and policy defaults (YAML data shipped in the package)."""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ruamel.yaml import YAML

from superpod_iac.manifest.catalog import Catalog
from superpod_iac.manifest.parse import Manifest, of_kind, parse_documents
from superpod_iac.source.loader import load_file

PACKAGE_DATA = Path(str(resources.files("superpod_iac") / "catalog"))
DATA_FILES = {"policy.yaml", "formfactors.yaml"}
"""Plain data files in catalog/ that are not Catalog manifests."""


def _cache_dir() -> Path:
    """Where the compiled built-in catalog is kept: $SUPERPOD_CACHE_DIR, else
    $XDG_CACHE_HOME/superpod-iac, else ~/.cache/superpod-iac."""
    explicit = os.environ.get("SUPERPOD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "superpod-iac"


def _catalog_key(paths: list[Path]) -> str:
    """Content hash of the catalog files, their location, and the code that validates them."""
    import pydantic

    from superpod_iac import __version__

    h = hashlib.sha256(f"{__version__}\0{pydantic.VERSION}\0{PACKAGE_DATA}".encode())
    for source in (Path(__file__).parent.parent / "manifest").glob("*.py"):
        h.update(source.name.encode() + b"\0" + source.read_bytes())
    for path in paths:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:32]


@lru_cache(maxsize=1)
def builtin_catalogs() -> tuple[Manifest[Catalog], ...]:
    """Catalog manifests shipped in superpod_iac/catalog/*.yaml (validated like user files).

    Parsing them costs ~40 ms per run, so the validated manifests are kept as a pickle in the
    user's cache directory, keyed by the content hash of the catalog files and the manifest
    models (a stale or unreadable cache is rebuilt; an unwritable directory is skipped)."""
    paths = [p for p in sorted(PACKAGE_DATA.glob("*.yaml")) if p.name not in DATA_FILES]
    cache = _cache_dir() / f"catalog-{_catalog_key(paths)}.pickle"
    try:
        cached = pickle.loads(cache.read_bytes())
        if isinstance(cached, tuple):
            return cached
    except Exception:  # missing, stale or corrupt: rebuild below
        pass
    built = _parse_builtin(paths)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, cache)
    except OSError:
        pass
    return built


def _parse_builtin(paths: list[Path]) -> tuple[Manifest[Catalog], ...]:
    files = [load_file(str(p)) for p in paths]
    manifests, diags = parse_documents(files)
    problems = [d for f in files for d in f.diagnostics] + diags
    if problems:
        first = problems[0]
        raise RuntimeError(f"built-in catalog is invalid: {first.file}:{first.line}: {first.message}")
    return tuple(of_kind(manifests, Catalog))


@lru_cache(maxsize=1)
def policy_defaults() -> dict[str, float]:
    """Site-policy defaults from catalog/policy.yaml (each value's source is commented there)."""
    from superpod_iac.manifest.policy import DEFAULTS

    return dict(DEFAULTS)


@lru_cache(maxsize=1)
def _form_factor_table() -> dict[str, frozenset[str]]:
    data = YAML(typ="safe").load((PACKAGE_DATA / "formfactors.yaml").read_text(encoding="utf-8"))
    return {k: frozenset(v) for k, v in data.items()}


def form_factor_fits(module: str, cage: str) -> bool:
    """Whether a module / plug of one form factor fits a cage (catalog/formfactors.yaml)."""
    return cage in _form_factor_table().get(module, frozenset({module}))
