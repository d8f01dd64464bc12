"""Propagation settings (``TrackerConfig``) compared on whole tuning shots: tuning sequences only.

For each tuning sequence (``hyperseg.model.data.SPLIT["tuning"]``), its first ``--frames`` frames
at 854x480: the evaluation clicker clicks on the first frame until IoU 0.85 or 5 clicks, exactly
as ``hyperseg eval --video`` does, and those clicks are propagated forward frame by frame by a
``TrackingPass`` per setting, each told its own predictions (so it re-seeds as users get it).
Every setting shares the frame's encoding. Per setting: mean J, decay (J of the first third minus
J of the last third, each sequence counting once), frames without a positive click, re-seeds.
Never run on report sequences.

    .venv/bin/python -m benchmarks.propagation_tuning [--sequences cows scooter-black] [--frames 30]
        [--settings NAME ...]
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from benchmarks import harness
from hyperseg.model import Predictor
from hyperseg.model.evaluation.clicker import PROBABILITY_THRESHOLD
from hyperseg.model.evaluation.metrics import iou
from hyperseg.model.evaluation.temporal_metrics import decay
from hyperseg.model.evaluation.video import ShotSegmenter, VideoEvalConfig, first_frame_clicks, load_sequence
from hyperseg.model.propagation.click_propagation import TrackingPass
from hyperseg.model.propagation.point_tracker import PointTracker, TrackerConfig, to_gray
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks

DEFAULT = TrackerConfig()
#: name -> the tracker's settings; the first is the default.
SETTINGS = {
    f"default (reseed {DEFAULT.reseed!r} {DEFAULT.reseed_at}, fb {DEFAULT.max_fb_error:g} px)": DEFAULT,
    "reseed at the deepest point": dataclasses.replace(DEFAULT, reseed_at="deepest point"),
    "reseed near the lost click, core 0.25": dataclasses.replace(DEFAULT, reseed_core=0.25),
    "reseed only when no positive click is left": dataclasses.replace(DEFAULT, reseed="no positive click"),
    "reseed never": dataclasses.replace(DEFAULT, reseed="never"),
    "own side on": dataclasses.replace(DEFAULT, own_side=True),
    "off beyond 8 px on the wrong side of the moved mask": dataclasses.replace(DEFAULT, object_margin=8.0),
    "off beyond 24 px on the wrong side of the moved mask": dataclasses.replace(DEFAULT, object_margin=24.0),
    "fb 6 px": dataclasses.replace(DEFAULT, max_fb_error=6.0),
    "strict tracker (window 21, 3 levels, fb 1 px, half the support)": dataclasses.replace(
        DEFAULT, window=21, levels=3, max_fb_error=1.0, min_support=0.5),
}


def main() -> None:
    parser = harness.tuning_parser("propagation_tuning", __doc__, frames=30,
                                   frames_help="first frames of each sequence")
    parser.add_argument("--settings", nargs="+", choices=list(SETTINGS), default=list(SETTINGS),
                        help="the settings to compare (all by default)")
    args = parser.parse_args()
    settings = {name: SETTINGS[name] for name in args.settings}
    predictor = Predictor.load(device="cpu")
    config = VideoEvalConfig(str(args.data), tuple(args.sequences), args.frames)
    per_sequence = []
    for sequence in args.sequences:
        rgbs, gts = load_sequence(Path(config.data), sequence, config.frames)
        shot = ShotSegmenter(predictor, rgbs, config.proxy)
        clicks, _ = first_frame_clicks(shot, gts[0], config)
        keyed = ClickTracks([ClickTrack(f"c{i}", "positive" if positive else "negative", {0: (x, y)})
                             for i, (x, y, positive) in enumerate(clicks)])
        grays = [to_gray(rgb) for rgb in rgbs]
        passes = {name: TrackingPass(keyed, grays.__getitem__, tracker=PointTracker(setting))
                  for name, setting in settings.items()}
        j: dict[str, list[float]] = {name: [] for name in settings}
        empty = dict.fromkeys(settings, 0)
        for t in range(len(rgbs)):
            for name, tracking in passes.items():
                positive, negative = tracking.step(t)
                probability = shot.predict(t, positive, negative)
                tracking.segmented(probability)
                j[name].append(iou(probability > PROBABILITY_THRESHOLD, gts[t]))
                empty[name] += not positive
        for name, tracking in passes.items():
            events = tracking.result(list(range(len(rgbs)))).switched_off
            reseeds = sum("re-seeded as" in e.reason for e in events)
            per_sequence.append({"sequence": sequence, "setting": name, "J": float(np.mean(j[name])),
                                 "decay": decay(j[name]), "frames_without_positive": empty[name],
                                 "switch_offs": len(events), "reseeds": reseeds})
        harness.print_table([row for row in per_sequence if row["sequence"] == sequence])
    rows = [{"setting": name,
             "J": float(np.mean([r["J"] for r in per_sequence if r["setting"] == name])),
             "decay": float(np.mean([r["decay"] for r in per_sequence if r["setting"] == name])),
             "frames_without_positive": sum(r["frames_without_positive"] for r in per_sequence if r["setting"] == name),
             "reseeds": sum(r["reseeds"] for r in per_sequence if r["setting"] == name)} for name in settings]
    harness.print_table(rows)
    harness.write_results(args.json, "propagation_tuning", {
        "checkpoint": predictor.checkpoint_id, "sequences": args.sequences, "frames": args.frames,
        "settings": {name: dataclasses.asdict(setting) for name, setting in settings.items()},
        "rows": rows, "per_sequence": per_sequence})


if __name__ == "__main__":
    main()
