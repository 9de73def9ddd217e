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
        overlapping = sum(1 for a, b in rows if a <= end and b >= start)
        out.append(
            {"year": year, "month": month, "label": f"{MONTHS[month - 1]} {year}", "start": start, "end": end}
            | {"within": within, "overlapping": overlapping}
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


async def timeline(db) -> dict:
    rows = [(r[0], r[1]) for r in await db.execute(SQL)]
    undated = (await db.execute("select count(*) from quotations where date_from is null")).first()[0]
    found = months(rows)
    years: dict[int, list[dict]] = {}
    for m in found:
        years.setdefault(m["year"], []).append(m)
    peak = max((m["overlapping"] for m in found), default=1) or 1
    return {"years": years, "undated": undated, "dated": len(rows), "peak": peak}
