"""hyperseg.imageio against real files written and read back through OpenImageIO."""

import json
import os
import re
from pathlib import Path

import fileseq
import numpy as np
import OpenImageIO as oiio
import pytest

from hyperseg.imageio import (
    FramePattern,
    Image,
    Window,
    decode_exr_bytes,
    encode_alpha_exr,
    is_complete_exr,
    read_image,
    read_rgb,
    read_sequence,
    write_alpha_exr,
    write_image,
)
from hyperseg.protocol.errors import CorruptFileError, InputError, NotFoundError

HALF_EPS = 2.0**-11  # half precision relative step for values in [0.5, 1)


def ramp(h, w, c=1, seed=0):
    return np.random.default_rng(seed).random((h, w, c), dtype=np.float32)


def write_with_oiio(path, pixels, pixel_type, channel_names=None, **attributes):
    """Write a test file with raw OpenImageIO, independently of the module under test."""
    h, w, c = pixels.shape
    spec = oiio.ImageSpec(w, h, c, pixel_type)
    if channel_names:
        spec.channelnames = tuple(channel_names)
    for key, value in attributes.items():
        spec.attribute(key, value)
    out = oiio.ImageOutput.create(str(path))
    assert out.open(str(path), spec), oiio.geterror()
    assert out.write_image(np.ascontiguousarray(pixels)), out.geterror()
    out.close()


def leftovers(directory):
    return sorted(p.name for p in Path(directory).iterdir() if ".tmp-" in p.name)


# ------------------------------------------------------------------------------- alpha EXR writing


def test_alpha_exr_round_trip_with_raw_oiio(tmp_path):
    alpha = ramp(30, 40)[:, :, 0]
    hyps = np.stack([ramp(30, 40, seed=k)[:, :, 0] for k in range(6)])
    clicks = {"positive": [[12.5, 7.5]], "negative": []}
    path = tmp_path / "alpha.1001.exr"
    write_alpha_exr(
        path,
        alpha,
        hypotheses=hyps,
        display_window=Window(0, 0, 100, 80),
        data_window=Window(20, 10, 40, 30),
        pixel_aspect=2.0,
        metadata={"frame": 1001, "clicks": json.dumps(clicks), "checkpoint": "1a2b3c4d", "proxy": 0.5},
    )

    inp = oiio.ImageInput.open(str(path))
    spec = inp.spec()
    data = inp.read_image(0, 0, 0, spec.nchannels, "float")
    inp.close()
    assert inp.format_name() == "openexr"
    assert spec.format == oiio.TypeDesc(oiio.HALF)
    assert all(fmt == oiio.TypeDesc(oiio.HALF) for fmt in spec.channelformats) or not spec.channelformats
    assert spec.get_string_attribute("compression") == "zip"
    assert spec.channelnames == ("A", *(f"hypotheses.h{k}" for k in range(6)))
    assert (spec.x, spec.y, spec.width, spec.height) == (20, 10, 40, 30)
    assert (spec.full_x, spec.full_y, spec.full_width, spec.full_height) == (0, 0, 100, 80)
    assert spec.get_float_attribute("PixelAspectRatio") == 2.0
    assert spec.getattribute("hyperseg/frame") == "1001"
    assert spec.getattribute("hyperseg/checkpoint") == "1a2b3c4d"
    assert spec.getattribute("hyperseg/proxy") == "0.5"
    assert json.loads(spec.getattribute("hyperseg/clicks")) == clicks
    np.testing.assert_allclose(data[:, :, 0], alpha, atol=HALF_EPS)
    np.testing.assert_allclose(np.moveaxis(data[:, :, 1:], -1, 0), hyps, atol=HALF_EPS)
    assert leftovers(tmp_path) == []


def test_alpha_exr_read_back_through_image(tmp_path):
    alpha = ramp(6, 5)[:, :, 0]
    hyps = np.stack([np.full((6, 5), k / 10, np.float32) for k in range(6)])
    write_alpha_exr(tmp_path / "a.exr", alpha, hypotheses=hyps, metadata={"hyperseg/frame": "7"})
    image = read_image(tmp_path / "a.exr")
    assert image.data_window == image.display_window == Window(0, 0, 5, 6)
    assert image.pixel_aspect == 1.0
    assert image.hyperseg_metadata == {"frame": "7"}
    np.testing.assert_allclose(image.channel("A"), alpha, atol=HALF_EPS)
    np.testing.assert_allclose(image.hypotheses(), hyps, atol=HALF_EPS)
    assert image.pixels.dtype == np.float32


