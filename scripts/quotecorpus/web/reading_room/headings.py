"""A list of quotations headed in words: "Russian quotations — printed originals first", "August 1920",
"Search: Chicherin Germany"; and the month before and after a month's view.

The words are made from the address's own filters (the profile's reference and language fields, the
date window the timeline links to); an address with filters these words cannot say is headed by what
they can say, and Datasette's description of the filters stays beside it.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass

from quotecorpus import profile as P
from quotecorpus.profile.present import MONTHS

# the timeline's month links: the quotations whose dates may fall in the month
MONTH_FROM, MONTH_TO = "date_from__lte", "date_to__gte"
KIND_WORDS = {"quotation": "quotations", "term": "terms", "abstract": "abstract fragments"}
LANGUAGE_FIELDS = frozenset(f.name for f in P.QUOTATIONS.fields if f.type == "lang")
PERSON_WORDS = {"speaker": "of", "addressee": "to"}


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def first(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-01"

    @property
    def last(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{calendar.monthrange(self.year, self.month)[1]:02d}"

    @property
    def words(self) -> str:
        return f"{MONTHS[self.month - 1]} {self.year}"

    def step(self, by: int) -> Month:
        n = self.year * 12 + self.month - 1 + by
        return Month(n // 12, n % 12 + 1)


def _span(args) -> tuple[Month, Month] | None:
    """The first and last month of a view's date window when it covers whole months exactly (as the
    timeline links a month or a row of months); None for any other window."""
    last, first = args.get(MONTH_FROM) or "", args.get(MONTH_TO) or ""
    try:
        start, end = Month(int(first[:4]), int(first[5:7])), Month(int(last[:4]), int(last[5:7]))
    except ValueError:
        return None
    if (
        not (1 <= start.month <= 12 and 1 <= end.month <= 12)
        or start.first != first
        or end.last != last
        or (end.year, end.month) < (start.year, start.month)
    ):
        return None
    return start, end


def month_of(args) -> Month | None:
    """The month a view shows, when its date window is exactly one month."""
    span = _span(args)
    return span[0] if span and span[0] == span[1] else None


def span_words(args) -> str | None:
    """The months a view's date window covers, in words: "August 1920", "January–December 1918",
    "November 1919 – February 1920"; None when it does not cover whole months exactly."""
    span = _span(args)
    if span is None:
        return None
    start, end = span
    if start == end:
        return start.words
    if start.year == end.year:
        return f"{MONTHS[start.month - 1]}–{end.words}"
    return f"{start.words} – {end.words}"


def month_links(args, path_with_args) -> dict | None:
    """The previous and next month's address, with every other argument kept."""
    m = month_of(args)
    if m is None:
        return None
    return {
        "month": m.words,
        "previous": {
            "words": m.step(-1).words,
            "url": path_with_args({MONTH_FROM: m.step(-1).last, MONTH_TO: m.step(-1).first, "_next": None}),
        },
        "next": {"words": m.step(1).words, "url": path_with_args({MONTH_FROM: m.step(1).last, MONTH_TO: m.step(1).first, "_next": None})},
    }


def heading(args, named: Callable[[str], str | None], search: str, order: str | None, relevance: bool) -> str:
    """The heading of a list of quotations in words; `named(id)`: the name of a register entry, or None."""
    if search.strip():
        return f"Search: {search.strip()}"
    span = span_words(args)
    words = []
    languages = [P.LANG_NAMES.get(args.get(f), args.get(f)) for f in sorted(LANGUAGE_FIELDS) if args.get(f)]
    kind = args.get("kind")
    noun = KIND_WORDS.get(kind, "quotations") if kind else "quotations"
    words.append(" ".join([*languages, noun]) if languages else noun.capitalize())
    for field, word in PERSON_WORDS.items():
        if args.get(field):
            words.append(f"{word} {named(args.get(field)) or args.get(field)}")
    if args.get("article"):
        words.append(f"in {named(args.get('article')) or args.get('article')}")
    if args.get("document"):
        words.append(f"in {named(args.get('document')) or args.get('document')}")
    text = " ".join(words)
    if span:
        text = span if text == "Quotations" else f"{span}: {text}"
    if order == "printed":
        text += " — printed originals first"
    elif order == "date" and not span:
        text += " — in date order"
    return text
