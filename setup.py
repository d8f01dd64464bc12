"""Build hook: generate the gRPC/protobuf code from protos/ at build time.

The generated modules land in build/generated/hyperseg/v1 (ignored by git) and install as
``hyperseg.v1``. Nothing generated is ever committed, so it can never be stale.
"""

from pathlib import Path

from grpc_tools import protoc
from setuptools import setup

ROOT = Path(__file__).resolve().parent
PROTO_ROOT = ROOT / "protos"
OUT = ROOT / "build" / "generated"


def generate_protos() -> None:
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
