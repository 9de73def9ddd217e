"""Benchmarks (not timed tests): full build, no-op rebuild, and Datasette responses.

Run: scripts/dev bench [RUNS]          the real corpus (prints one line per measurement; median of RUNS)
     scripts/dev bench --scale N ...    a synthetic corpus of N quotations, stage by stage (scripts/bench_scale.py)
     scripts/dev bench --propose [--keep-registers] [--misses]   quotecorpus propose, leave one out (propose/bench.py)
Targets on the 2-core reference machine: no-op rebuild < 1 s, full build < 10 s, each page < 100 ms;
a bad record refused within 2 s; a page p95 <= 200 ms while three clients loop on 1-second SQL.
"""

from __future__ import annotations

import asyncio
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
        starved_pages(paths)


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


def starved_pages(paths: Paths, pages: int = 60) -> None:
    """A quotation page, asked for while three clients loop on SQL that runs into the 1-second limit."""
    slow = "with recursive n(i) as (select 1 union all select i + 1 from n limit 1000000000) select count(*) from n"
    stop = threading.Event()

    def get(url: str) -> int:
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    with bench_scale.serving(paths) as (base, _):

        def hog():
            while not stop.is_set():
                get(base + "/corpus.json?" + urllib.parse.urlencode({"sql": slow}))

        hogs = [threading.Thread(target=hog) for _ in range(3)]
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
        f"page while 3 clients loop on 1-s SQL: {statistics.median(times) * 1000:8.1f} ms median, "
        f"{p95 * 1000:.1f} ms p95  (target p95 <= 200)"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--propose"]:
        from quotecorpus.propose.bench import main as propose_bench

        propose_bench(sys.argv[2:], ROOT)
    elif any(a.startswith("--") for a in sys.argv[1:]):
        bench_scale.main(sys.argv[1:])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
