"""Writers on a full disk and an unwritable file system, and damaged EXRs whose error text is not UTF-8.

The full disk is real, two ways: a child process whose file size limit (RLIMIT_FSIZE, SIGXFSZ
ignored) is smaller than the EXR, so the kernel cuts the write short (EFBIG), which works on any
Linux; and a 256 KiB tmpfs filled to the last byte (ENOSPC) in a user namespace, where the kernel
allows one. OpenImageIO reports success for such a small truncated file either way.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hyperseg.imageio import decode_exr_bytes, is_complete_exr, read_image, write_alpha_exr
from hyperseg.protocol.errors import CorruptFileError, WriteError

# The child limits its own file size (RLIMIT_FSIZE, SIGXFSZ ignored: writes past it fail, no signal)
# rather than through subprocess's preexec_fn: running Python between fork and exec in a pytest
# process that has served gRPC in-process can abort the child in gRPC's fork handlers.
CHILD = """
import json, resource, signal, sys
import numpy as np
from hyperseg.imageio import write_alpha_exr
if len(sys.argv) > 2:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))
alpha = np.zeros((48, 64), np.float32)
alpha[10:30, 10:40] = 1.0
try:
    write_alpha_exr(sys.argv[1], alpha, metadata={"frame": "1001"})
    print(json.dumps({"error": None}))
except Exception as error:
    print(json.dumps({"error": type(error).__name__, "message": str(error)}))
"""


def write_in_child(path: Path, max_bytes: int | None) -> dict:
    limit = [] if max_bytes is None else [str(max_bytes)]
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), *limit], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_child_writes_a_complete_exr_without_a_limit(tmp_path):
    target = tmp_path / "alpha.exr"
    assert write_in_child(target, None) == {"error": None}
    assert is_complete_exr(target, ["A"])


@pytest.mark.parametrize("max_bytes", [100, 300, 420])
def test_a_full_disk_fails_the_write_and_keeps_the_good_file(tmp_path, max_bytes):
    target = tmp_path / "alpha.exr"
    good = np.full((48, 64), 0.25, np.float32)
    write_alpha_exr(target, good)
    before = target.read_bytes()
    assert len(before) > max_bytes

    outcome = write_in_child(target, max_bytes)

    assert outcome["error"] == "WriteError", outcome
    assert outcome["message"].startswith(f"cannot write {target}: ")
    assert target.read_bytes() == before, "a failed rewrite must leave the good frame in place"
    assert read_image(target).channel("A").min() == 0.25
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alpha.exr"], "temp file left behind"


def test_an_unwritable_file_system_is_a_write_error_naming_the_target():
    target = Path("/sys/hyperseg-alpha.exr")  # sysfs refuses new files, even to root
    with pytest.raises(WriteError, match=r"^cannot write /sys/hyperseg-alpha\.exr: "):
        write_alpha_exr(target, np.zeros((4, 4), np.float32))
    assert not target.exists()


def damaged_exr(tmp_path: Path) -> Path:
    """An alpha EXR whose screenWindowCenter type name starts with 0xff: OpenImageIO's error
    message then quotes bytes that are not UTF-8."""
    good = tmp_path / "good.exr"
    write_alpha_exr(good, np.zeros((8, 8), np.float32))
    data = bytearray(good.read_bytes())
    data[data.index(b"v2f\x00")] = 0xFF
    bad = tmp_path / "bad.exr"
    bad.write_bytes(bytes(data))
    return bad


def test_non_utf8_error_text_is_a_corrupt_file_error(tmp_path):
    bad = damaged_exr(tmp_path)
    with pytest.raises(CorruptFileError, match=r"^cannot decode image .*bad\.exr: .*Invalid type '\ufffd2f'"):
        read_image(bad)
    with pytest.raises(CorruptFileError, match="cannot decode"):
        decode_exr_bytes(bad.read_bytes())
    assert not is_complete_exr(bad)


FULL_TMPFS_CHILD = """
import json, os, sys
from pathlib import Path
import numpy as np
from hyperseg.imageio import write_alpha_exr
target = Path(sys.argv[1]) / "alpha.exr"
write_alpha_exr(target, np.full((48, 64), 0.25, np.float32))
before = target.read_bytes()
filler = os.open(Path(sys.argv[1]) / "filler", os.O_WRONLY | os.O_CREAT)
try:  # fill the file system to the last byte
    while os.write(filler, bytes(512)):
        pass
except OSError:
    os.close(filler)
alpha = np.zeros((48, 64), np.float32)
alpha[10:30, 10:40] = 1.0
try:
    write_alpha_exr(target, alpha)
    outcome = {"error": None}
except Exception as error:
    outcome = {"error": type(error).__name__, "message": str(error)}
outcome["kept"] = target.read_bytes() == before
outcome["left"] = sorted(p.name for p in Path(sys.argv[1]).iterdir())
print(json.dumps(outcome))
"""


def test_a_really_full_tmpfs_fails_the_write_and_keeps_the_good_file(tmp_path):
    """ENOSPC itself: a 256 KiB tmpfs mounted in a user namespace (where the kernel allows one)."""
    if subprocess.run(["unshare", "-r", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("unprivileged user and mount namespaces are not available here (RLIMIT_FSIZE tests cover it)")
    mount = tmp_path / "mnt"
    mount.mkdir()
    script = f'mount -t tmpfs -o size=256k tmpfs "{mount}" && exec "{sys.executable}" -c "$0" "{mount}"'
    done = subprocess.run(["unshare", "-r", "-m", "sh", "-c", script, FULL_TMPFS_CHILD], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["error"] == "WriteError", outcome
    assert outcome["message"].startswith(f"cannot write {mount}/alpha.exr: ")
    assert outcome["kept"] and outcome["left"] == ["alpha.exr", "filler"]
