"""Which optional extra of the ``hyperseg`` distribution provides a module a command failed to import.

The host install (Nuke's Python, a TD's workstation) has no torch or OpenCV; a command that needs
the model then says which extra to install instead of ending in a traceback. The import names
here are those of the packages pyproject.toml lists under each extra.
"""

from __future__ import annotations

EXTRA_OF_MODULE = {
    **dict.fromkeys(
        ("torch", "torchvision", "tensorly", "scipy", "skimage", "cv2", "matplotlib", "grpc_health",
         "grpc_reflection"),
        "server",
    ),
    **dict.fromkeys(("dask", "distributed", "outline"), "farm"),
}


def missing_extra(command: str, error: ModuleNotFoundError) -> str | None:
    """The one line to print when ``command`` failed on a module an extra provides, else None."""
    module = (error.name or "").split(".")[0]
    extra = EXTRA_OF_MODULE.get(module)
    if extra is None:
        return None
    return (
        f"hyperseg {command}: needs {module}, which this install lacks; "
        f"install the {extra} extra: pip install 'hyperseg[{extra}]'"
    )
