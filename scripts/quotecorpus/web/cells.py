"""Table and query cells a historian reads, not decodes (HTML pages only).

* An id links to its row page, in the register it belongs to: `id`, `*_id` and the columns that
  point into a register (the profile's references: speaker, addressee, document, author, works...).
  Which register is looked up, not guessed from the column: the ids of all registers are one name
  space (they are the TEI xml:ids of one edition), so an id names one row. A label column beside its
  `X_id` (speaker beside speaker_id in the canned queries) links to the same page.
* A JSON list (variants, works, parallel, cited_in, date_alternatives, certainty_details, or any
  other list of texts or records) reads as text: "Himmer 1976: n. 17; Nowak 2025: pp. 110, 111".

Datasette calls render_cell for the HTML of table, row and query pages only: JSON and CSV keep the
stored values.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from datasette.utils import tilde_encode
from markupsafe import Markup, escape

from quotecorpus import profile as P
from quotecorpus.db.cursor import plain_cursor
from quotecorpus.web.memo import PerFile, file_key

# Columns whose values are ids of register entries (or lists of them): every reference the profile
# declares (a field's `ref`, a derived column's), and `id`.
ID_COLUMNS = frozenset({"id", *P.reference_columns()})
# How the items of a JSON list are joined: " | " where an item may hold a semicolon itself.
SEPARATORS = {"date_alternatives": " or ", "certainty_details": " | ", "variants": " | "}
SEPARATOR = "; "


class Entry(NamedTuple):
    """An id's register and what a link to it says (a tuple: at 100,000 quotations a file has 226,000
    ids, and a frozen dataclass made each in a third of a second more)."""

    table: str
    label: str


_IDS = PerFile(keep=4)  # per database file version: its ids (a long-running server sees a new file with every build)


def _article_short(author: str | None, year: object, fallback: str) -> str:
    """An article as cited in passing: "Himmer 1976"."""
    surname = (author or "").split()[-1:] or [fallback]
    return f"{surname[0]} {year}" if year else surname[0]


async def _read_ids(db) -> dict[str, Entry] | None:
    tables = set(await db.table_names())
    if "quotations" not in tables:
        return None  # not a database in our contract: its cells are Datasette's own
    queries: list[tuple[str, str]] = []
    for register in P.REGISTERS:
        if register.name not in tables:
            continue
        label = register.label if register.label in {c.name for c in register.columns} else "id"
        columns = "id, author, year" if register.name == "articles" else f"id, [{label}]"
        queries.append((register.name, f"select {columns} from [{register.name}]"))

    def read(conn) -> dict[str, Entry]:
        # once per database file, outside the SQL time limit: at 100,000 quotations these are 226,000
        # rows, and on a cold cache, beside a search ranking 50,000 matches, one query took over 1 s (a 500);
        # the entries made in the SQL thread too, so that the server's loop goes on answering meanwhile
        cursor = plain_cursor(conn)
        found: dict[str, Entry] = {}
        for table, sql in queries:
            rows = cursor.execute(sql).fetchall()
            if table == "articles":
                found.update({rid: Entry(table, _article_short(author, year, rid)) for rid, author, year in rows})
            else:
                found.update({rid: Entry(table, label or rid) for rid, label in rows})
        return found

    return await db.execute_fn(read)


async def ids_of(db) -> dict[str, Entry] | None:
    """Every id of the registers of a database, with its register and label, or None when the database
    is not in our contract; read once per file version (a served database is immutable, and its ids
    are a few per quotation)."""
    return await _IDS.get(file_key(db), lambda: _read_ids(db))


def _sibling(row, column: str):
    try:
        return row[column]
    except (IndexError, KeyError, TypeError):
        return None


def _link(datasette, database: str, value: str, entry: Entry, text: str) -> Markup:
    url = datasette.urls.row(database, entry.table, tilde_encode(value))
    return Markup('<a href="{}" title="{}">{}</a>').format(url, value, text)


def _as_list(value) -> list | None:
    """A JSON list stored as text, or None for anything else."""
    if not isinstance(value, str) or not value.startswith("["):
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    return parsed if isinstance(parsed, list) else None


def _item(datasette, database: str, ids: dict[str, Entry], item, show_label: bool) -> Markup:
    if isinstance(item, str) and item in ids:
        return _link(datasette, database, item, ids[item], ids[item].label if show_label else item)
    if isinstance(item, dict):
        return _record(datasette, database, ids, item)
    return escape("" if item is None else str(item))


def _record(datasette, database: str, ids: dict[str, Entry], item: dict) -> Markup:
    """A record of a list: a citation {article, where}, a certainty {of, cert, reason}, or key: value."""
    if "article" in item and "where" in item:
        return Markup("{}: {}").format(_item(datasette, database, ids, item["article"], True), item["where"])
    if "of" in item and "cert" in item:
        return Markup("{} ({}){}").format(item["of"], item["cert"], f": {item['reason']}" if item.get("reason") else "")
    return Markup(", ").join(Markup("{}: {}").format(k, v) for k, v in item.items())


def _cited_in(datasette, database: str, ids: dict[str, Entry], items: list) -> Markup:
    """Where the articles cite an entry, one article at a time: "Himmer 1976: n. 17, p. 670"."""
    by_article: dict[str, list[str]] = {}
    for item in items:
        if isinstance(item, dict) and "article" in item:
            by_article.setdefault(item["article"], []).append(str(item.get("where", "")))
    return Markup(SEPARATOR).join(
        Markup("{}: {}").format(_item(datasette, database, ids, article, True), ", ".join(wheres)) for article, wheres in by_article.items()
    )


async def _render(row, value: str, column: str, database: str, datasette) -> Markup | None:
    ids = await ids_of(datasette.get_database(database))
    if ids is None:
        return None
    items = _as_list(value)
    if items is not None:
        if not items:
            return Markup("&nbsp;")
        if column == "cited_in" and all(isinstance(i, dict) and "article" in i for i in items):
            return _cited_in(datasette, database, ids, items)
        parts = [_item(datasette, database, ids, i, show_label=column != "parallel") for i in items]
        return Markup(SEPARATORS.get(column, SEPARATOR)).join(parts)
    if value in ids and (column in ID_COLUMNS or column.endswith("_id")):
        # an id column says the id (its label is beside it); a pointer column says what it points to
        plain = column == "id" or column.endswith("_id") or ids[value].table == "quotations"
        return _link(datasette, database, value, ids[value], value if plain else ids[value].label)
    if column in {"parallel", "part_of"} and ", " in value:  # ids a query aggregated: "a, b"
        parts = value.split(", ")
        if all(p in ids for p in parts):
            return Markup(", ").join(_link(datasette, database, p, ids[p], p) for p in parts)
    target = _sibling(row, column + "_id")
    if isinstance(target, str) and target in ids:
        return _link(datasette, database, target, ids[target], value)
    return None


def render_cell(row, value, column, table, database, datasette):
    # Cheap tests first, without the database: most cells are texts and numbers to leave as they are.
    # None, numbers and the {value, label} of expanded foreign keys are Datasette's own to render.
    if not isinstance(value, str) or not value or database not in datasette.databases:
        return None
    if not (value.startswith("[") or column in ID_COLUMNS or column.endswith("_id") or isinstance(_sibling(row, column + "_id"), str)):
        return None
    return _render(row, value, column, database, datasette)
