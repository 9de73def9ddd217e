"""Files compared and hashed in blocks: the build's inputs, the published TEI, the release sums and a
generation's inspect data; and files opened only when they are regular files (never a FIFO, a device
or, where asked, a symbolic link)."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

from quotecorpus.errors import NotRegularFileError


def sha256_file(path: Path, follow_symlinks: bool = True) -> str:
    """The SHA-256 of a regular file (hex), read in blocks; anything else raises NotRegularFileError."""
    h = hashlib.sha256()
    with open_regular(path, follow_symlinks) as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def same_file(a: Path, b: Path) -> bool:
    """Byte-identical files, compared in blocks."""
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while block := fa.read(1 << 20):
            if block != fb.read(1 << 20):
                return False
    return True


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISREG, "a regular file"),
)


def kind(mode: int) -> str:
    """What a file mode says a path is, in words ("a FIFO (named pipe)")."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def describe(path: Path) -> str:
    """What a path is, without opening it or anything it points to: a symbolic link is described with
    its target ("a symbolic link to a directory (/srv/x)", "... to nothing", "... in a loop")."""
    st = os.lstat(path)
    if not stat.S_ISLNK(st.st_mode):
        return kind(st.st_mode)
    target = os.readlink(path)
    shown = target if len(target) <= 200 else target[:200] + "…"
    try:
        to = os.stat(path)  # stat, not open: a FIFO or a device at the end is not touched
    except FileNotFoundError:
        return f"a symbolic link to nothing ({shown} does not exist)"
    except OSError as e:
        if e.errno == errno.ELOOP:
            return f"a symbolic link in a loop of links ({shown})"
        return f"a symbolic link that cannot be followed ({shown}: {e.strerror})"
    return f"a symbolic link to {kind(to.st_mode)} ({shown})"


def open_regular(path: Path, follow_symlinks: bool = True) -> BinaryIO:
    """Open a regular file for reading; anything else raises NotRegularFileError before it is read.

    The type is checked before the file is opened (a FIFO would block the open, a device would read
    forever), and again on what was opened (O_NONBLOCK, O_NOFOLLOW): a path swapped in between cannot
    slip through. With follow_symlinks=False a symbolic link is refused too."""
    st = os.stat(path) if follow_symlinks else os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFileError(str(path), f"{describe(path)}, not a regular file")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | (0 if follow_symlinks else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:  # O_NOFOLLOW met a link put there since the check
            raise NotRegularFileError(str(path), "a symbolic link, not a regular file") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegularFileError(str(path), "not a regular file (it changed while being opened)")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")
