"""Where things are: the repository's folders, a build's outputs, and where the TEI is served."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(__file__).resolve().parent
METADATA = ROOT / "metadata.json"
TEI_MOUNT = "tei"  # the published TEI files are served under /tei/


@dataclass(frozen=True)
class Paths:
    corpus: Path = ROOT / "corpus"
    tei: Path = ROOT / "tei"
    db: Path = ROOT / "build" / "corpus.db"
