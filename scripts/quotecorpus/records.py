"""Read curated YAML records, keeping the line of every record and field for error messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import Problem, RecordError
from .profile import REGISTERS, Register


@dataclass
class Record:
    register: Register
    path: str  # as shown in messages, relative to the corpus root's parent
    line: int  # 1-based line of the record's first key
    data: dict
    lines: dict[str, int] = field(default_factory=dict)  # field name -> 1-based line

    @property
    def id(self) -> str:
        return str(self.data.get("id", "?"))

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.line)

    def problem(self, name: str | None, message: str) -> Problem:
        line = self.line_of(name) if name else self.line
        return Problem(self.path, line, f"{self.register.singular} {self.id}: {message}")


@dataclass
class Corpus:
    root: Path
    records: dict[str, list[Record]]  # register name -> records in file order

    def ids(self, register: str) -> set[str]:
        return {r.id for r in self.records.get(register, [])}

    def by_id(self, register: str) -> dict[str, dict]:
        return {r.id: r.data for r in self.records.get(register, [])}


def _plain(value):
    """YAML turns 1920-07-23 into a date and 1920 into an int; the record model wants ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# libyaml's loader when PyYAML has it (it composes the same nodes, with their lines, many times faster).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_file(path: Path, register: Register, shown: str) -> tuple[list[Record], list[Problem]]:
    """Parse one YAML file into records; YAML and shape errors become Problems, not exceptions."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        return [], [Problem(shown, 1, f"not UTF-8 ({e.reason} at byte {e.start})")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else []
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        what = getattr(e, "problem", None) or str(e)
        context, cmark = getattr(e, "context", None), getattr(e, "context_mark", None)
        if context and cmark:
            what += f" ({context} that starts at line {cmark.line + 1})"
        return [], [Problem(shown, line, f"malformed YAML: {what}")]
    finally:
        loader.dispose()
    if data is None:
        return [], []
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        return [], [Problem(shown, 1, f"expected a list of {register.name} records, found {type(data).__name__}")]
    records, problems = [], []
    for item, item_node in zip(data, node.value, strict=True):
        line = item_node.start_mark.line + 1
        if not isinstance(item, dict):
            problems.append(Problem(shown, line, f"expected a {register.singular} record (a mapping), found {type(item).__name__}"))
            continue
        lines = {}
        for key_node, _ in item_node.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 1
        records.append(Record(register, shown, line, {str(k): _plain(v) for k, v in item.items()}, lines))
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
