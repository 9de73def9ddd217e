"""Scale benchmark (issue 11): a synthetic corpus of N quotations, built, timed stage by stage.

The corpus is made by replicating the real records of corpus/: replica 0 keeps the real ids,
replica k gets every id suffixed with "-r{k:05d}" and points only to its own register entries,
so persons, documents and works grow with the quotations. With --shared-registers every replica
points to the real registers instead, so person and document pages grow.

The build runs in a new process (`python -m quotecorpus build --force`); each stage's wall time is
the time between consecutive progress lines on its stderr, its peak memory the largest VmRSS
sampled every 50 ms while it ran. Beside the stages stand the raw limits of the same data,
measured in this process: libyaml's CSafeLoader, `etree.tostring`, a bare `etree.parse`, and a raw
sqlite3 `executemany` + FTS5. With --serve, reading-room pages are timed in process, ours against
the same Datasette with our plugins unregistered.

Then edits, each built by a plain `quotecorpus build` in a new process (incremental: it redoes only
what changed) and timed the same way: one record edited; ten edits across both articles and the
registers (four quotations in each article, a person renamed, a document retitled); a record added
and one removed; with --random-edits K, K random edits (scripts/edits.py), each built. With --check
(the default up to 20,000 quotations), a full build of the edited corpus made apart must then be the
same: the TEI files byte for byte, the database as quotecorpus.db.content defines it.

Run:  scripts/dev bench --scale 10000 [--shared-registers] [--serve] [--keep DIR] [--random-edits 50] [--check]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from lxml import etree

import edits
from quotecorpus.db import content as db_content
from quotecorpus.db import load as loader
from quotecorpus.layout import ROOT, Paths
from quotecorpus.profile import REGISTERS
from quotecorpus.records.corpus import load_corpus
from quotecorpus.search import index as search_index
from quotecorpus.tei import stream as tei_stream
from quotecorpus.tei.encode import entry_bytes

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

REGISTER_FILES = ("persons.yaml", "documents.yaml", "works.yaml")  # articles.yaml is copied as it is
# Per register, the fields pointing to a replicated register (articles are not replicated).
REFS = {r.name: [f.name for f in r.fields if f.ref and f.ref != "articles"] for r in REGISTERS}
SAMPLE_SECONDS = 0.05
MB = 1024 * 1024


# --- the synthetic corpus ----------------------------------------------------------------------


def _read(path: Path) -> list[dict]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader) or []


def _suffix(k: int) -> str:
    return f"-r{k:05d}" if k else ""


def _replica(rec: dict, refs: list[str], sfx: str, remap: bool) -> dict:
    """A copy of a record with its id suffixed and (when remap) its references to registers too."""
    out = dict(rec, id=rec["id"] + sfx)
    if not sfx:
        return out
    for name in refs:
        if not remap and name != "parallel":  # quotations are always replicated: their pairs too
            continue
        value = out.get(name)
        if isinstance(value, list):
            out[name] = [v + sfx for v in value]
        elif value is not None:
            out[name] = value + sfx
    if out.get("nested"):  # the ids of quotations nested in this one, and their persons
        out["nested"] = [_replica(item, ["speaker", "addressee"], sfx, remap) for item in out["nested"]]
    return out


def _dump(f, records: list[dict]) -> None:
    # Block sequences written one after another form one sequence: the file is written in chunks.
    if records:
        f.write(yaml.dump(records, Dumper=Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1 << 20))


def _parallels_within(record: dict, held: set[str]) -> dict:
    """The record naming only the parallels among `held` (none left: no `parallel` field)."""
    kept = [p for p in record.get("parallel") or () if p in held]
    return {k: (kept if k == "parallel" else v) for k, v in record.items() if k != "parallel" or kept}


def make_corpus(src: Path, dest: Path, n: int, shared_registers: bool = False) -> int:
    """Write a corpus of n quotations into dest, replicating the records of src. Returns the replica count."""
    src, dest = Path(src), Path(dest)
    (dest / "quotations").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src / "articles.yaml", dest / "articles.yaml")
    quotation_files = sorted((src / "quotations").glob("*.yaml"))
    quotations = {p.name: _read(p) for p in quotation_files}
    per_replica = sum(len(q) for q in quotations.values())
    replicas = max(1, math.ceil(n / per_replica))
    for name in REGISTER_FILES:
        register = name.removesuffix(".yaml")
        records = _read(src / name)
        with open(dest / name, "w", encoding="utf-8") as f:
            for k in range(1 if shared_registers else replicas):
                _dump(f, [_replica(r, REFS[register], _suffix(k), True) for r in records])
    files = {name: open(dest / "quotations" / name, "w", encoding="utf-8") for name in quotations}
    try:
        written = 0
        for k in range(replicas):
            chunks = {}
            for name, records in quotations.items():
                chunks[name] = records[: n - written]
                written += len(chunks[name])
            # the last replica may be cut short: its quotations name only the parallels it holds
            held = {r["id"] for chunk in chunks.values() for r in chunk}
            for name, chunk in chunks.items():
                kept = [_parallels_within(r, held) for r in chunk]
                _dump(files[name], [_replica(r, REFS["quotations"], _suffix(k), not shared_registers) for r in kept])
    finally:
        for f in files.values():
            f.close()
    return replicas


# --- the build, in a new process -------------------------------------------------------------------


@dataclass
class Stage:
    name: str
    seconds: float = 0.0
    peak_mb: float = 0.0


@dataclass
class BuildRun:
    stages: list[Stage] = field(default_factory=list)
    seconds: float = 0.0
    maxrss_mb: float = 0.0
    output: list[str] = field(default_factory=list)


def _status_mb(pid: int, key: str) -> float:
    """VmRSS (resident now) or VmHWM (peak resident so far) of a process, in MB; 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def run_build(paths: Paths, force: bool) -> BuildRun:
    """Run `python -m quotecorpus build` and time each progress step as its line arrives."""
    cmd = [sys.executable, "-m", "quotecorpus", "build", "--corpus", str(paths.corpus), "--tei", str(paths.tei), "--db", str(paths.db)]
    run = BuildRun(stages=[Stage("start-up (imports, input digest)")])
    start = last = time.perf_counter()
    proc = subprocess.Popen(cmd + (["--force"] if force else []), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    ended = threading.Event()  # set once the child is reaped, by os.wait4 below (not by poll(): its rusage is wanted)

    def sample() -> None:
        while not ended.is_set():
            stage = run.stages[-1]
            stage.peak_mb = max(stage.peak_mb, _status_mb(proc.pid, "VmRSS"))
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stderr is not None
    hwm = 0.0
    for line in proc.stderr:
        now = time.perf_counter()
        if not line.startswith("  "):  # not a progress step: an error message
            run.output.append(line.rstrip())
            continue
        stage = run.stages[-1]
        stage.seconds = now - last
        # The high-water mark is exact where a stage set a new peak; the 50 ms samples cover the others.
        new_hwm = _status_mb(proc.pid, "VmHWM")
        if new_hwm > hwm:
            stage.peak_mb, hwm = new_hwm, new_hwm
        last = now
        run.stages.append(Stage(line.strip()))
    stdout = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak (RUSAGE_CHILDREN: the largest child so far)
    proc.returncode = os.waitstatus_to_exitcode(status)
    ended.set()
    end = time.perf_counter()
    sampler.join()
    run.stages[-1].seconds = end - last
    run.stages[-1].name += " → exit"
    run.seconds = end - start
    run.maxrss_mb = usage.ru_maxrss / 1024
    if run.maxrss_mb > hwm:  # a new peak after the last step line
        run.stages[-1].peak_mb = run.maxrss_mb
    run.output += stdout.splitlines()
    if proc.returncode != 0:
        sys.exit(f"build failed (exit {proc.returncode}):\n" + "\n".join(run.output))
    return run


# --- raw limits, measured in this process ----------------------------------------------------


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


REPEAT = 3  # runs of each raw limit (1 at 100k, where one run is long and noise is small)


def best(fn, *args, repeat: int | None = None, **kwargs) -> float:
    """The fastest of `repeat` runs: short measurements are noisy only upwards."""
    return min(timed(fn, *args, **kwargs)[0] for _ in range(repeat or REPEAT))


def parse_yaml(corpus: Path) -> None:
    for p in sorted(corpus.rglob("*.yaml")):
        yaml.load(p.read_text(encoding="utf-8"), Loader=Loader)


def raw_load_seconds(db: Path, tables: list[str] | None) -> float:
    """Copy the built database's rows (tables, or all) into a new file with executemany, same DDL and
    indexes, then create and populate the FTS5 tables of load.FTS over them. Reading is not timed."""
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    found = src.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "AND name NOT LIKE '%\\_fts%' ESCAPE '\\' AND name NOT LIKE 'search\\_%' ESCAPE '\\'"
    ).fetchall()
    ddl = {name: sql for name, sql in found if tables is None or name in tables}
    indexes = src.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall()
    data = {}
    for name in ddl:
        columns = [r[1] for r in src.execute(f"PRAGMA table_info([{name}])")]
        data[name] = (columns, src.execute(f"SELECT {', '.join(f'[{c}]' for c in columns)} FROM [{name}]").fetchall())
    src.close()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        dst = sqlite3.connect(Path(tmp) / "raw.db")
        with dst:
            for name, (columns, rows) in data.items():
                dst.execute(ddl[name])
                marks = ", ".join("?" for _ in columns)
                dst.executemany(f"INSERT INTO [{name}] VALUES ({marks})", rows)
            for table, sql in indexes:
                if table in ddl:
                    dst.execute(sql)
            add_plain_fts(dst, [t for t in PLAIN_FTS if t in ddl])
        dst.close()
        return time.perf_counter() - start


