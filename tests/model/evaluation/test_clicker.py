"""Click simulation (Xu et al.) and the RITM evaluation clicker on synthetic masks."""

import numpy as np
import pytest
from scipy import ndimage

from hyperseg.model.evaluation.clicker import EvalClicker, run_clicker
from hyperseg.model.training.click_simulator import ClickSimulator, ClickSimulatorConfig
from hyperseg.protocol.errors import InputError

SHAPE = (120, 160)
ROWS, COLS = np.mgrid[: SHAPE[0], : SHAPE[1]]
OBJECT = ((ROWS - 60) ** 2 + (COLS - 60) ** 2 <= 30**2) | ((ROWS >= 50) & (ROWS < 70) & (COLS < 120))
OTHERS = (ROWS - 30) ** 2 + (COLS - 135) ** 2 <= 15**2
DEPTH = ndimage.distance_transform_edt(np.pad(OBJECT, 1))[1:-1, 1:-1]
DISTANCE_TO_OBJECT = ndimage.distance_transform_edt(~OBJECT)


def pixel(point: tuple[float, float]) -> tuple[int, int]:
    x, y = point
    assert x % 1 == 0.5 and y % 1 == 0.5, f"{point} is not a pixel centre"
    return int(y), int(x)


def min_spacing(points: list[tuple[float, float]]) -> float:
    xy = np.array(points)
    if len(xy) < 2:
        return np.inf
    distances = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    return distances[~np.eye(len(xy), dtype=bool)].min()


def test_simulator_constraints_hold_over_many_seeds():
    cfg = ClickSimulatorConfig()
    strategies, positive_counts = set(), set()
    for seed in range(60):
        clicks = ClickSimulator(cfg, seed=seed).sample(OBJECT, OTHERS)
        strategies.add(clicks.negative_strategy)
        positive_counts.add(len(clicks.positive))
        assert 1 <= len(clicks.positive) <= cfg.max_positive
        assert 0 <= len(clicks.negative) <= cfg.max_negative
        for point in clicks.positive:
            assert OBJECT[pixel(point)]
            assert DEPTH[pixel(point)] >= cfg.d_margin
        for point in clicks.negative:
            assert not OBJECT[pixel(point)]
            assert DISTANCE_TO_OBJECT[pixel(point)] > cfg.d_margin
            if clicks.negative_strategy == "ring":
                assert DISTANCE_TO_OBJECT[pixel(point)] <= cfg.ring_width
            if clicks.negative_strategy == "other_objects":
                assert OTHERS[pixel(point)]
        assert min_spacing(clicks.positive) >= cfg.d_step
        assert min_spacing(clicks.negative) >= cfg.d_step
    assert strategies == {"background", "other_objects", "ring"}
    assert len(positive_counts) >= 5 and max(positive_counts) >= 10


def test_ring_strategy_stays_in_ring_and_spreads_out():
    cfg = ClickSimulatorConfig(negative_strategies=("ring",), min_negative=8, max_negative=8)
    clicks = ClickSimulator(cfg, seed=3).sample(OBJECT)
    assert clicks.negative_strategy == "ring"
    assert len(clicks.negative) == 8
    distances = [DISTANCE_TO_OBJECT[pixel(p)] for p in clicks.negative]
    assert all(cfg.d_margin < d <= cfg.ring_width for d in distances)
    # farthest-point sampling: 8 points around a ~300 px ring are far apart, not clumped
    assert min_spacing(clicks.negative) > 30


def test_other_objects_falls_back_to_background_without_others():
    cfg = ClickSimulatorConfig(negative_strategies=("other_objects",), min_negative=3)
    clicks = ClickSimulator(cfg, seed=0).sample(OBJECT, None)
    assert clicks.negative_strategy == "background"
    assert len(clicks.negative) >= 3


def test_reproducible_with_seed_and_explicit_rng():
    first = ClickSimulator(seed=7)
    second = ClickSimulator(seed=7)
    assert [first.sample(OBJECT, OTHERS) for _ in range(3)] == [second.sample(OBJECT, OTHERS) for _ in range(3)]
    assert ClickSimulator(seed=8).sample(OBJECT) != ClickSimulator(seed=7).sample(OBJECT)
    simulator = ClickSimulator(seed=1)
    a = simulator.sample(OBJECT, rng=np.random.default_rng(5))
    b = simulator.sample(OBJECT, rng=np.random.default_rng(5))
    assert a == b


def test_tiny_object_gets_one_click_at_its_deepest_pixel():
    mask = np.zeros(SHAPE, dtype=bool)
    mask[10:13, 20:23] = True  # 3x3: nothing is 5 px inside
    clicks = ClickSimulator(seed=0).sample(mask)
    assert clicks.positive == [(21.5, 11.5)]


def test_simulator_rejects_bad_input():
    with pytest.raises(InputError, match="empty"):
        ClickSimulator(seed=0).sample(np.zeros(SHAPE, dtype=bool))
    with pytest.raises(InputError, match="other objects"):
        ClickSimulator(seed=0).sample(OBJECT, OTHERS[:10])
    with pytest.raises(InputError, match="min_positive"):
        ClickSimulatorConfig(min_positive=4, max_positive=3)
    with pytest.raises(InputError, match="negative_strategies"):
        ClickSimulatorConfig(negative_strategies=("nearby",))


def test_first_click_is_at_centre_of_square():
    gt = np.zeros((13, 17), dtype=bool)
    gt[3:10, 5:12] = True  # 7x7 square, centre pixel row 6, column 8
    assert EvalClicker().next_click(gt, np.zeros_like(gt)) == (8.5, 6.5, True)


def test_first_click_is_at_centre_of_disk():
    gt = (ROWS - 20) ** 2 + (COLS - 30) ** 2 <= 10**2
    assert EvalClicker().next_click(gt, np.zeros_like(gt)) == (30.5, 20.5, True)


