"""Benchmarks of HyperSeg, run from the repository root as ``python -m benchmarks.NAME`` (see ``harness``)."""
