"""The installed HyperSeg version, as the package metadata says (pyproject.toml's ``version``)."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("hyperseg")
except PackageNotFoundError:  # run from a source tree that was never installed
    VERSION = "0+unknown"
