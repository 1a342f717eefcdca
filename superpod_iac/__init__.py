"""superpod-iac: validate, render and bill AI superpod designs written as YAML manifests."""

import os

# numpy's OpenBLAS starts one thread per core when numpy is imported (~70 ms of CPU on a short
# `superpod validate`); nothing here uses BLAS, so keep it to one thread unless the user chose.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
API_VERSION = "superpod-iac/v1alpha1"
