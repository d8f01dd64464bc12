"""hyperseg.plugin.Client against a real daemon on loopback."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from plugin_plates import HEIGHT, WIDTH, make_plate

from hyperseg.imageio import read_image, to_network
from hyperseg.plugin import Client, RangeItem
from hyperseg.protocol.errors import InputError, NotFoundError, UnavailableError
from hyperseg.protocol.token_file import read_token_file


def test_info_names_the_model(address):
    with Client(address) as client:
        info = client.info()
    assert info["checkpoint_id"] == "untrained-0"
    assert info["hypotheses"] == 6
    assert int(info["limits"]["max_chunk_bytes"]) == 1024 * 1024


def test_segment_array_matches_predictor(address, predictor):
    plate = make_plate(1)
    with Client(address) as client:
        result = client.segment(plate, positive=[(28.5, 24.5)], negative=[(3.5, 3.5)], hypotheses="all")
    predictor.set_frame(plate)
    expected = predictor.predict(positive=[(28.5, 24.5)], negative=[(3.5, 3.5)], refine=None)  # all asked for
    assert result.alpha.shape == (HEIGHT, WIDTH)
    assert result.hypotheses.shape == (6, HEIGHT, WIDTH)
    # the EXR is half float: agreement to half precision
    np.testing.assert_allclose(result.alpha, expected.masks[0], atol=2e-3)
    np.testing.assert_allclose(result.scores, expected.scores, rtol=1e-5, atol=1e-6)
    assert result.checkpoint_id == "untrained-0"
    assert result.timings["roundtrip_ms"] > 0


def test_an_8_bit_frame_is_sent_as_its_values_over_255_and_a_0_255_float_frame_is_refused_here(address, daemon):
    """As Predictor.set_frame takes frames (hyperseg.protocol.frame_values): uint8 pixels answer as the same
    frame in [0, 1]; floats of 0-255 are refused in one line before a byte is sent."""
    plate = make_plate(8)
    pixels = np.round(np.clip(plate, 0, 1) * 255).astype(np.uint8)
    with Client(address) as client:
        as_integers = client.segment(pixels, positive=[(28.5, 24.5)])
        as_floats = client.segment(pixels.astype(np.float32) / 255, positive=[(28.5, 24.5)])
        before = int(client.info()["counters"]["frame_bytes_received"])
        with pytest.raises(InputError, match=r"a frame looks like 0-255 values stored as floats \(median"):
            client.segment(pixels.astype(np.float32), positive=[(28.5, 24.5)])
        assert int(client.info()["counters"]["frame_bytes_received"]) == before
    np.testing.assert_array_equal(as_integers.alpha, as_floats.alpha)


def test_uploads_are_deduplicated_by_hash(address, daemon):
    plate = make_plate(7)
    with Client(address) as client:
        before = int(client.info()["counters"]["frame_bytes_received"])
        client.segment(plate, positive=[(28.5, 24.5)])
        after_first = int(client.info()["counters"]["frame_bytes_received"])
        client.segment(plate, positive=[(30.5, 20.5)])
        after_second = int(client.info()["counters"]["frame_bytes_received"])
    assert after_first - before == plate.nbytes
    assert after_second == after_first


def test_path_read_here_equals_its_array_in_the_networks_colour_space(address, plate_files):
    path = plate_files / "plate.0002.exr"  # a float EXR: linear unless told otherwise
    with Client(address, send_paths=False) as client:
        from_file = client.segment(str(path), positive=[(28.5, 24.5)])
        from_array = client.segment(to_network(make_plate(2), "linear"), positive=[(28.5, 24.5)])
    np.testing.assert_array_equal(from_file.alpha, from_array.alpha)


def test_save_writes_the_daemons_exr(address, tmp_path):
    with Client(address) as client:
        result = client.segment(make_plate(3), positive=[(28.5, 24.5)], frame_number=1001)
    out = result.save(tmp_path / "alpha.1001.exr")
    image = read_image(out)
    assert image.channel_names == ("A",)
    assert image.hyperseg_metadata["frame"] == "1001"
    assert result.frame_number == 1001


def test_segment_range_in_order(address):
    items = [RangeItem(make_plate(f), positive=[(28.5, 24.5)], frame_number=f) for f in (11, 12, 13)]
    with Client(address) as client:
        results = list(client.segment_range(items, batch=2))
    assert [r.frame_number for r in results] == [11, 12, 13]
    assert all(r.alpha.shape == (HEIGHT, WIDTH) for r in results)


def test_click_outside_frame_carries_daemons_message(address):
    with Client(address) as client, pytest.raises(InputError, match="outside"):
        client.segment(make_plate(1), positive=[(500.5, 24.5)])


def test_missing_path_is_not_found(address, tmp_path):
    with Client(address, send_paths=False) as client, pytest.raises(NotFoundError, match="not found"):
        client.segment(str(tmp_path / "nope.exr"), positive=[(1.5, 1.5)])


def test_bad_arguments_fail_before_the_wire():
    with Client("127.0.0.1:1", retries=0) as client:
        with pytest.raises(InputError, match="hypotheses"):
            client.segment(make_plate(1), positive=[(1.5, 1.5)], hypotheses="some")
        with pytest.raises(InputError, match="proxy"):
            client.segment(make_plate(1), positive=[(1.5, 1.5)], proxy=0)
        with pytest.raises(InputError, match="RGB"):
            client.segment(np.zeros((4, 4), np.float32), positive=[(1.5, 1.5)])


def test_tls_with_a_ca_file_and_a_token(predictor, tmp_path):
    from hyperseg.daemon.config import DaemonConfig
    from hyperseg.daemon.server import serve

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    config = DaemonConfig(port=0, token="tls-token", tls_cert=cert, tls_key=key, cache_mb=16, frame_store_mb=16)
    running = serve(config, predictor=predictor)
    try:
        address = f"127.0.0.1:{running.port}"
        with Client(address, token="tls-token", tls_ca=cert) as client:
            info = client.info()
            assert info["tls"] and info["auth_required"]
            assert client.segment(make_plate(1), positive=[(28.5, 24.5)]).alpha.shape == (HEIGHT, WIDTH)
        with Client(address, token="tls-token", connect_timeout=0.5) as plaintext, pytest.raises(UnavailableError):
            plaintext.info()
    finally:
        running.stop(grace=1)


def test_token_file(tmp_path):
    path = tmp_path / "token"
    path.write_text("  abc123\n")
    assert read_token_file(path) == "abc123"
    path.write_text("\n")
    with pytest.raises(InputError, match="empty"):
        read_token_file(path)
    with pytest.raises(NotFoundError, match="token file not found"):
        read_token_file(tmp_path / "nope")
