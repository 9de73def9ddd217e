"""Read curated YAML records, keeping the line of every record and field for error messages."""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from quotecorpus.errors import CorpusNotFoundError, NotRegularFileError, Problem, RecordError, cut
from quotecorpus.files import describe, open_regular
from quotecorpus.profile import REGISTERS, Register


@functools.lru_cache(maxsize=8)
def _file_lines(file: Path) -> list[str]:
    with open_regular(file, follow_symlinks=False) as f:
        return f.read().decode("utf-8").split("\n")


@dataclass(slots=True)
class Record:
    register: Register
    path: str  # as shown in messages, relative to the corpus root's parent
    line: int  # 1-based line of the record's first key
    data: dict
    file: Path | None = None  # the file itself, where the line of a field is looked up when a message needs it
    lines: dict[str, int] | None = None  # field name -> 1-based line, when known already
    piece: Piece | None = None  # its text in the file, when the file is a block sequence of records
    kept: object = None  # a record an incremental build did not read again: what it kept of it (data is then its stub)

    @property
    def id(self) -> str:
        return str(self.data.get("id", "?"))

    def line_of(self, name: str) -> int:
        """The line of a field: looked up in the file only when a message needs it (at 100,000 records a
        dict of lines per record would take 150 MB for the rare message)."""
        if self.lines is not None:
            return self.lines.get(name, self.line)
        if self.file is None:
            return self.line
        rows = _file_lines(self.file)
        key = re.compile(rf"^(?:- |\s+)(?:- )?{re.escape(name)}\s*:")
        for n in range(self.line - 1, len(rows)):
            if n > self.line - 1 and rows[n].startswith("- "):
                break  # the next record
            if key.match(rows[n]):
                return n + 1
        return self.line

    def problem(self, name: str | None, message: str) -> Problem:
        line = self.line_of(name) if name else self.line
        return Problem(self.path, line, f"{self.register.singular} {self.id[:80]}: {message}")


