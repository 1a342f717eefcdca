"""superpod-iac: validate, render and bill AI superpod designs written as YAML manifests."""

import os

# numpy's OpenBLAS starts one thread per core when numpy is imported (~70 ms of CPU on a short
# `superpod validate`); nothing here uses BLAS, so keep it to one thread unless the user chose.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# pydantic looks for plugins by scanning the entry points of every installed distribution the
# first time a model is built (~10 ms here, more in a large environment); the tool uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def _no_plugin_scan() -> None:
    """With plugins disabled, pydantic's plugin loader still imports `importlib.metadata` (and
    with it `email`, `socket`, `zipfile`: ~10 ms of a ~0.45 s pre-commit `validate`) only to
    answer "no plugins". Stand in for that module: `get_plugins()` answers no plugins, as
    pydantic's own does for this setting; any other name loads the real module."""
    import sys
    import types

    name = "pydantic.plugin._loader"
    if name in sys.modules or os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in (
            "__all__", "1", "true"):
        return

    def real(attr: str) -> object:
        import importlib.util

        if attr.startswith("__"):  # the import system asks for __path__ and the like
            raise AttributeError(attr)
        del sys.modules[name]
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            raise AttributeError(attr)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return getattr(module, attr)

    stub = types.ModuleType(name, "superpod_iac: pydantic plugins are disabled")
    stub.get_plugins = lambda: ()  # type: ignore[attr-defined]
    stub.__getattr__ = real  # type: ignore[method-assign]
    sys.modules[name] = stub


_no_plugin_scan()

__version__ = "0.1.0"
API_VERSION = "superpod-iac/v1alpha1"