def test_alpha_only_has_one_channel_and_no_hypotheses(tmp_path):
    write_alpha_exr(tmp_path / "a.exr", np.ones((3, 4), np.float32))
    image = read_image(tmp_path / "a.exr")
    assert image.channel_names == ("A",)
    assert image.hypotheses() is None
    assert image.rgb().shape == (3, 4, 3)


def test_encode_and_decode_exr_bytes(tmp_path):
    alpha = ramp(8, 9)[:, :, 0]
    data = encode_alpha_exr(
        alpha, hypotheses=np.stack([alpha, 1 - alpha]), data_window=Window(3, 4, 9, 8), metadata={"frame": 3}
    )
    assert data[:4] == b"\x76\x2f\x31\x01"
    image = decode_exr_bytes(data)
    assert image.channel_names == ("A", "hypotheses.h0", "hypotheses.h1")
    assert image.data_window == Window(3, 4, 9, 8)
    assert image.display_window == Window(0, 0, 9, 8)
    assert image.hyperseg_metadata == {"frame": "3"}
    np.testing.assert_allclose(image.hypotheses()[1], 1 - alpha, atol=HALF_EPS)
    write_alpha_exr(
        tmp_path / "same.exr",
        alpha,
        hypotheses=np.stack([alpha, 1 - alpha]),
        data_window=Window(3, 4, 9, 8),
        metadata={"frame": 3},
    )
    np.testing.assert_array_equal(read_image(tmp_path / "same.exr").pixels, image.pixels)


def test_decode_exr_bytes_rejects_garbage_and_truncation():
    with pytest.raises(CorruptFileError, match="not OpenEXR data"):
        decode_exr_bytes(b"")
    with pytest.raises(CorruptFileError, match="not OpenEXR data"):
        decode_exr_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    data = encode_alpha_exr(ramp(64, 64)[:, :, 0])
    with pytest.raises(CorruptFileError, match="OpenEXR data"):
        decode_exr_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"alpha": np.zeros((4, 5, 1))}, r"alpha must be a non-empty \(H, W\)"),
        ({"hypotheses": np.zeros((6, 5, 4))}, "hypotheses must be"),
        ({"data_window": Window(0, 0, 4, 4)}, "data window 4x4 does not match the pixels' size 5x4"),
        ({"alpha": np.full((4, 5), np.nan)}, "NaN"),
        ({"pixel_aspect": 0.0}, "pixel aspect"),
        ({"metadata": {"clicks": {"a": 1}}}, "encode structures as JSON"),
    ],
)
def test_write_alpha_exr_input_errors_leave_existing_file_untouched(tmp_path, kwargs, message):
    path = tmp_path / "alpha.exr"
    write_alpha_exr(path, np.full((4, 5), 0.25, np.float32), metadata={"frame": 1})
    before = path.read_bytes()
    args = {"alpha": np.zeros((4, 5), np.float32), **kwargs}
    alpha = args.pop("alpha")
    with pytest.raises(InputError, match=message):
        write_alpha_exr(path, alpha, **args)
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_failed_replace_removes_temp_file(tmp_path):
    target = tmp_path / "out.exr"
    target.mkdir()
    (target / "keep").write_text("existing")
    with pytest.raises(InputError, match="it is a directory"):
        write_alpha_exr(target, np.zeros((2, 2), np.float32))
    assert leftovers(tmp_path) == []
    assert (target / "keep").read_text() == "existing"


def test_write_into_missing_directory(tmp_path):
    with pytest.raises(NotFoundError, match="does not exist"):
        write_alpha_exr(tmp_path / "nope" / "a.exr", np.zeros((2, 2), np.float32))


def test_overwrite_replaces_atomically(tmp_path):
    path = tmp_path / "a.exr"
    write_alpha_exr(path, np.zeros((2, 3), np.float32))
    write_alpha_exr(path, np.ones((2, 3), np.float32))
    assert read_image(path).channel("A").tolist() == [[1.0] * 3] * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.exr"]


# ---------------------------------------------------------------------------- generic write_image


