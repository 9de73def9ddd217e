"""The corpus in time: every month from the first date to the last, with how many quotations are
dated in it and how many may fall in it (a month-only, uncertain or ranged date that covers it),
each linking to those quotations in date order (by date_from and date_to: issue 13's columns)."""

from __future__ import annotations

import calendar

from quotecorpus.profile import MONTHS

SQL = "select date_from, date_to from quotations where date_from is not null"


def months(rows: list[tuple[str, str]]) -> list[dict]:
    """One entry per month from the earliest to the latest date, oldest first: {year, month, label,
    start, end, within (dated inside it), overlapping (may fall in it)}."""
    if not rows:
        return []
    first = min(r[0] for r in rows)[:7]
    last = max(r[1] for r in rows)[:7]
    out = []
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        start = f"{year:04d}-{month:02d}-01"
        end = f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
        within = sum(1 for a, b in rows if a >= start and b <= end)
        falling = frozenset(i for i, (a, b) in enumerate(rows) if a <= end and b >= start)
        out.append(
            {"year": year, "month": month, "label": f"{MONTHS[month - 1]} {year}", "start": start, "end": end}
            | {"within": within, "overlapping": len(falling), "_falling": falling}
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _merged(out, rows)


def _merged(found: list[dict], rows: list[tuple[str, str]]) -> list[dict]:
    """Months of one year in which no quotation is dated more closely than the months together, and the
    same quotations may fall (or none), as one row ("January–December 1918" for a quotation dated "1918"):
    a month each would repeat the same quotation, or nothing, down the page."""
    out: list[dict] = []
    for m in found:
        prev = out[-1] if out else None
        if (
            prev
            and prev["year"] == m["year"]
            and not m["within"]
            and m["_falling"]
            and m["_falling"] == prev["_falling"]
            and not prev["_single"]
        ):
            prev["end"] = m["end"]
            prev["label"] = f"{MONTHS[prev['month'] - 1]}–{MONTHS[m['month'] - 1]} {m['year']}"
            prev["within"] = sum(1 for a, b in rows if a >= prev["start"] and b <= prev["end"])
            continue
        out.append(m | {"_single": bool(m["within"])})
    return [{k: v for k, v in m.items() if not k.startswith("_")} for m in out]


async def timeline(db) -> dict:
    rows = [(r[0], r[1]) for r in await db.execute(SQL)]
    undated = (await db.execute("select count(*) from quotations where date_from is null")).first()[0]
    found = months(rows)
    years: dict[int, list[dict]] = {}
    for m in found:
        years.setdefault(m["year"], []).append(m)
    peak = max((m["overlapping"] for m in found), default=1) or 1
    return {"years": years, "undated": undated, "dated": len(rows), "peak": peak}
