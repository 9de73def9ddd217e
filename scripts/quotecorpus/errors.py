"""Named exceptions. The CLI turns each into one clear line and a non-zero exit."""

from __future__ import annotations

from dataclasses import dataclass


class QuotecorpusError(Exception):
    """Base class of every error the library raises on purpose."""

    exit_code = 1


MAX_PROBLEM_CHARS = 400  # one problem's message in a list: a 10 MB key must not make a 10 MB line
MAX_MESSAGE_BYTES = 1900  # a RecordError's whole message: with the CLI's "Error: " it stays under 2 KB


def cut(text: str, limit: int = 80) -> str:
    """A text as a message may show it: whole when short, else its start, an ellipsis and its length."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


@dataclass(frozen=True)
class Problem:
    """One problem in one curated record: where it is and what is wrong (line 0: the file as a whole)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {cut(self.message, MAX_PROBLEM_CHARS)}"


class RecordError(QuotecorpusError):
    """The curated records have problems. The message lists the first of them, as many as fit in
    MAX_MESSAGE_BYTES, and how many there are: however many there are, it stays short."""

    exit_code = 2

    def __init__(self, problems: list[Problem], count: int | None = None, stopped: bool = False):
        self.problems = problems  # the first problems (all of them, unless there were very many)
        self.count = max(count or 0, len(problems))
        self.stopped = stopped  # True when reading stopped at a limit of problems: `count` is a lower bound
        counted = f"{self.count:,}{' or more' if stopped else ''} problem(s) in corpus records"
        lines: list[str] = []
        size = len(counted.encode()) + 120  # room for the last line that says what is not shown
        for p in problems:
            line = str(p)
            if size + len(line.encode()) + 1 > MAX_MESSAGE_BYTES:
                break
            lines.append(line)
            size += len(line.encode()) + 1
        rest = self.count - len(lines)
        if stopped:
            lines.append(f"… and more: reading stopped after {self.count:,} problems (the first are shown, in file and line order)")
        elif rest:
            lines.append(f"… and {rest:,} more (the first are shown, in file and line order)")
        super().__init__(f"{counted}:\n" + "\n".join(lines))


class CorpusNotFoundError(QuotecorpusError):
    """The folder of curated records is not there (or is not a folder): said by its name, before
    anything is read or created."""

    exit_code = 2

    def __init__(self, root: str, what: str = "does not exist"):
        self.root = root
        super().__init__(f"the corpus folder {root} {what} (--corpus names the folder of curated records)")


class NotRegularFileError(QuotecorpusError):
    """A path that must be a regular file is something else (a directory, a link, a FIFO, a device):
    it is refused before it is opened, so that nothing can block or read forever."""

    def __init__(self, path: str, what: str):
        self.path, self.what = path, what
        super().__init__(f"{path}: {what}")


class UnsafeXMLError(QuotecorpusError):
    """XML with a DOCTYPE, entity declarations or external references: refused, never expanded."""

    exit_code = 3


class NotTEIError(QuotecorpusError):
    """A file that is not TEI at all (an HTML page, a TMX file, CSV, text that is not XML), named for
    what it looks like. Exit 4, as invalid TEI: it is bad input, not hostile input (hostile XML stays 3)."""

    exit_code = 4


class TEIValidationError(QuotecorpusError):
    """A TEI document failed the RELAX NG schema or our Schematron rules."""

    exit_code = 4

    def __init__(self, source: str, errors: list[str]):
        self.source = source
        self.errors = errors
        lines = "\n".join(f"{source}: {e}" for e in errors)
        super().__init__(f"TEI validation failed for {source}:\n{lines}")


class TEIProfileError(TEIValidationError):
    """A valid TEI document that does not follow our profile (its generated Schematron)."""

    exit_code = 5

    def __init__(self, source: str, errors: list[str]):
        super().__init__(source, errors)
        lines = "\n".join(f"{source}: {e}" for e in errors)
        self.args = (f"TEI outside the quotecorpus profile in {source}:\n{lines}",)


class TEILoadError(QuotecorpusError):
    """A TEI document is well-formed and valid but does not follow our encoding profile."""

    exit_code = 5


class BuildInterrupted(QuotecorpusError):
    """The build stopped before finishing; the previous outputs are untouched."""

    exit_code = 130


class AuditFailed(QuotecorpusError):
    """An article has passages that the corpus neither holds nor excludes with a reason."""

    exit_code = 6


class ReleaseExists(QuotecorpusError):
    """A release bundle of this version is already where it would be written: never overwritten."""

    exit_code = 7


class ProposeError(QuotecorpusError):
    """propose refused its input (an article the corpus does not know, drafts aimed into corpus/)."""

    exit_code = 8


class PortBusyError(QuotecorpusError):
    """`serve` was given a port that another program is listening on: said before anything is built or
    announced, with its own exit code (uvicorn's own failure to bind exits 3, the code of refused XML)."""

    exit_code = 9

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        super().__init__(f"port {port} on {host} is already in use: stop the other server or choose another with --port")