def content_digest(data: dict) -> bytes:
    """A digest of a record's data (not of its text: a comment or the quoting of a value may change)."""
    return hashlib.blake2b(repr(data).encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass
class Corpus:
    root: Path
    records: dict[str, list[Record]]  # register name -> records in file order

    def ids(self, register: str) -> set[str]:
        return {r.id for r in self.records.get(register, [])}

    def by_id(self, register: str) -> dict[str, dict]:
        return {r.id: r.data for r in self.records.get(register, [])}


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.1's implicit types, less the two that surprise curators: a date stays the text it is
    (1920-02-30 is then an error of ours, with its field, not a crash), and yes/no/on/off stay words
    (`language: no` is Norwegian). Only true/false are booleans, as in YAML 1.2."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in found if tag != "tag:yaml.org,2002:timestamp"]
    for first, found in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
for _first, _found in _Resolver.yaml_implicit_resolvers.items():
    _Resolver.yaml_implicit_resolvers[_first] = [(t, _BOOL if t == "tag:yaml.org,2002:bool" else r) for t, r in _found]


try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None

class _SharedKeys(yaml.constructor.SafeConstructor):
    """SafeConstructor whose mappings share their keys: every record repeats the same field names, and
    YAML makes each a string of its own (at 100,000 quotations, some 4 million strings of 50-70 bytes
    alive from the reading of the records to the end of the encoding)."""

    def construct_mapping(self, node, deep=False):
        found = super().construct_mapping(node, deep)
        return {sys.intern(k) if type(k) is str else k: v for k, v in found.items()}


if CParser is not None:  # libyaml's parser: the same nodes, with their lines, many times faster

    class _Loader(CParser, _SharedKeys, _Resolver):  # as yaml.CSafeLoader, with our resolver
        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            _SharedKeys.__init__(self)
            _Resolver.__init__(self)

else:

    class _Loader(  # type: ignore[no-redef]  # as yaml.SafeLoader, with our resolver
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _SharedKeys, _Resolver
    ):
        def __init__(self, stream: str):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _SharedKeys.__init__(self)
            _Resolver.__init__(self)


MAX_FILE_BYTES = 512 * 1024 * 1024  # a records file larger than this is refused before it is read
MAX_DEPTH = 8  # a record, a field, a list, an entry, its value: deeper nesting is no record of ours
CHUNK_ITEMS = 1000  # records composed at a time: the YAML nodes of one chunk are in memory, not the file's
_ITEM = re.compile(r"^-(?=[ \t\r\n]|$)", re.M)  # a record of a top-level block sequence starts a line


_KEY = re.compile(r"^(?:- |  )([A-Za-z_]\w*):")  # a record's field, at the start of its line


def _field_at(text: str, line: int) -> str:
    """The field a line of a records file belongs to: the nearest record-level key at or above it."""
    lines = text.split("\n", line)[:line]
    for row in reversed(lines):
        m = _KEY.match(row)
        if m:
            return f" (in field '{cut(m.group(1))}')"
    return ""


def _open_quote(text: str, before: int) -> int | None:
    """The last line up to `before` with an odd number of double quotes: where an unclosed quote opens."""
    for n, row in reversed(list(enumerate(text.split("\n", before)[:before], 1))):
        if (row.count('"') - row.count('\\"')) % 2:
            return n
    return None


def _yaml_problem(shown: str, e: yaml.YAMLError, text: str, offset: int) -> Problem:
    mark = getattr(e, "problem_mark", None)
    context, cmark = getattr(e, "context", None), getattr(e, "context_mark", None)
    if mark is not None:
        line = mark.line + 1
    elif getattr(e, "position", None) is not None:  # a character the reader refuses: only its position is known
        # libyaml counts it in bytes of UTF-8, the Python reader in characters
        data = text.encode("utf-8") if CParser is not None else text
        line = data.count(b"\n" if CParser is not None else "\n", 0, e.position) + 1
    else:
        line = 1
    what = getattr(e, "problem", None) or str(e).split("\n")[0]
    if isinstance(e, yaml.reader.ReaderError):
        what = f"the character U+{e.character:04X} is not allowed in YAML" if isinstance(e.character, int) else str(e).split("\n")[0]
    elif context and cmark:
        what += f" ({context} that starts at line {cmark.line + 1 + offset})"
    opened = _open_quote(text, line)
    if opened is not None and opened < line:
        # a quote left open swallows the lines after it, and the parser stops further down
        return Problem(shown, opened + offset, f"malformed YAML: a quoted text that starts here is not closed{_field_at(text, opened)} "
                       f"(the parser stopped at line {line + offset}: {what})")  # fmt: skip
    return Problem(shown, line + offset, f"malformed YAML: {what}{_field_at(text, line)}")


def _chunks(text: str) -> list[tuple[int, str]]:
    """(line offset, text) of groups of CHUNK_ITEMS records of a top-level block sequence; the whole
    text when it is anything else (a flow sequence, a mapping): each group composes on its own."""
    starts = [m.start() for m in _ITEM.finditer(text)]
    if len(starts) <= CHUNK_ITEMS:
        return [(0, text)]
    cuts = [0] + starts[CHUNK_ITEMS::CHUNK_ITEMS] + [len(text)]
    out, line = [], 0
    for a, b in zip(cuts, cuts[1:], strict=False):
        out.append((line, text[a:b]))
        line += text.count("\n", a, b)
    return out


def _check_node(node: yaml.Node, shown: str) -> Problem | None:
    """Aliases (a 1 KB file can stand for a billion values), duplicate keys and deep nesting are
    refused, each with its line; iteratively, so that no nesting can exhaust the stack."""
    seen: set[int] = {id(node)}
    todo: list[tuple[yaml.Node, int, str]] = [(node, 0, "")]
    while todo:
        n, depth, field_name = todo.pop()
        where = f" (in field '{field_name}')" if field_name else ""
        if depth > MAX_DEPTH:
            return Problem(shown, n.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep{where}: no field of a record is")
        children: list[tuple[yaml.Node, str]] = []
        if isinstance(n, yaml.MappingNode):
            keys: dict[object, int] = {}
            for k, v in n.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else id(k)
                if key in keys:
                    return Problem(
                        shown, k.start_mark.line + 1, f"the key '{str(key)[:80]}' occurs twice in one record (first at line {keys[key]})"
                    )
                keys[key] = k.start_mark.line + 1
                children += [(k, field_name), (v, field_name or str(key)[:80] if depth == 1 else field_name)]
        elif isinstance(n, yaml.SequenceNode):
            children += [(v, field_name) for v in n.value]
        for child, name in children:
            if id(child) in seen:  # the same node twice: an alias (*name) of an anchor (&name)
                return Problem(shown, child.start_mark.line + 1, "YAML aliases (*name) are not accepted in records: write the value out")
            seen.add(id(child))
            todo.append((child, depth + 1, name))
    return None


# an opener first, so that the regex engine skips to the next "[" or "{" (10 MB without one: 0.1 s, not 0.8)
_FLOW_RUN = re.compile(r"[\[{](?:[ \t\r\n]*[\[{]){%d,}" % MAX_DEPTH)


def _too_deep(chunk: str, shown: str) -> Problem | None:
    """libyaml takes time quadratic in the depth of nested flow collections (1.4 s for 20,000 "[" in
    40 KB): where the text has a run of openers deeper than a record may be, its events are read only
    down to that depth, and a node too deep is reported as _check_node reports it."""
    if not _FLOW_RUN.search(chunk):
        return None
    loader = _Loader(chunk)
    stack: list[list] = []  # each open collection: [is a mapping, nodes read in it]
    name = ""
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionEndEvent):
                stack.pop()
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            if len(stack) > MAX_DEPTH:
                where = f" (in field '{name}')" if name else ""
                return Problem(
                    shown, event.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep{where}: no field of a record is"
                )
            if len(stack) == 2 and stack[-1][0]:  # a record's key, or its value
                if stack[-1][1] % 2 == 0:
                    name = str(event.value)[:80] if isinstance(event, yaml.ScalarEvent) else ""
                stack[-1][1] += 1
            if isinstance(event, yaml.CollectionStartEvent):
                stack.append([isinstance(event, yaml.MappingStartEvent), 0])
    except yaml.YAMLError:
        return None  # the whole reading reports it, with its context
    finally:
        loader.dispose()
    return None


@dataclass(frozen=True, slots=True)
class Piece:
    """One record's text in its file: the bytes from its `- ` line to the next record's (the text before
    the first record goes with the first). What a build compares to know whether a record changed."""

    start: int
    end: int
    line: int  # of its first byte, 1-based
    digest: bytes


_ITEM_BYTES = re.compile(rb"^-(?=[ \t\r\n]|$)", re.M)


def cut_pieces(data: bytes) -> list[Piece]:
    """The pieces of a records file: one per record of a top-level block sequence, or the whole file as
    one piece when it has none (a flow sequence, a mapping, nothing)."""
    starts = [m.start() for m in _ITEM_BYTES.finditer(data)] or [0]
    starts[0] = 0
    view = memoryview(data)
    out, line = [], 1
    for i, a in enumerate(starts):
        b = starts[i + 1] if i + 1 < len(starts) else len(data)
        out.append(Piece(a, b, line, hashlib.blake2b(view[a:b], digest_size=16).digest()))
        line += data.count(b"\n", a, b)
    return out


def _runs(pieces: list[Piece], which: list[int]) -> list[tuple[int, int]]:
    """Pieces that follow one another in the file as (first, last + 1), at most CHUNK_ITEMS each: each
    run composes on its own."""
    runs: list[tuple[int, int]] = []
    for i in which:
        if runs and runs[-1][1] == i and pieces[i - 1].end == pieces[i].start and i - runs[-1][0] < CHUNK_ITEMS:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _not_utf8(shown: str, data: bytes, e: UnicodeDecodeError, start: int) -> Problem:
    at = start + e.start
    return Problem(shown, data.count(b"\n", 0, at) + 1, f"not UTF-8: byte 0x{data[at]:02x} at byte {at} ({e.reason})")


def read_runs(
    path: Path | None, register: Register, shown: str, data: bytes, pieces: list[Piece], which: Iterable[int]
) -> Iterator[tuple[list[Record], list[Problem]]]:
    """The records of some pieces of a file (`data`, cut into `pieces`), a run of consecutive pieces (at
    most CHUNK_ITEMS) at a time, each composed on its own, with the problems of each run: YAML and shape
    errors become Problems, not exceptions. A YAML error ends the file (what follows it cannot be read), a
    record that is no mapping does not. An incremental build reads only the records whose text changed. A
    record knows its piece when the file is a block sequence of records (one record per piece)."""
    runs = _runs(pieces, sorted(which))
    for first, end in runs:
        a, b = pieces[first].start, pieces[end - 1].end
        try:
            chunk = data[a:b].decode("utf-8")
        except UnicodeDecodeError as e:
            yield [], [_not_utf8(shown, data, e, a)]
            return
        offset = pieces[first].line - 1
        deep = _too_deep(chunk, shown)
        if deep:
            yield [], [Problem(deep.path, deep.line + offset, deep.message)]
            return
        loader = _Loader(chunk)
        try:
            node = loader.get_single_node()
            if node is None:
                continue
            found = _check_node(node, shown)
            if found:
                yield [], [Problem(found.path, found.line + offset, found.message)]
                return
            if not isinstance(node, yaml.SequenceNode):
                yield [], [Problem(shown, 1, f"expected a list of {register.name} records, found {node.tag.rsplit(':', 1)[-1]}")]
                return
            items = loader.construct_document(node)
        except yaml.YAMLError as e:
            if len(runs) > 1 or (first, end) != (0, len(pieces)):  # the same error, from the whole file: its own line and context
                text = data.decode("utf-8", errors="replace")
                try:
                    _Loader(text).get_single_node()
                except yaml.YAMLError as whole:
                    yield [], [_yaml_problem(shown, whole, text, 0)]
                    return
            yield [], [_yaml_problem(shown, e, chunk, offset)]
            return
        except (ValueError, TypeError, OverflowError, RecursionError) as e:
            yield [], [Problem(shown, 1 + offset, f"malformed YAML: {str(e)[:200]}")]
            return
        finally:
            loader.dispose()
        records: list[Record] = []
        problems: list[Problem] = []
        own = len(items) == end - first  # else a file our cutting does not follow (a flow sequence): no pieces
        for n, (item, item_node) in enumerate(zip(items, node.value, strict=True)):
            line = item_node.start_mark.line + 1 + offset
            if not isinstance(item, dict):
                problems.append(Problem(shown, line, f"expected a {register.singular} record (a mapping), found {type(item).__name__}"))
                continue
            piece = pieces[first + n] if own else None
            records.append(Record(register, shown, line, {str(k): v for k, v in item.items()}, path, piece=piece))
        yield records, problems


def read_pieces(
    path: Path, register: Register, shown: str, data: bytes, pieces: list[Piece], which: Iterable[int]
) -> tuple[list[Record], list[Problem]]:
    """The records of some pieces of a file, all at once (read_runs)."""
    records: list[Record] = []
    problems: list[Problem] = []
    for found, wrong in read_runs(path, register, shown, data, pieces, which):
        records += found
        problems += wrong
    return records, problems


def read_text(text: str, register: Register, shown: str, path: Path | None = None) -> Iterator[tuple[list[Record], list[Problem]]]:
    """The records of one records file's text, a chunk of CHUNK_ITEMS at a time, with the problems of
    each chunk (read_runs)."""
    data = text.encode("utf-8")
    pieces = cut_pieces(data)
    yield from read_runs(path, register, shown, data, pieces, range(len(pieces)))


def read_bytes(path: Path, shown: str) -> tuple[bytes | None, list[Problem]]:
    """The bytes of one records file, or the one problem that says why not: a file that is not a regular
    file, too large or not UTF-8 is never read (a FIFO or a device is not even opened)."""
    try:
        with open_regular(path, follow_symlinks=False) as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_FILE_BYTES:
                return None, [Problem(shown, 0, f"{size:,} bytes: larger than the {MAX_FILE_BYTES:,} a records file may be; split it")]
            data = f.read()
    except NotRegularFileError as e:
        return None, [Problem(shown, 0, f"{e.what}: {STRANGE_FILE_RULE}")]
    except OSError as e:
        return None, [Problem(shown, 0, f"cannot be read: {e.strerror or e}")]
    try:
        data.decode("utf-8")  # the first byte that is not UTF-8, before anything else is said of the file
    except UnicodeDecodeError as e:
        return None, [_not_utf8(shown, data, e, 0)]
    return data, []


def read_chunks(path: Path, register: Register, shown: str) -> Iterator[tuple[list[Record], list[Problem]]]:
    """The records of one records file, chunk by chunk (read_runs); a file that is not a regular file,
    too large or not UTF-8 is one problem, and is never read (read_bytes)."""
    data, wrong = read_bytes(path, shown)
    if data is None:
        yield [], wrong
        return
    pieces = cut_pieces(data)
    yield from read_runs(path, register, shown, data, pieces, range(len(pieces)))


def read_file(path: Path, register: Register, shown: str) -> tuple[list[Record], list[Problem]]:
    """Parse one YAML file into records; YAML and shape errors become Problems, not exceptions."""
    records: list[Record] = []
    problems: list[Problem] = []
    for found, wrong in read_chunks(path, register, shown):
        records += found
        problems += wrong
    return records, problems


# --- the files of a corpus -------------------------------------------------------------------------

STRANGE_FILE_RULE = "corpus/ holds its records in regular files only (see corpus/README.md)"


def _shown(root: Path, path: Path) -> str:
    return f"{root.name}/{path.relative_to(root).as_posix()}"


def require_corpus(root: Path) -> None:
    """Raise CorpusNotFoundError when `root` is not a folder: a mistyped --corpus is named as missing,
    not reported as a corpus without records, and before a build creates anything beside its database."""
    if not Path(root).is_dir():
        raise CorpusNotFoundError(str(root), "is not a folder" if os.path.lexists(root) else "does not exist")


def corpus_files(root: Path) -> list[Path]:
    """Every `*.yaml` under a corpus folder, in order, each a regular file: a directory, a symbolic
    link, a FIFO, a device or a socket named like a records file raises RecordError (exit 2) with what
    it is, as does a symbolic link to a folder. Nothing is opened: a FIFO cannot block the build, a link
    cannot bring in records from outside the folder (the policy is in corpus/README.md)."""
    root = Path(root)
    files: list[Path] = []
    problems: list[Problem] = []
    todo = [root]
    while todo:
        folder = todo.pop()
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda e: e.name)
        except FileNotFoundError:
            continue  # no corpus: load_corpus says so
        except OSError as e:
            problems.append(Problem(_shown(root, Path(folder)) if folder != root else root.name, 0, f"cannot be read: {e.strerror}"))
            continue
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError as e:
                problems.append(Problem(_shown(root, path), 0, f"cannot be read: {e.strerror}"))
                continue
            named_like_records = entry.name.endswith(".yaml")
            if stat.S_ISDIR(mode) and not named_like_records:
                subfolders.append(path)
            elif stat.S_ISREG(mode):
                if named_like_records:
                    files.append(path)
            elif named_like_records or (stat.S_ISLNK(mode) and os.path.isdir(path)):
                problems.append(Problem(_shown(root, path), 0, f"{describe(path)}, not a records file: {STRANGE_FILE_RULE}"))
        todo += reversed(subfolders)
    if problems:
        raise RecordError(problems)
    return sorted(files)


