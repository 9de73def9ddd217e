"""Reading the corpus again after a build: only the records whose text changed.

The last build remembers, of each records file, its digest and, of each record in it, its piece (the
digest of its text and where it stood), its line, its stub (what the rules across records and the TEI
plan read of it: validate.stub) and what the caller keeps beside it (`payload`). A file whose digest
is the same is not read at all. A file that changed is read as bytes and cut into pieces (no YAML),
and only the pieces whose text the last build did not know are parsed; every other record is its
stub, at its new line. A file that is not one record per piece (a flow sequence) is read whole.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from quotecorpus.errors import Problem, RecordError
from quotecorpus.profile import REGISTERS, Register
from quotecorpus.records.corpus import Corpus, Piece, Record, corpus_files, cut_pieces, matches, read_bytes, read_pieces


@dataclass(slots=True)
class Known:
    """What the last build knew of one record."""

    piece: Piece
    line: int  # the record's own line (of its first key)
    id: str
    stub: dict
    payload: object


@dataclass(slots=True)
class KnownFile:
    digest: str
    records: list[Known] | None  # None: not one record per piece, read whole when it changes
    raw: bytes | None = None  # what it was read from, where it was kept (a build writes it again as it is)


def known_of(records: list[Record], digest: str, payload) -> KnownFile:
    """What the next build will know of a file read now (`payload` of each record: what to keep beside it)."""
    from quotecorpus.records.validate import stub

    if any(r.piece is None for r in records):
        return KnownFile(digest, None)
    # a record not read again has its stub for data, and what was kept of it
    return KnownFile(
        digest, [Known(r.piece, r.line, r.id, r.data if r.kept is not None else stub(r.register, r.data), payload(r)) for r in records]
    )


def _kept(register: Register, shown: str, path: Path, k: Known, piece: Piece) -> Record:
    return Record(register, shown, piece.line + (k.line - k.piece.line), k.stub, path, piece=piece, kept=k.payload)


def reread(root: Path, known: dict[str, KnownFile], digests: dict[str, str]) -> tuple[Corpus, Corpus]:
    """(every record, those read now) of the corpus at `root`: a record not read again has its stub for
    data and `kept` set. `known`: what the last build knew, by file path relative to `root`; `digests`:
    each file's digest now. Raises RecordError as load_corpus does on a file it cannot read."""
    root = Path(root)
    every: dict[str, list[Record]] = {}
    read: dict[str, list[Record]] = {}
    problems: list[Problem] = []
    files = corpus_files(root)  # every one a regular file, or RecordError
    relative = {p: p.relative_to(root).as_posix() for p in files}
    for register in REGISTERS:
        every[register.name], read[register.name] = [], []
        for path in (p for p in files if matches(relative[p], register.files)):
            rel = relative[path]
            shown = f"{root.name}/{rel}"
            old = known.get(rel)
            if old is not None and old.records is not None and old.digest == digests.get(rel):
                every[register.name] += [_kept(register, shown, path, k, k.piece) for k in old.records]
                continue
            data, wrong = read_bytes(path, shown)
            if data is None:
                problems += wrong
                continue
            pieces = cut_pieces(data)
            by_digest = {k.piece.digest: k for k in old.records} if old is not None and old.records is not None else {}
            wanted = [i for i, p in enumerate(pieces) if p.digest not in by_digest]
            recs, probs = read_pieces(path, register, shown, data, pieces, wanted)
            if any(r.piece is None for r in recs) and len(wanted) < len(pieces):  # not one record per piece: read whole
                wanted = list(range(len(pieces)))
                recs, probs = read_pieces(path, register, shown, data, pieces, wanted)
            problems += probs
            at = {r.piece.start: r for r in recs if r.piece is not None}
            fresh = set(wanted)
            for i, piece in enumerate(pieces):
                if i not in fresh:
                    every[register.name].append(_kept(register, shown, path, by_digest[piece.digest], piece))
                elif piece.start in at:
                    every[register.name].append(at[piece.start])
            every[register.name] += [r for r in recs if r.piece is None]
            read[register.name] += recs
    if not any(matches(relative[p], r.files) for p in files for r in REGISTERS):
        problems.append(Problem(root.name, 0, "no corpus records found"))
    if problems:
        raise RecordError(problems)
    return Corpus(root, every), Corpus(root, read)


class Again:
    """Records kept (not read) read whole when asked for, each file read once: an incremental build
    encodes again a record whose text did not change when an entry its TEI names did (a person's name),
    or when a document holds it anew."""

    def __init__(self) -> None:
        self.files: dict[Path, bytes] = {}

    def __call__(self, rec: Record) -> dict:
        assert rec.file is not None and rec.piece is not None
        data = self.files.get(rec.file)
        if data is None:
            data, problems = read_bytes(rec.file, rec.path)
            if data is None:
                raise RecordError(problems)
            self.files[rec.file] = data
        piece = rec.piece
        if hashlib.blake2b(data[piece.start : piece.end], digest_size=16).digest() != piece.digest:
            raise RecordError([Problem(rec.path, rec.line, "the file changed while the build read it: build again")])
        found, problems = read_pieces(rec.file, rec.register, rec.path, data, [piece], [0])
        if problems or len(found) != 1:
            raise RecordError(problems or [Problem(rec.path, rec.line, "the file changed while the build read it: build again")])
        return found[0].data
