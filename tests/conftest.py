"""Shared fixtures: the real corpus built once per session through the real pipeline."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from lxml import etree

from quotecorpus.build import ROOT, Paths, build
from quotecorpus.serving import make_datasette
from quotecorpus.tei_validate import TEI_ALL, relaxng

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLES = ROOT.parent / "shared" / "articles"


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Paths:
    """The real corpus/ built into a temporary tei/ and database."""
    out = tmp_path_factory.mktemp("built")
    paths = Paths(corpus=ROOT / "corpus", tei=out / "tei", db=out / "corpus.db")
    build(paths)
    return paths


@pytest.fixture(scope="session")
def tei_all() -> etree.RelaxNG:
    """The full TEI P5 tei_all.rng, compiled once per session (about 10 s)."""
    return relaxng(TEI_ALL)


@pytest.fixture
def mini(tmp_path) -> Paths:
    """A copy of the small fixture corpus, to break one file at a time."""
    shutil.copytree(FIXTURES / "mini", tmp_path / "corpus")
    return Paths(corpus=tmp_path / "corpus", tei=tmp_path / "tei", db=tmp_path / "build" / "corpus.db")


class Client:
    """Synchronous wrapper over Datasette's in-process client."""

    def __init__(self, paths: Paths):
        self.ds = make_datasette(paths)

    def get(self, path: str):
        return asyncio.run(self.ds.client.get(path))


@pytest.fixture(scope="session")
def client(built) -> Client:
    return Client(built)


def _article(name: str):
    from quotecorpus.articletext import ArticleText

    path = ARTICLES / f"{name}.txt"
    return ArticleText.read(path) if path.exists() else None


@pytest.fixture(scope="session")
def himmer_text():
    """The Himmer article's text, or None where ../shared/articles is absent."""
    return _article("himmer-1976")


def article_text_or_skip(name: str):
    text = _article(name)
    if text is None:
        pytest.skip(f"{ARTICLES}/{name}.txt is absent: put the article texts there (CI has them) to run the audit")
    return text