def matches(relative: str, pattern: str) -> bool:
    """A register's glob ("quotations/*.yaml") on a path relative to the corpus, part by part: "*" does
    not cross a folder."""
    parts, wanted = PurePosixPath(relative).parts, PurePosixPath(pattern).parts
    return len(parts) == len(wanted) and all(fnmatch.fnmatchcase(a, b) for a, b in zip(parts, wanted, strict=True))


# --- problems, counted and bounded -----------------------------------------------------------------

MAX_PROBLEMS = 1000  # problems counted before reading and validating stop: a message shows a dozen anyway


def _order(p: Problem) -> tuple:
    return (p.path, p.line, p.message)


class ProblemLog:
    """Every problem found is counted, and the first KEEP of them (in file and line order) kept: a corpus
    of 200,000 bad records is refused with a short message, in bounded time and memory. Once `limit`
    problems are counted the log is full, and the readers and rules stop: the count is then a lower
    bound, and the message says so."""

    KEEP = 100

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        self.limit = limit
        self.count = 0
        self._kept: list[Problem] = []

    @property
    def full(self) -> bool:
        return self.count >= self.limit

    def add(self, found: Iterable[Problem]) -> None:
        """Count and keep the problems of `found` (a list or a rule's generator), until the log is full."""
        for p in found:
            self.count += 1
            self._kept.append(p)
            if len(self._kept) > 2 * self.KEEP:
                self._kept.sort(key=_order)
                del self._kept[self.KEEP :]
            if self.full:
                return

    @property
    def problems(self) -> list[Problem]:
        return sorted(self._kept, key=_order)[: self.KEEP]

    def error(self) -> RecordError:
        return RecordError(self.problems, self.count, stopped=self.full)


