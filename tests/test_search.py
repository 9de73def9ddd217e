"""Search folding: FTS5 unicode61 does not fold ł, ё or ß, so a folded column is indexed too."""

from __future__ import annotations

import sqlite3

import pytest

from conftest import Client
from quotecorpus.build import build
from quotecorpus.textutil import fold


def test_fold():
    assert fold("Łódź") == "lodz"
    assert fold("ещё") == "еще"
    assert fold("Straße") == "strasse"
    assert fold("Троцкий") == "троцкий"  # й is a letter of its own, not и with a mark


@pytest.mark.parametrize("query,expected", [("lodz", "nowak-2025-q003"), ("еще", "nowak-2025-q003"), ("ещё", "nowak-2025-q003")])
def test_fts_finds_folded_forms(mini, query, expected):
    build(mini)
    db = sqlite3.connect(mini.db)
    found = [r[0] for r in db.execute("select rowid from quotations_fts where quotations_fts match ?", [query])]
    ids = [db.execute("select id from quotations where rowid = ?", [r]).fetchone()[0] for r in found]
    assert ids == [expected]
    rows = Client(mini).get(f"/corpus/quotations.json?_search={query}&_shape=objects").json()["rows"]
    assert [r["id"] for r in rows] == [expected]