def test_write_image_float_exr_keeps_full_precision(tmp_path):
    pixels = ramp(5, 7, 3) * 1000 + 1e-3
    write_image(tmp_path / "plate.exr", pixels, ("R", "G", "B"))
    inp = oiio.ImageInput.open(str(tmp_path / "plate.exr"))
    assert inp.spec().format == oiio.TypeDesc(oiio.FLOAT)
    assert inp.spec().get_string_attribute("compression") == "zip"
    inp.close()
    np.testing.assert_array_equal(read_image(tmp_path / "plate.exr").pixels, pixels)


def test_write_image_png_overlay_is_8_bit(tmp_path):
    pixels = np.linspace(0, 1, 4 * 6 * 3, dtype=np.float32).reshape(4, 6, 3)
    write_image(tmp_path / "overlay.png", pixels, ("R", "G", "B"))
    inp = oiio.ImageInput.open(str(tmp_path / "overlay.png"))
    assert inp.spec().format == oiio.TypeDesc(oiio.UINT8)
    inp.close()
    np.testing.assert_allclose(read_image(tmp_path / "overlay.png").pixels, pixels, atol=0.5 / 255 + 1e-6)
    assert leftovers(tmp_path) == []


def test_write_image_errors(tmp_path):
    with pytest.raises(InputError, match=r"unsupported extension '\.txt'"):
        write_image(tmp_path / "a.txt", np.zeros((2, 2, 1)), ("Y",))
    with pytest.raises(InputError, match=r"C = 3 channel names, got shape \(2, 2, 1\)"):
        write_image(tmp_path / "a.exr", np.zeros((2, 2, 1)), ("R", "G", "B"))
    with pytest.raises(InputError, match="exr_pixel_type"):
        write_image(tmp_path / "a.exr", np.zeros((2, 2, 1)), ("Y",), exr_pixel_type="double")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------------ reading


@pytest.mark.parametrize(
    ("name", "pixel_type", "atol", "attributes"),
    [
        ("a.png", oiio.UINT8, 0.5 / 255, {}),
        ("a.jpg", oiio.UINT8, 0.01, {"Compression": "jpeg:100", "jpeg:subsampling": "4:4:4"}),
        ("a.tif", oiio.UINT16, 0.5 / 65535, {}),
        ("a.dpx", oiio.UINT16, 1 / 1023, {"oiio:BitsPerSample": 10}),  # OIIO truncates to 10 bits
    ],
)
def test_read_integer_formats_normalised(tmp_path, name, pixel_type, atol, attributes):
    # A smooth gradient (JPEG is lossy on noise) from exactly 0 to exactly 1.
    yy, xx = np.mgrid[0:12, 0:16].astype(np.float32)
    pixels = np.stack([xx / 15, yy / 11, (xx + yy) / 26], axis=-1)
    write_with_oiio(tmp_path / name, pixels, pixel_type, **attributes)
    image = read_image(tmp_path / name)
    assert image.pixels.dtype == np.float32
    assert image.pixels.shape == (12, 16, 3)
    assert image.channel_names == ("R", "G", "B")
    assert image.data_window == image.display_window == Window(0, 0, 16, 12)
    np.testing.assert_allclose(image.rgb(), pixels, atol=atol + 1e-6)


def test_read_16_bit_png_extremes(tmp_path):
    pixels = np.array([[[0], [65535], [32768], [1]]], dtype=np.uint16)
    write_with_oiio(tmp_path / "g16.png", pixels, oiio.UINT16)
    image = read_image(tmp_path / "g16.png")
    assert image.channel_names == ("Y",)
    np.testing.assert_allclose(image.pixels[0, :, 0], [0.0, 1.0, 32768 / 65535, 1 / 65535], rtol=1e-6)
    rgb = image.rgb()
    assert rgb.shape == (1, 4, 3)
    np.testing.assert_array_equal(rgb[..., 0], rgb[..., 2])


