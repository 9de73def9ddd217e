"""One build, one publication: the TEI files, the database and the stamp of a build are a generation,
made in a folder of its own and published by one atomic rename of a symbolic link.

    build/corpus.db                    → .corpus.db.d/current/corpus.db  (a link, made once)
    build/.corpus.db.d/current         → 20261201T200000-1234             (switched by rename)
    build/.corpus.db.d/20261201T200000-1234/{corpus.db, inspect-data.json, tei/*.xml, stamp.json}
    build/.corpus.db.d/lock            held by the build that runs; the next one waits

A build writes its generation under a temporary name, renames it when complete, then switches
`current` in one rename: a server (serving.py) and every reader see the old generation whole or the
new one whole, never parts of both. A build killed at any instant leaves `current` as it was or
switched, and its temporary folder, which the next build removes (none is ever served: only
`current` is). The repository's tei/ is a copy of the current generation's TEI for git, brought up to
date after the switch; a build interrupted before that is finished brings it up to date next time.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from quotecorpus.errors import BuildInterrupted
from quotecorpus.files import same_file
from quotecorpus.layout import Paths

CURRENT = "current"
LOCK = "lock"
TMP = "tmp-"
KEEP = 2  # earlier generations kept beside the current one: a server may still finish a request on them
STAMP = "stamp.json"


def store(paths: Paths) -> Path:
    """The folder of a database's generations."""
    return paths.db.with_name(f".{paths.db.name}.d")


def current(paths: Paths) -> Path | None:
    """The current generation's folder, or None before the first build."""
    link = store(paths) / CURRENT
    try:
        return store(paths) / os.readlink(link)
    except OSError:
        return None


def is_built(paths: Paths) -> bool:
    """Was this database made by `quotecorpus build` (a link into its generations), not by `load`?"""
    return paths.db.is_symlink() and current(paths) is not None


@dataclass(frozen=True)
class Generation:
    folder: Path
    db: Path
    tei: Path


def generation(paths: Paths, folder: Path) -> Generation:
    return Generation(folder, folder / paths.db.name, folder / "tei")


def read_stamp(paths: Paths) -> dict:
    found = current(paths)
    try:
        return json.loads((found / STAMP).read_text()) if found else {}
    except (OSError, ValueError):
        return {}


class _Terminated(BaseException):
    """SIGTERM during a build (SIGINT is Python's KeyboardInterrupt)."""


@contextlib.contextmanager
def signals_as_exceptions() -> Iterator[None]:
    """SIGTERM raises like SIGINT does, so that both end a build the same careful way."""

    def on_term(signum, frame):
        raise _Terminated

    before = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """SIGINT and SIGTERM held back (and delivered after): what is inside happens whole or not at all."""
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def lock(paths: Paths, say=lambda message: None) -> Iterator[None]:
    """One build at a time for a database: the next waits for the lock (and says so)."""
    folder = store(paths)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            say(f"waiting for the build that is running ({holder}) to finish")
            fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()}, since {time.strftime('%H:%M:%S')}")
        f.flush()
        try:
            yield
        finally:
            f.seek(0)
            f.truncate()
            fcntl.flock(f, fcntl.LOCK_UN)


def clean(paths: Paths) -> None:
    """Remove what killed builds left (under the lock: no build is writing them): temporary
    generations, temporary files in tei/, and generations older than the KEEP before the current."""
    folder = store(paths)
    for tmp in folder.glob(TMP + "*"):
        if tmp.is_symlink() or tmp.is_file():  # the link `publish` was about to rename to `current`
            tmp.unlink(missing_ok=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for tmp in paths.tei.glob(".*.tmp-*"):
        tmp.unlink(missing_ok=True)
    for tmp in paths.db.parent.glob(f".{paths.db.name}.tmp-*"):
        tmp.unlink(missing_ok=True)
    now = current(paths)
    done = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(TMP) and p != now)
    for old in done[: max(0, len(done) - KEEP)]:
        shutil.rmtree(old, ignore_errors=True)


def new_generation(paths: Paths) -> Generation:
    """A folder for a build to write its generation in, under a temporary name."""
    folder = store(paths) / f"{TMP}{os.getpid()}-{time.time_ns()}"
    (folder / "tei").mkdir(parents=True)
    return generation(paths, folder)


def publish(paths: Paths, made: Generation, stamp: dict) -> Generation:
    """Complete the generation (its stamp, its final name) and make it the current one, in one rename."""
    (made.folder / STAMP).write_text(json.dumps(stamp))
    name = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.time_ns() % 10**6:06d}"
    final = store(paths) / name
    os.rename(made.folder, final)
    link = store(paths) / f"{TMP}{CURRENT}-{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(name, link)
    os.replace(link, store(paths) / CURRENT)  # the publication: one rename
    if not paths.db.is_symlink():
        # the database's own path, for everyone who opens it: a link through `current`, made once
        db_link = paths.db.with_name(f".{paths.db.name}.tmp-link-{os.getpid()}")
        db_link.unlink(missing_ok=True)
        os.symlink(f"{store(paths).name}/{CURRENT}/{paths.db.name}", db_link)
        os.replace(db_link, paths.db)
    return generation(paths, final)


def tei_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.xml"))


def sync_tei(paths: Paths) -> list[str]:
    """Bring tei/ (the repository's copy) to the current generation's TEI: each file that is not the
    generation's own is replaced by rename, with the generation's file itself (same_bytes). Returns the
    names of the files whose bytes differed."""
    found = current(paths)
    if found is None:
        return []
    paths.tei.mkdir(parents=True, exist_ok=True)
    replaced = []
    for src in tei_files(found / "tei"):
        target = paths.tei / src.name
        if target.exists() and os.path.samefile(src, target):
            continue
        if not target.exists() or not same_file(src, target):
            replaced.append(src.name)
        tmp = paths.tei / f".{src.name}.tmp-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        same_bytes(src, tmp)
        os.replace(tmp, target)
    return replaced


FICLONE = 0x40049409  # linux/fs.h: a reflink, the file's blocks shared copy-on-write


def same_bytes(src: Path, target: Path) -> None:
    """Make `target` a new name for the bytes of `src`, without copying them where the file system allows:
    a reflink (copy on write: a later write to either leaves the other as it was), else a hard link (a
    generation's TEI files are read-only, and no build writes one again), else a copy."""
    with open(src, "rb") as fs, open(target, "wb") as ft:
        try:
            fcntl.ioctl(ft.fileno(), FICLONE, fs.fileno())
            return
        except OSError:
            pass
    target.unlink()
    try:
        os.link(src, target)
    except OSError:
        shutil.copyfile(src, target)


def tei_state(paths: Paths) -> dict[str, list[int]]:
    """(size, mtime) of each TEI file in tei/: what the stamp remembers of the last sync."""
    return {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in tei_files(paths.tei)} if paths.tei.exists() else {}


def interrupted(signal_name: str, published: bool) -> BuildInterrupted:
    if published:
        message = (
            f"build interrupted ({signal_name}) after it was published: the new build is the current one; "
            "tei/ is brought up to date by the next build"
        )
    else:
        message = f"build interrupted ({signal_name}): nothing was published, the previous build is still the current one"
    error = BuildInterrupted(message)
    error.exit_code = 143 if signal_name == "SIGTERM" else 130
    return error