def test_frame_edge_bounds_the_error_region():
    gt = np.ones((9, 9), dtype=bool)
    assert EvalClicker().next_click(gt, np.zeros_like(gt)) == (4.5, 4.5, True)


def test_larger_false_positive_gives_negative_click():
    gt = np.zeros((20, 30), dtype=bool)
    gt[2:5, 2:5] = True
    pred = np.zeros_like(gt)
    pred[2:17, 2:27] = True  # covers gt; the false positive is much deeper than any miss
    x, y, is_positive = EvalClicker().next_click(gt, pred)
    assert not is_positive
    assert pred[int(y), int(x)] and not gt[int(y), int(x)]


def test_clicked_pixels_are_not_clicked_again():
    gt = np.zeros((13, 17), dtype=bool)
    gt[3:10, 5:12] = True
    not_clicked = np.ones_like(gt)
    not_clicked[6, 8] = False
    x, y, _ = EvalClicker().next_click(gt, np.zeros_like(gt), not_clicked)
    assert (x, y) != (8.5, 6.5)
    assert gt[int(y), int(x)]


def test_unknown_pixels_are_never_clicked_and_bound_the_error_region():
    gt = np.zeros((20, 30), dtype=bool)
    gt[2:18, 2:28] = True
    unknown = np.zeros_like(gt)
    unknown[2:18, 10:12] = True  # a band cutting the miss in two: columns 2-9 and the wider 12-27
    x, y, is_positive = EvalClicker().next_click(gt, np.zeros_like(gt), None, unknown)
    right_half = gt.copy()
    right_half[:, :12] = False
    assert (x, y, is_positive) == EvalClicker().next_click(right_half, np.zeros_like(gt))
    assert (x, y) != EvalClicker().next_click(gt, np.zeros_like(gt))[:2]
    everything_unknown = np.ones_like(gt)
    assert EvalClicker().next_click(gt, np.zeros_like(gt), None, everything_unknown) is None


def test_run_clicker_scores_without_unknown_pixels():
    unknown = np.zeros(SHAPE, dtype=bool)
    unknown[OBJECT & ~np.roll(OBJECT, 3, axis=1)] = True  # the object's left edge
    inside = OBJECT & ~unknown
    run = run_clicker(OBJECT, lambda pos, neg, prev: inside.astype(np.float32), max_clicks=3, unknown=unknown)
    assert run.ious == [1.0] * 3 and run.noc == {0.85: 1, 0.90: 1}
    assert not any(unknown[int(y), int(x)] for x, y, _ in run.clicks)


def test_no_click_when_prediction_is_exact():
    gt = OBJECT
    assert EvalClicker().next_click(gt, gt.copy()) is None


def test_perfect_predictor_needs_one_click():
    run = run_clicker(OBJECT, lambda pos, neg, prev: OBJECT.astype(np.float32), max_clicks=20)
    assert run.noc == {0.85: 1, 0.90: 1}
    assert run.ious == [1.0] * 20
    assert len(run.clicks) == 1 and run.clicks[0][2] is True
    assert len(run.seconds) == 1


def test_empty_predictor_never_reaches_threshold():
    run = run_clicker(OBJECT, lambda pos, neg, prev: np.zeros(SHAPE, dtype=np.float32), max_clicks=7)
    assert run.noc == {0.85: 7, 0.90: 7}
    assert run.ious == [0.0] * 7
    assert len(run.clicks) == 7
    assert all(is_positive for _, _, is_positive in run.clicks)
    assert len({(x, y) for x, y, _ in run.clicks}) == 7  # never the same pixel twice


def test_run_clicker_counts_clicks_and_feeds_back_previous_probability():
    previous_seen, returned = [], []

    def predict(positive, negative, previous):
        previous_seen.append(previous)
        probability = np.zeros(SHAPE, dtype=np.float32)
        if len(positive) >= 3:
            probability[OBJECT] = 0.5  # above ClickSEG's 0.49 threshold
        returned.append(probability)
        return probability

    run = run_clicker(OBJECT, predict, max_clicks=5, iou_thresholds=(0.85,))
    assert run.ious == [0.0, 0.0, 1.0, 1.0, 1.0]  # exact after click 3: the IoU carries forward
    assert run.noc == {0.85: 3}
    assert len(run.clicks) == 3
    assert previous_seen[0] is None
    assert previous_seen[1] is returned[0] and previous_seen[2] is returned[1]


def test_run_clicker_rejects_bad_input():
    with pytest.raises(InputError, match="empty"):
        run_clicker(np.zeros(SHAPE, dtype=bool), lambda p, n, prev: np.zeros(SHAPE))
    with pytest.raises(InputError, match="shape"):
        run_clicker(OBJECT, lambda p, n, prev: np.zeros((10, 10)))


def test_run_clicker_stops_at_an_iou_and_reports_each_click():
    heard = []

    def grow(positive, negative, previous):  # each positive click adds a 40x40 block of the object
        mask = np.zeros(SHAPE, np.float32)
        for x, y in positive:
            mask[max(int(y) - 20, 0):int(y) + 20, max(int(x) - 20, 0):int(x) + 20] = 1.0
        return mask * OBJECT

    run = run_clicker(OBJECT, grow, max_clicks=20, stop_at=0.6,
                      on_click=lambda click, score, seconds: heard.append((click, score)))
    assert [click for click, _ in heard] == run.clicks
    assert [score for _, score in heard] == run.ious[: len(heard)]
    assert heard[-1][1] >= 0.6 > max(score for _, score in heard[:-1])
    assert len(run.ious) == 20 and run.ious[len(heard):] == [heard[-1][1]] * (20 - len(heard))
