"""Where things are: the repository's folders, a build's outputs, and where the TEI is served."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from quotecorpus import __version__

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(__file__).resolve().parent
METADATA = ROOT / "metadata.json"
TEI_MOUNT = "tei"  # the published TEI files are served under /tei/
RELEASE_PATH = "/-/release/"  # the release bundle is served here (under /-/: no database name can hide it)


@dataclass(frozen=True)
class Paths:
    corpus: Path = ROOT / "corpus"
    tei: Path = ROOT / "tei"
    db: Path = ROOT / "build" / "corpus.db"


def release_dir(paths: Paths) -> Path:
    """Where `quotecorpus release` writes its bundle by default, and where `serve` looks for one: beside
    the database (build/release/)."""
    return paths.db.parent / "release"


def bundle_name() -> str:
    """The release bundle's name (its folder; with .zip, its archive): the version is in it."""
    return f"quotecorpus-{__version__}"
