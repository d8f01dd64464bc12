"""``hyperseg batch``: rotoscope a frame range from clicks.json, locally, through a daemon, on
a Dask cluster, or as an OpenCue job.

Exit status: 0 when every frame was written or already complete, 1 when any frame failed (the
summary lists each with its reason), 2 when the job itself is wrong (bad flags, missing files).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from hyperseg.batch.job import DEVICES, HYPOTHESES, SEND, BatchJob
from hyperseg.batch.runner import BatchReport, BatchRunner
from hyperseg.batch.segmenter import segmenter_for
from hyperseg.cli.segment import COLORSPACE_HELP, colorspace
from hyperseg.protocol.clicktracks import PROPAGATION_DIRECTIONS, ClickTracks
from hyperseg.protocol.errors import HypersegError, InputError
from hyperseg.protocol.framerange import parse_frame_range

# Flags that fill BatchJob fields (dest -> field); unset flags leave a --job file's value.
_JOB_FLAGS = {
    "plate": "plate", "frames": "frames", "clicks": "clicks", "out": "out", "checkpoint": "checkpoint",
    "server": "server", "device": "device", "proxy": "proxy", "hypotheses": "hypotheses", "chunk": "chunk",
    "token_file": "token_file", "send": "send", "propagate": "propagate", "colorspace": "colorspace",
}
_PATH_FLAGS = ("plate", "clicks", "out", "checkpoint", "token_file")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    job = parser.add_argument_group("the job (or --job FILE; flags given override the file)")
    job.add_argument("--job", metavar="JOB.json", help="run the batch job kept in this file")
    job.add_argument("--plate", help="plate frames, e.g. 'plate.%%04d.exr', 'plate.####.exr'")
    job.add_argument("--range", dest="frames", metavar="FRAMES", help="e.g. 1001-1100, 1001-1100x2, 1001,1005")
    job.add_argument("--clicks", metavar="CLICKS.json", help="click tracks exported from the node")
    job.add_argument("--out", help="output alphas, e.g. 'alpha.%%04d.exr'")
    job.add_argument("--checkpoint", metavar="PATH", help="weights for --local runs (default: bundled)")
    where = job.add_mutually_exclusive_group()
    where.add_argument("--server", metavar="HOST:PORT", help="segment through this daemon")
    where.add_argument("--local", action="store_true", help="segment in this process (the default)")
    job.add_argument("--device", choices=DEVICES, help="device for --local runs (default auto)")
    job.add_argument("--proxy", type=float, help="run at this scale of the frame (default: the model's own scale)")
    job.add_argument("--hypotheses", choices=HYPOTHESES, help="also write all hypotheses (default best)")
    job.add_argument("--chunk", type=int, metavar="N", help="frames per Dask or OpenCue task (default 10)")
    job.add_argument("--token-file", metavar="FILE", help="bearer token for the daemon")
    job.add_argument("--colorspace", type=colorspace, metavar="NAME", help=COLORSPACE_HELP)
    job.add_argument("--send", choices=SEND, help="frames to the daemon as pixels (default) or as paths")
    job.add_argument("--propagate", nargs="?", const="forward", choices=PROPAGATION_DIRECTIONS,
                     help="clicks follow the image from their keys (default forward; both: keys pull both ways); "
                          "tracked clicks are saved beside the outputs as CLICKS.tracked.json")
    job.add_argument("--save-job", metavar="JOB.json", help="write the job to this file (paths relative to it)")

    run = parser.add_argument_group("this run")
    run.add_argument("--resume", action="store_true", help="skip frames whose output is complete and current")
    run.add_argument("--frames-only", metavar="FRAMES", help="run only the job's frames within these (a chunk)")
    run.add_argument("--dask", metavar="SCHEDULER", help="run chunks on a Dask cluster (tcp://HOST:PORT or local:N)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar (farm logs)")

    farm = parser.add_argument_group("OpenCue (--emit opencue writes the job spec instead of running)")
    farm.add_argument("--emit", choices=("opencue",), help="write a farm job spec for the job and stop")
    farm.add_argument("--emit-to", metavar="SPEC.xml", help="where (default: beside the job file)")
    farm.add_argument("--name", help="OpenCue job name (default: the job file's name)")
    farm.add_argument("--show", help="OpenCue show (default: pyoutline's configured default)")
    farm.add_argument("--shot", help="OpenCue shot (default: pyoutline's configured default)")
    farm.add_argument("--farm-executable", default="hyperseg", help="hyperseg as the render nodes call it")


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except HypersegError as exc:
        print(f"hyperseg batch: error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    job = job_from_args(args)
    job_path = args.job
    if args.save_job:
        job.save(args.save_job)
        job_path = args.save_job
        print(f"saved batch job {args.save_job}", file=sys.stderr)
    if args.emit == "opencue":
        return _emit_opencue(job, job_path, args)
    frames = job.frame_list
    if args.frames_only:
        wanted = set(parse_frame_range(args.frames_only))
        frames = [f for f in frames if f in wanted]
        if not frames:
            raise InputError(f"no frames of the job's range {job.frames} lie in --frames-only {args.frames_only}")
    tracks = ClickTracks.load(job.clicks)
    if args.dask:
        from hyperseg.batch.dask_runner import run_on_dask

        report = run_on_dask(job, args.dask, frames, resume=args.resume, progress=not args.no_progress)
    else:
        report = _run_here(job, tracks, frames, args)
    print(report.summary(), file=sys.stderr)
    return 0 if report.ok else 1


def _run_here(job: BatchJob, tracks: ClickTracks, frames: list[int], args: argparse.Namespace) -> BatchReport:
    segmenter = segmenter_for(job.segmenter_settings)
    try:
        runner = BatchRunner(job, segmenter, tracks, resume=args.resume, progress=not args.no_progress)
        return runner.run(frames)
    finally:
        segmenter.close()


def job_from_args(args: argparse.Namespace) -> BatchJob:
    """The job from ``--job`` (if given) with every explicitly given flag laid over it."""
    given = {field: getattr(args, dest) for dest, field in _JOB_FLAGS.items() if getattr(args, dest) is not None}
    for name in _PATH_FLAGS:
        if name in given:
            given[name] = str(Path(given[name]).absolute())
    if args.local:
        given["server"] = None
    if args.job:
        return dataclasses.replace(BatchJob.load(args.job), **given)
    missing = [f"--{flag}" for flag, field in (("plate", "plate"), ("range", "frames"), ("clicks", "clicks"),
                                                ("out", "out")) if field not in given]
    if missing:
        raise InputError(f"missing {', '.join(missing)}: give them, or a job file with --job JOB.json")
    return BatchJob(**given)


def _emit_opencue(job: BatchJob, job_path: str | None, args: argparse.Namespace) -> int:
    from hyperseg.batch.opencue import OpenCueSettings, emit_opencue

    if job_path is None:
        raise InputError("--emit opencue needs the job in a file the farm can read: add --job or --save-job JOB.json")
    if args.frames_only or args.dask or args.resume:
        raise InputError("--emit opencue writes the whole job; --frames-only, --dask and --resume do not apply")
    stem = Path(job_path).name.removesuffix(".json").removesuffix(".job")
    spec_path = args.emit_to or str(Path(job_path).with_name(f"{stem}.opencue.xml"))
    settings = OpenCueSettings(
        name=args.name or stem, show=args.show, shot=args.shot, executable=args.farm_executable
    )
    emit_opencue(job, job_path, spec_path, settings)
    print(spec_path)
    return 0