def load_corpus(root: Path, check: Callable[[Record], Iterable[Problem]] | None = None, log: ProblemLog | None = None) -> Corpus:
    """Read every register's files under `root` (a corpus/ folder). Raises RecordError on unreadable
    files and strange ones (corpus_files). `check`, given, is run on each record as it is read, its
    problems counted in `log`: reading stops once the log is full (a file of 200,000 bad records is not
    read to its end to say that it is bad); RecordError is raised then, or when a file could not be read,
    and otherwise the problems stay in the log for the caller."""
    root = Path(root)
    require_corpus(root)
    log = log if log is not None else ProblemLog()
    unreadable = False
    files = corpus_files(root)
    relative = {p: p.relative_to(root).as_posix() for p in files}
    records: dict[str, list[Record]] = {}
    for register in REGISTERS:
        records[register.name] = []
        for path in (p for p in files if matches(relative[p], register.files)):
            for found, wrong in read_chunks(path, register, _shown(root, path)):
                unreadable = unreadable or bool(wrong)
                log.add(wrong)
                records[register.name].extend(found)
                if check is not None:
                    for rec in found:
                        log.add(check(rec))
                        if log.full:
                            break
                if log.full:
                    raise log.error()
    if not any(matches(relative[p], r.files) for p in files for r in REGISTERS):
        log.add([Problem(root.name, 0, "no corpus records found")])
        unreadable = True
    if unreadable:
        raise log.error()
    return Corpus(root, records)


