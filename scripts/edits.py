"""Edits of a corpus as a curator makes them, one record at a time: texts, pages, comments, records
added, removed and moved, speakers and kinds changed, persons, documents and works renamed or given
variants, persons added and removed, and two edits the rules refuse (an unknown speaker, an id used
twice). Each edit is made on the YAML text, so that only the records it touches change.

Used by tests/test_incremental.py (fifty random edits of the real corpus, built incrementally and
compared with a full build) and the scale benchmark (the same at 10,000 quotations).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path

_ITEM = re.compile(r"^-(?=[ \t\r\n]|$)", re.M)


def pieces(text: str) -> list[str]:
    """A records file's text cut into its records' texts (the text before the first goes with it)."""
    starts = [m.start() for m in _ITEM.finditer(text)] or [0]
    starts[0] = 0
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def record_id(piece: str) -> str:
    return re.search(r"^- id: \"?([^\s\"]+)", piece, re.M).group(1)


class Corpus:
    """A corpus folder edited one record at a time, each edit undoable."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng = root, rng
        self.n = 0

    def file(self, name: str) -> Path:
        return self.root / name

    def read(self, name: str) -> list[str]:
        return pieces(self.file(name).read_text(encoding="utf-8"))

    def write(self, name: str, found: list[str]) -> None:
        self.file(name).write_text("".join(found), encoding="utf-8")

    def quotation_files(self) -> list[str]:
        return sorted(f"quotations/{p.name}" for p in (self.root / "quotations").glob("*.yaml"))

    def snapshot(self) -> dict[str, str]:
        return {p.relative_to(self.root).as_posix(): p.read_text(encoding="utf-8") for p in self.root.rglob("*.yaml")}

    def restore(self, saved: dict[str, str]) -> None:
        for p in self.root.rglob("*.yaml"):
            if p.relative_to(self.root).as_posix() not in saved:
                p.unlink()
        for name, text in saved.items():
            if self.file(name).read_text(encoding="utf-8") != text:
                self.file(name).write_text(text, encoding="utf-8")

    def pick(self, name: str, ok: Callable[[str], bool] = lambda p: True) -> tuple[list[str], int] | None:
        found = self.read(name)
        choices = [i for i, p in enumerate(found) if ok(p)]
        return (found, self.rng.choice(choices)) if choices else None

    def referenced(self) -> set[str]:
        """Every id some record names (a parallel, a speaker, a document, a work, an author...)."""
        text = "".join(self.file(n).read_text(encoding="utf-8") for n in self.snapshot())
        return set(re.findall(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+|\b[a-z][a-z0-9]+\b", text))

    # --- the edits: each returns what it did, or None when it found nothing to do it to ------------

    def value(self, name: str, field: str, change: Callable[[str], str], ok: Callable[[str], bool] = lambda p: True) -> str | None:
        found = self.pick(name, lambda p: bool(re.search(rf"^  {field}: ", p, re.M)) and ok(p))
        if found is None:
            return None
        files, i = found
        files[i] = re.sub(rf"^(  {field}: )(.*)$", lambda m: m.group(1) + change(m.group(2)), files[i], count=1, flags=re.M)
        self.write(name, files)
        return f"{field} of {record_id(files[i])} in {name}"

    def text(self, old: str) -> str:
        text = json.loads(old) if old.startswith('"') else old
        return json.dumps(f"{text} (edit {self.n})", ensure_ascii=False)

    def translation(self) -> str | None:
        return self.value(self.rng.choice(self.quotation_files()), "translation", self.text)

    def page(self) -> str | None:
        return self.value(self.rng.choice(self.quotation_files()), "page", lambda v: str(int(v) + self.rng.choice([-1, 1, 7])))

    def comment(self) -> str | None:
        name = self.rng.choice([*self.quotation_files(), "persons.yaml", "documents.yaml", "works.yaml"])
        found = self.pick(name)
        if found is None:
            return None
        files, i = found
        files[i] = files[i].rstrip("\n") + f"\n  # a curator's comment {self.n}\n" + ("\n" if files[i].endswith("\n\n") else "")
        self.write(name, files)
        return f"a comment in {record_id(files[i])}"

    def add_quotation(self) -> str | None:
        name = self.rng.choice(self.quotation_files())
        found = self.pick(name, lambda p: "parallel:" not in p and "nested:" not in p)
        if found is None:
            return None
        files, i = found
        old = record_id(files[i])
        copy = re.sub(r"^- id: .*$", f"- id: {old}-x{self.n}", files[i], count=1, flags=re.M)
        files.insert(self.rng.randrange(len(files) + 1), copy if copy.endswith("\n") else copy + "\n")
        self.write(name, files)
        return f"{old}-x{self.n} added to {name}"

    def remove_quotation(self) -> str | None:
        name = self.rng.choice(self.quotation_files())
        named = self.referenced_by_parallel()
        found = self.pick(name, lambda p: "parallel:" not in p and record_id(p) not in named)
        if found is None:
            return None
        files, i = found
        gone = files.pop(i)
        if i == 0 and files:  # the text before the first record stays where it was
            files[0] = gone[: gone.index("- id:")] + files[0]
        self.write(name, files)
        return f"{record_id(gone)} removed from {name}"

    def referenced_by_parallel(self) -> set[str]:
        text = "".join(self.file(n).read_text(encoding="utf-8") for n in self.quotation_files())
        return {i for line in re.findall(r"^  parallel: \[(.*)\]$", text, re.M) for i in re.split(r",\s*", line)}

    def move_quotation(self) -> str | None:
        name = self.rng.choice(self.quotation_files())
        files = self.read(name)
        if len(files) < 3:
            return None
        i = self.rng.randrange(1, len(files))
        moved = files.pop(i)
        files.insert(self.rng.randrange(1, len(files) + 1), moved)
        self.write(name, files)
        return f"{record_id(moved)} moved in {name}"

    def speaker(self) -> str | None:
        persons = [record_id(p) for p in self.read("persons.yaml")]
        return self.value(self.rng.choice(self.quotation_files()), "speaker", lambda v: self.rng.choice(persons))

    def kind(self) -> str | None:
        return self.value(self.rng.choice(self.quotation_files()), "kind", lambda v: "term" if v == "quotation" else "quotation")

    def rename(self) -> str | None:
        name, field = self.rng.choice([("persons.yaml", "name"), ("documents.yaml", "title"), ("works.yaml", "title")])
        return self.value(name, field, self.text)

    def variants(self) -> str | None:
        return self.value("persons.yaml", "variants", lambda v: v[:-1] + (", " if v != "[]" else "") + f'"Variant {self.n}"]')

    def add_person(self) -> str | None:
        files = self.read("persons.yaml")
        copy = f'- id: person-x{self.n}\n  name: "Person {self.n}"\n  name_original: "Персона {self.n}"\n  variants: []\n\n'
        files.insert(self.rng.randrange(len(files) + 1), copy)
        self.write("persons.yaml", files)
        return f"person-x{self.n} added"

    def remove_person(self) -> str | None:
        named = self.referenced()
        found = self.pick("persons.yaml", lambda p: record_id(p) not in named)
        if found is None:
            return None
        files, i = found
        gone = files.pop(i)
        self.write("persons.yaml", files)
        return f"person {record_id(gone)} removed"

    def unknown_speaker(self) -> str | None:  # refused: no such person
        return self.value(self.rng.choice(self.quotation_files()), "speaker", lambda v: f"nobody-{self.n}")

    def same_id(self) -> str | None:  # refused: a record copied with its id
        name = self.rng.choice(self.quotation_files())
        found = self.pick(name, lambda p: "parallel:" not in p and "nested:" not in p)
        if found is None:
            return None
        files, i = found
        files.insert(self.rng.randrange(len(files) + 1), files[i] if files[i].endswith("\n") else files[i] + "\n")
        self.write(name, files)
        return f"{record_id(files[i])} twice in {name}"

    EDITS = (
        "translation",
        "page",
        "comment",
        "add_quotation",
        "remove_quotation",
        "move_quotation",
        "speaker",
        "kind",
        "rename",
        "variants",
        "add_person",
        "remove_person",
        "unknown_speaker",
        "same_id",
    )

    def edit(self) -> str:
        self.n += 1
        while True:
            done = getattr(self, self.rng.choice(self.EDITS))()
            if done:
                return done
