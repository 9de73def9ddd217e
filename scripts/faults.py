"""Fault injection for the build's publication (issues 12, 25): kills timed into the commit, concurrent builds.

    scripts/dev faults [--kills 100] [--pairs 100] [--incremental-kills 100] [--incremental-pairs 100]

Two versions of a small corpus differ in one value (a quotation's page: A or B). Each trial starts
from a published build of one version, then:

* kill: a forced build of the other version, killed (SIGKILL or SIGINT, alternately): half of them
  0 to 0.5 s after it says "load database" (before its commit), half 0 to 12 ms after it says
  "publish" (its commit step);
* pair: two builds at once, one of each version;
* incremental kill: a plain build of the other version, which starts from the published one and
  redoes only the record that differs, killed the same two ways 0 to 0.1 s after one of its steps
  (reading the records, encoding, validating, loading, or 0 to 12 ms into its commit);
* incremental pair: two plain builds at once, one of each version.

After each trial the published state must be one build's whole: the current generation's database
and all its TEI files hold the same version, no temporary file is left beside them, the message of an
interrupted build is true, and the next plain build brings tei/ to that same version (never "Up to
date" over a tei/ that differs). After an incremental trial, that next plain build (itself incremental)
must also make exactly what a full build of the same version makes (TEI byte for byte, the database
as quotecorpus.db.content defines it). Prints the counts; exit 1 if any trial broke a guarantee.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "mini"
RECORD = "nowak-2025-q002"
PAGES = {"A": 104, "B": 106}
_PAGE = re.compile(rb'<cit xml:id="' + RECORD.encode() + rb'".*?<biblScope unit="page">(\d+)</biblScope>', re.S)


def corpus(work: Path, version: str) -> Path:
    """The fixture corpus with the marked quotation on the version's page."""
    target = work / f"corpus-{version}"
    if not target.exists():
        shutil.copytree(FIXTURE, target)
        path = target / "quotations" / "nowak-2025.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("page: 104", f"page: {PAGES[version]}"), encoding="utf-8")
    return target


def build_cmd(work: Path, version: str, force: bool = True) -> list[str]:
    cmd = [sys.executable, "-m", "quotecorpus", "build", "--corpus", str(corpus(work, version))]
    cmd += ["--tei", str(work / "tei"), "--db", str(work / "build" / "corpus.db")] + (["--force"] if force else [])
    return cmd


def published(work: Path) -> dict[str, str | None]:
    """What the current generation holds of the marked quotation: its version in the database and each TEI file."""
    store = work / "build" / ".corpus.db.d"
    gen = store / os.readlink(store / "current")
    found: dict[str, str | None] = {}
    db = sqlite3.connect(f"file:{gen / 'corpus.db'}?mode=ro", uri=True)
    page = db.execute("select page from quotations where id = ?", [RECORD]).fetchone()[0]
    db.close()
    found["database"] = next(v for v, p in PAGES.items() if p == page)
    for tei in sorted((gen / "tei").glob("*.xml")):
        m = _PAGE.search(tei.read_bytes())
        found[tei.name] = next((v for v, p in PAGES.items() if m and int(m.group(1)) == p), None) if m else "-"
    return found


def versions_of_tei(folder: Path) -> set[str | None]:
    out = set()
    for tei in folder.glob("*.xml"):
        m = _PAGE.search(tei.read_bytes())
        if m:
            out.add(next((v for v, p in PAGES.items() if int(m.group(1)) == p), None))
    return out


def leftovers(work: Path) -> list[str]:
    store = work / "build" / ".corpus.db.d"
    out = [p.name for p in store.glob("tmp-*")]
    out += [p.name for p in (work / "tei").glob(".*.tmp-*")] + [p.name for p in (work / "build").glob(".corpus.db.tmp-*")]
    return out


def check(work: Path) -> list[str]:
    """What is wrong with the published state now (empty when it is one build's whole)."""
    problems = []
    state = published(work)
    versions = {v for k, v in state.items() if v != "-"}
    if len(versions) != 1:
        problems.append(f"mixed publication: {state}")
    return problems


OUTCOMES: dict[str, int] = {}  # what the killed builds left published, and how they ended


STEPS = (b"validate records", b"encode TEI", b"validate TEI", b"load database")  # an incremental build's, before its commit


