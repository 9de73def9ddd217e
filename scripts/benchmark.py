"""Benchmarks (not timed tests): full build, no-op rebuild, and Datasette responses.

Run: scripts/dev bench [RUNS]          the real corpus (prints one line per measurement; median of RUNS)
     scripts/dev bench --hostile        only what a hostile tester did (issue 22): strange files in corpus/,
                                        200,000 bad records, hostile XML (the cases of tests/hostile_cases.py)
     scripts/dev bench --server         only the pages while clients loop on client SQL by every route (issue 22)
     scripts/dev bench --scale N ...    a synthetic corpus of N quotations, stage by stage (scripts/bench_scale.py)
     scripts/dev bench --propose [--keep-registers] [--misses]   quotecorpus propose, leave one out (propose/bench.py)
Targets on the 2-core reference machine: no-op rebuild < 1 s, full build < 10 s, each page < 100 ms;
a bad record refused within 2 s; a page p95 <= 200 ms while three clients loop on 1-second SQL.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import bench_scale  # beside this script (its folder is on the path when run)
from quotecorpus.layout import ROOT, Paths
from quotecorpus.web.serving import make_datasette

sys.path.insert(0, str(ROOT / "tests"))
import hostile_cases  # noqa: E402  (the tests' cases, beside them)

PAGES = [
    "/corpus/quotations.json?language=ru",
    "/corpus/quotations.tei?language=ru",
    "/corpus/quotations.tmx?language=ru",
    "/",
    "/corpus/quotations/nowak-2025-q002",
    "/corpus/quotations?language=ru",
    "/corpus/quotations?_search=Chicherin&_size=max",
    "/corpus/persons/kopp",
    "/corpus/documents/doc-trotsky-note-1920-08-15",
]


def timed_command(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(runs: int = 5) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = Paths(corpus=ROOT / "corpus", tei=Path(tmp) / "tei", db=Path(tmp) / "corpus.db")
        cmd = [sys.executable, "-m", "quotecorpus", "build", "-q"]
        cmd += ["--corpus", str(paths.corpus), "--tei", str(paths.tei), "--db", str(paths.db)]
        full = timed_command([*cmd, "--force"], runs)
        noop = timed_command(cmd, runs)
        print(f"full build (new process, --force):  {full * 1000:8.1f} ms  (target < 10000)")
        print(f"no-op rebuild (new process):         {noop * 1000:8.1f} ms  (target < 1000)")

        ds = make_datasette(paths)  # as `quotecorpus serve` configures it

        async def pages():
            for path in PAGES:
                await ds.client.get(path)  # warm-up: first request pays start-up and schema compile
                times = []
                for _ in range(runs * 4):
                    start = time.perf_counter()
                    r = await ds.client.get(path)
                    times.append(time.perf_counter() - start)
                    assert r.status_code == 200, (path, r.status_code)
                print(f"GET {path:48s} {statistics.median(times) * 1000:8.1f} ms median, {max(times) * 1000:.1f} ms max  (target < 100)")

        asyncio.run(pages())
        bad_records(Path(tmp) / "bad")
        hostile(Path(tmp) / "hostile")
        starved_pages(paths)
        starved_pages(paths, ROUTES)


def bad_records(work: Path) -> None:
    """`quotecorpus build` on each bad-record fixture (tests/fixtures/bad_records) and on an 11 MB text:
    the time to exit 2."""
    fixtures = ROOT / "tests" / "fixtures"
    cases = sorted(d for d in (fixtures / "bad_records").iterdir() if d.is_dir()) + ["text_too_long"]
    times = {}
    for case in cases:
        corpus = work / "corpus"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(fixtures / "mini", corpus)
        if case == "text_too_long":
            path = corpus / "quotations" / "nowak-2025.yaml"
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            lines[10] = '  translation: "' + "x" * (11 * 1024 * 1024) + '"\n'
            path.write_text("".join(lines), encoding="utf-8")
        else:
            for bad in case.rglob("*.yaml"):
                shutil.copy(bad, corpus / bad.relative_to(case))
        cmd = [sys.executable, "-m", "quotecorpus", "build", "-q", "--corpus", str(corpus)]
        cmd += ["--tei", str(work / "tei"), "--db", str(work / "corpus.db")]
        start = time.perf_counter()
        code = subprocess.run(cmd, capture_output=True).returncode
        times[getattr(case, "name", case)] = time.perf_counter() - start
        assert code == 2, (case, code)
    worst = max(times, key=times.__getitem__)
    print(
        f"bad record, exit 2 ({len(times)} cases):       {statistics.median(times.values()) * 1000:8.1f} ms median, "
        f"{times[worst] * 1000:.1f} ms max ({worst})  (target < 2000)"
    )


# The command, reporting its own peak memory at exit (VmHWM: ru_maxrss would count the parent's pages).
_MEASURED = (
    "import atexit, sys; "
    "atexit.register(lambda: print('peak-kb', next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')),"
    " file=sys.stderr)); "
    "from quotecorpus.cli import main; main()"
)


def _measured(args: list[str]) -> tuple[int, float, int, int]:
    """(exit code, seconds, peak memory in MB, bytes of the message) of `quotecorpus ARGS` in a new process."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _MEASURED, *args], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    took = time.perf_counter() - start
    lines = proc.stderr.splitlines()
    peak = int(next(line for line in lines if line.startswith("peak-kb")).split()[1]) // 1024
    message = "\n".join(line for line in lines if not line.startswith(("  ", "peak-kb")))
    return proc.returncode, took, peak, len(message.encode())


