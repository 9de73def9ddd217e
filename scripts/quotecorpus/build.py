"""The build: corpus/ → validated records → TEI (validated) → SQLite, all or nothing.

Every output is written to a temporary file first and moved into place only when the whole
build has succeeded, so a failed or interrupted build leaves the previous TEI and database intact.
A build whose inputs (records, code, schemas) are unchanged does no work.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import load as loader
from . import tei_validate
from .errors import BuildInterrupted
from .layout import PACKAGE, ROOT, Paths
from .profile import tei_file_name
from .records import Corpus
from .tei_encode import write_corpus
from .validate import load_and_validate


@dataclass
class BuildResult:
    rebuilt: bool
    tei_files: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


Progress = Callable[[str], None]


def _digest(paths: list[Path], base: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(base) if p.is_relative_to(base) else p).encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def inputs_digest(paths: Paths) -> str:
    files = [p for p in paths.corpus.rglob("*.yaml")]
    files += [p for p in PACKAGE.rglob("*.py")]
    files += [tei_validate.TEI_SUBSET, tei_validate.SCHEMATRON, tei_validate.PROFILE_SCHEMATRON]
    return _digest(files, ROOT)


def _outputs_digest(paths: Paths, names: list[str]) -> str | None:
    files = [paths.tei / n for n in names]
    if not all(f.exists() for f in files) or not paths.db.exists():
        return None
    st = paths.db.stat()
    return _digest(files, paths.tei) + f":{st.st_size}:{st.st_mtime_ns}"


def is_up_to_date(paths: Paths, inputs: str | None = None) -> bool:
    try:
        stamp = json.loads(paths.stamp.read_text())
    except (OSError, ValueError):
        return False
    inputs = inputs or inputs_digest(paths)
    return stamp.get("inputs") == inputs and stamp.get("outputs") == _outputs_digest(paths, stamp.get("tei", []))


def _write_temp(target: Path, data: bytes, temps: list[Path]) -> Path:
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temps.append(tmp)
    tmp.write_bytes(data)
    return tmp


def build(paths: Paths | None = None, force: bool = False, progress: Progress | None = None) -> BuildResult:
    """Build TEI and database from the records. Raises RecordError, TEIValidationError, ... on bad input."""
    paths = paths or Paths()
    say = progress or (lambda step: None)
    inputs = inputs_digest(paths)  # once: it reads every record, module and schema
    if not force and is_up_to_date(paths, inputs):
        say("up to date")
        return BuildResult(rebuilt=False)
    say("validate records")
    corpus = load_and_validate(paths.corpus)
    say("encode TEI")
    temps: list[Path] = []
    paths.tei.mkdir(parents=True, exist_ok=True)
    names = {key: tei_file_name(key) for key in [*sorted(corpus.ids("articles")), "corpus"]}
    staged = {paths.tei / n: paths.tei / f".{n}.tmp-{os.getpid()}" for n in names.values()}
    temps += staged.values()
    outputs = dict(names)
    try:
        files = {key: open(staged[paths.tei / n], "wb") for key, n in names.items()}
        try:
            write_corpus(corpus, files)
        finally:
            for f in files.values():
                f.close()
        seen: set[bytes] = set()  # the teiCorpus first: each entry of the article files is one of its
        for key in ["corpus", *[k for k in names if k != "corpus"]]:
            say(f"validate tei/{names[key]}")
            tei_validate.validate_file(staged[paths.tei / names[key]], f"tei/{names[key]}", seen=seen)
        root_for_db = staged[paths.tei / names["corpus"]]  # the teiCorpus holds the whole registers, not only what is quoted
        paths.db.parent.mkdir(parents=True, exist_ok=True)
        say("load database")
        db_tmp = paths.db.with_name(f".{paths.db.name}.tmp-{os.getpid()}")
        temps.append(db_tmp)
        db_tmp.unlink(missing_ok=True)
        loader.load([(root_for_db, f"tei/{names['corpus']}")], db_tmp, trusted=True)
        say("commit")
        for target, tmp in staged.items():
            if target.exists() and _same_file(target, tmp):
                tmp.unlink()  # unchanged: keep the file (and its mtime) as it is
            else:
                os.replace(tmp, target)
        os.replace(db_tmp, paths.db)
    except KeyboardInterrupt:
        raise BuildInterrupted("build interrupted: the previous TEI and database are unchanged") from None
    finally:
        for t in temps:
            t.unlink(missing_ok=True)
    tei = sorted(outputs.values())
    paths.stamp.write_text(json.dumps({"inputs": inputs, "tei": tei, "outputs": _outputs_digest(paths, tei)}))
    say("done")
    counts = {k: len(v) for k, v in corpus.records.items()}
    return BuildResult(rebuilt=True, tei_files=[paths.tei / n for n in outputs.values()], counts=counts)


def _same_file(a: Path, b: Path) -> bool:
    """Byte-identical files, compared in blocks."""
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while block := fa.read(1 << 20):
            if block != fb.read(1 << 20):
                return False
    return True


def check_tei_current(paths: Paths | None = None, corpus: Corpus | None = None) -> list[str]:
    """Names of tei/ files that differ from what corpus/ produces now (empty when current)."""
    paths = paths or Paths()
    corpus = corpus or load_and_validate(paths.corpus)
    keys = [*sorted(corpus.ids("articles")), "corpus"]
    with tempfile.TemporaryDirectory() as tmp:
        made = {k: Path(tmp) / tei_file_name(k) for k in keys}
        files = {k: open(p, "wb") for k, p in made.items()}
        try:
            write_corpus(corpus, files)
        finally:
            for f in files.values():
                f.close()
        return [f"tei/{p.name}" for p in made.values() if not (paths.tei / p.name).exists() or not _same_file(paths.tei / p.name, p)]
