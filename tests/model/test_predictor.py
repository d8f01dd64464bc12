from dataclasses import replace

import numpy as np
import pytest

from hyperseg.model import Predictor
from hyperseg.model.config import ModelConfig
from hyperseg.model.cues.boundary_band import contour_band
from hyperseg.model.cues.colour_recut import recut_with_grabcut
from hyperseg.protocol.errors import HypersegError, InputError


@pytest.fixture(scope="module")
def predictor():
    return Predictor.untrained(seed=0, config=ModelConfig.tiny())


@pytest.fixture(scope="module")
def frame():
    return np.random.default_rng(0).random((47, 85, 3), dtype=np.float32)


def test_predict_before_set_frame_is_a_clear_error():
    fresh = Predictor.untrained(seed=1, config=ModelConfig.tiny())
    with pytest.raises(HypersegError, match="before set_frame"):
        fresh.predict([(1.5, 1.5)])


def test_masks_and_scores_at_odd_size(predictor, frame):
    predictor.set_frame(frame)
    result = predictor.predict([(10.5, 20.5)], [(70.5, 5.5)])
    m = predictor.hypotheses
    assert result.masks.shape == (m, 47, 85) and result.masks.dtype == np.float32
    assert result.masks.min() >= 0 and result.masks.max() <= 1
    assert result.scores.shape == (m,)
    assert np.array_equal(result.alpha, result.masks[0])


def test_only_the_refined_hypotheses_are_scored_so_the_highest_score_is_a_finished_answer(predictor, frame):
    """A SAM-style caller takes the highest score: by default that is hypothesis 0, the one refined; with
    refine=None every hypothesis has its mean confidence."""
    predictor.set_frame(frame)
    default = predictor.predict([(10.5, 20.5)], [(70.5, 5.5)])
    confidence = np.abs(default.masks - 0.5).mean(axis=(1, 2)) * 2
    np.testing.assert_allclose(default.scores, [confidence[0]] + [0.0] * (predictor.hypotheses - 1), atol=1e-6)
    assert int(np.argmax(default.scores)) == 0 and default.scores[0] > 0
    every = predictor.predict([(10.5, 20.5)], [(70.5, 5.5)], refine=None)
    np.testing.assert_allclose(every.scores, np.abs(every.masks - 0.5).mean(axis=(1, 2)) * 2, atol=1e-6)
    assert (every.scores > 0).all()


def test_predict_reuses_the_cached_frame(predictor, frame):
    encoding = predictor.encode_frame(frame)
    a = predictor.predict_encoded(encoding, [(10.5, 20.5)])
    b = predictor.predict_encoded(encoding, [(10.5, 20.5)])
    assert np.array_equal(a.masks, b.masks)
    assert encoding.nbytes >= encoding.image_part.numel() * 4


def test_proxy_runs_smaller_and_returns_full_size(predictor, frame):
    encoding = predictor.encode_frame(frame, proxy=0.5)
    assert encoding.run_size == (24, 42)
    result = predictor.predict_encoded(encoding, [(10.5, 20.5)])
    assert result.masks.shape[1:] == (47, 85)


@pytest.mark.parametrize(
    ("positive", "negative", "message"),
    [
        ([(85.0, 3.0)], [], "outside the 85x47 frame"),
        ([(-0.1, 3.0)], [], "outside"),
        ([(3.0, float("nan"))], [], "not a finite"),
        ([], [], "no clicks"),
    ],
)
def test_bad_clicks(predictor, frame, positive, negative, message):
    predictor.set_frame(frame)
    with pytest.raises(InputError, match=message):
        predictor.predict(positive, negative)


def test_none_is_no_clicks_of_that_sign(predictor, frame):
    """As SAM's predictor takes point prompts: None for a sign with no clicks."""
    predictor.set_frame(frame)
    np.testing.assert_array_equal(predictor.predict([(10.5, 20.5)], None).masks,
                                  predictor.predict([(10.5, 20.5)], []).masks)
    with pytest.raises(InputError, match="no clicks"):
        predictor.predict(None, None)


