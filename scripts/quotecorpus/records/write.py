"""Writing records into corpus/ files, changing only what changed.

A curated file is a person's work: its comments, blank lines, quoting and order of keys are theirs. So
a file is never dumped anew. Its text is patched: a record whose data did not change keeps its lines
byte for byte; in a changed record only the lines of the changed fields are written anew (in the
style of corpus/, records.corpus.CorpusDumper), a removed record's lines go (with the comment lines
just above it), an added record is appended. The result is read back before it is written, and must
hold exactly the records asked for: otherwise nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from quotecorpus import profile as P
from quotecorpus.errors import QuotecorpusError
from quotecorpus.records.corpus import Placement, dump_field, lines_of, placements, read_text


class WriteRefused(QuotecorpusError):
    """A file could not be patched into exactly the records asked for: nothing was written."""


def canonical(register: P.Register, rec: dict) -> dict:
    """A record as data, for comparing: no empty fields, corrections in a stable order."""
    out = {}
    for f in register.fields:
        v = rec.get(f.name)
        if v is None or v == [] or v == "":
            continue
        if f.name == "corrections" and isinstance(v, list):
            v = sorted(v, key=lambda c: (c.get("in", "original"), c["sic"], c["corr"]))
            v = [{k: c[k] for k in ("sic", "corr", "in") if k in c and not (k == "in" and c[k] == "original")} for c in v]
        out[f.name] = v
    return out


def render(register: P.Register, rec: dict, line_break: str = "\n") -> list[str]:
    """A new record's lines, its fields in the profile's order."""
    names = [f.name for f in register.fields if rec.get(f.name) not in (None, [], "")]
    return [row for i, name in enumerate(names) for row in dump_field(name, rec[name], first=i == 0, line_break=line_break)]


def _leading_comments(lines: list[str], dash: int, floor: int) -> int:
    """The first of the comment lines right above a record (no blank line between): they introduce it."""
    start = dash
    while start > floor and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    return start


def _patch_record(register: P.Register, lines: list[str], placed: Placement, new: dict, line_break: str) -> list[str]:
    """The lines of a changed record: the changed fields written anew, the others as they were. The
    comment lines right above a field are its own: they stay with it."""
    if placed.fields is None or not isinstance(placed.data, dict):
        return render(register, new, line_break)
    old_c, new_c = canonical(register, placed.data), canonical(register, new)
    order = {f.name: i for i, f in enumerate(register.fields)}
    floors = [placed.dash] + [end for _, _, end in placed.fields[:-1]]
    leads = [_leading_comments(lines, start, floor) for (_, start, _), floor in zip(placed.fields, floors, strict=True)]
    leads.append(placed.end)
    kept: list[tuple[str, list[str]]] = []  # (field name, its comments, lines and what follows it up to the next field's)
    for i, (name, start, end) in enumerate(placed.fields):
        lead, own, gap = lines[leads[i] : start], lines[start:end], lines[end : leads[i + 1]]
        if start == placed.dash:
            own = ["  " + own[0][2:], *own[1:]]  # the dash goes on whatever field ends up first
        if old_c.get(name) == new_c.get(name):
            kept.append((name, lead + own + gap))
        elif name in new_c:
            kept.append((name, lead + dump_field(name, new[name], line_break=line_break) + gap))
        else:
            kept.append((name, gap))  # a field removed, with the comments above it
    for name in (n for n in new_c if n not in {k for k, _ in kept}):
        at = next((i for i, (k, _) in enumerate(kept) if order.get(k, len(order)) > order[name]), len(kept))
        kept.insert(at, (name, dump_field(name, new[name], line_break=line_break)))
    rows = [row for _, block in kept for row in block]
    first = next(i for i, row in enumerate(rows) if row.strip() and not row.lstrip().startswith("#"))
    rows[first] = "- " + rows[first][2:]
    return rows


def rewrite(text: str | None, register: P.Register, records: Iterable[dict], shown: str) -> str:
    """The text of a records file that holds `records` (in order: those already in the file where they
    stand, new ones at the end), made from `text` by changing only what differs."""
    records = list(records)
    result = _rewrite(text, register, records)
    _check(result, register, records, shown)
    return result


def _rewrite(text: str | None, register: P.Register, records: list[dict]) -> str:
    if text is None or not text.strip():
        return "\n".join("".join(render(register, r)) for r in records) or "[]\n"
    lines = lines_of(text)
    placed = placements(text)
    wanted = {r["id"]: r for r in records}
    line_break = next((row[len(row.rstrip("\r\n")) :] for row in lines if row.endswith(("\n", "\r"))), "\n")
    if not placed:  # "[]" or only comments: the comments stay, the records follow them
        head = [row for row in lines if row.lstrip().startswith("#") or not row.strip()]
        body = line_break.join("".join(render(register, r, line_break)) for r in records)
        return "".join(head) + (body or "[]" + line_break)
    out: list[str] = []
    # the comment lines right above a record are its own, but above the first: those are the file's header
    starts = [_leading_comments(lines, p.dash, placed[i - 1].end) if i else p.dash for i, p in enumerate(placed)]
    out += lines[: starts[0]]
    seen: set[str] = set()
    removed: list[int] = []
    for i, p in enumerate(placed):
        block_end = starts[i + 1] if i + 1 < len(placed) else len(lines)
        rid = p.data.get("id") if isinstance(p.data, dict) else None
        if rid not in wanted or rid in seen:
            # removed (or a second record of the same id): its lines, the comments right above it and the
            # blank lines after it go; a comment further down (a section's heading) stays
            after = p.end
            while after < block_end and not lines[after].strip():
                after += 1
            out += lines[after:block_end]
            removed.append(i)
            continue
        seen.add(rid)
        new = wanted[rid]
        if canonical(register, p.data) == canonical(register, new):
            out += lines[starts[i] : block_end]
        else:
            out += lines[starts[i] : p.dash] + _patch_record(register, lines, p, new, line_break) + lines[p.end : block_end]
    if removed and removed[-1] == len(placed) - 1:
        while out and not out[-1].strip():
            out.pop()  # the last record removed: the blank lines that stood before it go too
    added = [r for r in records if r["id"] not in seen]
    if added:
        if out and not out[-1].endswith(("\n", "\r")):
            out[-1] += line_break
        for r in added:
            if out and out[-1].strip():
                out.append(line_break)  # records stand apart, as in corpus/
            out += render(register, r, line_break)
    if not any(row.strip() and not row.lstrip().startswith("#") for row in out):
        out.append("[]" + line_break)
    return "".join(out)


def _check(text: str, register: P.Register, records: list[dict], shown: str) -> None:
    """What was made reads back as exactly the records asked for, in their order."""
    found, problems = [], []
    for recs, wrong in read_text(text, register, shown):
        found += recs
        problems += wrong
    if problems or [canonical(register, r.data) for r in found] != [canonical(register, r) for r in records]:
        why = str(problems[0]) if problems else "the records read back differ from those asked for"
        raise WriteRefused(f"{shown}: could not be written without changing what did not change ({why}); nothing was written")


def write_files(texts: dict[Path, str]) -> None:
    """Write each file whole or not at all (a temporary file beside it, renamed over it)."""
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.import-{os.getpid()}")
        tmp.write_text(text, encoding="utf-8", newline="")
        os.replace(tmp, path)
