"""TEI texts of our profile as reading-room HTML: corrections visible, insertions and gaps marked."""

from __future__ import annotations

from quotecorpus.tei.html import to_html
from quotecorpus.tei.read import corrections, fragment, is_printed

NS = 'xmlns="http://www.tei-c.org/ns/1.0"'


def test_a_correction_shows_the_corrected_and_the_printed_reading():
    q = fragment(f'<quote {NS} xml:lang="ru">пролетарскую <choice><sic>революциию</sic><corr>революцию</corr></choice></quote>')
    assert str(to_html(q)) == (
        'пролетарскую <span class="choice"><ins class="corr" title="corrected; printed: революциию">революцию</ins>'
        '<span class="sic"> [printed: <del>революциию</del>]</span></span>'
    )
    assert corrections(q) == [("революциию", "революцию")]


def test_ellipsis_insertion_and_markup_characters():
    q = fragment(
        f"<quote {NS}>a &lt;b&gt; &amp; c <ellipsis><metamark>[...]</metamark></ellipsis> "
        '<supplied reason="insertion-by-article-author">sic</supplied></quote>'
    )
    assert str(to_html(q)) == (
        'a &lt;b&gt; &amp; c <span class="ellipsis">[...]</span> <span class="supplied" title="insertion by article author">[sic]</span>'
    )


def test_an_original_not_printed_says_so():
    gap = '<gap reason="notPrinted"><desc>The article prints only an English translation.</desc></gap>'
    q = fragment(f'<quote {NS} xml:lang="de">{gap}</quote>')
    assert not is_printed(q)
    assert str(to_html(q)) == '<span class="gap">The article prints only an English translation.</span>'


def test_our_fragments_are_parsed_without_entities():
    q = fragment(f'<!DOCTYPE quote [<!ENTITY x "expanded">]><quote {NS}>&x;</quote>')
    assert "expanded" not in str(to_html(q))