def test_bad_frames(predictor, frame):
    broken = frame.copy()
    broken[3, 4, 1] = np.nan
    with pytest.raises(InputError, match=r"1 NaN/inf pixels \(first at x=4, y=3\)"):
        predictor.set_frame(broken)
    with pytest.raises(InputError, match="must be an"):
        predictor.set_frame(frame[:, :, :2])
    with pytest.raises(InputError, match="proxy"):
        predictor.set_frame(frame, proxy=1.5)
    with pytest.raises(InputError, match="previous frame is"):
        predictor.set_frame(frame, previous=frame[:10])
    with pytest.raises(InputError, match=r"frame looks like 0-255 values stored as floats \(median 1\d\d\.\d\)"):
        predictor.set_frame(frame * 255.0)
    with pytest.raises(InputError, match="got dtype int64"):
        predictor.set_frame((frame * 255).astype(np.int64))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_an_integer_frame_is_its_pixels_over_their_largest_value(predictor, frame, dtype):
    """As an image file holds them: an 8- or 16-bit frame answers as the same frame in [0, 1]."""
    top = np.iinfo(dtype).max
    pixels = np.round(frame * top).astype(dtype)
    predictor.set_frame(pixels)
    as_integers = predictor.predict([(10.5, 20.5)]).masks
    predictor.set_frame(pixels.astype(np.float32) / top)
    np.testing.assert_array_equal(as_integers, predictor.predict([(10.5, 20.5)]).masks)
    rgba = np.concatenate([pixels, np.full_like(pixels[:, :, :1], top)], axis=2)  # a PNG read with its alpha
    predictor.set_frame(rgba)
    np.testing.assert_array_equal(as_integers, predictor.predict([(10.5, 20.5)]).masks)
    scene_linear = frame.copy()
    scene_linear[:5] *= 40.0  # highlights above 1 in a plate: clipped, not refused
    predictor.set_frame(scene_linear)


def test_describe_flags_the_random_backbone(predictor):
    info = predictor.describe()
    assert info["backbone_pretrained"] == "no" and "not ImageNet" in info["warning"]
    assert info["checkpoint"] == "untrained-0"


@pytest.mark.parametrize("enforce", [False, True])
def test_enforced_clicks_are_always_honoured(enforce):
    """An untrained CAN ignores clicks; with enforce_clicks every click's pixel takes its side."""
    config = replace(ModelConfig.tiny(), extra_context=("walker_probability",), enforce_clicks=enforce)
    untrained = Predictor.untrained(seed=3, config=config)
    rgb = np.full((48, 64, 3), 0.1, np.float32)
    rgb[10:40, 12:52] = 0.9
    untrained.set_frame(rgb, proxy=0.5)
    positive, negative = [(20.5, 20.5), (45.5, 30.5)], [(5.5, 5.5), (58.5, 44.5)]
    alpha = untrained.predict(positive, negative).alpha
    honoured = all(alpha[int(y), int(x)] > 0.5 for x, y in positive) and all(
        alpha[int(y), int(x)] < 0.5 for x, y in negative)
    assert honoured == enforce


def test_boundary_band_changes_only_pixels_near_each_contour():
    rgb = np.full((48, 64, 3), 0.1, np.float32)
    rgb[10:40, 12:52] = 0.9
    clicks = [(20.5, 20.5)], [(5.5, 5.5)]
    plain = Predictor.untrained(seed=3, config=ModelConfig.tiny())
    banded = Predictor.untrained(seed=3, config=replace(ModelConfig.tiny(), boundary_band=0.05))
    assert banded.describe()["boundary_band"] == "0.05"
    plain.set_frame(rgb)
    banded.set_frame(rgb)
    before, after = plain.predict(*clicks).masks, banded.predict(*clicks).masks
    assert not np.allclose(before, after)
    for hypothesis_before, hypothesis_after in zip(before, after, strict=True):
        inside = hypothesis_before > 0.5
        if inside.all() or not inside.any():
            assert np.array_equal(hypothesis_before, hypothesis_after)
            continue
        far = ~contour_band(inside, 0.05 * np.hypot(48, 64))
        assert np.array_equal(hypothesis_before[far], hypothesis_after[far])


def test_a_mirrored_first_click_is_the_mean_of_the_frame_and_its_mirror_image():
    """With mirror_first_click the first click's masks are the mean of the plain predictor's answer and the
    mirror of its answer on the mirrored frame and clicks; later clicks run once, as without it."""
    config = replace(ModelConfig.tiny(), extra_context=("walker_probability", "geodesic_distance"),
                     enforce_clicks=True, boundary_band=0.05, click_changes="reach")
    rgb = np.random.default_rng(4).random((48, 64, 3), dtype=np.float32)
    rgb[10:40, 12:40] += 0.5
    mirrored_rgb = np.ascontiguousarray(rgb[:, ::-1])
    plain, mirrored = Predictor.untrained(seed=3, config=config), Predictor.untrained(seed=3, config=config)
    both = Predictor.untrained(seed=3, config=replace(config, mirror_first_click=True))
    assert both.describe()["mirror_first_click"] == "yes" and "mirror_first_click" not in plain.describe()
    positive, negative = [(20.5, 20.5)], [(55.5, 5.5)]
    plain.set_frame(rgb)
    mirrored.set_frame(mirrored_rgb)
    both.set_frame(rgb)
    first, unmirrored = both.predict(positive, negative), plain.predict(positive, negative)
    expected = 0.5 * (unmirrored.masks
                      + mirrored.predict([(64 - x, y) for x, y in positive], [(64 - x, y) for x, y in negative])
                      .masks[:, :, ::-1])
    np.testing.assert_allclose(first.masks, expected, atol=1e-6)
    assert not np.allclose(first.masks, unmirrored.masks, atol=1e-3), "the mirror image answers otherwise"
    later = both.predict([*positive, (30.5, 30.5)], negative)
    assert later.window is not None  # a later click goes through the focus crop, unmirrored


