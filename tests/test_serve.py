"""`quotecorpus serve` as a user runs it: a real Datasette process on a local port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(built):
    port = _free_port()
    args = [sys.executable, "-m", "quotecorpus", "serve", "--port", str(port)]
    args += ["--corpus", str(built.corpus), "--tei", str(built.tei), "--db", str(built.db)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("datasette did not start: " + proc.stdout.read1().decode())
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_brings_up_the_corpus_with_the_tei_format(served):
    with urllib.request.urlopen(served + "/corpus/quotations.json?language=ru&_shape=array") as r:
        assert r.status == 200
    with urllib.request.urlopen(served + "/corpus/quotations.tei?language=ru") as r:
        assert r.headers["content-type"] == "application/tei+xml; charset=utf-8"
        assert b"<TEI " in r.read()
    with urllib.request.urlopen(served + "/corpus/quotations") as r:
        assert b"quotations.tei" in r.read()  # the format is offered on the page
