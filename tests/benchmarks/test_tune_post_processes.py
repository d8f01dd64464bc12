"""Every variant of benchmarks.tune_post_processes (each a row of docs/tuning.md) names settings the
bundled default can take: post-process fields only (the weights mean what they meant), a proxy in range
and Predictor keywords that exist."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from benchmarks.tune_post_processes import VARIANTS
from hyperseg.model import Predictor
from hyperseg.model.config import POST_PROCESS_FIELDS, ModelConfig
from hyperseg.protocol.proxy import check_proxy


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_is_a_valid_post_process_setting_of_the_default(name):
    fields, keywords, proxy = VARIANTS[name]
    assert set(fields) <= set(POST_PROCESS_FIELDS), f"{name} changes what the weights mean"
    config = dataclasses.replace(ModelConfig.default(), **fields)
    assert config.weights_compatible(ModelConfig.default())
    assert set(keywords) <= set(inspect.signature(Predictor.load).parameters) - {"cls", "path"}
    assert proxy is None or check_proxy(proxy) == proxy
