"""The built-in part catalog (YAML shipped in the package), read and parsed once per run.

Part of the manifest stage: the pipeline loads it beside the user's files (stage 1 and 2) and
hands both to the model (`model.build.build_inventory(..., builtin=...)`), so the model never
reads or parses files itself."""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import stat
from functools import lru_cache
from importlib import resources
from pathlib import Path

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
    for source in Path(__file__).parent.glob("*.py"):
        h.update(source.name.encode() + b"\0" + source.read_bytes())
    for path in paths:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:32]


def _state_dir() -> Path:
    """Where the cache key lives: $XDG_STATE_HOME/superpod-iac, else ~/.local/state/superpod-iac
    (outside the cache directory, so a restored or shared cache does not carry its key)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "superpod-iac"


def _private(path: Path) -> bool:
    """Owned by this user and not writable by group or others (as ssh requires of its keys)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _cache_key() -> bytes | None:
    """The 32-byte HMAC key, created once with mode 0600; None when it cannot be kept safely.

    A key others could read (any group or other bit, as ssh refuses a private key with mode
    0644) may have been copied: it is replaced by a new one, so every cache entry tagged
    under the old key is rebuilt rather than trusted."""
    path = _state_dir() / "cache.key"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if _private(path) and os.stat(path).st_mode & 0o077:
            _new_key(path)  # ours but readable by others: forgeable, so replaced
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError:
        return None
    else:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
    if not (_private(path.parent) and _private(path)) or os.stat(path).st_mode & 0o077:
        return None
    try:
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) == 32 else None


def _new_key(path: Path) -> None:
    """Replace the key at `path` by a fresh one, written 0600 beside it and renamed over it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_bytes(32))
    os.replace(tmp, path)


_TAG = hashlib.sha256().digest_size


@lru_cache(maxsize=1)
def builtin_catalogs() -> tuple[Manifest[Catalog], ...]:
    """Catalog manifests shipped in superpod_iac/catalog/*.yaml (validated like user files).

    Parsing them costs ~40 ms per run, so the validated manifests are kept as a pickle in the
    user's cache directory, keyed by the content hash of the catalog files and the manifest
    models. The file is authenticated: HMAC-SHA256 with a per-user key kept outside the cache
    directory, checked before anything is unpickled, so a cache file written by anyone else
    (a poisoned CI cache, a shared directory) is rebuilt, never loaded. A cache directory or
    file not private to this user is not used (docs/security.md)."""
    paths = [p for p in sorted(PACKAGE_DATA.glob("*.yaml")) if p.name not in DATA_FILES]
    key = _cache_key()
    if key is None:
        return _parse_builtin(paths)
    folder = _cache_dir()
    cache = folder / f"catalog-{_catalog_key(paths)}.pickle"
    if _private(folder) and _private(cache):
        try:
            blob = cache.read_bytes()
        except OSError:
            blob = b""
        tag, payload = blob[:_TAG], blob[_TAG:]
        if len(tag) == _TAG and hmac.compare_digest(
                tag, hmac.new(key, payload, hashlib.sha256).digest()):
            try:
                cached = pickle.loads(payload)  # authenticated: written by this user's key
            except Exception:  # written by an older pydantic or Python: rebuild below
                cached = None
            if isinstance(cached, tuple):
                return cached
    built = _parse_builtin(paths)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if _private(folder):
            payload = pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(hmac.new(key, payload, hashlib.sha256).digest() + payload)
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


