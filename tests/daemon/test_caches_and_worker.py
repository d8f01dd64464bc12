"""The byte-budgeted LRU, the feature cache keys and the worker's queue rules, in process."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from cachetools import LRUCache
from daemon_wire import make_frame
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from hyperseg.daemon.byte_lru import ByteBudgetLRU
from hyperseg.daemon.encoding_cache import EncodingKey, FeatureCache
from hyperseg.daemon.frame_store import StoredFrame
from hyperseg.daemon.worker import ModelWorker, SegmentJob
from hyperseg.imageio import Window
from hyperseg.protocol.errors import DeadlineError, UnavailableError
from hyperseg.protocol.frame_hash import frame_hash


def test_lru_evicts_least_recently_used_to_fit_the_budget():
    lru = ByteBudgetLRU(100)
    assert lru.put("a", 1, 40) and lru.put("b", 2, 40)
    assert lru.get("a") == 1  # b is now the oldest
    assert lru.put("c", 3, 40)
    assert "b" not in lru and lru.get("a") == 1 and lru.get("c") == 3
    assert lru.nbytes == 80 and len(lru) == 2 and lru.evictions == 1
    assert not lru.put("huge", 4, 101) and "huge" not in lru
    assert lru.put("a", 5, 10) and lru.nbytes == 50 and lru.get("a") == 5


def test_a_value_over_the_budget_drops_the_stale_entry_which_cachetools_alone_keeps():
    """Why ByteBudgetLRU wraps cachetools: its LRUCache raises on an oversized value and keeps the old one."""
    raw = LRUCache(maxsize=100, getsizeof=len)
    raw["frame"] = b"x" * 10
    with pytest.raises(ValueError, match="too large"):
        raw["frame"] = b"y" * 101
    assert raw["frame"] == b"x" * 10  # a stale value would be served
    lru = ByteBudgetLRU(100)
    assert lru.put("frame", "old", 10)
    assert not lru.put("frame", "new", 101)
    assert "frame" not in lru and lru.nbytes == 0


def test_lru_byte_total_stays_exact_under_concurrent_use():
    lru = ByteBudgetLRU(1000)

    def churn(seed: int) -> None:
        rng = np.random.default_rng(seed)
        for _ in range(2000):
            key = int(rng.integers(0, 50))
            if rng.random() < 0.5:
                lru.put(key, key, int(rng.integers(1, 120)))
            else:
                lru.get(key)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(churn, range(8)))
    live = [key for key in range(50) if key in lru]
    assert 0 < lru.nbytes <= 1000 and len(lru) == len(live)
    assert lru.nbytes == sum(lru._cache[key].nbytes for key in live)


def test_feature_cache_counts_hits_and_keys_on_everything_the_encoding_depends_on(predictor):
    cache = FeatureCache(10 * 1024 * 1024)
    frame = make_frame(500)
    encoding = predictor.encode_frame(frame, proxy=0.25)
    key = EncodingKey("a" * 64, None, 0.25, predictor.checkpoint_id)
    assert cache.get(key) is None
    assert cache.put(key, encoding)
    assert cache.get(key) is encoding
    for other in (EncodingKey("a" * 64, "b" * 64, 0.25, predictor.checkpoint_id),
                  EncodingKey("a" * 64, None, 0.5, predictor.checkpoint_id),
                  EncodingKey("a" * 64, None, 0.25, "other-checkpoint")):
        assert cache.get(other) is None
    assert (cache.hits, cache.misses) == (1, 4)
    assert cache.nbytes == encoding.nbytes


def _stored(seed: int) -> StoredFrame:
    rgb = make_frame(seed)
    window = Window(0, 0, 32, 24)
    return StoredFrame(frame_hash(rgb, "RGB"), rgb, window, window)


def test_worker_drops_expired_work_and_refuses_after_stop(predictor):
    worker = ModelWorker(predictor, FeatureCache(1024 * 1024))
    late = SegmentJob(_stored(501), None, [(3.5, 3.5)], [], proxy=0.25, deadline=time.monotonic() - 1)
    with pytest.raises(DeadlineError, match="deadline passed"):
        worker.submit(late).result(timeout=30)
    assert worker.encode_calls == 0
    job = SegmentJob(_stored(501), None, [(3.5, 3.5)], [], proxy=0.25)
    outcome = worker.submit(job).result(timeout=60)
    assert outcome.prediction.masks.shape == (6, 24, 32) and not outcome.cache_hit
    assert worker.encode_calls == 1
    worker.stop(timeout=10)
    with pytest.raises(UnavailableError, match="shutting down"):
        worker.submit(SegmentJob(_stored(501), None, [(3.5, 3.5)], [], proxy=0.25))


def test_stop_finishes_queued_work(predictor):
    worker = ModelWorker(predictor, FeatureCache(1024 * 1024))
    futures = [worker.submit(SegmentJob(_stored(502), None, [(x + 0.5, 3.5)], [], proxy=0.25)) for x in range(3)]
    worker.stop(timeout=60)
    assert all(f.done() and f.exception() is None for f in futures)
    assert worker.encode_calls == 1
    masks = [f.result().prediction.masks for f in futures]
    assert not np.array_equal(masks[0], masks[2])


def test_reflection_lists_the_services(channel):
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    reply = next(stub.ServerReflectionInfo(iter([request])))
    names = {s.name for s in reply.list_services_response.service}
    assert {"hyperseg.v1.HyperSeg", "grpc.health.v1.Health"} <= names


def test_a_callers_later_click_on_a_frame_runs_the_focus_crop():
    """The worker keeps each caller's last prediction: an added click re-runs only its window."""
    from dataclasses import replace

    from hyperseg.model import Predictor
    from hyperseg.model.config import ModelConfig

    config = replace(ModelConfig.tiny(), extra_context=("walker_probability",), enforce_clicks=True)
    predictor = Predictor.untrained(seed=2, config=config)
    rgb = np.random.default_rng(0).uniform(0.0, 0.1, (72, 96, 3)).astype(np.float32)
    rgb[12:60, 16:80] += 0.8
    window = Window(0, 0, 96, 72)
    frame = StoredFrame(frame_hash(rgb, "RGB"), rgb, window, window)
    worker = ModelWorker(predictor, FeatureCache(10 * 1024 * 1024))
    first = worker.submit(SegmentJob(frame, None, [(40.5, 30.5)], [(5.5, 5.5)], latest_key=("c", 1))).result(60)
    later_clicks = [(40.5, 30.5), (17.5, 13.5)], [(5.5, 5.5)]
    later = worker.submit(SegmentJob(frame, None, *later_clicks, latest_key=("c", 1))).result(60)
    other_caller = worker.submit(SegmentJob(frame, None, *later_clicks, latest_key=("d", 1))).result(60)
    worker.stop(timeout=10)
    assert first.prediction.window is None and other_caller.prediction.window is None
    assert later.cache_hit and later.prediction.window is not None
    expected = predictor.predict_encoded(predictor.encode_frame(rgb), *later_clicks)
    np.testing.assert_allclose(other_caller.prediction.masks, expected.masks, atol=1e-6)