# The full-text index a plain Datasette build would make (sqlite-utils enable_fts over the text
# columns): the raw limit of our search index, and what plain Datasette searches in the comparison.
PLAIN_FTS = {
    "quotations": ["original", "original_corrected", "translation", "transliteration"],
    "persons": ["name", "name_original", "variants"],
    "works": ["title", "title_corrected", "variants", "author"],
    "documents": ["title", "reference"],
}


def add_plain_fts(conn: sqlite3.Connection, tables: list[str]) -> None:
    for table in tables:
        cols = ", ".join(f"[{c}]" for c in PLAIN_FTS[table])
        conn.execute(f"CREATE VIRTUAL TABLE [{table}_fts] USING fts5({cols}, content=[{table}], tokenize='{search_index.TOKENIZE}')")
        conn.execute(f"INSERT INTO [{table}_fts] (rowid, {cols}) SELECT rowid, {cols} FROM [{table}]")


@dataclass
class Raw:
    yaml: float  # raw limits: the fastest of 3 runs; ours in process: one run
    load_corpus: float
    bare_parse: float
    stream_parse: float
    tostring: float
    entry_bytes: float
    load_quotations: float
    load_all: float
    write_all: float


def _entries(tei: Path) -> list[etree._Element]:
    return [el for _, el in tei_stream.entries(tei, tei.name)]