# --- where each record and field stands in a file, and writing values in the corpus's style --------

# the line breaks libyaml counts (YAML 1.1): its line numbers are lines of this split
_BREAK = re.compile(r"\r\n|\r|\n|\x85|\u2028|\u2029")


def lines_of(text: str) -> list[str]:
    """A file's lines as libyaml counts them, each with its line break: "".join() gives the text back."""
    out, start = [], 0
    for m in _BREAK.finditer(text):
        out.append(text[start : m.end()])
        start = m.end()
    if start < len(text):
        out.append(text[start:])
    return out


@dataclass
class Placement:
    """Where one record stands in its file (0-based line numbers, ends exclusive), and its data.

    `dash` is the line of its "- "; `end` follows its last line of content (the blank and comment lines
    after it are not its); `fields` holds (name, first line, end) of each key in a block mapping whose
    keys stand at column 2 with the first on the dash's line, the corpus's layout; None otherwise (such a
    record, when it changes, is written anew whole)."""

    data: object
    dash: int
    end: int
    fields: list[tuple[str, int, int]] | None


def _content_end(lines: list[str], start: int, stop: int) -> int:
    """The end of what belongs to the lines from `start`: trailing blank lines and comments at the
    indentation of a record's keys or less (deeper, a '#' may be a block text's content) are not its."""
    end = stop
    while end > start + 1:
        row = lines[end - 1]
        stripped = row.strip()
        if stripped and not (stripped.startswith("#") and len(row) - len(row.lstrip(" ")) <= 2):
            break
        end -= 1
    return end


