"""GrabCut and random walker baselines on synthetic frames and on one DAVIS frame."""

import cv2
import numpy as np
import pytest

from hyperseg.model.cues.classical import BaselineConfig, grabcut_segment, random_walker_segment
from hyperseg.model.evaluation.baselines import BASELINES, baseline_predict_fn
from hyperseg.model.evaluation.clicker import run_clicker
from hyperseg.model.evaluation.metrics import iou
from hyperseg.protocol.errors import InputError


def disk(shape: tuple[int, int], row: float, col: float, radius: float) -> np.ndarray:
    rows, cols = np.mgrid[: shape[0], : shape[1]]
    return (rows - row) ** 2 + (cols - col) ** 2 <= radius**2


def noisy_frame(
    shape: tuple[int, int], bright: np.ndarray, yellow: np.ndarray | None = None, seed: int = 0
) -> np.ndarray:
    """Dark noisy background, bright grey noisy pixels where ``bright``, yellow ones where ``yellow``."""
    rng = np.random.default_rng(seed)
    rgb = 0.15 + 0.05 * rng.standard_normal((*shape, 3))
    rgb[bright] += 0.7
    if yellow is not None:
        rgb[yellow] += (0.7, 0.7, 0.0)
    return np.clip(rgb, 0, 1).astype(np.float32)


SHAPE = (120, 160)
TARGET = disk(SHAPE, 60, 60, 30)
DISTRACTOR = disk(SHAPE, 60, 130, 18)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_one_positive_click_segments_a_bright_disk(name):
    rgb = noisy_frame(SHAPE, TARGET)
    probability = BASELINES[name](rgb, [(60.5, 60.5)], [], None)
    assert probability.shape == SHAPE and probability.dtype == np.float32
    assert probability.min() >= 0.0 and probability.max() <= 1.0
    assert iou(probability > 0.49, TARGET) > 0.9


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_negative_click_removes_a_second_object(name):
    rgb = noisy_frame(SHAPE, TARGET, yellow=DISTRACTOR)
    probability = BASELINES[name](rgb, [(60.5, 60.5)], [(130.5, 60.5)], None)
    mask = probability > 0.49
    assert iou(mask, TARGET) > 0.9
    assert mask[DISTRACTOR].mean() < 0.1


def test_grabcut_uses_previous_mask_as_probable_labels():
    rgb = noisy_frame(SHAPE, TARGET | DISTRACTOR)
    # the previous mask holds both disks as probable foreground; a click on each keeps both
    previous = (TARGET | DISTRACTOR).astype(np.float32)
    probability = grabcut_segment(rgb, [(60.5, 60.5)], [], previous)
    assert iou(probability > 0.49, TARGET | DISTRACTOR) > 0.9
    # without it, only the region near the positive click starts as foreground
    assert grabcut_segment(rgb, [], [], previous.astype(bool)).sum() > 0
    assert grabcut_segment(rgb, [], [], None).sum() == 0


def test_random_walker_at_reduced_scale_upsamples_to_full_size():
    rgb = noisy_frame(SHAPE, TARGET)
    config = BaselineConfig(max_walker_pixels=4_800)  # solved at 60x80
    probability = random_walker_segment(rgb, [(60.5, 60.5)], [], config=config)
    assert probability.shape == SHAPE
    assert iou(probability > 0.49, TARGET) > 0.85


def test_no_positive_click_gives_empty_probability():
    rgb = noisy_frame(SHAPE, TARGET)
    assert not random_walker_segment(rgb, [], [(5.5, 5.5)]).any()
    assert not grabcut_segment(rgb, [], [(5.5, 5.5)]).any()


def test_baselines_reject_bad_input():
    rgb = noisy_frame(SHAPE, TARGET)
    for segment in BASELINES.values():
        with pytest.raises(InputError, match="outside the 160x120 frame"):
            segment(rgb, [(160.5, 10.5)], [])
        with pytest.raises(InputError, match="RGB"):
            segment(rgb[..., 0], [(10.5, 10.5)], [])
        with pytest.raises(InputError, match="previous mask shape"):
            segment(rgb, [(10.5, 10.5)], [], np.zeros((10, 10), dtype=bool))
    bad = rgb.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(InputError, match="NaN"):
        grabcut_segment(bad, [(10.5, 10.5)], [])
    with pytest.raises(InputError, match="unknown baseline 'snake'"):
        baseline_predict_fn("snake", rgb)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_baseline_runs_under_the_eval_clicker(name):
    rgb = noisy_frame(SHAPE, TARGET, yellow=DISTRACTOR)
    run = run_clicker(TARGET, baseline_predict_fn(name, rgb), max_clicks=5)
    assert run.noc[0.85] <= 3
    assert run.ious[-1] > 0.9


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BASELINES))
def test_baselines_on_a_davis_frame(name, davis):
    frame = davis / "JPEGImages/480p/blackswan/00000.jpg"
    annotation = davis / "Annotations/480p/blackswan/00000.png"
    rgb = cv2.imread(str(frame))[:, :, ::-1].astype(np.float32) / 255.0
    gt = cv2.imread(str(annotation), cv2.IMREAD_GRAYSCALE) > 127
    run = run_clicker(gt, baseline_predict_fn(name, rgb), max_clicks=10)
    assert max(run.ious) > 0.75


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_baselines_are_deterministic(name):
    rgb = noisy_frame(SHAPE, TARGET, yellow=DISTRACTOR)
    first = BASELINES[name](rgb, [(60.5, 60.5), (70.5, 50.5)], [(130.5, 60.5)], None)
    cv2.randu(np.zeros((4, 4), np.float32), 0, 1)  # move OpenCV's global RNG between the calls
    second = BASELINES[name](rgb, [(60.5, 60.5), (70.5, 50.5)], [(130.5, 60.5)], None)
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("shape", [(6, 8), (3, 3)])
def test_random_walker_on_a_frame_its_seeds_cover(shape):
    """Border and click seeds leave no pixel to solve: the seeds are the answer, at the frame's size."""
    rgb = np.full((*shape, 3), 0.5, np.float32)
    probability = random_walker_segment(rgb, [(1.5, 1.5)], [])
    assert probability.shape == shape
    assert probability[1, 1] == 1.0


def test_random_walker_on_a_flat_frame_is_finite_and_follows_the_clicks():
    rgb = np.full((24, 32, 3), 0.25, np.float32)
    probability = random_walker_segment(rgb, [(16.5, 12.5)], [(20.5, 12.5)])
    assert np.isfinite(probability).all()
    assert probability[12, 16] > 0.5 > probability[12, 20]
