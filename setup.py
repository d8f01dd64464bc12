"""Build hook: generate the gRPC/protobuf code from protos/ at build time.

The generated modules land in build/generated/hyperseg/v1 (ignored by git) and install as
``hyperseg.v1``. Nothing generated is ever committed, so it can never be stale.

The generated code checks at import that grpcio and protobuf are at least the versions that
generated it, so it is generated only by the grpcio-tools pyproject.toml's build-system pins (the
newest whose code imports on every Python the host side claims). Every Python's editable install
shares build/generated, so another grpcio-tools (a ``--no-build-isolation`` build in an environment
that has a newer one) is refused rather than leaving code that one of those Pythons cannot import.
"""

import re
from importlib.metadata import version
from pathlib import Path

from grpc_tools import protoc
from setuptools import setup

ROOT = Path(__file__).resolve().parent
PROTO_ROOT = ROOT / "protos"
OUT = ROOT / "build" / "generated"


def pinned_grpcio_tools() -> str:
    found = re.search(r'"grpcio-tools==([^"]+)"', (ROOT / "pyproject.toml").read_text())
    if found is None:
        raise SystemExit("setup.py: pyproject.toml's build-system must pin grpcio-tools==VERSION")
    return found.group(1)


def generate_protos() -> None:
    pinned, here = pinned_grpcio_tools(), version("grpcio-tools")
    if here != pinned:
        raise SystemExit(
            f"setup.py: the protos are generated with grpcio-tools {pinned} (pyproject.toml build-system), "
            f"this build environment has {here}: build with isolation (pip install -e . without --no-build-isolation)"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    protos = sorted(PROTO_ROOT.rglob("*.proto"))
    include = Path(protoc.__file__).parent / "_proto"
    for proto in protos:
        status = protoc.main(
            [
                "grpc_tools.protoc",
                f"-I{PROTO_ROOT}",
                f"-I{include}",
                f"--python_out={OUT}",
                f"--pyi_out={OUT}",
                f"--grpc_python_out={OUT}",
                str(proto),
            ]
        )
        if status != 0:
            raise SystemExit(f"protoc failed on {proto.relative_to(ROOT)}")
    for package in {p.parent for p in OUT.rglob("*_pb2.py")}:
        (package / "__init__.py").touch()


generate_protos()
setup()
