import numpy as np

from hyperseg.model.cues.click_enforcement import enforce_clicks


def hypotheses_and_walker():
    walker = np.zeros((20, 30), np.float32)
    walker[5:15, 5:25] = 0.9  # the walker's object: a wide bar
    net = np.zeros((2, 20, 30), np.float32)
    net[:, 5:15, 5:15] = 0.8  # both hypotheses found its left half only
    net[1, 5:15, 15:25] = 0.7  # hypothesis 1 found all of it
    return net, walker


def test_a_contradicted_positive_click_takes_the_walkers_region():
    net, walker = hypotheses_and_walker()
    out = enforce_clicks(net, walker, [(20.5, 10.5)], [])
    assert np.allclose(out[0, 5:15, 15:25], 0.9)  # the missed half is patched from the walker
    assert np.array_equal(out[0, :, :15], net[0, :, :15])  # nothing else changes
    assert np.array_equal(out[1], net[1])  # a hypothesis that honours the click is untouched
    assert np.array_equal(net, hypotheses_and_walker()[0])  # the input is not modified


def test_a_contradicted_negative_click_removes_the_region():
    net, walker = hypotheses_and_walker()
    walker[5:15, 10:15] = 0.1  # the walker was told the bar's middle is background
    out = enforce_clicks(net, walker, [], [(12.5, 10.5)])
    assert np.allclose(out[0, 5:15, 10:15], 0.1)
    assert np.array_equal(out[0, :, :10], net[0, :, :10])


def test_a_click_the_walker_does_not_support_changes_nothing():
    net, walker = hypotheses_and_walker()
    out = enforce_clicks(net, np.zeros_like(walker), [(20.5, 10.5)], [(2.5, 2.5)])
    assert np.array_equal(out, net)
