"""Every page a historian reads, in a real headless Chromium at 1280 and 390 px: axe-core finds no
critical or serious violation, nothing is wider than the screen, one h1 and no skipped heading level,
the page's language on <html>, one main landmark; the research pages' tables fit and their ids do not
wrap; a quotation page prints without the site's machinery. A screenshot of each page at each width is
kept in tests/artifacts/screenshots/ (a11y-NAME-WIDTH.png) for a person to look at.

axe-core comes from the npm registry, pinned in scripts/browser/package-lock.json; `scripts/dev setup`
installs it (npm ci) when npm is there, and `.ci/run` installs npm. Without it, or without Chromium,
these tests skip and say how to enable them.
"""

from __future__ import annotations

import json

import pytest

from conftest import SCREENSHOTS
from quotecorpus.db.metadata import QUERIES
from quotecorpus.layout import ROOT

AXE = ROOT / "scripts" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
AXE_HOW_TO_ENABLE = "axe-core is not installed: install npm (apt-get install npm), then run scripts/dev setup (npm ci in scripts/browser/)"
WIDTHS = (1280, 390)
# The parameters a research question is asked with on its page here.
QUESTION_ARGS = {
    "by_person": "?person=Kopp",
    "same_document": "?document=",
    "documents_across_articles": "?document=",
    "german_sources": "?article=",
}
PAGES = {
    "home": "/",
    "quotation": "/corpus/quotations/nowak-2025-q017",
    "quotation-english-only": "/corpus/quotations/himmer-1976-q041",
    "person": "/corpus/persons/kopp",
    "document": "/corpus/documents/doc-chicherin-simons-1920-08-02",
    "language": "/corpus/quotations?language=ru",
    "search": "/corpus/quotations?_search=Chicherin+Germany",
    "month": "/corpus/quotations?date_from__lte=1920-08-31&date_to__gte=1920-08-01&_sort=date",
    "timeline": "/timeline",
    "not-found": "/corpus/quotations/no-such-quotation",
    "question-by_person-empty": "/corpus/by_person",
    **{f"question-{name}": f"/corpus/{name}{QUESTION_ARGS.get(name, '')}" for name in QUERIES},
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip(AXE_HOW_TO_ENABLE)
    return AXE.read_text(encoding="utf-8")


def _open(page, path: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base + path)


def _violations(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in found
        if v["impact"] in ("critical", "serious")
    ]


HEADINGS = "() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => Number(h.tagName[1]))"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_is_accessible_and_fits_the_screen(page, axe_source, name, width):
    _open(page, PAGES[name], width)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"a11y-{name}-{width}.png"), full_page=False)
    # nothing wider than the screen: no horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    if width != WIDTHS[0]:
        return
    violations = _violations(page, axe_source)
    assert violations == [], json.dumps(violations, indent=1)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("main").count() == 1
    levels = page.evaluate(HEADINGS)
    assert levels.count(1) == 1, levels
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), f"a heading level skipped: {levels}"


def test_the_axe_run_sees_what_it_should(page, axe_source):
    """The check itself, shown failing: a page stripped of its lang and given an unlabelled control."""
    _open(page, "/", 1280)
    page.evaluate(
        "document.documentElement.removeAttribute('lang');"
        " document.body.append(Object.assign(document.createElement('input'), {type: 'text'}))"
    )
    assert {v["id"] for v in _violations(page, axe_source)} >= {"html-has-lang", "label"}


@pytest.mark.parametrize("name", [n for n in PAGES if n.startswith("question-")])
def test_a_research_page_fits_1280_and_its_ids_do_not_wrap(page, name):
    _open(page, PAGES[name], 1280)
    for table in page.locator("table").all():  # a table as wide as its box: nothing cut off at the right
        assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth"), name
    ids = page.locator("td.id-cell, a.quotation-link, .record-id")
    lines = ids.evaluate_all(  # the lines each id's text is drawn on
        "els => els.map(e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return new Set([...r.getClientRects()].map(c => Math.round(c.top))).size; })"
    )
    assert all(n == 1 for n in lines), (name, lines)


def test_card_headings_name_the_quotation_not_its_column(page):
    _open(page, "/corpus/quotations?language=ru", 1280)
    headings = page.locator("article.quotation-card .card-title").all_inner_texts()
    assert len(headings) == page.locator("article.quotation-card").count() > 30
    assert len(set(headings)) == len(headings)  # each names its quotation: its id, whose words and when
    assert page.locator("article.quotation-card h3, article.quotation-card h4").count() == 0


def test_a_quotation_page_prints_its_texts_and_citation_only(page):
    _open(page, "/corpus/quotations/nowak-2025-q017", 1280)
    page.emulate_media(media="print")
    hidden = ("header", "footer.ft", "section.downloads", "nav.article-order")
    for selector in hidden:
        assert not page.locator(selector).first.is_visible(), selector
    for selector in ("h1", "[data-role=original]", "[data-role=translation]", ".cite-line"):
        assert page.locator(selector).first.is_visible(), selector
    page.screenshot(path=str(SCREENSHOTS / "a11y-quotation-print.png"), full_page=False)
    page.emulate_media(media="screen")
