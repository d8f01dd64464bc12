"""Uploaded frames with a data window unlike their display window: the daemon segments the data
window only, clicks stay in display-window coordinates, the reply keeps both windows."""

from __future__ import annotations

import numpy as np
import pytest
from daemon_wire import make_frame

from hyperseg.imageio import Window, decode_exr_bytes, rewindow, to_network, write_image
from hyperseg.plugin import Client
from hyperseg.protocol.errors import InputError

OVERSCAN = (Window(0, 0, 32, 24), Window(-4, -6, 40, 36))
INSET = (Window(0, 0, 400, 300), Window(100, 50, 32, 24))


@pytest.mark.parametrize(("display", "data"), [OVERSCAN, INSET], ids=["overscan", "inset"])
def test_the_client_uploads_the_data_window_and_gets_both_windows_back(daemon, predictor, tmp_path, display,
                                                                       data):
    pixels = make_frame(400, width=data.width, height=data.height)
    before = make_frame(401, width=data.width, height=data.height)
    paths = tmp_path / "plate.1001.exr", tmp_path / "plate.1000.exr"
    for path, plane in zip(paths, (pixels, before), strict=True):
        write_image(path, plane, ["R", "G", "B"], data_window=data, display_window=display)
    click = (data.x - display.x + 5.5, data.y - display.y + 7.5)
    with Client(f"127.0.0.1:{daemon.port}", send_paths=False) as client:
        result = client.segment(str(paths[0]), [click], previous=str(paths[1]), proxy=0.5)
    assert (result.display_window, result.data_window) == (display, data)
    image = decode_exr_bytes(result.exr_bytes)
    assert (image.display_window, image.data_window) == (display, data)
    encoding = predictor.encode_frame(to_network(pixels, "linear"), previous=to_network(before, "linear"), proxy=0.5)
    expected = predictor.predict_encoded(encoding, [(5.5, 7.5)]).masks[0].astype(np.float16).astype(np.float32)
    np.testing.assert_array_equal(result.alpha, expected)


def test_a_previous_frame_with_another_data_window_is_recut_to_the_frames(daemon, predictor, tmp_path):
    display = Window(0, 0, 64, 48)
    frame_window, previous_window = Window(10, 10, 32, 24), Window(20, 4, 32, 24)
    pixels, before = make_frame(402), make_frame(403)
    write_image(tmp_path / "f.exr", pixels, ["R", "G", "B"], data_window=frame_window, display_window=display)
    write_image(tmp_path / "p.exr", before, ["R", "G", "B"], data_window=previous_window,
                display_window=display)
    with Client(f"127.0.0.1:{daemon.port}", send_paths=False) as client:
        result = client.segment(str(tmp_path / "f.exr"), [(20.5, 20.5)], previous=str(tmp_path / "p.exr"),
                                proxy=0.5)
    aligned = rewindow(before, previous_window, frame_window)
    assert aligned[:, :10].sum() == 0 and aligned[18:].sum() == 0 and aligned[:18, 10:].all()
    encoding = predictor.encode_frame(to_network(pixels, "linear"), previous=to_network(aligned, "linear"), proxy=0.5)
    expected = predictor.predict_encoded(encoding, [(10.5, 10.5)]).masks[0]
    np.testing.assert_array_equal(result.alpha, expected.astype(np.float16).astype(np.float32))


def test_a_click_off_the_data_window_is_refused_by_name(daemon, tmp_path):
    display, data = INSET
    write_image(tmp_path / "inset.exr", make_frame(404), ["R", "G", "B"], data_window=data,
                display_window=display)
    with Client(f"127.0.0.1:{daemon.port}", send_paths=False) as client, pytest.raises(InputError) as raised:
        client.segment(str(tmp_path / "inset.exr"), [(10.5, 10.5)])
    assert str(raised.value) == (
        "positive click 0 at (10.5, 10.5) is off the frame's pixels: its data window spans x in [100, 132),"
        " y in [50, 74) from the display window's top-left, y down"
    )