def hostile(work: Path) -> None:
    """Issue 22, timed: each strange file in corpus/ and 200,000 bad records (exit 2), and hostile XML
    (exit 3): seconds, peak memory and the size of the message (targets 2 s, 200 MB, 2 KB)."""
    fixtures = ROOT / "tests" / "fixtures"
    cases: list[tuple[str, int, list[str]]] = []
    for kind, names in (("strange file", hostile_cases.STRANGE_FILES), ("200,000 bad records", hostile_cases.BAD_RECORDS_AT_SCALE)):
        for name in names:
            case = work / "records" / name
            shutil.copytree(fixtures / "mini", case / "corpus")
            if kind == "strange file":
                hostile_cases.STRANGE_FILES[name](case / "corpus")
            else:
                hostile_cases.put_bad_records(case / "corpus", name)
            args = ["build", "-q", "--corpus", str(case / "corpus"), "--tei", str(case / "tei"), "--db", str(case / "corpus.db")]
            cases.append((f"{kind}: {name}", 2, args))
    xml = work / "xml"
    xml.mkdir(parents=True)
    os.mkfifo(xml / "fifo")  # opened, it would block: a hang here is the bug come back
    for encoding in ("utf-16-le-bom", "utf-16-be", "utf-32-le"):
        path = xml / f"doctype-{encoding}.xml"
        path.write_bytes(hostile_cases.hostile_xml(encoding, "external_dtd", str(xml / "fifo")))
        for command in ("validate", "load", "import"):
            extra = {"validate": [], "load": ["--db", str(xml / "x.db")], "import": ["--corpus", str(xml / "corpus")]}[command]
            cases.append((f"XML: a DOCTYPE naming a FIFO, {encoding}, {command}", 3, [command, str(path), *extra]))
    bombs = {"50,000 namespace declarations": hostile_cases.namespace_bomb(), "50,000 siblings": hostile_cases.long_sibling_list()}
    for name, data in bombs.items():
        path = xml / (name.replace(" ", "-").replace(",", "") + ".xml")
        path.write_bytes(data)
        cases.append((f"XML: {name}, validate", 3, ["validate", str(path)]))
    for label, expected, args in cases:
        code, took, peak, size = _measured(args)
        assert code == expected, (label, code)
        print(f"{label:64s} exit {code} in {took * 1000:7.1f} ms, {peak:4d} MB, message {size:5d} bytes  (targets 2000 ms, 200 MB, 2048 B)")


SLOW_SQL = "with recursive n(i) as (select 1 union all select i + 1 from n limit 1000000000) select count(*) from n"
# every route to SQL a client writes (issue 22), each as its client sends it: the query string as raw bytes
ROUTES = {
    "sql=": "/corpus.json?" + urllib.parse.urlencode({"sql": SLOW_SQL}),
    "%73ql=": "/corpus.json?%73ql=" + urllib.parse.quote(SLOW_SQL),
    "_where=": "/corpus/quotations.json?" + urllib.parse.urlencode({"_where": f"({SLOW_SQL}) > 0"}),
    "raw search": "/corpus/quotations.json?" + urllib.parse.urlencode({"_search": " OR ".join(["kopp"] * 10_000), "_searchmode": "raw"}),
}


def starved_pages(paths: Paths, routes: dict[str, str] | None = None, pages: int = 60) -> None:
    """A quotation page, asked for while clients loop on SQL that runs into the 1-second limit: three on
    ?sql= (the default), or one client per entry of `routes`."""
    routes = routes or {f"sql= ({i})": ROUTES["sql="] for i in range(1, 4)}
    stop = threading.Event()

    def get(url: str) -> int:
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    with bench_scale.serving(paths) as (base, _):
        answered: dict[str, dict[int, int]] = {name: {} for name in routes}

        def hog(name: str, path: str):
            while not stop.is_set():
                status = get(base + path)
                answered[name][status] = answered[name].get(status, 0) + 1

        hogs = [threading.Thread(target=hog, args=item) for item in routes.items()]
        for h in hogs:
            h.start()
        time.sleep(1.5)
        times = []
        try:
            for _ in range(pages):
                start = time.perf_counter()
                assert get(base + "/corpus/quotations/nowak-2025-q002") == 200
                times.append(time.perf_counter() - start)
        finally:
            stop.set()
            for h in hogs:
                h.join()
    p95 = statistics.quantiles(times, n=20)[-1]
    print(
        f"page while {len(routes)} clients loop ({', '.join(routes)}): {statistics.median(times) * 1000:8.1f} ms median, "
        f"{p95 * 1000:.1f} ms p95  (target p95 <= 200)"
    )
    for name, found in answered.items():
        print(f"    {name}: " + ", ".join(f"{n} x {status}" for status, n in sorted(found.items())))


def server(work: Path) -> None:
    """The pages while clients loop on client SQL by every route (issue 22), on a fresh build."""
    paths = Paths(corpus=ROOT / "corpus", tei=work / "tei", db=work / "corpus.db")
    subprocess.run(
        [sys.executable, "-m", "quotecorpus", "build", "-q", "--corpus", str(paths.corpus), "--tei", str(paths.tei), "--db", str(paths.db)],
        check=True,
    )
    starved_pages(paths)
    starved_pages(paths, ROUTES)
    starved_pages(paths, {f"{name} ({i})": path for name, path in ROUTES.items() for i in range(1, 4)})  # three on each route


if __name__ == "__main__":
    if sys.argv[1:2] == ["--propose"]:
        from quotecorpus.propose.bench import main as propose_bench

        propose_bench(sys.argv[2:], ROOT)
    elif sys.argv[1:] == ["--hostile"]:
        with tempfile.TemporaryDirectory() as tmp:
            hostile(Path(tmp))
    elif sys.argv[1:] == ["--server"]:
        with tempfile.TemporaryDirectory() as tmp:
            server(Path(tmp))
    elif any(a.startswith("--") for a in sys.argv[1:]):
        bench_scale.main(sys.argv[1:])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
