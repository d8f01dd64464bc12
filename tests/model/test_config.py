import math
from dataclasses import replace

import pytest

from hyperseg.model.config import ModelConfig


def test_click_distances_are_measured_in_pixels_of_a_frame_at_the_distance_frames_size():
    config = ModelConfig.default()
    assert config.distance_frame == (854, 480)
    assert config.cue_scale(0.75, (480, 854)) == 0.75  # DAVIS frames: the proxy itself, to the bit
    plate = config.cue_scale(0.3125, (1152, 2048))
    assert plate == pytest.approx(0.3125 * math.hypot(2048, 1152) / math.hypot(854, 480))
    assert config.cue_scale(0.5, (960, 1708)) == pytest.approx(1.0)  # twice the size at half the proxy


def test_a_config_written_before_distance_frame_existed_reads_as_davis_sized():
    written = ModelConfig.default().to_dict()
    del written["distance_frame"]
    assert ModelConfig.from_dict(written) == ModelConfig.default()


@pytest.mark.parametrize("frame", [(0, 480), (854,), (854, -1)])
def test_a_distance_frame_that_is_no_size_is_refused(frame):
    with pytest.raises(ValueError, match="distance_frame must be"):
        ModelConfig(distance_frame=frame)


def test_added_context_names_the_cues_appended_to_a_config_whose_weights_otherwise_fit():
    default, fed = ModelConfig.default(), ModelConfig.default_previous_mask()
    assert fed.added_context(default) == ("previous_mask",)
    assert default.added_context(default) == ()
    assert default.added_context(fed) is None  # fewer cues: weights would be cut, not widened
    assert fed.added_context(ModelConfig.paper()) is None  # another width
    reordered = replace(fed, extra_context=("previous_mask", *default.extra_context))
    assert reordered.added_context(default) is None  # the old cues must keep their channels
