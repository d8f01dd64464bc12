"""``hyperseg eval --video`` on a DAVIS-layout shot of a textured disc with known motion."""

import dataclasses
import json

import numpy as np
import pytest

from hyperseg.cli import main
from hyperseg.imageio import write_image
from hyperseg.model import Predictor
from hyperseg.model.config import ModelConfig
from hyperseg.model.evaluation.metrics import iou
from hyperseg.model.evaluation.video import (
    METHODS,
    VideoEvalConfig,
    evaluate_video,
    load_sequence,
    write_video_report,
)
from hyperseg.protocol.clicktracks import ClickTracks
from hyperseg.protocol.errors import InputError

from ..propagation.moving_frames import DiscShot

FRAMES = 11


def write_disc_sequence(root, name="disc", frames=FRAMES):
    """A DAVIS-layout sequence: a bright textured disc sliding 4 px a frame over a dark textured ground."""
    shot = DiscShot(height=160, width=224, start=(70.0, 80.0), velocity=(4.0, 1.0), radius=36.0)
    (root / "JPEGImages" / "480p" / name).mkdir(parents=True)
    (root / "Annotations" / "480p" / name).mkdir(parents=True)
    for t in range(frames):
        rgb = np.where(shot.mask(t)[..., None], shot.rgb(t) * 0.4 + 0.6, shot.rgb(t) * 0.3)
        write_image(root / "JPEGImages" / "480p" / name / f"{t:05d}.jpg", rgb.astype(np.float32), ("R", "G", "B"))
        write_image(root / "Annotations" / "480p" / name / f"{t:05d}.png",
                    shot.mask(t)[..., None].astype(np.float32), ("Y",))
    return root, shot


@pytest.fixture(scope="module")
def tiny():
    return Predictor.untrained(seed=0, config=ModelConfig.tiny())


def test_one_shot_scores_every_method_on_every_frame_and_propagated_clicks_keep_the_walker_on_the_disc(
        tmp_path, tiny):
    root, _ = write_disc_sequence(tmp_path / "davis")
    config = VideoEvalConfig(str(root), ("disc",), frames=None, proxy=0.5, correction_every=5)
    [result] = evaluate_video(tiny, config)
    assert set(result.j) == set(METHODS) and all(len(j) == FRAMES for j in result.j.values())
    assert 1 <= len(result.first_clicks) <= 5
    assert [c[0] for c in result.corrections] == [5, 10]
    assert result.switched_off == []
    assert result.frames_without_positive == dict.fromkeys(METHODS, 0)
    # Tracked clicks stay on the disc, so the walker finds it on every frame of the shot.
    assert min(result.j["random walker, propagated clicks"]) > 0.8
    assert result.ground_truth_flicker < 0.03
    summary = result.summary("propagated")
    assert summary["J"] == pytest.approx(np.mean(result.j["propagated"]))
    j = result.j["propagated"]
    assert summary["decay"] == pytest.approx(np.mean(j[:3]) - np.mean(j[-3:]))
    assert 0 < result.tracking_seconds_per_frame < result.encode_seconds_per_frame

    markdown = write_video_report(tiny, config, [result], tmp_path / "out")
    assert "| **all** | held still |" in markdown and "not ImageNet-pretrained" in markdown
    report = json.loads((tmp_path / "out" / "video.json").read_text())
    assert [row["method"] for row in report["summary"][-4:]] == list(METHODS)
    assert report["sequences"][0]["j"]["propagated"] == result.j["propagated"]
    assert (tmp_path / "out" / "j_per_frame.png").stat().st_size > 1000


def test_cli_video_needs_annotated_frames_and_says_so(tmp_path, capsys):
    root, _ = write_disc_sequence(tmp_path / "davis", frames=3)
    (root / "Annotations" / "480p" / "disc" / "00001.png").unlink()
    checkpoint = tmp_path / "tiny.pt"
    from hyperseg.model.checkpoint import save_checkpoint

    save_checkpoint(checkpoint, Predictor.untrained(seed=0, config=ModelConfig.tiny()).model)
    args = ["eval", "--video", "--checkpoint", str(checkpoint), "--device", "cpu", "--data", str(root),
            "--sequences", "disc", "--out", str(tmp_path / "out")]
    assert main(args) == 2
    assert "hyperseg eval: error: disc: frames 00001.png have no annotation" in capsys.readouterr().err
    with pytest.raises(InputError, match="at least 2"):
        VideoEvalConfig(frames=1)


def test_with_a_previous_mask_cue_each_frame_is_fed_the_previous_frames_prediction(tmp_path):
    root, _ = write_disc_sequence(tmp_path / "davis", frames=3)
    config = dataclasses.replace(ModelConfig.tiny(), extra_context=("previous_mask",))
    predictor = Predictor.untrained(seed=0, config=config)
    [result] = evaluate_video(predictor, VideoEvalConfig(str(root), ("disc",), proxy=0.5))
    tracks = ClickTracks.from_dict(result.tracked_clicks["propagated"])
    rgbs, gts = load_sequence(root, "disc", None)
    first = predictor.predict_encoded(predictor.encode_frame(rgbs[0], rgbs[0], 0.5), *tracks.at(0)).masks[0]
    encoding = predictor.encode_frame(rgbs[1], rgbs[0], 0.5)
    fed = predictor.predict_encoded(encoding, *tracks.at(1), mask_input=first).masks[0]
    unfed = predictor.predict_encoded(encoding, *tracks.at(1)).masks[0]
    assert not np.allclose(fed, unfed, atol=1e-3)
    assert result.j["propagated"][1] == iou(fed > 0.49, gts[1])