def test_a_first_click_recut_is_grabcut_on_the_plain_answer_for_the_hypotheses_the_caller_uses():
    rows, cols = np.mgrid[0:48, 0:64] / 64.0  # a smooth background: GrabCut cuts it in well under a second
    rgb = np.stack([0.1 + 0.3 * cols, 0.2 + 0.2 * rows, np.full_like(rows, 0.3)], axis=-1).astype(np.float32)
    rgb[10:40, 12:40] += 0.5
    config = ModelConfig.tiny()
    plain = Predictor.untrained(seed=3, config=config)
    recut = Predictor.untrained(seed=3, config=replace(config, first_click_recut=0.5))
    assert "first_click_recut" in recut.describe() and "first_click_recut" not in plain.describe()
    positive, negative = [(20.5, 20.5)], [(55.5, 5.5)]
    plain.set_frame(rgb)
    recut.set_frame(rgb)
    first, unrecut = recut.predict(positive, negative), plain.predict(positive, negative)
    expected = recut_with_grabcut(unrecut.masks, rgb, positive, negative, 0.5, [0], pixels=48 * 64)
    np.testing.assert_allclose(first.masks, expected, atol=1e-6)  # a frame smaller than RECUT_PIXELS: its own size
    assert not np.array_equal(first.masks[0] > 0.5, unrecut.masks[0] > 0.5), "GrabCut moves this contour"
    np.testing.assert_array_equal(first.masks[1:], unrecut.masks[1:])
    later = recut.predict([*positive, (30.5, 30.5)], negative)
    assert later.window is not None  # a later click goes through the focus crop, not re-cut


def test_a_wide_first_click_recut_is_described_only_when_on():
    """What the wide band does to a cut is test_colour_recut's; here, that the predictor says it is on."""
    config = replace(ModelConfig.tiny(), first_click_recut=0.25)
    wide = Predictor.untrained(seed=3, config=replace(config, first_click_recut_wide=1.0,
                                                      first_click_recut_overlap=0.6))
    assert wide.describe()["first_click_recut"] == (
        "GrabCut within 0.25x the mask's radius, 1x where its colours overlap its surroundings' by < 0.6")
    assert Predictor.untrained(seed=3, config=config).describe()["first_click_recut"] == (
        "GrabCut within 0.25x the mask's radius")


def test_a_reach_measured_along_the_image_is_described_and_keeps_a_later_click_nearer():
    """Through the public API: with click_reach_geodesic a later click changes some of what the straight
    reach lets it change and nothing else, and the predictor says how its reach is measured."""
    config = replace(ModelConfig.tiny(), extra_context=("walker_probability", "geodesic_distance"),
                     enforce_clicks=True, click_changes="reach", click_reach=2.0)
    rgb = np.random.default_rng(5).random((48, 64, 3), dtype=np.float32) * 0.3
    rgb[10:40, 12:40] += 0.6
    straight = Predictor.untrained(seed=2, config=config, focus_crop=False)
    along = Predictor.untrained(seed=2, config=replace(config, click_reach_geodesic=True), focus_crop=False)
    assert "along the image" in along.describe()["click_changes"]
    assert "along the image" not in straight.describe()["click_changes"]
    changed = {}
    for name, predictor in (("straight", straight), ("along", along)):
        predictor.set_frame(rgb)
        first = predictor.predict([(20.5, 20.5)], [(55.5, 5.5)]).masks
        later = predictor.predict([(20.5, 20.5)], [(55.5, 5.5), (30.5, 25.5)]).masks
        changed[name] = first, (later > 0.5) != (first > 0.5)
    np.testing.assert_array_equal(changed["straight"][0], changed["along"][0])  # the first click is the same
    assert changed["along"][1].any() and not (changed["along"][1] & ~changed["straight"][1]).any()
    assert (changed["straight"][1] & ~changed["along"][1]).any()


