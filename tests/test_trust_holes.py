"""Trust holes of issue #32's second round, each attacked as a property rather than one example:
sink escaping (markdown, HTML, SARIF, dot), configuration provenance, limits vs the CPU promise,
the cache key's mode, YAML directives, diff revisions, diagram file names, killed writers and
source positions."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from tests.test_trust import _poisoned_pickle, _run


def test_a_cache_key_others_can_read_is_replaced_and_its_forgeries_rebuilt(tmp_path: Path
                                                                          ) -> None:
    """A key with mode 0644 may have been copied: like ssh, only 0600 is accepted. The key is
    replaced by a new one, so a cache entry forged with the old (readable) key is rebuilt, never
    unpickled."""
    cache, state = tmp_path / "cache", tmp_path / "state"
    env = {"SUPERPOD_CACHE_DIR": str(cache), "XDG_STATE_HOME": str(state)}
    code, out, _, _ = _run(["validate", "specs/gb200-nvl72"], **env)
    assert code == 0, out
    (entry,) = cache.glob("catalog-*.pickle")
    key = state / "superpod-iac" / "cache.key"
    for mode in (0o644, 0o640, 0o604):
        key.chmod(mode)
        leaked = key.read_bytes()
        marker = tmp_path / f"pwned-{mode:o}"
        evil = _poisoned_pickle(marker)
        entry.write_bytes(hmac.new(leaked, evil, hashlib.sha256).digest() + evil)
        code, out, _, _ = _run(["validate", "specs/gb200-nvl72"], **env)
        assert code == 0 and "no findings" in out, out
        assert not marker.exists(), oct(mode)
        assert key.stat().st_mode & 0o777 == 0o600 and key.read_bytes() != leaked
        assert entry.read_bytes()[32:] != evil  # rebuilt under the new key
