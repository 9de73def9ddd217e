"""CI runs every test: `.ci/run` installs what the tests need and sets QUOTECORPUS_REQUIRE_ALL=1, under
which a skipped test fails (tests/conftest.py). Locally, without a tool, its tests skip and say how to
enable it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JING_TEST = "tests/test_release.py::test_the_tei_in_the_bundle_validates_with_jing_against_the_schema_it_holds"


def _pytest(require_all: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QUOTECORPUS_JING": "/nonexistent/jing", "QUOTECORPUS_REQUIRE_ALL": require_all}
    args = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs", JING_TEST]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_without_a_tool_its_tests_skip_and_say_how_to_enable_it():
    r = _pytest("0")
    assert r.returncode == 0, r.stdout[-2000:]
    assert "1 skipped" in r.stdout and "apt-get install jing" in r.stdout and "QUOTECORPUS_JING" in r.stdout


def test_in_ci_a_skip_fails_the_run():
    r = _pytest("1")
    assert r.returncode == 1, r.stdout[-2000:]
    assert "QUOTECORPUS_REQUIRE_ALL=1 (set by .ci/run) allows no skip: jing is not installed" in r.stdout


def test_ci_installs_every_tool_the_tests_need_and_allows_no_skip():
    script = (ROOT / ".ci" / "run").read_text()
    for package in ("chromium", "jing", "fonts-noto-core", "fonts-dejavu-core"):
        assert package in script
    assert "export QUOTECORPUS_REQUIRE_ALL=1" in script

