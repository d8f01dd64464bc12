"""The frame content hash the client and daemon share."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from hyperseg.protocol.frame_hash import frame_hash, frame_hash_chunks


def test_hash_is_the_documented_recipe():
    pixels = np.arange(2 * 3 * 3, dtype=np.float32).reshape(2, 3, 3)
    expected = hashlib.sha256(b"hyperseg-frame-v1\n3x2 float32 R,G,B\n" + pixels.tobytes()).hexdigest()
    assert frame_hash(pixels, ["R", "G", "B"]) == expected


def test_equal_bytes_of_another_shape_or_type_hash_differently():
    black = np.zeros((4, 6, 3), np.float32)
    hashes = {
        frame_hash(black, "RGB"),
        frame_hash(black.reshape(6, 4, 3), "RGB"),
        frame_hash(np.zeros((4, 6, 3), np.float16), "RGB"),
        frame_hash(black, ["B", "G", "R"]),
    }
    assert len(hashes) == 4


def test_chunked_hash_equals_whole():
    pixels = np.random.default_rng(0).random((5, 7, 3), dtype=np.float32)
    data = pixels.tobytes()
    chunks = [data[i : i + 17] for i in range(0, len(data), 17)]
    assert frame_hash_chunks(7, 5, "float32", "RGB", chunks) == frame_hash(pixels, "RGB")


def test_rejects_wrong_shapes_and_types():
    with pytest.raises(ValueError, match="shape"):
        frame_hash(np.zeros((4, 6), np.float32), "RGB")
    with pytest.raises(ValueError, match="float32 or float16"):
        frame_hash(np.zeros((4, 6, 3), np.float64), "RGB")


def test_a_placed_plane_hashes_its_windows_by_the_documented_recipe():
    from hyperseg.imageio import Window

    pixels = np.arange(2 * 3 * 3, dtype=np.float32).reshape(2, 3, 3)
    line = b"3x2 float32 R,G,B data 10,-4 display 10,-4,3,2\n"
    expected = hashlib.sha256(b"hyperseg-frame-v1\n" + line + pixels.tobytes()).hexdigest()
    assert frame_hash(pixels, "RGB", (10, -4), Window(10, -4, 3, 2)) == expected
    assert frame_hash(pixels, "RGB", (0, 0), Window(0, 0, 3, 2)) == frame_hash(pixels, "RGB")