def test_a_positive_clicks_own_reach_is_described_and_holds_only_positive_clicks():
    """Through the public API: click_reach_positive shortens what a later positive click may change and
    leaves a later negative click's answer as it was."""
    config = replace(ModelConfig.tiny(), extra_context=("walker_probability",), enforce_clicks=True,
                     click_changes="reach", click_reach=4.0, click_reach_min=0.0)
    rgb = np.random.default_rng(5).random((48, 64, 3), dtype=np.float32) * 0.3
    rgb[10:40, 12:40] += 0.6
    shared = Predictor.untrained(seed=2, config=config, focus_crop=False)
    own = Predictor.untrained(seed=2, config=replace(config, click_reach_positive=1.0), focus_crop=False)
    assert "1x for positive clicks" in own.describe()["click_changes"]
    assert "positive" not in shared.describe()["click_changes"]
    answers = {}
    for name, predictor in (("shared", shared), ("own", own)):
        predictor.set_frame(rgb)
        first = predictor.predict([(20.5, 20.5)], [(55.5, 5.5)]).masks
        positive = predictor.predict([(20.5, 20.5), (35.5, 30.5)], [(55.5, 5.5)]).masks
        predictor.set_frame(rgb)
        predictor.predict([(20.5, 20.5)], [(55.5, 5.5)])
        negative = predictor.predict([(20.5, 20.5)], [(55.5, 5.5), (30.5, 25.5)]).masks
        answers[name] = (positive > 0.5) != (first > 0.5), negative
    changed_shared, changed_own = answers["shared"][0], answers["own"][0]
    assert not (changed_own & ~changed_shared).any() and (changed_shared & ~changed_own).any()
    np.testing.assert_array_equal(answers["shared"][1], answers["own"][1])


def test_a_plate_twice_the_size_at_half_the_proxy_answers_as_the_plate_itself():
    """Click distances and radii are measured against ModelConfig.distance_frame, not the plate's own pixels:
    the same picture at twice the size, run at half the proxy, gets the same cues and so the same masks on
    the run grid, first click and later click alike (a 2K plate's clicks answer as its 480p proxy's)."""
    cues = ("walker_probability", "geodesic_distance", "colour_probability")
    config = replace(ModelConfig.tiny(), extra_context=cues, enforce_clicks=True, boundary_band=0.05,
                     click_changes="reach")
    rgb = np.random.default_rng(6).random((48, 64, 3), dtype=np.float32) * 0.3
    rgb[10:40, 12:40] += 0.6
    plate = np.repeat(np.repeat(rgb, 2, axis=0), 2, axis=1)  # area-filtered at 0.5, exactly rgb again
    small, large = Predictor.untrained(seed=1, config=config), Predictor.untrained(seed=1, config=config)
    small.set_frame(rgb, proxy=1.0)
    large.set_frame(plate, proxy=0.5)
    for positive, negative in (([(20.5, 20.5)], [(55.5, 5.5)]), ([(20.5, 20.5), (30.5, 33.5)], [(55.5, 5.5)])):
        answer = small.predict(positive, negative)
        doubled = large.predict([(2 * x, 2 * y) for x, y in positive], [(2 * x, 2 * y) for x, y in negative])
        np.testing.assert_array_equal(answer.focus.run_masks, doubled.focus.run_masks)
    assert doubled.window is not None  # the later click ran through the focus crop on both


def later_click_changes(settings: dict[str, dict], described: str) -> dict[str, np.ndarray]:
    """Per setting (ModelConfig fields over a reach of 8x), the pixels a later click flipped on one frame;
    each predictor's click_changes description holds ``described`` exactly when its setting names fields."""
    config = replace(ModelConfig.tiny(), extra_context=("walker_probability",), enforce_clicks=True,
                     click_changes="reach", click_reach=8.0, click_reach_min=0.0)
    rgb = np.random.default_rng(5).random((48, 64, 3), dtype=np.float32) * 0.3
    rgb[10:40, 12:40] += 0.6
    changed = {}
    for name, fields in settings.items():
        predictor = Predictor.untrained(seed=2, config=replace(config, **fields), focus_crop=False)
        predictor.set_frame(rgb)
        first = predictor.predict([(20.5, 20.5)], [(55.5, 5.5)]).masks
        later = predictor.predict([(20.5, 20.5), (45.5, 30.5)], [(55.5, 5.5)]).masks
        changed[name] = (later > 0.5) != (first > 0.5)
        assert (described in predictor.describe()["click_changes"]) == bool(fields)
    return changed


