"""The historian's journeys, in a real headless Chromium against `quotecorpus serve`.

Debian's chromium is driven by Playwright. Without it these tests skip and say how to enable
them; `.ci/run` installs it with the fonts the three scripts need. Screenshots of the home,
search and quotation pages are kept in tests/artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from conftest import SCREENSHOTS, entry_ids
from quotecorpus import EDITION
from quotecorpus.export.tmx import validate_tmx
from quotecorpus.tei.validate import errors, parse_safely

ALA_LC = "ru-Latn-t-ru-cyrl-m0-alaloc"
# Fonts that cover Latin with Polish and German letters, Cyrillic and the LC tie mark.
FONTS_WITH_ALL_THREE_SCRIPTS = {"Noto Serif", "Noto Sans", "DejaVu Serif", "DejaVu Sans", "Liberation Serif", "Liberation Sans"}


def screenshot(page, name: str, scroll_to: str | None = None) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if scroll_to:  # the part of the page a reader came for, not the page's chrome
        page.locator(scroll_to).first.evaluate("el => el.scrollIntoView()")
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def fonts_used(page, selector: str) -> set[str]:
    """The platform fonts Chromium really used to draw the text of the elements matching selector
    and of everything inside them (a correction's text is in its own element)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": f"{selector}, {selector} *"})["nodeIds"]
    used = set()
    for node in nodes:
        used |= {f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"] if f["glyphCount"]}
    cdp.detach()
    return used


def assert_drawn_without_tofu(page, selector: str) -> None:
    used = fonts_used(page, selector)
    assert used and used <= FONTS_WITH_ALL_THREE_SCRIPTS, f"{selector} drawn with {used}: install fonts-noto-core"


def card_ids(page) -> list[str]:
    return page.locator("article.quotation-card").evaluate_all("cards => cards.map(c => c.dataset.id)")


def test_find_all_russian_quotations_and_read_them_in_parallel(page):
    page.goto(page.base + "/")
    assert page.locator("h1").inner_text().startswith("quotecorpus")
    screenshot(page, "home")
    assert_drawn_without_tofu(page, "section.articles li[data-article='nowak-2025']")  # Polish letters in the journal title

    total = int(page.locator("a[data-language='ru']").locator("xpath=../..").locator("td a").last.inner_text())
    page.click("a[data-language='ru']")
    page.wait_for_url(re.compile(r"/corpus/quotations\?language=ru$"))
    assert len(card_ids(page)) == total
    assert set(page.locator("article.quotation-card .badge.lang").all_inner_texts()) == {"Russian"}

    page.goto(page.base + "/")
    page.click("a[data-printed='ru']")  # those whose Russian is printed, to read in parallel
    page.wait_for_url(re.compile(r"language=ru&original__notblank=1$"))
    cards = page.locator("article.quotation-card")
    assert cards.count() >= 30
    for i in range(cards.count()):
        card = cards.nth(i)
        original = card.locator("[data-role='original']")
        assert original.get_attribute("lang") in ("ru", "ru-Latn")  # terms printed romanized are ru-Latn
        assert original.is_visible() and original.inner_text().strip()
        if original.get_attribute("lang") == "ru":
            assert card.locator("[data-role='transliteration']").get_attribute("lang") == ALA_LC
    english = page.locator("[data-role='translation']")
    assert english.count() >= 30 and set(english.evaluate_all("es => es.map(e => e.lang)")) == {"en"}
    screenshot(page, "russian", scroll_to=".view-switch")


def test_search_chicherin_and_open_a_cyrillic_result(page):
    page.goto(page.base + "/")
    page.fill("#room-q", "Chicherin")
    page.press("#room-q", "Enter")
    page.wait_for_url(re.compile(r"_search=Chicherin"))
    assert page.title() == "Search: Chicherin · quotecorpus"
    assert page.locator(".view-switch").inner_text().startswith("Ranked by relevance")
    assert page.locator("article.quotation-card .matched").first.inner_text().startswith("Matched in:")
    screenshot(page, "search", scroll_to=".view-switch")

    cyrillic = page.locator("article.quotation-card:has([data-role='original'][lang='ru'])").first
    qid = cyrillic.get_attribute("data-id")
    cyrillic.locator("a.quotation-link").click()
    page.wait_for_url(re.compile(rf"/corpus/quotations/{qid}$"))

    original = page.locator("[data-role='original']")
    romanized = page.locator("[data-role='transliteration']")
    english = page.locator("[data-role='translation']")
    assert (original.get_attribute("lang"), romanized.get_attribute("lang"), english.get_attribute("lang")) == ("ru", ALA_LC, "en")
    assert re.search("[а-яё]", original.inner_text().lower()) and re.search("[a-z]", romanized.inner_text())
    assert english.inner_text().strip()
    # side by side: the three texts start on one line
    tops = {round(el.bounding_box()["y"]) for el in (original, romanized, english)}
    assert len(tops) == 1, tops
    assert page.locator(".cite-line").inner_text().endswith(f"{EDITION}, quotation {qid}.")  # no base URL: corpus, version and id
    for selector in ("[data-role='original']", "[data-role='transliteration']", "[data-role='translation']"):
        assert_drawn_without_tofu(page, selector)
    screenshot(page, "quotation")


def test_find_a_quotation_by_typing_a_romanized_word(page):
    page.goto(page.base + "/")
    page.fill("#room-q", "peredyshka")
    page.press("#room-q", "Enter")
    page.wait_for_url(re.compile(r"_search=peredyshka"))
    assert "nowak-2025-t002" in card_ids(page)
    page.goto(page.base + "/corpus/quotations?_search=revoliutsiiu&_size=max")
    card = page.locator("article.quotation-card[data-id='nowak-2025-q002']")
    assert "romanization" in card.locator(".matched").inner_text()
    assert card.locator("[data-role='transliteration'] mark").first.inner_text().lower() == "revoliutsiiu"


def test_see_what_one_document_says_in_both_articles(page):
    page.goto(page.base + "/")
    page.click("a[href='/corpus/documents/doc-trotsky-note-1920-08-15']")
    page.wait_for_url(re.compile(r"/corpus/documents/doc-trotsky-note-1920-08-15$"))
    columns = page.locator(".side-by-side > section.article-column")
    assert columns.evaluate_all("cs => cs.map(c => c.dataset.article)") == ["himmer-1976", "nowak-2025"]
    himmer, nowak = (columns.nth(i).locator("[data-role='translation']").all_inner_texts() for i in (0, 1))
    assert "stupid" in himmer and nowak == ["idiotic"]
    left, right = (columns.nth(i).bounding_box() for i in (0, 1))
    assert left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 2  # side by side
    screenshot(page, "document")


def _downloaded(page, link, tmp_path) -> Path:
    """Click a link and keep the file the browser downloads."""
    with page.expect_download() as download:
        link.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return path


def test_download_tei_and_tmx_of_exactly_what_is_shown(page, tei_all, tmp_path):
    page.goto(page.base + "/corpus/quotations?_search=Chicherin&language=ru")
    shown = card_ids(page)
    assert shown

    tei = parse_safely(_downloaded(page, page.locator("p.export-links a[data-download='tei']"), tmp_path)).getroot()
    assert tei_all.validate(tei), tei_all.error_log
    assert errors(tei) == []
    # each quotation shown, and nothing else: a nested one comes inside the quotation that holds it
    assert set(shown) <= set(tei.xpath("//@xml:id"))
    for eid in entry_ids(tei):
        (entry,) = tei.xpath(f"//*[@xml:id='{eid}']")
        assert eid in shown or set(entry.xpath(".//*/@xml:id")) & set(shown), eid

    tmx = _downloaded(page, page.locator("p.export-links a[data-download='tmx']"), tmp_path).read_bytes()
    assert validate_tmx(tmx) == []
    # a translation memory holds the pairs: the quotations shown with both an original and an English
    rows = page.context.request.get(page.base + "/corpus/quotations.json?_search=Chicherin&language=ru&_shape=array&_size=max").json()
    assert [r["id"] for r in rows] == shown  # the JSON of the same search, in the same (ranked) order
    pairs = sorted(r["id"] for r in rows if r["original"] and r["translation"])
    assert sorted(etree.fromstring(tmx).xpath("//tu/@tuid")) == pairs


def test_download_one_quotation_as_files(page, tei_all, tmp_path):
    page.goto(page.base + "/corpus/quotations/nowak-2025-q002")
    files = {kind: _downloaded(page, page.locator(f"a[data-download='{kind}']"), tmp_path) for kind in ("tei", "tmx", "article-tei")}
    assert files["tei"].name == "quotecorpus-nowak-2025-q002.tei.xml"
    for kind in ("tei", "article-tei"):
        doc = parse_safely(files[kind])
        assert tei_all.validate(doc), (kind, tei_all.error_log)
        assert doc.xpath("//*[@xml:id='nowak-2025-q002']")
    assert validate_tmx(files["tmx"].read_bytes()) == []
    assert etree.fromstring(files["tmx"].read_bytes()).xpath("//tu/@tuid") == ["nowak-2025-q002"]


def test_read_a_quotation_page_at_a_glance(page):
    """Heading of speaker, date and opening words; the citation once; doubts in plain words."""
    page.goto(page.base + "/corpus/quotations/himmer-1976-q015")
    heading = page.locator("h1").inner_text()
    assert heading.startswith("Viktor Kopp, 15–16 April 1920: “the urgent need”")
    body = page.locator("div.room").inner_text()
    assert body.count("Memorandum by Maltzan, April 16, 1920") == 1  # the article's citation, once
    assert "Language of the original inferred (probable)" in body and "judged:" not in body
    assert page.locator(".parallel.english-only").count() == 1  # English-only: the English at full width
    assert "Data licence" in page.locator("footer").inner_text()
    screenshot(page, "quotation-english-only")


def test_a_language_view_leads_with_what_was_asked(page):
    page.goto(page.base + "/corpus/quotations?language=ru")
    cards = page.locator("article.quotation-card")
    printed = [cards.nth(i).locator('[data-role="original"]').count() > 0 for i in range(cards.count())]
    assert printed[0] and printed == sorted(printed, reverse=True)  # every printed original before the English-only
    assert "come first" in page.locator(".view-switch").inner_text()
    screenshot(page, "russian-printed-first", scroll_to="div.cards")


def test_a_long_person_page_has_navigation_by_year_and_document(page):
    page.goto(page.base + "/corpus/persons/kopp")
    nav = page.locator("nav.on-this-page")
    assert "By year" in nav.inner_text() and "By document" in nav.inner_text()
    labels = page.locator("dl.record dt").all_inner_texts()
    assert not any("ala-lc-diacritics" in t for t in labels)  # schemes by their names
    nav.locator("a").first.click()
    page.wait_for_url(re.compile(r"speaker=kopp&date_from__startswith=19\d\d"))
    assert page.locator("article.quotation-card").count() > 0
    page.goto(page.base + "/corpus/persons/kopp")
    screenshot(page, "person")


def test_browse_the_corpus_in_time(page):
    page.goto(page.base + "/")
    page.click("a[data-timeline]")
    page.wait_for_url(re.compile(r"/timeline$"))
    august = page.locator("tr[data-month='1920-08']")
    may_fall = int(august.locator("a[data-overlapping]").inner_text())
    august.locator("a[data-overlapping]").click()
    page.wait_for_url(re.compile(r"date_from__lte=1920-08-31&date_to__gte=1920-08-01"))
    ids = [c.get_attribute("data-id") for c in page.locator("article.quotation-card").all()]
    assert len(ids) == may_fall and "nowak-2025-q007" in ids  # 12 or 17 August 1920 falls in August
    page.goto(page.base + "/timeline")
    screenshot(page, "timeline", scroll_to="section.timeline-year[data-year='1920']")


def test_a_research_question_reads_as_a_page(page):
    page.goto(page.base + "/corpus/by_person?person=Копп")
    assert page.title() == "Every quotation of one person, in date order · quotecorpus"
    assert len(card_ids(page)) > 10  # the Cyrillic printed name finds Kopp's quotations
    first = page.locator("article.quotation-card").first
    assert first.locator("a.quotation-link").count() == 1  # the quotation's id links to its page
    assert first.locator(".facts a").first.inner_text() == "Viktor Kopp"
    assert not page.locator("details.room-sql pre").is_visible()  # the SQL is folded away
    screenshot(page, "canned-query", scroll_to="article.quotation-card")


def test_no_export_link_answers_an_error(page):
    """A crawl: every .tei and .tmx link of the home page, every table, a canned query and the record
    pages they lead to answers 200."""
    pages = ["/", "/corpus", "/corpus/quotations?language=de", "/corpus/quotations/nowak-2025-q002", "/corpus/persons/kopp"]
    pages += [f"/corpus/{t}" for t in ("persons", "documents", "works", "articles", "transliterations")]
    pages += [
        "/corpus/by_person?person=kopp",
        "/corpus/uncertain",
        "/corpus/same_document",
        "/corpus/documents/doc-trotsky-note-1920-08-15",
    ]
    links = set()
    for path in pages:
        page.goto(page.base + path)
        hrefs = page.locator("a[href]").evaluate_all("as => as.map(a => a.href)")
        links |= {h for h in hrefs if h.startswith(page.base) and (".tei" in h or ".tmx" in h)}
    assert len(links) > 10
    for href in sorted(links):
        r = page.context.request.get(href)
        assert r.status == 200, (href, r.status, r.text()[:200])
