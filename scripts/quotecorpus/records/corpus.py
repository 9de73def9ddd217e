"""Read curated YAML records, keeping the line of every record and field for error messages."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from quotecorpus.errors import Problem, RecordError
from quotecorpus.profile import REGISTERS, Register


@functools.lru_cache(maxsize=8)
def _file_lines(file: Path) -> list[str]:
    return file.read_text(encoding="utf-8").split("\n")


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

if CParser is not None:  # libyaml's parser: the same nodes, with their lines, many times faster

    class _Loader(CParser, yaml.constructor.SafeConstructor, _Resolver):  # as yaml.CSafeLoader, with our resolver
        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)

else:

    class _Loader(  # type: ignore[no-redef]  # as yaml.SafeLoader, with our resolver
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, yaml.constructor.SafeConstructor, _Resolver
    ):
        def __init__(self, stream: str):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)


MAX_FILE_BYTES = 512 * 1024 * 1024  # a records file larger than this is refused before it is read
MAX_DEPTH = 8  # a record, a field, a list, an entry, its value: deeper nesting is no record of ours
CHUNK_ITEMS = 1000  # records composed at a time: the YAML nodes of one chunk are in memory, not the file's


_KEY = re.compile(r"^(?:- |  )([A-Za-z_]\w*):")  # a record's field, at the start of its line


def _field_at(text: str, line: int) -> str:
    """The field a line of a records file belongs to: the nearest record-level key at or above it."""
    lines = text.split("\n", line)[:line]
    for row in reversed(lines):
        m = _KEY.match(row)
        if m:
            return f" (in field '{m.group(1)}')"
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


_FLOW_RUN = re.compile(r"(?:[\[{][ \t\r\n]*){%d,}" % (MAX_DEPTH + 1))


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


def cut(data: bytes) -> list[Piece]:
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


def read_file(path: Path, register: Register, shown: str) -> tuple[list[Record], list[Problem]]:
    """Parse one YAML file into records; YAML and shape errors become Problems, not exceptions."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return [], [Problem(shown, 1, f"{size:,} bytes: larger than the {MAX_FILE_BYTES:,} a records file may be; split it")]
    data = path.read_bytes()
    try:
        data.decode("utf-8")  # the first byte that is not UTF-8, before anything else is said of the file
    except UnicodeDecodeError as e:
        return [], [_not_utf8(shown, data, e, 0)]
    pieces = cut(data)
    return read_pieces(path, register, shown, data, pieces, range(len(pieces)))


def read_pieces(
    path: Path, register: Register, shown: str, data: bytes, pieces: list[Piece], which: Iterable[int]
) -> tuple[list[Record], list[Problem]]:
    """The records of some pieces of a file (`data`, cut into `pieces`), each run of consecutive pieces
    composed on its own: an incremental build reads only the records whose text changed. A record
    knows its piece when the file is a block sequence of records (one record per piece)."""
    records: list[Record] = []
    problems: list[Problem] = []
    runs = _runs(pieces, sorted(which))
    for first, end in runs:
        a, b = pieces[first].start, pieces[end - 1].end
        try:
            chunk = data[a:b].decode("utf-8")
        except UnicodeDecodeError as e:
            return [], [_not_utf8(shown, data, e, a)]
        offset = pieces[first].line - 1
        deep = _too_deep(chunk, shown)
        if deep:
            return [], [Problem(deep.path, deep.line + offset, deep.message)]
        loader = _Loader(chunk)
        try:
            node = loader.get_single_node()
            if node is None:
                continue
            found = _check_node(node, shown)
            if found:
                return [], [Problem(found.path, found.line + offset, found.message)]
            if not isinstance(node, yaml.SequenceNode):
                return [], [Problem(shown, 1, f"expected a list of {register.name} records, found {node.tag.rsplit(':', 1)[-1]}")]
            items = loader.construct_document(node)
        except yaml.YAMLError as e:
            if len(runs) > 1 or (first, end) != (0, len(pieces)):  # the same error, from the whole file: its own line and context
                text = data.decode("utf-8", errors="replace")
                try:
                    _Loader(text).get_single_node()
                except yaml.YAMLError as whole:
                    return [], [_yaml_problem(shown, whole, text, 0)]
            return [], [_yaml_problem(shown, e, chunk, offset)]
        except (ValueError, TypeError, OverflowError, RecursionError) as e:
            return [], [Problem(shown, 1 + offset, f"malformed YAML: {str(e)[:200]}")]
        finally:
            loader.dispose()
        own = len(items) == end - first  # else a file our cutting does not follow (a flow sequence): no pieces
        for n, (item, item_node) in enumerate(zip(items, node.value, strict=True)):
            line = item_node.start_mark.line + 1 + offset
            if not isinstance(item, dict):
                problems.append(Problem(shown, line, f"expected a {register.singular} record (a mapping), found {type(item).__name__}"))
                continue
            piece = pieces[first + n] if own else None
            records.append(Record(register, shown, line, {str(k): v for k, v in item.items()}, path, piece=piece))
    return records, problems


def load_corpus(root: Path) -> Corpus:
    """Read every register's files under `root` (a corpus/ folder). Raises RecordError on unreadable files."""
    root = Path(root)
    records: dict[str, list[Record]] = {}
    problems: list[Problem] = []
    for register in REGISTERS:
        paths = sorted(root.glob(register.files))
        records[register.name] = []
        for path in paths:
            shown = f"{root.name}/{path.relative_to(root).as_posix()}"
            recs, probs = read_file(path, register, shown)
            records[register.name].extend(recs)
            problems.extend(probs)
    if not any(root.glob("*.yaml")) and not any(root.glob("quotations/*.yaml")):
        problems.append(Problem(root.name, 0, "no corpus records found"))
    if problems:
        raise RecordError(problems)
    return Corpus(root, records)
