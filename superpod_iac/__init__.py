"""superpod-iac: validate, render and bill AI superpod designs written as YAML manifests."""

__version__ = "0.1.0"
API_VERSION = "superpod-iac/v1alpha1"
