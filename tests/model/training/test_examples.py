import numpy as np
import pytest
from scipy.ndimage import distance_transform_edt

from hyperseg.model.config import CONTEXT_CHANNELS, ModelConfig
from hyperseg.model.training.examples import ExampleConfig, default_simulator, make_example
from hyperseg.model.training.feature_cache import CachedFrame


def channel(config: ModelConfig, name: str) -> int:
    names = config.context_names
    return sum(CONTEXT_CHANNELS[n] for n in names[: names.index(name)])


def bright_object_frame() -> CachedFrame:
    rgb = np.full((48, 64, 3), 0.1, np.float32)
    mask = np.zeros((48, 64), bool)
    mask[8:40, 8:56] = True
    rgb[mask] = 0.9
    return CachedFrame([], rgb, rgb.copy(), mask)


@pytest.mark.parametrize("seed", range(4))
def test_walker_cue_of_a_crop_is_solved_on_the_whole_frame(seed):
    config = ModelConfig.default()
    frame = bright_object_frame()
    examples = ExampleConfig(crop=20, iterative_probability=1.0, random_crop_probability=0.0,
                             gain_range=(1.0, 1.0), gamma_range=(1.0, 1.0))
    example = make_example(frame, config, examples, 0.5, default_simulator(seed), np.random.default_rng(seed))
    y0, x0, y1, x1 = example.window
    assert example.context.shape == (config.context_channels, y1 - y0, x1 - x0)
    walker = example.context[channel(config, "walker_probability")]
    # Away from the click seeds (disks of 2 px that may straddle the object's edge) ...
    clicked = (example.positive_map + example.negative_map) > 0
    away = distance_transform_edt(~clicked) > 3
    inside = (example.target > 0.5) & away
    outside = (example.target < 0.5) & away
    # ... a crop's edge is not the frame's border: object pixels on it stay foreground.
    assert inside.any() and walker[inside].min() > 0.8
    if outside.any():
        assert walker[outside].max() < 0.2


def test_examples_are_reproducible_from_their_seed():
    config = ModelConfig.default()
    frame = bright_object_frame()
    make = lambda: make_example(frame, config, ExampleConfig(crop=20), 0.5, default_simulator(0),  # noqa: E731
                                np.random.default_rng(7))
    first, second = make(), make()
    assert first.window == second.window
    assert np.array_equal(first.context, second.context)


def test_a_flipped_example_mirrors_frame_window_and_targets():
    config = ModelConfig.default()
    frame = bright_object_frame()
    frame.rgb[:, :32, 0] += 0.05  # left half tinted, so a mirror is visible
    examples = ExampleConfig(crop=24, flip_probability=1.0, gain_range=(1.0, 1.0), gamma_range=(1.0, 1.0))
    example = make_example(frame, config, examples, 0.5, default_simulator(0), np.random.default_rng(3))
    assert example.flipped and example.size == (48, 64)
    y0, x0, y1, x1 = example.window
    fy0, fx0, fy1, fx1 = example.feature_window
    assert (fy0, fy1) == (y0, y1) and (fx0, fx1) == (64 - x1, 64 - x0)
    rgb = example.context[channel(config, "rgb") : channel(config, "rgb") + 3].transpose(1, 2, 0)
    assert np.allclose(rgb, frame.rgb[fy0:fy1, fx0:fx1][:, ::-1])
    assert np.array_equal(example.target > 0.5, frame.mask[fy0:fy1, fx0:fx1][:, ::-1])


def test_a_rescaled_example_lives_in_the_resampled_frame():
    config = ModelConfig.default()
    frame = bright_object_frame()
    examples = ExampleConfig(crop=200, scale_range=(2.0, 2.0))
    example = make_example(frame, config, examples, 0.5, default_simulator(0), np.random.default_rng(0))
    assert example.size == (96, 128) and example.window == (0, 0, 96, 128) and not example.flipped
    assert example.target.sum() == pytest.approx(frame.mask.sum() * 4, rel=0.05)


def test_own_error_clicks_go_to_the_networks_largest_error():
    config = ModelConfig.default()
    frame = bright_object_frame()
    examples = ExampleConfig(crop=64, iterative_probability=1.0, max_error_clicks=0)
    example = make_example(frame, config, examples, 0.5, default_simulator(0), np.random.default_rng(0))
    assert (len(example.positive), len(example.negative)) == (1, 0)
    target = example.target > 0.5
    missed_right = target.copy()
    missed_right[:, 40:] = False  # the "network" misses the object's right part (x 40..55)
    assert example.add_error_click(missed_right.astype(np.float32), config)
    x, y = example.positive[-1]
    assert 40 <= x < 56 and target[int(y), int(x)]
    clicks = example.context[channel(config, "positive_clicks")]
    assert clicks[int(y), int(x)] == 1
    walker = example.context[channel(config, "walker_probability")]
    assert walker[int(y), int(x)] > 0.9
    assert not example.add_error_click(example.target, config)  # nothing left to correct
    assert len(example.positive) == 2


@pytest.mark.parametrize("seed", range(4))
def test_an_object_crop_holds_the_whole_object_rescaled_to_fit(seed):
    """A 16x24 object in a 96x128 frame: with a margin of 0.1-0.4 of it on each side, a 40 px crop
    holds it when the frame is scaled by 40 / (24 x 1.2..1.8)."""
    config = ModelConfig.default()
    rgb = np.full((96, 128, 3), 0.1, np.float32)
    mask = np.zeros((96, 128), bool)
    mask[60:76, 90:114] = True
    rgb[mask] = 0.9
    frame = CachedFrame([], rgb, rgb.copy(), mask)
    examples = ExampleConfig(crop=40, object_crop_probability=1.0, scale_range=(2.0, 2.0))
    example = make_example(frame, config, examples, 0.5, default_simulator(seed), np.random.default_rng(seed))
    factor = example.size[1] / 128
    assert 40 / (24 * 1.8) - 0.01 <= factor <= 40 / (24 * 1.2) + 0.01, "scaled to fit, scale_range not drawn"
    target = example.target > 0.5
    assert target.shape == (40, 40)
    assert target.sum() == pytest.approx(mask.sum() * factor**2, rel=0.1), "none of the object is cut"
    assert not target[0].any() and not target[-1].any() and not target[:, 0].any() and not target[:, -1].any()


def test_an_object_too_large_to_fit_shrinks_the_frame_no_further_than_the_crop():
    config = ModelConfig.default()
    frame = bright_object_frame()
    examples = ExampleConfig(crop=40, object_crop_probability=1.0)
    frame.mask[:] = True
    example = make_example(frame, config, examples, 0.5, default_simulator(0), np.random.default_rng(0))
    assert min(example.size) == 40 and example.target.shape == (40, 40)
