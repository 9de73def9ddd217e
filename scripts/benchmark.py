"""Benchmarks (not timed tests): full build, no-op rebuild, and Datasette responses.

Run: scripts/dev bench [RUNS]          the real corpus (prints one line per measurement; median of RUNS)
     scripts/dev bench --scale N ...    a synthetic corpus of N quotations, stage by stage (scripts/bench_scale.py)
Targets on the 2-core reference machine: no-op rebuild < 1 s, full build < 10 s, each page < 100 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from quotecorpus.layout import ROOT, Paths
from quotecorpus.serving import make_datasette

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


if __name__ == "__main__":
    if any(a.startswith("--") for a in sys.argv[1:]):
        sys.path.insert(0, str(Path(__file__).parent))
        import bench_scale

        bench_scale.main(sys.argv[1:])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