def _our_write(db: Path) -> float:
    """The loader's database writer (batches of executemany, indexes, full text, summary), fed the rows
    of the built database: the database half of the load stage, without reading TEI."""
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    data = {}
    for table in [*loader.tables(), loader.FRAGMENTS]:
        cursor = src.execute(f"SELECT * FROM [{table}]")
        names = [c[0] for c in cursor.description]
        data[table] = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    src.close()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        out = loader._Database(Path(tmp) / "ours.db")
        for table, rows in data.items():
            for r in rows:
                out._put(table, r)
        out.finish()
        out.close()
        return time.perf_counter() - start


def raw_limits(paths: Paths) -> Raw:
    tei = paths.tei / "quotecorpus.xml"
    entries = _entries(tei)
    holder = etree.Element("{http://www.tei-c.org/ns/1.0}holder", nsmap={None: "http://www.tei-c.org/ns/1.0"})
    holder.extend(entries)  # as in a document: serialised with the default namespace

    def tostring_all() -> None:
        for el in entries:
            etree.tostring(el, encoding="UTF-8", with_tail=False)

    def ours_all() -> None:
        for el in entries:
            entry_bytes(el, 3)
            holder.append(el)  # entry_bytes takes it out of its holder (append: inserting at an index is O(n) in lxml)

    return Raw(
        yaml=best(parse_yaml, paths.corpus),
        load_corpus=timed(load_corpus, paths.corpus)[0],  # our YAML reading, without the rules
        bare_parse=best(etree.parse, str(tei)),
        stream_parse=timed(_entries, tei)[0],  # our streaming read: every entry taken out as it is read
        tostring=best(tostring_all),
        entry_bytes=timed(ours_all)[0],  # our serialisation of an entry: indentation, then tostring
        load_quotations=min(raw_load_seconds(paths.db, ["quotations"]) for _ in range(REPEAT)),
        load_all=min(raw_load_seconds(paths.db, None) for _ in range(REPEAT)),
        write_all=_our_write(paths.db),
    )


