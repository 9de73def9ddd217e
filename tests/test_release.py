"""Citable releases: one version and date, shown everywhere, and the bundle `quotecorpus release` writes."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib

from setuptools.config.pyprojecttoml import read_configuration

from quotecorpus import EDITION, RELEASE_DATE, __version__
from quotecorpus.build import ROOT
from quotecorpus.layout import PACKAGE

# --- one version, one date ------------------------------------------------------------------------


def test_the_version_and_date_are_defined_once_and_everything_agrees():
    assert re.fullmatch(r"\d+(\.\d+)+", __version__)
    assert dt.date.fromisoformat(RELEASE_DATE).isoformat() == RELEASE_DATE
    assert EDITION == f"quotecorpus, version {__version__} ({RELEASE_DATE})"
    # pyproject.toml holds no version of its own: setuptools reads quotecorpus.__version__
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert read_configuration(ROOT / "pyproject.toml")["project"]["version"] == __version__
    # nothing else in the package states a version or a release date
    stated = [p.name for p in PACKAGE.rglob("*.py") if re.search(r"^(__version__|RELEASE_DATE)\s*=", p.read_text(), re.M)]
    assert stated == ["__init__.py"]
    meta = json.loads((ROOT / "metadata.json").read_text(encoding="utf-8"))
    assert (meta["version"], meta["release_date"]) == (__version__, RELEASE_DATE)


def test_datasette_serves_the_version_and_date_in_its_metadata(client):
    meta = client.get("/-/metadata.json").json()
    assert (meta["version"], meta["release_date"]) == (__version__, RELEASE_DATE)
