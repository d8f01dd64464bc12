"""A bad TLS certificate or key is named as such, not reported as a port that cannot be bound."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest
from daemon_wire import TEST_CONFIG

from hyperseg.daemon.server import serve
from hyperseg.protocol.errors import InputError


def make_pair(directory, name):
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hyperseg",
         "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="module")
def pem(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pem")
    (cert, key), (_, other_key) = make_pair(directory, "a"), make_pair(directory, "b")
    garbage = directory / "garbage.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
    return {"cert": cert, "key": key, "other_key": other_key, "garbage": garbage}


@pytest.mark.parametrize(
    ("cert", "key", "message"),
    [
        ("garbage", "key", "--tls-cert {garbage} holds no PEM certificate"),
        ("key", "key", "--tls-cert {key} holds no PEM certificate"),
        ("cert", "garbage", "--tls-key {garbage} holds no PEM private key (certificate {cert})"),
        ("cert", "other_key", "--tls-key {other_key} is not the key of that certificate (certificate {cert})"),
        ("cert", "missing", "cannot read --tls-key {missing}: No such file or directory"),
    ],
)
def test_the_file_at_fault_is_named(predictor, pem, tmp_path, cert, key, message):
    files = {**pem, "missing": tmp_path / "missing.key"}
    config = replace(TEST_CONFIG, tls_cert=files[cert], tls_key=files[key])
    with pytest.raises(InputError) as raised:
        serve(config, predictor=predictor)
    assert str(raised.value) == message.format(**files)


def test_hyperseg_serve_exits_2_naming_the_key(pem):
    done = subprocess.run(
        [sys.executable, "-m", "hyperseg.cli", "serve", "--port", "0", "--untrained-seed", "0", "--device", "cpu",
         "--tls-cert", str(pem["cert"]), "--tls-key", str(pem["other_key"])],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"hyperseg serve: --tls-key {pem['other_key']} is not the key of that certificate (certificate {pem['cert']})"
    )
