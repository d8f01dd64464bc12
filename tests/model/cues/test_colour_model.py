"""The clicks' colour models separate an object a colour separates, and say nothing before a positive click."""

import numpy as np

from hyperseg.model.cues.colour_model import colour_probability_map


def two_colour_frame() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    frame = np.empty((60, 80, 3), np.float32)
    frame[:] = (0.15, 0.3, 0.8)  # blue background
    yy, xx = np.mgrid[:60, :80]
    obj = (yy - 30) ** 2 + (xx - 50) ** 2 <= 12**2
    frame[obj] = (0.85, 0.2, 0.1)  # red disk
    frame[5:15, 5:20] = (0.85, 0.2, 0.1)  # a red patch far from any click
    frame += rng.normal(0, 0.02, frame.shape).astype(np.float32)
    return np.clip(frame, 0, 1), obj


def test_one_positive_click_finds_every_pixel_of_its_colour():
    frame, obj = two_colour_frame()
    probability = colour_probability_map(frame, [(50.5, 30.5)], [])
    assert probability[obj].mean() > 0.9
    background = ~obj
    background[5:15, 5:20] = False
    assert probability[background].mean() < 0.1
    assert probability[5:15, 5:20].mean() > 0.9  # a colour model knows no distance: that is what the network adds


def test_no_positive_click_means_no_foreground():
    frame, _ = two_colour_frame()
    assert not colour_probability_map(frame, [], [(10.5, 40.5)]).any()


def test_unseen_colours_stay_undecided():
    frame, _ = two_colour_frame()
    frame[50:55, 70:75] = (0.1, 0.9, 0.1)  # green: in neither sample
    probability = colour_probability_map(frame, [(50.5, 30.5)], [(10.5, 40.5)])
    assert abs(float(probability[52, 72]) - 0.5) < 0.01
