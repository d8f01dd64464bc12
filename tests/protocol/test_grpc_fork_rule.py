"""A process that talks gRPC can still start programs: gRPC's fork handlers are off in every HyperSeg
process (``hyperseg.protocol``), so a child forked to exec is never aborted by them (grpc/grpc#43055).

Each check runs in a fresh interpreter with a live server and a connected channel, starting 300
children through a fork (``preexec_fn`` makes ``subprocess`` fork on every Python, as it always
does on 3.9); with gRPC's default a few in a hundred die of SIGABRT in its handlers on this machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

CHILDREN = 300

SCRIPT = """
import json, os, subprocess, sys
{first}
import grpc
from concurrent import futures
server = grpc.server(futures.ThreadPoolExecutor(2))
port = server.add_insecure_port("127.0.0.1:0")
server.start()
channel = grpc.insecure_channel(f"127.0.0.1:{{port}}")
grpc.channel_ready_future(channel).result(timeout=30)
codes = [subprocess.run(["true"], preexec_fn=os.getpid, capture_output=True).returncode for _ in range({children})]
print(json.dumps({{"setting": os.environ.get("GRPC_ENABLE_FORK_SUPPORT"), "failed": sum(code != 0 for code in codes)}}))
"""


def children_failed(first: str, env: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(first=first, children=CHILDREN)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def clean_env(monkeypatch) -> dict[str, str]:
    monkeypatch.delenv("GRPC_ENABLE_FORK_SUPPORT", raising=False)
    return dict(os.environ)


@pytest.mark.parametrize("package", ["hyperseg.plugin", "hyperseg.daemon", "hyperseg.protocol.status_codes"])
def test_children_of_a_hyperseg_process_that_serves_grpc_all_start(clean_env, package):
    outcome = children_failed(f"import {package}", clean_env)
    assert outcome == {"setting": "false", "failed": 0}


def test_a_value_the_caller_set_is_kept(clean_env):
    outcome = children_failed("import hyperseg.plugin", clean_env | {"GRPC_ENABLE_FORK_SUPPORT": "true"})
    assert outcome["setting"] == "true"
