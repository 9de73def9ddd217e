"""The build: corpus/ → validated records → TEI (validated) → SQLite, published whole or not at all.

The TEI files and the database are written into a new generation (publish.py), which one rename
makes the current one only when everything has succeeded: a failed, interrupted or killed build
leaves the previous generation current, and two builds never run at once. A build whose inputs
(records, code, schemas) are unchanged does no work.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from quotecorpus import profile as P
from quotecorpus.db import inspect as db_inspect
from quotecorpus.db import load as loader
from quotecorpus.files import same_file, sha256_file
from quotecorpus.layout import PACKAGE, ROOT, Paths
from quotecorpus.pipeline import incremental, publish
from quotecorpus.pipeline import state as build_state
from quotecorpus.profile import tei_file_name
from quotecorpus.records.corpus import Corpus, ProblemLog, corpus_files, require_corpus
from quotecorpus.records.reread import reread
from quotecorpus.records.validate import load_and_validate, validate_changes
from quotecorpus.tei import validate as tei_validate
from quotecorpus.tei.documents import CORPUS, Plan, was, write_corpus, write_documents


@dataclass
class BuildResult:
    rebuilt: bool
    tei_files: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    incremental: bool = False  # from the previous generation, redoing only what changed
    records_read: int = 0  # records read (parsed and checked) by this build
    entries_encoded: int = 0  # entries of the teiCorpus encoded anew (not copied from the previous build's)


Progress = Callable[[str], None]


INPUTS = "inputs.json"  # in the generations' folder: (size, mtime in ns, SHA-256) of each input last read


@dataclass(frozen=True)
class Inputs:
    digest: str  # of every record, module and schema: a build with the same does no work
    code: str  # of the modules and schemas: a build with other code reuses nothing of the last
    records: dict[str, str]  # each records file (relative to corpus/) -> its SHA-256


def inputs_digest(paths: Paths) -> Inputs:
    """The digests of every record, module and schema. A file whose size and modification time (in
    nanoseconds) are those of its last reading is not read again: at 100,000 quotations reading 180 MB
    of records was most of a no-op rebuild. The records are regular files, or RecordError (exit 2) says
    what else is there (records.corpus.corpus_files): a FIFO or a device is never opened."""
    records = corpus_files(paths.corpus)
    code = [p for p in PACKAGE.rglob("*.py")] + [tei_validate.TEI_SUBSET, tei_validate.SCHEMATRON, tei_validate.PROFILE_SCHEMATRON]
    cache = publish.store(paths) / INPUTS
    try:
        known = json.loads(cache.read_text())
    except (OSError, ValueError):
        known = {}
    seen: dict[str, list] = {}
    digests: dict[Path, str] = {}
    for p in sorted(records + code):
        st = p.stat()
        key = str(p.resolve())
        entry = known.get(key)
        if not (isinstance(entry, list) and len(entry) == 3 and entry[:2] == [st.st_size, st.st_mtime_ns]):
            entry = [st.st_size, st.st_mtime_ns, sha256_file(p, follow_symlinks=False)]
        seen[key] = entry
        digests[p] = entry[2]
    if seen != known:
        tmp = cache.with_name(f"{publish.TMP}{INPUTS}-{os.getpid()}")  # removed by publish.clean if left
        tmp.write_text(json.dumps(seen))
        os.replace(tmp, cache)

    def digest_of(files: list[Path]) -> str:
        h = hashlib.sha256()
        for p in sorted(files):
            h.update(f"{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}\0{digests[p]}\0".encode())
        return h.hexdigest()

    return Inputs(digest_of(records + code), digest_of(code), {p.relative_to(paths.corpus).as_posix(): digests[p] for p in records})


SYNCED = "tei-synced.json"  # in the generations' folder: what tei/ held when it was last brought up to date


def _tei_synced(paths: Paths) -> bool:
    try:
        known = json.loads((publish.store(paths) / SYNCED).read_text())
    except (OSError, ValueError):
        return False
    return known == {"generation": str(publish.current(paths)), "files": publish.tei_state(paths)}


def _sync_tei(paths: Paths) -> list[str]:
    replaced = publish.sync_tei(paths)
    state = {"generation": str(publish.current(paths)), "files": publish.tei_state(paths)}
    (publish.store(paths) / SYNCED).write_text(json.dumps(state))
    return replaced


class _Beside(threading.Thread):
    """A function run in a thread of its own, beside what the build does meanwhile (hashing, SQLite,
    libxml2's validation and the kernel's copy work without Python's lock); join() raises what it raised."""

    def __init__(self, fn: Callable, *args) -> None:
        super().__init__(name=getattr(fn, "__name__", "beside"), daemon=True)
        self.fn, self.args = fn, args
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.fn(*self.args)
        except BaseException as e:  # noqa: BLE001 -- handed to the build's thread, which raises it
            self.error = e

    def join(self, timeout: float | None = None) -> None:
        super().join(timeout)
        if self.error is not None:
            raise self.error


def validate_tei_files(folder: Path, names: dict[str, str]) -> None:
    """The TEI files of a full build validated (run beside the load: libxml2 validates without Python's
    lock, so on two cores the two overlap; at 100,000 quotations each takes minutes)."""
    seen: set[bytes] = set()  # the teiCorpus first: each entry of the article files is one of its
    for key in ["corpus", *[k for k in names if k != "corpus"]]:
        tei_validate.validate_file(folder / names[key], f"tei/{names[key]}", seen=seen)


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """A build makes millions of objects that live until it ends (records, stubs, entries, rows), and
    no reference cycles in bulk: Python's cycle collector would go over all of them again and again as
    they are made (at 100,000 quotations, reading the last build's state took 9.2 s with it, 1.2 s
    without; reading the records and the load likewise). What survives the build is then frozen: the
    collector, enabled again, does not go over the millions of objects made meanwhile (1.7 s at
    100,000), most of which the build's return frees anyway."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _give_back_freed_memory() -> None:
    """Hand the memory the records held back to the system (glibc's malloc_trim). Their strings and
    dicts are freed when the records go, but the allocator keeps the freed pages for itself: at 100,000
    quotations the build's resident memory fell by 235 MB of the 850 MB the records took, and the load
    and the validation went on from there. Nothing where the C library has no malloc_trim."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def build(paths: Paths | None = None, force: bool = False, progress: Progress | None = None) -> BuildResult:
    """Build TEI and database from the records and publish them as one generation (publish.py): from
    what the current generation remembers (incremental.py) when it can, and whole with `force`.

    Raises RecordError, TEIValidationError, ... on bad input, BuildInterrupted on SIGINT or SIGTERM:
    in every case the previous generation stays the current one, unless the message says otherwise."""
    paths = paths or Paths()
    require_corpus(paths.corpus)  # before the lock's folder is made beside the database
    say = progress or (lambda step: None)
    made = None
    published = False
    inspecting: _Beside | None = None
    copying: _Beside | None = None
    try:
        with publish.signals_as_exceptions(), publish.lock(paths, say), _without_cycle_collection():
            publish.clean(paths)
            inputs = inputs_digest(paths)  # once: it reads every record, module and schema that changed
            if not force and publish.is_built(paths) and publish.read_stamp(paths).get("inputs") == inputs.digest:
                if _tei_synced(paths):
                    say("up to date")
                    return BuildResult(rebuilt=False)
                replaced = _sync_tei(paths)
                say(f"tei/ brought up to date ({', '.join(replaced) or 'no file differed'})")
                return BuildResult(rebuilt=False, tei_files=[paths.tei / n for n in replaced])
            before = publish.current(paths)
            state = None if force or not publish.is_built(paths) else build_state.read(before, inputs.code)
            if incremental.full_build_needed(state, inputs.records):
                state = None
            say("validate records")
            if state is None:
                corpus = load_and_validate(paths.corpus)
                read = corpus
            else:
                corpus, read = reread(paths.corpus, state.files, inputs.records)
                log = ProblemLog()
                validate_changes(read, corpus, log)
                if log.count:
                    raise log.error()
            counts = {k: len(v) for k, v in corpus.records.items()}
            counts["nested"] = sum(len(r.data.get("nested") or []) for r in corpus.records["quotations"])
            made = publish.new_generation(paths)
            if state is not None:
                # the last generation's database, which the load updates, copied beside the encoding: the
                # kernel copies it (sendfile) without Python's lock, 3.6 s of 1.1 GB at 100,000 quotations
                copying = _Beside(shutil.copyfile, before / paths.db.name, made.db)
            say("encode TEI")
            # in a function of its own: the records, their stubs and the plan are gone when it returns
            encoded = _encode(corpus, read, state, before, made.tei, inputs)
            del corpus, read  # the records are in the TEI now: their memory is the load's
            _give_back_freed_memory()
            names = encoded.names
            result = BuildResult(rebuilt=True, tei_files=[paths.tei / n for n in names.values()], counts=counts)
            result.incremental, result.records_read, result.entries_encoded = state is not None, encoded.read, encoded.encoded
            contexts = encoded.contexts
            say("validate TEI")
            docs = encoded.docs
            if state is None:
                validation = _Beside(validate_tei_files, made.tei, names)
            else:
                validation = incremental.Validation(docs, state, contexts, encoded.nested)
            say("load database")
            source = f"tei/{names[CORPUS]}"
            try:
                if state is None:
                    loaded: dict = {}
                    # the teiCorpus holds the whole registers, not only what is quoted
                    loader.load([(made.tei / names[CORPUS], source)], made.db, trusted=True, loaded=loaded)
                else:
                    copying.join()
                    corpus_doc = next(d for d in docs if d.key == CORPUS)
                    loaded = incremental.update_database(made.db, before / paths.db.name, state, encoded.articles, corpus_doc, source)
            except Exception:
                validation.join()  # invalid TEI is the cause to report, if the load failed on it
                raise
            inspecting = _Beside(db_inspect.write, made.db)  # hashing the file: a second at 100,000, beside what follows
            say("finish validating TEI")
            # the next build's state written while the TEI is validated (libxml2 works without Python's
            # lock; 1.3 s at 100,000 quotations): the validation reads the contexts, never writes them,
            # and a generation whose TEI is invalid is removed, its state with it
            kept = build_state.State(inputs.code, encoded.files, encoded.tei, contexts, loaded, encoded.skeletons, encoded.held)
            build_state.write(made.folder, kept)
            validation.join()
            inspecting.join()
            say("publish")
            with publish.uninterrupted():
                publish.publish(paths, made, {"inputs": inputs.digest, "counts": {k: v for k, v in counts.items() if k != "nested"}})
                published = True
            say("bring tei/ up to date")
            _sync_tei(paths)
            say("done")
            return result
    except KeyboardInterrupt:
        raise publish.interrupted("SIGINT", published) from None
    except publish._Terminated:
        raise publish.interrupted("SIGTERM", published) from None
    finally:
        for beside in (copying, inspecting):
            if beside is not None:
                threading.Thread.join(beside)  # it writes into the generation: done before the generation goes
        if made is not None and not published:
            shutil.rmtree(made.folder, ignore_errors=True)


@dataclass
class _Encoded:
    """What the encoding leaves for the stages after it (the records, their stubs and the plan gone)."""

    names: dict[str, str]  # document key -> file name
    docs: list[incremental.Document]  # as written, for an incremental build's validation and load
    tei: dict[str, dict]  # document key -> its entries (tei/documents.was), for the next build
    skeletons: dict[str, bytes]
    contexts: dict[str, dict[str, bytes]]
    held: dict[str, list[str]]
    files: dict[str, bytes]  # what the next build knows of each records file, in bytes (state.freeze_files)
    nested: dict[str, list[str]]  # quotation id -> the ids of those nested in it
    articles: list[str]
    read: int  # records read
    encoded: int  # entries of the teiCorpus written anew


def _encode(corpus: Corpus, read: Corpus, state: build_state.State | None, before: Path | None, tei: Path, inputs: Inputs) -> _Encoded:
    """Write the TEI files of the records into `tei` (a new generation's), reusing the previous
    generation's (`before`, whose state is `state`) where it can. Once the documents are written,
    `corpus` and `read` are emptied (the caller lets them go): what is made after that takes the
    memory of the records, not memory beside them."""
    cat = incremental.summaries(corpus)
    plan = Plan(cat, incremental.reuse(cat, corpus, read, state, inputs.records) if state is not None else None)
    names = {key: tei_file_name(key) for key in [*sorted(cat.articles), CORPUS]}
    previous = incremental.previous_documents(state, before / "tei", names) if state is not None and before is not None else {}
    # what the next build knows of each file, frozen file by file before the documents are written: the
    # stubs it makes are then alive beside the records only, not beside the written entries too
    files = incremental.known_files(corpus, cat, inputs.records, state, freeze=build_state.freeze_file)
    element = incremental.element_maker(cat, corpus)
    written = write_documents(plan, {key: tei / n for key, n in names.items()}, element, previous, publish.same_bytes)
    for n in names.values():
        os.chmod(tei / n, 0o444)  # a generation's files are never written again (tei/ may link to them)
    held = {aid: sorted(i for register, i in found if register == P.ARTICLES.name) for aid, found in plan.members.items()}
    nested = {s.id: [n.get("id") for n in s.stub.get("nested") or []] for s in cat.summaries[P.QUOTATIONS.name] if s.stub.get("nested")}
    articles, count = sorted(cat.articles), sum(len(v) for v in read.records.values())
    # the records, their summaries and the plan are done with: at 100,000 quotations the build's peak
    # was here, the next build's state made beside them (1.67 GB)
    del cat, plan, element, previous
    corpus.records.clear()
    read.records.clear()
    skeletons = {k: w.skeleton for k, w in written.items()}
    docs = [incremental.Document(k, names[k], tei / names[k], w.skeleton, w.entries) for k, w in written.items()] if state else []
    return _Encoded(
        names=names,
        docs=docs,
        tei={k: was(w.entries) for k, w in written.items()},
        skeletons=skeletons,
        contexts=incremental.contexts(skeletons),
        held=held,
        files=files,
        nested=nested,
        articles=articles,
        read=count,
        encoded=len(incremental.fresh_keys(written[CORPUS].entries, state.tei.get(CORPUS, {}) if state else {})),
    )


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
        return [f"tei/{p.name}" for p in made.values() if not (paths.tei / p.name).exists() or not same_file(paths.tei / p.name, p)]
