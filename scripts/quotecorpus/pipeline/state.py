"""What a generation remembers of how it was made, so that the next build redoes only what changed.

Beside its TEI and database, each generation keeps (`state.marshal`, written before it is published):

* the code's digest: a build with other code (or schemas) reuses nothing;
* of each records file, its digest and, of each record, its piece of text (records/reread.py), its
  stub, its data's digest and its TEI's languages;
* of each TEI file, where each entry stands in it and its key (tei/documents.py), and the digest of
  the context each slot's entries were validated in (tei/stream.py);
* of each entry, the rows it loaded into the database, with their rowids (db/update.py).

It is read only from the current generation, which no build writes again, and only by a build
holding the lock. marshal: the fastest of Python's own formats for plain values (a pickle of the same
took three times as long to read at 100,000 quotations); a state that cannot be read is no state (a
full build follows).
"""

from __future__ import annotations

import marshal
import os
from dataclasses import dataclass
from pathlib import Path

from quotecorpus.db.load import EntryKey, LoadedRow
from quotecorpus.records.corpus import Piece
from quotecorpus.records.reread import Known, KnownFile
from quotecorpus.tei.documents import Was

FILE = "state.marshal"
FORMAT = 5  # changed with what is kept here


@dataclass
class State:
    code: str  # the digest of the code and schemas that made the generation
    files: dict  # records file, relative to corpus/ -> KnownFile (as read), or its bytes (freeze_files, as written)
    tei: dict[str, dict[EntryKey, Was]]  # document key -> its entries in order (tei/documents.was)
    contexts: dict[str, dict[str, bytes]]  # document key -> slot -> digest of its validation context
    loaded: dict[EntryKey, list[LoadedRow]]  # in load order
    skeletons: dict[str, bytes]  # document key -> its skeleton as serialized (tei/encode.Document)
    held: dict[str, list[str]]  # article -> the articles its file holds (in its header), as Plan.members says


def freeze_file(f: KnownFile) -> bytes:
    """A file's knowledge in bytes of its own (more compact than its objects, which the build can let
    go): a file not read again is written as it was read."""
    if f.raw is not None:
        return f.raw
    records = None
    if f.records is not None:
        records = [(k.piece.start, k.piece.end, k.piece.line, k.piece.digest, k.line, k.id, k.stub, k.payload) for k in f.records]
    return marshal.dumps((f.digest, records))


def freeze_files(files: dict[str, KnownFile]) -> dict[str, bytes]:
    """freeze_file of each file."""
    return {rel: freeze_file(f) for rel, f in files.items()}


def _known_files(found: dict[str, bytes]) -> dict[str, KnownFile]:
    out = {}
    for rel, blob in found.items():
        digest, records = marshal.loads(blob)
        known = None
        if records is not None:
            known = [Known(Piece(a, b, pl, pd), line, i, s, payload) for a, b, pl, pd, line, i, s, payload in records]
        out[rel] = KnownFile(digest, known, blob)
    return out


def write(folder: Path, state: State) -> None:
    data = {
        "format": FORMAT,
        "code": state.code,
        "files": state.files if all(isinstance(f, bytes) for f in state.files.values()) else freeze_files(state.files),
        "tei": state.tei,
        "contexts": state.contexts,
        "loaded": state.loaded,
        "skeletons": state.skeletons,
        "held": state.held,
    }
    tmp = folder / f".{FILE}.tmp-{os.getpid()}"
    tmp.write_bytes(marshal.dumps(data))
    os.replace(tmp, folder / FILE)


def read(folder: Path | None, code: str) -> State | None:
    """The state of a generation made by this code, or None (none kept, other code, unreadable)."""
    if folder is None:
        return None
    try:
        data = marshal.loads((folder / FILE).read_bytes())
        if data.get("format") != FORMAT or data.get("code") != code:
            return None
        return State(
            data["code"],
            _known_files(data["files"]),
            data["tei"],
            data["contexts"],
            data["loaded"],
            data["skeletons"],
            data["held"],
        )
    except (OSError, ValueError, EOFError, TypeError, KeyError, AttributeError):
        return None