def kill_trial(work: Path, n: int, rng: random.Random, incremental: bool = False) -> list[str]:
    start_version, other = ("A", "B") if n % 2 == 0 else ("B", "A")
    subprocess.run(build_cmd(work, start_version, force=not incremental or n == 0), check=True, capture_output=True)
    how = signal.SIGKILL if n % 2 == 0 else signal.SIGINT
    proc = subprocess.Popen(build_cmd(work, other, force=not incremental), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    # half the kills land in the steps before the commit (the load of the small corpus takes about
    # 0.6 s, an incremental build's steps some 0.1 s each), half 0 to 12 ms after it says "publish":
    # inside the commit or just after it
    before = n % 4 < 2
    finished = False
    if incremental and before:
        trigger, delay = rng.choice(STEPS), rng.uniform(0, 0.1)
    else:
        trigger, delay = (b"load database", rng.uniform(0, 0.5)) if before else (b"publish", rng.uniform(0, 0.012))
    for line in proc.stderr:
        if line.strip() == trigger:
            time.sleep(delay)
            finished = proc.poll() is not None  # the build ended before the signal: nothing to interrupt
            proc.send_signal(how)
            break
    rest = proc.stderr.read().decode("utf-8", "replace")
    out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    code = proc.wait()
    # a signal that reaches a process already leaving (its result printed) cannot act: exit 0
    finished = finished or (code == 0 and out.startswith("Built "))
    problems = check(work)
    state = published(work)["database"]
    how_ended = f"finished (exit {code}) before the {how.name}" if finished else f"{how.name} exit {code}"
    outcome = f"{how_ended}, {'new' if state == other else 'old'} build published"
    OUTCOMES[outcome] = OUTCOMES.get(outcome, 0) + 1
    if how == signal.SIGINT:  # what it says it published must be so (a Ctrl-C after the build says only that)
        said = "after it was published" in rest, "nothing was published" in rest
        if said[0] and state != other or said[1] and state == other:
            problems.append(f"untrue message (published {state}): {rest.strip()[-200:]}")
        if code not in (130, -signal.SIGINT) and not finished:  # -2: ended by the signal itself, after the command (a shell says 130)
            problems.append(f"SIGINT exit {code}, not 130")
    # the next plain build (the last inputs) must bring tei/ to what is published, and say so
    tei_before = versions_of_tei(work / "tei")
    again = subprocess.run(build_cmd(work, other, force=False), capture_output=True, text=True)
    if "up to date" in [line.strip() for line in again.stderr.splitlines()] and tei_before != {published(work)["database"]}:
        problems.append("'up to date' over a tei/ that differs from the publication")
    problems += [f"left behind: {name}" for name in leftovers(work)]
    if versions_of_tei(work / "tei") != {published(work)["database"]}:
        problems.append(f"tei/ not brought up to date: {versions_of_tei(work / 'tei')} vs {published(work)['database']}")
    if incremental:
        problems += same_as_full_build(work, other)
    return problems


def same_as_full_build(work: Path, version: str) -> list[str]:
    """What differs between the publication (made by a plain build of `version` after the trial) and a
    full build of the same version, made apart."""
    from quotecorpus.db.content import differences

    full = work / "full"
    shutil.rmtree(full, ignore_errors=True)
    cmd = [sys.executable, "-m", "quotecorpus", "build", "--corpus", str(corpus(work, version))]
    subprocess.run(cmd + ["--tei", str(full / "tei"), "--db", str(full / "corpus.db"), "--force"], check=True, capture_output=True)
    store = work / "build" / ".corpus.db.d"
    gen = store / os.readlink(store / "current")
    problems = [
        f"{p.name} differs from a full build's"
        for p in sorted((full / "tei").glob("*.xml"))
        if p.read_bytes() != (gen / "tei" / p.name).read_bytes()
    ]
    problems += [f"the database differs from a full build's in {d}" for d in differences(gen / "corpus.db", full / "corpus.db")]
    return problems


def pair_trial(work: Path, n: int, incremental: bool = False) -> list[str]:
    subprocess.run(build_cmd(work, "A", force=not incremental or n == 0), check=True, capture_output=True)
    first, second = ("A", "B") if n % 2 == 0 else ("B", "A")
    a = subprocess.Popen(build_cmd(work, first, force=not incremental), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    b = subprocess.Popen(build_cmd(work, second, force=not incremental), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    codes = (a.wait(), b.wait())
    problems = [f"a build failed: exit {codes}"] if any(codes) else []
    problems += check(work) + [f"left behind: {name}" for name in leftovers(work)]
    if versions_of_tei(work / "tei") != {published(work)["database"]}:
        problems.append("tei/ is not what is published")
    if incremental:
        problems += same_as_full_build(work, published(work)["database"])
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--pairs", type=int, default=100)
    ap.add_argument("--incremental-kills", type=int, default=100)
    ap.add_argument("--incremental-pairs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    broken = 0
    for incremental, kills, pairs in ((False, args.kills, args.pairs), (True, args.incremental_kills, args.incremental_pairs)):
        what = "incremental " if incremental else ""
        OUTCOMES.clear()
        with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
            work = Path(tmp)
            failures = 0
            for n in range(kills):
                problems = kill_trial(work, n, rng, incremental)
                failures += bool(problems)
                for p in problems:
                    print(f"{what}kill {n}: {p}")
            where = "in a step before the commit" if incremental else "before the commit"
            print(f"{kills} kills of {what}builds (SIGKILL and SIGINT, {where}, or 0-12 ms into it): {failures} broke a guarantee")
            for outcome, count in sorted(OUTCOMES.items()):
                print(f"  {count:4d} × {outcome}")
            paired = 0
            for n in range(pairs):
                problems = pair_trial(work, n, incremental)
                paired += bool(problems)
                for p in problems:
                    print(f"{what}pair {n}: {p}")
            print(f"{pairs} pairs of concurrent {what}builds with different inputs: {paired} broke a guarantee")
            broken += failures + paired
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
