"""Which optional extra of the ``hyperseg`` distribution provides a module a command failed to import.

The host install (Nuke's Python, a TD's workstation) has no torch, no OpenCV and no
``hyperseg.model`` (the hyperseg-model distribution, which the server extra requires); a command
that needs the model then says which extra to install instead of ending in a traceback. The import
names here are those of the packages pyproject.toml (and model/pyproject.toml) list under each extra.
"""

from __future__ import annotations

EXTRA_OF_MODULE = {
    **dict.fromkeys(
        ("hyperseg.model", "torch", "torchvision", "tensorly", "scipy", "skimage", "cv2", "matplotlib", "grpc_health",
         "grpc_reflection"),
        "server",
    ),
    **dict.fromkeys(("dask", "distributed", "outline"), "farm"),
}


def missing_extra(command: str, error: ModuleNotFoundError) -> str | None:
    """The one line to print when ``command`` failed on a module an extra provides, else None."""
    parts = (error.name or "").split(".")
    module = next((m for m in (".".join(parts[:2]), parts[0]) if m in EXTRA_OF_MODULE), None)
    if module is None:
        return None
    extra = EXTRA_OF_MODULE[module]
    return (
        f"hyperseg {command}: needs {module}, which this install lacks; "
        f"install the {extra} extra: pip install 'hyperseg[{extra}]'"
    )