def test_a_depth_cap_is_described_and_a_later_click_changes_no_more_than_without_it():
    """Through the public API: click_reach_depth lets a later click change some of what its reach lets it
    change and nothing else; with click_reach_depth_colour, at least what the cap alone lets it."""
    changed = later_click_changes({"reach": {}, "capped": {"click_reach_depth": 0.5},
                                   "coloured": {"click_reach_depth": 0.5, "click_reach_depth_colour": True}},
                                  "no deeper than 0.5x depth")
    assert (changed["reach"] & ~changed["capped"]).any() and not (changed["capped"] & ~changed["reach"]).any()
    assert not (changed["capped"] & ~changed["coloured"]).any() and not (changed["coloured"] & ~changed["reach"]).any()


def test_a_thickness_limit_is_described_and_a_later_click_changes_no_more_than_without_it():
    """Through the public API: click_reach_thickness lets a later click change some of what its reach lets
    it change and nothing else, and describe() says so only when it is on."""
    changed = later_click_changes({"reach": {}, "thin": {"click_reach_thickness": 0.5}}, "no thicker than 0.5x")
    assert (changed["reach"] & ~changed["thin"]).any() and not (changed["thin"] & ~changed["reach"]).any()


def test_a_later_click_may_give_the_hypothesis_that_changes_the_previous_answer_least():
    """Through the predictor, with the network's hypotheses bare (no enforcement, band or reach): the
    first click keeps the trained order; a later one gives the same hypotheses with the one nearest the
    answer before it first (here a previous answer that was the third hypothesis), and says so."""
    config = replace(ModelConfig.tiny(), enforce_clicks=False, boundary_band=0.0, click_changes="any")
    rgb = np.random.default_rng(7).random((48, 64, 3), dtype=np.float32)
    trained = Predictor.untrained(seed=4, config=config, focus_crop=False)
    least = Predictor.untrained(seed=4, config=replace(config, later_click_hypothesis="least_change"),
                                focus_crop=False)
    assert "later_click_hypothesis" in least.describe() and "later_click_hypothesis" not in trained.describe()
    encoding = least.encode_frame(rgb)
    assert encoding.run_size == encoding.frame_size
    positive, negative = [(20.5, 20.5)], [(55.5, 5.5)]
    first = least.predict_encoded(encoding, positive, negative)
    np.testing.assert_array_equal(first.masks, trained.predict_encoded(encoding, positive, negative).masks)
    seen = replace(first, focus=replace(first.focus, run_masks=first.focus.run_masks[[2, 0, 1]]))
    clicks = [*positive, (40.5, 30.5)], negative
    later = least.predict_encoded(encoding, *clicks, previous=seen)
    bare = trained.predict_encoded(encoding, *clicks, previous=first)
    changes = [np.count_nonzero((mask > 0.5) != (first.masks[2] > 0.5)) for mask in bare.masks]
    assert int(np.argmin(changes)) == 2 and min(changes) < min(changes[:2])
    np.testing.assert_allclose(later.masks, bare.masks[[2, 0, 1]], atol=1e-6)
    unchosen = trained.predict_encoded(encoding, *clicks, previous=seen)
    np.testing.assert_allclose(unchosen.masks, bare.masks, atol=1e-6)


def test_a_config_with_the_previous_mask_cue_is_fed_its_last_answer_on_a_later_click(frame):
    """As RITM runs it: the answer before a later click is the click's previous-mask cue, unless the
    caller gives one (proxy 1.0: the run grid is the frame, so the fed answer is the given one exactly)."""
    fed = Predictor.untrained(seed=0, config=replace(ModelConfig.tiny(), extra_context=("previous_mask",)))
    encoding = fed.encode_frame(frame, proxy=1.0)
    first = fed.predict_encoded(encoding, [(40.5, 20.5)])
    later = fed.predict_encoded(encoding, [(40.5, 20.5)], [(5.5, 5.5)], previous=first).masks
    given = fed.predict_encoded(encoding, [(40.5, 20.5)], [(5.5, 5.5)], previous=first,
                                mask_input=first.focus.run_masks[0]).masks
    zeros = fed.predict_encoded(encoding, [(40.5, 20.5)], [(5.5, 5.5)], previous=first,
                                mask_input=np.zeros(frame.shape[:2], np.float32)).masks
    np.testing.assert_array_equal(later, given)
    assert not np.allclose(later, zeros, atol=1e-3)
    assert fed.describe()["previous_mask"] == "each later click is fed the answer before it"
    assert "previous_mask" not in Predictor.untrained(seed=0, config=ModelConfig.tiny()).describe()