# --- reading-room pages ----------------------------------------------------------------------


def pages_for(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    qid = conn.execute("SELECT id FROM quotations ORDER BY id = 'nowak-2025-q002' DESC, id LIMIT 1").fetchone()[0]
    conn.close()
    return [
        "/",
        "/corpus/quotations?language=ru",
        "/corpus/quotations.json?language=ru",
        "/corpus/quotations?_search=Versailles",
        "/corpus/quotations?_search=Kopp",
        "/corpus/quotations.json?_search=Kopp",
        "/corpus/persons?_search=Trotsky",
        f"/corpus/quotations/{qid}",
        "/corpus/persons/kopp",
        "/corpus/quotations.tei?language=ru",
    ]


async def _time_pages(ds, pages: list[str], runs: int) -> dict[str, tuple[float, int, int, float, int]]:
    """Per page: p50 in ms of `runs` requests after one warm-up, response bytes, status, and the
    warm-up's ms and status (the first request of a fresh server: a cold cache must not be an error)."""
    out = {}
    # as `serve` does before it accepts a request (serving.App at start-up): the plugins' startup hooks
    start = time.perf_counter()
    await ds.invoke_startup()
    print(f"Datasette start-up, before the first request: {(time.perf_counter() - start) * 1000:.1f} ms")
    for path in pages:
        start = time.perf_counter()
        r = await ds.client.get(path)
        first = ((time.perf_counter() - start) * 1000, r.status_code)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            r = await ds.client.get(path)
            times.append(time.perf_counter() - start)
        out[path] = (statistics.median(times) * 1000, len(r.content), r.status_code, *first)
    return out


def serve_pages(paths: Paths, runs: int) -> tuple[dict, dict]:
    """Ours (quotecorpus.serving.make_datasette), then the same Datasette with our plugins unregistered."""
    from datasette.plugins import DEFAULT_PLUGINS, pm

    from quotecorpus.web.serving import make_datasette

    pages = pages_for(paths.db)
    ours = asyncio.run(_time_pages(make_datasette(paths), pages, runs))
    for name, plugin in pm.list_name_plugin():
        if name not in DEFAULT_PLUGINS:
            pm.unregister(plugin, name)
    # plain Datasette searches with its own full-text tables: a copy of the database with them added
    with tempfile.TemporaryDirectory(prefix="bench-plain-") as tmp:
        plain_db = Path(tmp) / "corpus.db"
        shutil.copyfile(Path(paths.db).resolve(), plain_db)
        conn = sqlite3.connect(plain_db)
        with conn:
            add_plain_fts(conn, list(PLAIN_FTS))
        conn.close()
        plain_paths = Paths(corpus=paths.corpus, tei=paths.tei, db=plain_db)
        plain = asyncio.run(_time_pages(make_datasette(plain_paths), [p for p in pages if ".tei" not in p], runs))
    return ours, plain


@contextlib.contextmanager
def serving(paths: Paths) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real `quotecorpus serve` of `paths` on a free local port: its base URL and its process."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [sys.executable, "-m", "quotecorpus", "serve", "--port", str(port)]
    cmd += ["--corpus", str(paths.corpus), "--tei", str(paths.tei), "--db", str(paths.db)]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=10)


