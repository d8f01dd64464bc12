"""The host side never imports torch or OpenCV: Nuke's Python cannot load them.

Each check runs in a fresh interpreter where every module the server extra adds is blocked
(``sys.modules[name] = None``, so importing it raises), as on a host install; the commands that
talk to a daemon run the real CLI against the real daemon of these tests.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from plugin_plates import HEIGHT

from hyperseg.imageio import read_image
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks

STANDIN = Path(__file__).parent / "nuke_standin"
SERVER_ONLY = ("torch", "torchvision", "tensorly", "scipy", "skimage", "cv2", "matplotlib", "grpc_health",
               "grpc_reflection")
BLOCK = f"import sys\nfor name in {SERVER_ONLY!r}:\n    sys.modules[name] = None\n"


def host_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCK + code], capture_output=True, text=True, timeout=120)


def hyperseg(*args: str) -> subprocess.CompletedProcess:
    return host_python(f"sys.argv = ['hyperseg', *{list(args)!r}]\nfrom hyperseg.cli import main\nsys.exit(main())\n")


def test_plugin_and_node_import_without_torch():
    done = host_python(
        f"sys.path.insert(0, {str(STANDIN)!r})\n"
        "import hyperseg.plugin\n"
        "import hyperseg.plugin.nuke.node\n"
        "import hyperseg.plugin.nuke.point_knobs\n"
        "from hyperseg.plugin import Client\n"
        "print('ok')\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_help_and_usage_need_no_model():
    done = hyperseg("--help")
    assert done.returncode == 0, done.stderr
    assert "segment" in done.stdout and "info" in done.stdout and "batch" in done.stdout
    done = hyperseg()
    assert done.returncode == 2 and "the following arguments are required: COMMAND" in done.stderr
    done = hyperseg("batch", "--help")
    assert done.returncode == 0 and "--server HOST:PORT" in done.stdout


def test_commands_that_need_the_model_name_the_extra():
    # A host install lacks hyperseg.model itself (the hyperseg-model distribution); here it only lacks torch.
    missing = "torch" if importlib.util.find_spec("hyperseg.model") else "hyperseg.model"
    for args, command in ((["info"], "info"), (["segment", "x.exr", "-p", "1,1", "--out", "a.exr"], "segment")):
        done = hyperseg(*args)
        assert done.returncode == 2
        assert done.stderr.strip() == (
            f"hyperseg {command}: needs {missing}, which this install lacks; "
            "install the server extra: pip install 'hyperseg[server]'"
        )
    done = hyperseg("demo")
    assert done.returncode == 2 and "pip install 'hyperseg[server]'" in done.stderr and "Traceback" not in done.stderr


def test_segment_and_batch_through_a_daemon_need_no_model(address, plate_files, tmp_path):
    out = tmp_path / "one.exr"
    done = hyperseg("segment", str(plate_files / "plate.0002.exr"), "-p", f"28.5,{HEIGHT - 20.5}",
                    "--server", address, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert read_image(out).channel("A").shape == (HEIGHT, 64)
    clicks = tmp_path / "clicks.json"
    ClickTracks([ClickTrack("p1", "positive", {1: (28.5, 24.5), 3: (30.5, 22.5)})]).save(clicks)
    done = hyperseg("batch", "--plate", str(plate_files / "plate.%04d.exr"), "--range", "1-3",
                    "--clicks", str(clicks), "--out", str(tmp_path / "alpha.%04d.exr"), "--server", address,
                    "--no-progress")
    assert done.returncode == 0, done.stderr
    assert [read_image(tmp_path / f"alpha.{f:04d}.exr").channel("A").shape for f in (1, 2, 3)] == [(HEIGHT, 64)] * 3
