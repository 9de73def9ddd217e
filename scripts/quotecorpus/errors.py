"""Named exceptions. The CLI turns each into one clear line and a non-zero exit."""

from __future__ import annotations

from dataclasses import dataclass


class QuotecorpusError(Exception):
    """Base class of every error the library raises on purpose."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One problem in one curated record: where it is and what is wrong."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class RecordError(QuotecorpusError):
    """The curated records have problems; all of them are listed."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in corpus records:\n{lines}")


class UnsafeXMLError(QuotecorpusError):
    """XML with a DOCTYPE, entity declarations or external references: refused, never expanded."""

    exit_code = 3


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