def stream_export(paths: Paths, path: str = "/corpus/quotations.tei?language=ru&_stream=on") -> tuple[int, int, float, float, float]:
    """A whole-selection export from a real `quotecorpus serve`, read in blocks and thrown away:
    (quotations, bytes, seconds, the server's resident MB before, its peak growth in MB)."""
    import urllib.error
    import urllib.request

    with serving(paths) as (base, server):
        urllib.request.urlopen(base + path.replace("_stream=on", "_size=5"), timeout=60).read()  # warm: the same code path
        before = _status_mb(server.pid, "VmRSS")
        peak = before
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _status_mb(server.pid, "VmRSS"))
                time.sleep(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        size = count = 0
        for attempt in (1, 2):  # a 503 says "try again in a moment" (a cold cache): the benchmark does, once, and says so
            try:
                with urllib.request.urlopen(base + path, timeout=3600) as r:
                    while line := r.readline():  # every quotation's cit starts a line
                        size += len(line)
                        count += line.lstrip().startswith(b"<cit xml:id=")
                break
            except urllib.error.HTTPError as e:
                message = f"{path}: {e.code} {e.read().decode(errors='replace')[:500]}"
                if e.code != 503 or attempt == 2:
                    raise SystemExit(message) from None
                print(f"(first attempt: {message}; trying again)")
                start = time.perf_counter()
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        return count, size, seconds, before, peak - before


# --- report ----------------------------------------------------------------------------------


def report_build(run: BuildRun, raw: Raw | None, noop: BuildRun) -> None:
    beside = (
        {
            "validate records": ("YAML CSafeLoader", raw.yaml),
            "load database": ("executemany+FTS5, all tables", raw.load_all),
        }
        if raw is not None
        else {}
    )
    print(f"{'stage':44s} {'seconds':>9s} {'peak MB':>8s}   {'raw limit (this process)':32s} {'seconds':>9s} {'ratio':>6s}")
    for s in run.stages:
        line = f"{s.name:44s} {s.seconds:9.2f} {f'{s.peak_mb:.0f}' if s.peak_mb else '-':>8s}"
        if s.name in beside:
            name, secs = beside[s.name]
            line += f"   {name:32s} {secs:9.3f} {s.seconds / secs:6.1f}"
        print(line)
    if raw is None:
        print(f"{'full build (wall, new process)':44s} {run.seconds:9.2f} {run.maxrss_mb:8.0f}   (peak MB: ru_maxrss of the child)")
        print(f"{'no-op rebuild (wall, new process)':44s} {noop.seconds:9.2f}")
        return
    print(f"{'  (load: raw quotations table only)':44s} {'':9s} {'':8s}   {'executemany+FTS5, quotations':32s} {raw.load_quotations:9.3f}")
    print(f"{'  in process (same data), ours vs raw:':44s}")
    for ours, secs, name, limit in (
        ("records.load_corpus (YAML reading)", raw.load_corpus, "YAML CSafeLoader", raw.yaml),
        ("tei_stream.entries (reading quotecorpus.xml)", raw.stream_parse, "bare etree.parse", raw.bare_parse),
        ("entry_bytes (serialising every entry)", raw.entry_bytes, "etree.tostring of each", raw.tostring),
        ("load._Database (writing every row)", raw.write_all, "executemany+FTS5, all tables", raw.load_all),
    ):
        print(f"{'  ' + ours:44s} {secs:9.3f} {'':8s}   {name:32s} {limit:9.3f} {secs / limit:6.1f}")
    print(f"{'full build (wall, new process)':44s} {run.seconds:9.2f} {run.maxrss_mb:8.0f}   (peak MB: ru_maxrss of the child)")
    print(f"{'no-op rebuild (wall, new process)':44s} {noop.seconds:9.2f}")
    print("(encode TEI: encoding and writing the three files; validate: in pieces, the teiCorpus whole, then each article file's")
    print(" skeleton and what is not the teiCorpus's; load: reading the teiCorpus, detection and search forms, writing)")


# --- edits, built incrementally -------------------------------------------------------------------


def edit_runs(paths: Paths, random_edits: int, seed: int = 25) -> list[tuple[str, BuildRun]]:
    """Each scenario's edits made on the corpus, then a plain build of it, timed."""
    ed = edits.Corpus(paths.corpus, random.Random(seed))
    himmer, nowak = "quotations/himmer-1976.yaml", "quotations/nowak-2025.yaml"

    def one() -> None:
        ed.n += 1
        ed.value(nowak, "translation", ed.text)

    def ten() -> None:
        for name in [himmer] * 4 + [nowak] * 4:
            ed.n += 1
            ed.value(name, "translation", ed.text)
        ed.n += 1
        ed.value("persons.yaml", "name", ed.text)
        ed.n += 1
        ed.value("documents.yaml", "title", ed.text)

    def added_and_removed() -> None:
        ed.n += 1
        ed.add_quotation()
        ed.remove_quotation()

    out = []
    for name, change in (
        ("one record edited (a translation)", one),
        ("ten edits: 4 quotations in each article, a person renamed, a document retitled", ten),
        ("a record added and one removed", added_and_removed),
    ):
        change()
        out.append((name, run_build(paths, force=False)))
    refused = 0
    for n in range(random_edits):
        before = ed.snapshot()
        what = ed.edit()
        try:
            out.append((f"random edit {n + 1}: {what}", run_build(paths, force=False)))
        except SystemExit:  # a refused edit (an unknown speaker, an id twice): undone
            refused += 1
            ed.restore(before)
    if refused:
        print(f"({refused} of the random edits refused by the rules, and undone)")
    return out


def report_edits(runs: list[tuple[str, BuildRun]]) -> None:
    print(f"\n{'edit, then a plain build (incremental)':80s} {'seconds':>8s} {'peak MB':>8s}   what it did")
    shown = [r for r in runs if not r[0].startswith("random edit")]
    for name, run in shown:
        said = next((line for line in reversed(run.output) if line.startswith("Built ")), "")
        did = said.split("from the last build: ", 1)[-1].rstrip(").") if "from the last build" in said else "a full build"
        print(f"{name:80s} {run.seconds:8.2f} {run.maxrss_mb:8.0f}   {did}")
        print("    " + ", ".join(f"{s.name.replace(' → exit', '')} {s.seconds:.2f}" for s in run.stages))
    randoms = [run.seconds for name, run in runs if name.startswith("random edit")]
    if randoms:
        randoms.sort()
        print(f"{f'{len(randoms)} random edits, each built':80s} median {statistics.median(randoms):.2f}, max {randoms[-1]:.2f} s")


def check_against_full_build(paths: Paths, work: Path) -> list[str]:
    """A full build of the corpus as it is now, made apart: what differs from the published one."""
    full = Paths(corpus=paths.corpus, tei=work / "full-tei", db=work / "full" / "corpus.db")
    run = run_build(full, force=True)
    found = [p.name for p in sorted(full.tei.glob("*.xml")) if p.read_bytes() != (paths.tei / p.name).read_bytes()]
    found += [f"database: {d}" for d in db_content.differences(paths.db, full.db)]
    print(f"\nfull build of the edited corpus, apart: {run.seconds:.1f} s; the incremental builds' result differs in: {found or 'nothing'}")
    shutil.rmtree(work / "full", ignore_errors=True)
    shutil.rmtree(work / "full-tei", ignore_errors=True)
    return found


def report_pages(ours: dict, plain: dict, runs: int) -> None:
    title = f"page (p50 of {runs} after a warm-up)"
    print(f"\n{title:48s} {'ours ms':>9s} {'bytes':>10s} {'first ms':>9s}   {'plain ms':>9s} {'bytes':>9s} {'ratio':>6s}")
    for path, (ms, size, status, first_ms, first_status) in ours.items():
        line = f"{path:48s} {ms:9.1f} {size:10d} {first_ms:9.1f}"
        line += "" if status == 200 else f" [{status}]"
        line += "" if first_status == 200 else f" [first request: {first_status}]"
        if path in plain:
            pms, psize, pstatus, _, _ = plain[path]
            line += f"   {pms:9.1f} {psize:9d} {ms / pms:6.2f}" + ("" if pstatus == 200 else f" [{pstatus}]")
        print(line)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, required=True, help="number of quotations")
    ap.add_argument("--shared-registers", action="store_true", help="replicas share the real persons, documents and works")
    ap.add_argument("--serve", action="store_true", help="also time reading-room pages, ours vs plain Datasette")
    ap.add_argument("--runs", type=int, default=7, help="requests per page after the warm-up [7]")
    ap.add_argument("--keep", type=Path, help="work in DIR (corpus/, tei/, corpus.db) and keep it")
    ap.add_argument("--random-edits", type=int, default=0, help="also K random edits, each built [0]")
    ap.add_argument("--check", action=argparse.BooleanOptionalAction, help="compare with a full build (default: up to 20,000)")
    ap.add_argument("--no-raw", action="store_true", help="skip the raw limits (minutes at 100,000)")
    args = ap.parse_args(argv)
    global REPEAT
    REPEAT = 1 if args.scale > 20_000 else 3

    tmp = None if args.keep else tempfile.TemporaryDirectory(prefix="bench-scale-")
    work = args.keep or Path(tmp.name)  # type: ignore[union-attr]
    try:
        paths = Paths(corpus=work / "corpus", tei=work / "tei", db=work / "corpus.db")
        if paths.corpus.exists():
            shutil.rmtree(paths.corpus)
        secs, replicas = timed(make_corpus, ROOT / "corpus", paths.corpus, args.scale, args.shared_registers)
        size = sum(p.stat().st_size for p in paths.corpus.rglob("*.yaml")) / MB
        kind = "shared registers" if args.shared_registers else "registers in proportion"
        print(f"scale {args.scale} quotations, {replicas} replicas, {kind}: corpus {size:.1f} MB written in {secs:.1f} s ({work})")
        run = run_build(paths, force=True)
        noop = run_build(paths, force=False)
        tei_mb = sum(p.stat().st_size for p in paths.tei.glob("*.xml")) / MB
        print(f"TEI {tei_mb:.1f} MB, database {paths.db.stat().st_size / MB:.1f} MB; {run.output[-1] if run.output else ''}\n")
        report_build(run, None if args.no_raw else raw_limits(paths), noop)
        report_edits(edit_runs(paths, args.random_edits))
        if args.check if args.check is not None else args.scale <= 20_000:
            if check_against_full_build(paths, work):
                sys.exit("the incremental builds' result is not a full build's")
        if args.serve:
            count, size, secs, before, growth = stream_export(paths)
            print(
                f"\n.tei?language=ru&_stream=on from a served instance: {count} quotations, {size / MB:.0f} MB in {secs:.1f} s "
                f"({count / secs:.0f} quotations/s); server {before:.0f} MB before, grew {growth:.0f} MB at most"
            )
            ours, plain = serve_pages(paths, args.runs)
            report_pages(ours, plain, args.runs)
    finally:
        if tmp:
            tmp.cleanup()


if __name__ == "__main__":
    main()
