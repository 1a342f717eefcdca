"""superpod-iac: validate, render and bill AI superpod designs written as YAML manifests."""

import os

# numpy's OpenBLAS starts one thread per core when numpy is imported (~70 ms of CPU on a short
# `superpod validate`); nothing here uses BLAS, so keep it to one thread unless the user chose.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# pydantic looks for plugins by scanning the entry points of every installed distribution the
# first time a model is built (~10 ms here, more in a large environment); the tool uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

__version__ = "0.1.0"
API_VERSION = "superpod-iac/v1alpha1"