def placements(text: str) -> list[Placement]:
    """Every record of a records file's text (which must read without problems) with its place."""
    lines = lines_of(text)
    found: list[tuple[int, object, yaml.Node]] = []  # (line of the record's first node, data, node)
    for offset, chunk in _chunks(text):
        loader = _Loader(chunk)
        try:
            node = loader.get_single_node()
            if node is None:
                continue
            items = loader.construct_document(node)
        finally:
            loader.dispose()
        found += [(n.start_mark.line + offset, item, n) for item, n in zip(items, node.value, strict=True)]
    dashes = [i for i, row in enumerate(lines) if _ITEM.match(row)]
    out: list[Placement] = []
    for k, (line, data, node) in enumerate(found):
        dash = max(d for d in dashes if d <= line)
        stop = max(d for d in dashes if d <= found[k + 1][0]) if k + 1 < len(found) else len(lines)
        end = _content_end(lines, dash, stop)
        fields: list[tuple[str, int, int]] | None = None
        offset = line - node.start_mark.line
        keys = [(str(key.value), key.start_mark.line + offset, key.start_mark.column) for key, _ in getattr(node, "value", [])]
        if isinstance(node, yaml.MappingNode) and not node.flow_style and keys and keys[0][1] == dash:
            if all(column == 2 for _, _, column in keys) and all(isinstance(k, yaml.ScalarNode) for k, _ in node.value):
                starts = [at for _, at, _ in keys] + [end]
                fields = [(name, at, _content_end(lines, at, starts[i + 1])) for i, (name, at, _) in enumerate(keys)]
        out.append(Placement(data, dash, end, fields))
    return out