def test_read_exr_any_channel_names_and_selection(tmp_path):
    pixels = ramp(4, 5, 3)
    write_with_oiio(tmp_path / "m.exr", pixels, oiio.FLOAT, ("depth.Z", "mask", "zeta"))
    image = read_image(tmp_path / "m.exr")
    assert sorted(image.channel_names) == ["depth.Z", "mask", "zeta"]  # OpenEXR stores channels sorted
    for k, name in enumerate(("depth.Z", "mask", "zeta")):
        np.testing.assert_array_equal(image.channel(name), pixels[:, :, k])
    assert image.rgb().shape == (4, 5, 3)
    picked = read_image(tmp_path / "m.exr", channels=["zeta", "depth.Z"])
    assert picked.channel_names == ("zeta", "depth.Z")
    np.testing.assert_array_equal(picked.pixels, pixels[:, :, [2, 0]])
    with pytest.raises(
        InputError,
        match=rf"no channel 'R', 'Q' in {re.escape(str(tmp_path / 'm.exr'))}; available channels: mask, zeta, depth\.Z",
    ):
        read_image(tmp_path / "m.exr", channels=["R", "mask", "Q"])
    with pytest.raises(InputError, match=r"no channel 'B' in this image; available channels: mask, zeta, depth\.Z"):
        image.channel("B")


def test_read_half_exr(tmp_path):
    pixels = np.array([[[0.1, 0.2, 0.3, 1.0]]], dtype=np.float16)
    write_with_oiio(tmp_path / "h.exr", pixels, oiio.HALF, ("R", "G", "B", "A"))
    image = read_image(tmp_path / "h.exr")
    assert image.pixels.dtype == np.float32
    np.testing.assert_array_equal(image.pixels, pixels.astype(np.float32))
    np.testing.assert_array_equal(image.rgb()[0, 0], pixels[0, 0, :3].astype(np.float32))


def test_read_rgb_pastes_data_window_into_display_window(tmp_path):
    pixels = ramp(3, 4, 3) + 0.5
    write_image(
        tmp_path / "p.exr",
        pixels,
        ("R", "G", "B"),
        display_window=Window(0, 0, 10, 6),
        data_window=Window(8, -1, 4, 3),
        pixel_aspect=0.5,
    )
    image = read_image(tmp_path / "p.exr")
    assert image.data_window == Window(8, -1, 4, 3)
    assert image.display_window == Window(0, 0, 10, 6)
    assert image.pixel_aspect == 0.5
    assert image.rgb().shape == (3, 4, 3)
    frame = read_rgb(tmp_path / "p.exr")
    assert frame.shape == (6, 10, 3)
    assert frame.dtype == np.float32
    # Data rows -1..1 and columns 8..11 overlap the display in rows 0..1, columns 8..9.
    np.testing.assert_array_equal(frame[0:2, 8:10], pixels[1:3, 0:2])
    assert frame.sum() == pytest.approx(pixels[1:3, 0:2].sum(), rel=1e-6)


def test_rgb_needs_three_channels_or_grey():
    image = Image(np.zeros((1, 1, 2), np.float32), ("A", "Z"), Window(0, 0, 1, 1), Window(0, 0, 1, 1))
    with pytest.raises(InputError, match="cannot make RGB from channels A, Z"):
        image.rgb()


def test_read_missing_file(tmp_path):
    with pytest.raises(NotFoundError, match=rf"image file not found: {re.escape(str(tmp_path / 'missing.exr'))}$"):
        read_image(tmp_path / "missing.exr")


