"""A research question's answer as a reading-room page.

A canned query's rows that are quotations (an `id` column of quotation ids) read as the quotations'
cards, in the query's order, gathered under a heading per document and side by side per passage where
the question says so; rows that are not quotations (works) read as a typeset table whose names link to
their entries and whose `X_id` columns are not shown beside the name they identify. How each question
is presented is part of its definition (db/metadata.QUERIES, its "room"); the JSON, CSV, TEI and TMX of
the query are Datasette's and our renderers' as before: only the HTML is this module's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from quotecorpus import profile as P
from quotecorpus.web.cells import ids_of
from quotecorpus.web.memo import PerFile, file_key
from quotecorpus.web.reading_room import pages

# columns of language codes, in any register: a table shows the language's name
LANGUAGE_COLUMNS = frozenset(f.name for r in P.REGISTERS for f in r.fields if f.type == "lang")


@dataclass
class Group:
    """Rows under one heading (a document), and within it the passages printed side by side."""

    key: str | None
    heading: dict | None  # the document row: its id, title and date in words
    passages: list[list[dict]] = field(default_factory=list)  # each: the items (card + extras) of one passage


def _label(column: str, labels: dict[str, str]) -> str:
    return labels.get(column) or column.replace("_", " ").capitalize()


MAX_CHOICES = 200  # a parameter naming an entry is a list to choose from up to this many entries, else typed


_CHOICES = PerFile()  # per database file and register: its entries by label, or None when too many


async def _choices(db, param: str, ids: dict) -> list[tuple[str, str]] | None:
    """The entries a parameter that names one (an article, a document: a reference of the quotations)
    can name, by label; None for any other parameter, or when there are too many to list. Sorted once
    per file: the ids are 226,000 at 100,000 quotations."""
    table = P.QUOTATIONS.single_references().get(param)
    if table is None:
        return None

    async def sort() -> list[tuple[str, str]] | None:
        found = sorted(((i, e.label) for i, e in ids.items() if e.table == table), key=lambda c: (c[1], c[0]))
        return found if len(found) <= MAX_CHOICES else None

    return await _CHOICES.get((*file_key(db), table), sort)


def waiting_for(room: dict, params: dict[str, str]) -> bool:
    """True while a parameter the answer needs (one the question asks for) is empty."""
    return bool(room.get("ask")) and any(not (params.get(p) or "").strip() for p in room.get("params", {}))


async def answer(db, room: dict, columns: list[str], rows: list, display_rows: list, params: dict[str, str]) -> dict:
    """What the research page shows: `kind` "cards" (with groups) or "table" (columns and cells), the
    parameters' labels, and what to say when there is nothing to show."""
    ids = await ids_of(db) or {}
    out: dict = {
        "params": [
            {
                "name": p,
                "label": room.get("params", {}).get(p, _label(p, {})),
                "value": params.get(p, ""),
                "choices": await _choices(db, p, ids),
            }
            for p in params
        ],
        "ask": room.get("ask") if waiting_for(room, params) else None,
        "empty": room.get("empty") or "No record answers this question.",
        "count": len(rows),
    }
    quotations = "id" in columns and rows and all(ids.get(r["id"]) and ids[r["id"]].table == "quotations" for r in rows)
    if not quotations:
        return out | {"kind": "table", **_table(db, columns, rows, display_rows, room, ids)}
    return out | {"kind": "cards", "groups": await _groups(db, room, rows, ids)}


async def _groups(db, room: dict, rows: list, ids: dict) -> list[Group]:
    shown = {c["id"]: c for c in await pages.cards(db, list(dict.fromkeys(r["id"] for r in rows)))}
    extras = room.get("extras", {})
    group_by, pair_by = room.get("group"), room.get("pair")
    documents = await pages.by_id(db, "documents", {r[group_by] for r in rows}) if group_by else {}
    groups: list[Group] = []
    for r in rows:
        key = r[group_by] if group_by else None
        if not groups or groups[-1].key != key:
            doc = documents.get(key) if key else None
            heading = {"id": key, "title": doc.get("title") or key, "date": doc.get("date")} if doc else None
            groups.append(Group(key, heading))
        item = {
            "card": shown.get(r["id"]),
            "extras": [
                {"column": c, "label": _label(c, extras), "value": _linked(db, ids, r[c])}
                for c in extras
                if c in r.keys() and r[c] not in (None, "")
            ],
        }
        passage = r[pair_by] if pair_by else r["id"]
        passages = groups[-1].passages
        if passages and pair_by and passages[-1][0]["passage"] == passage:
            passages[-1].append(item | {"passage": passage})
        else:
            passages.append([item | {"passage": passage}])
    return groups


def _linked(db, ids: dict, value) -> object:
    """A value that is an id, or ids a query joined with ", ", as links to their pages."""
    parts = value.split(", ") if isinstance(value, str) else []
    if not parts or not all(p in ids for p in parts):
        return value
    return Markup(", ").join(Markup('<a href="{}">{}</a>').format(db.ds.urls.row(db.name, ids[p].table, p), p) for p in parts)


def _table(db, columns: list[str], rows: list, display_rows: list, room: dict, ids: dict) -> dict:
    """The columns a typeset table shows and its cells: an `X_id` beside its `X` (or named in "links")
    is the link of that cell, not a column of its own; a cell's text carries its language where the
    question names the column that gives it; the other cells are Datasette's (web/cells.py)."""
    links = dict(room.get("links", {}))
    for c in columns:
        if c.endswith("_id") and c[:-3] in columns:
            links.setdefault(c[:-3], c)
    hidden = set(links.values())
    shown = [(i, c) for i, c in enumerate(columns) if c not in hidden]
    lang = room.get("lang", {})
    out_rows = []
    for row, display in zip(rows, display_rows, strict=True):
        cells = []
        for i, c in shown:
            html = display[i]
            target = row[links[c]] if c in links else None
            if target in ids and row[c] not in (None, ""):
                url = db.ds.urls.row(db.name, ids[target].table, target)
                html = Markup('<a href="{}">{}</a>').format(url, row[c])
            elif c in LANGUAGE_COLUMNS and isinstance(row[c], str):
                html = P.LANG_NAMES.get(row[c], row[c])
            empty = row[c] in (None, "", "[]")
            cells.append(
                {"column": c, "html": html, "lang": lang_of(row, lang.get(c, [])), "id": c == "id" or c.endswith("_id"), "empty": empty}
            )
        out_rows.append(cells)
    return {"columns": [{"name": c, "label": _label(c, {}), "id": c == "id" or c.endswith("_id")} for _, c in shown], "rows": out_rows}


def lang_of(row, sources: list[str]) -> str | None:
    """The language of a cell's text: the first of its language columns that has a value."""
    for s in sources:
        if s in row.keys() and row[s]:
            return row[s]
    return None