class CorpusDumper(yaml.emitter.Emitter, yaml.serializer.Serializer, yaml.representer.SafeRepresenter, _Resolver):
    """YAML as corpus/ writes it, read back by our loader as it was written: our resolver (a date stays
    plain text, `no` a word), lists indented under their key, texts with spaces in double quotes."""

    def __init__(self, stream, **kwargs) -> None:
        yaml.emitter.Emitter.__init__(
            self, stream, allow_unicode=True, width=kwargs.get("width") or 1 << 20, line_break=kwargs.get("line_break")
        )
        yaml.serializer.Serializer.__init__(self, explicit_start=False, explicit_end=False)
        yaml.representer.SafeRepresenter.__init__(self, default_flow_style=None, sort_keys=False)
        _Resolver.__init__(self)

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.representer.SafeRepresenter, value: str) -> yaml.Node:
    style = "|" if "\n" in value else '"' if " " in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _Field(dict):
    """A record's field as a mapping of one key, written in block style whatever its value."""


CorpusDumper.add_representer(str, _represent_str)
CorpusDumper.add_representer(_Field, lambda dumper, v: dumper.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=False))


def dump_field(name: str, value: object, first: bool = False, line_break: str = "\n") -> list[str]:
    """One field of a record as the lines of a records file ("  name: value\n"; "- name: ..." first)."""
    text = yaml.dump(_Field({name: value}), Dumper=CorpusDumper)
    rows = ["  " + row[:-1] + line_break if row.endswith("\n") else "  " + row for row in lines_of(text)]
    if first:
        rows[0] = "- " + rows[0][2:]
    return rows