def test_read_directory(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        read_image(tmp_path)


def make_exr(path, size=64):
    write_alpha_exr(path, ramp(size, size)[:, :, 0], hypotheses=np.stack([ramp(size, size, seed=1)[:, :, 0]] * 6))
    return path.read_bytes()


@pytest.mark.parametrize("fraction", [0.02, 0.5, 0.95])
def test_truncated_exr_is_corrupt(tmp_path, fraction):
    data = make_exr(tmp_path / "good.exr")
    bad = tmp_path / "bad.exr"
    bad.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(CorruptFileError, match=rf"cannot (open|decode) image {re.escape(str(bad))}: .+"):
        read_image(bad)
    with pytest.raises(CorruptFileError):
        read_rgb(bad)


def test_garbage_and_empty_exr_are_corrupt(tmp_path):
    garbage = tmp_path / "garbage.exr"
    garbage.write_bytes(np.random.default_rng(0).bytes(4000))
    with pytest.raises(CorruptFileError, match=rf"cannot open image {re.escape(str(garbage))}: .*not an OpenEXR file"):
        read_image(garbage)
    empty = tmp_path / "empty.exr"
    empty.write_bytes(b"")
    with pytest.raises(CorruptFileError, match=rf"cannot open image {re.escape(str(empty))}: .+"):
        read_image(empty)
    assert isinstance(CorruptFileError("x"), OSError)


def test_truncated_png_is_corrupt(tmp_path):
    write_with_oiio(tmp_path / "good.png", ramp(32, 32, 3), oiio.UINT8)
    data = (tmp_path / "good.png").read_bytes()
    (tmp_path / "bad.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError, match=r"cannot (open|decode) image .*bad\.png: "):
        read_image(tmp_path / "bad.png")


def test_is_complete_exr(tmp_path):
    data = make_exr(tmp_path / "good.exr")
    assert is_complete_exr(tmp_path / "good.exr")
    assert is_complete_exr(tmp_path / "good.exr", expected_channels=["A", "hypotheses.h5"])
    assert not is_complete_exr(tmp_path / "good.exr", expected_channels=["A", "hypotheses.h6"])
    (tmp_path / "half.exr").write_bytes(data[: len(data) // 2])
    assert not is_complete_exr(tmp_path / "half.exr")
    (tmp_path / "garbage.exr").write_bytes(b"\x76\x2f\x31\x01" + bytes(200))
    assert not is_complete_exr(tmp_path / "garbage.exr")
    (tmp_path / "empty.exr").write_bytes(b"")
    assert not is_complete_exr(tmp_path / "empty.exr")
    assert not is_complete_exr(tmp_path / "missing.exr")
    assert not is_complete_exr(tmp_path)
    write_with_oiio(tmp_path / "png.exr.png", ramp(4, 4, 3), oiio.UINT8)
    os.replace(tmp_path / "png.exr.png", tmp_path / "png.exr")
    assert not is_complete_exr(tmp_path / "png.exr")


# ----------------------------------------------------------------------------------- frame patterns


@pytest.mark.parametrize(
    ("pattern", "padding", "name_1001", "name_7", "name_neg"),
    [
        ("plate.%04d.exr", 4, "plate.1001.exr", "plate.0007.exr", "plate.-005.exr"),
        ("plate.%d.exr", 1, "plate.1001.exr", "plate.7.exr", "plate.-5.exr"),
        ("plate.####.exr", 4, "plate.1001.exr", "plate.0007.exr", "plate.-005.exr"),
        ("plate.#.exr", 4, "plate.1001.exr", "plate.0007.exr", "plate.-005.exr"),
        ("plate.######.exr", 6, "plate.001001.exr", "plate.000007.exr", "plate.-00005.exr"),
        ("plate.$F4.exr", 4, "plate.1001.exr", "plate.0007.exr", "plate.-005.exr"),
        ("plate.$F.exr", 1, "plate.1001.exr", "plate.7.exr", "plate.-5.exr"),
        ("plate.@@@@.exr", 4, "plate.1001.exr", "plate.0007.exr", "plate.-005.exr"),
        ("plate_@@.exr", 2, "plate_1001.exr", "plate_07.exr", "plate_-5.exr"),
    ],
)
def test_frame_pattern_tokens(pattern, padding, name_1001, name_7, name_neg):
    fp = FramePattern(Path("shots") / pattern)
    assert fp.padding == padding
    assert fp.path(1001) == Path("shots") / name_1001
    assert fp.path(7).name == name_7
    assert fp.path(-5).name == name_neg
    assert fp.path(0).name == name_7.replace("7", "0")
    assert str(fp) == str(Path("shots") / pattern)


def test_frame_pattern_needs_exactly_one_token():
    with pytest.raises(InputError, match=r"no frame number token in the file name of 'plate\.exr'"):
        FramePattern("plate.exr")
    with pytest.raises(InputError, match="more than one frame number token"):
        FramePattern("plate.%04d.####.exr")
    with pytest.raises(InputError, match=r"no frame number token in the file name of 'plate\.1001\.exr'"):
        FramePattern("plate.1001.exr")  # a frame number, not a token: fileseq reads it as a one-frame sequence
    with pytest.raises(InputError, match=r"cannot read 'alpha_%04d_v2\.exr' as a frame sequence"):
        FramePattern("alpha_%04d_v2.exr")  # fileseq's grammar: the token comes before the extension


def test_prefix_and_suffix_surround_the_token():
    pattern = FramePattern("shots/plate.%04d.v2.exr")
    assert (pattern.prefix, pattern.suffix) == ("plate.", ".v2.exr")
    assert pattern.name(7) == "plate.0007.v2.exr"


def test_a_lone_hash_is_four_digits_which_no_single_fileseq_pad_style_gives():
    """Why FramePattern picks fileseq's pad style per pattern: Nuke's # is 4 digits and #### is 4 too."""
    assert fileseq.FileSequence("p.#.exr", pad_style=fileseq.PAD_STYLE_HASH1).zfill() == 1
    assert fileseq.FileSequence("p.####.exr", pad_style=fileseq.PAD_STYLE_HASH4).zfill() == 16
    assert FramePattern("p.#.exr").padding == FramePattern("p.####.exr").padding == 4


def touch_frames(directory, names):
    for name in names:
        (directory / name).write_bytes(b"")


def test_frames_globs_sorted_and_respects_padding(tmp_path):
    touch_frames(
        tmp_path,
        [
            "plate.1002.exr",
            "plate.0000.exr",
            "plate.-003.exr",
            "plate.1001.exr",
            "plate.12345.exr",
            "plate.001.exr",  # wrong padding: not this sequence
            "plate.1001.exr.bak",
            "other.1001.exr",
            ".plate.1003.exr.tmp-1-abcd.exr",
            "plate.####.exr",
        ],
    )
    frames = FramePattern(tmp_path / "plate.####.exr").frames()
    assert list(frames) == [-3, 0, 1001, 1002, 12345]
    assert frames[1001] == tmp_path / "plate.1001.exr"
    assert list(FramePattern(tmp_path / "plate.%d.exr").frames()) == [1001, 1002, 12345]


def test_frames_errors_name_pattern_and_directory(tmp_path):
    touch_frames(tmp_path, ["plate.1001.exr"])
    with pytest.raises(
        NotFoundError, match=rf"no files match 'comp\.%04d\.exr' in directory {re.escape(str(tmp_path))}$"
    ):
        FramePattern(tmp_path / "comp.%04d.exr").frames()
    with pytest.raises(NotFoundError, match=r"directory .*nowhere does not exist"):
        FramePattern(tmp_path / "nowhere" / "plate.%04d.exr").frames()


def test_read_sequence_yields_frames_in_order(tmp_path):
    for frame in (1001, 1002, 1003):
        write_image(tmp_path / f"plate.{frame}.exr", np.full((2, 3, 1), frame, np.float32), ("Y",))
    got = list(read_sequence(str(tmp_path / "plate.####.exr")))
    assert [f for f, _ in got] == [1001, 1002, 1003]
    assert [float(img.pixels[0, 0, 0]) for _, img in got] == [1001, 1002, 1003]
    chosen = list(read_sequence(FramePattern(tmp_path / "plate.$F4.exr"), frames=[1003, 1001], channels=["Y"]))
    assert [f for f, _ in chosen] == [1003, 1001]


def test_read_sequence_rejects_size_change(tmp_path):
    write_image(tmp_path / "plate.1001.exr", np.zeros((4, 6, 1)), ("Y",))
    write_image(tmp_path / "plate.1002.exr", np.zeros((4, 6, 1)), ("Y",), data_window=Window(1, 1, 6, 4))
    write_image(tmp_path / "plate.1003.exr", np.zeros((5, 6, 1)), ("Y",))
    frames = read_sequence(tmp_path / "plate.%04d.exr", frames=[1001, 1002, 1003])
    assert next(frames)[0] == 1001
    assert next(frames)[0] == 1002  # same display size, different data window: fine
    with pytest.raises(InputError, match=r"frame 1003 of .* is 6x5 but frame 1001 is 6x4"):
        next(frames)


def test_read_sequence_missing_frame(tmp_path):
    write_image(tmp_path / "plate.1001.exr", np.zeros((4, 6, 1)), ("Y",))
    with pytest.raises(NotFoundError, match=r"image file not found: .*plate\.1002\.exr"):
        list(read_sequence(tmp_path / "plate.%04d.exr", frames=[1001, 1002]))


def test_reads_davis_jpeg_and_annotation(davis):
    frames = FramePattern(davis / "JPEGImages/480p/blackswan/%05d.jpg").frames()
    assert list(frames)[:3] == [0, 1, 2]
    rgb = read_rgb(frames[0])
    assert rgb.shape == (480, 854, 3)
    assert rgb.dtype == np.float32
    assert 0.0 <= rgb.min() < rgb.max() <= 1.0
    mask = read_image(davis / "Annotations/480p/blackswan/00000.png")
    assert mask.channel_names == ("Y",)
    assert set(np.unique(mask.pixels)) <= {0.0, 1.0}
