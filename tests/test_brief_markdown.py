"""The Markdown brief: sections a reader expects, and article text that cannot become markup."""

from __future__ import annotations

from brief_helpers import PEOPLE, scenario, summary
from eventbrief.brief import build_brief
from eventbrief.brief.markdown import md, render_markdown


def test_sections_and_sources() -> None:
    sc = scenario()
    brief = build_brief([s for s, _ in sc.values()], texts={k: t for k, (_, t) in sc.items()})
    text = render_markdown(brief)
    assert text.startswith(f"# {md(brief.title)}\n")
    for heading in ("## Timeline", "## Where the sources disagree", "## Key takeaways",
                    "## Who and what", "## Sources"):  # fmt: skip
        assert f"\n{heading}\n" in text
    assert "- **2026-05-03** · meeting · " in text
    assert "sources: b (e1), a (e2), c (e2)" in text
    assert "- **quantity** (e3, 2 versions): 5,000 soldiers (b); About 4,000 (a)" in text
    dates = (
        "- **date** (e2, 2 versions): May 20 \\[2026-05-20\\] (a); on Tuesday \\[2026-05-19\\] (c)"
    )
    assert dates in text
    assert text.index("2026-05-03") < text.index("2026-05-19") < text.index("**undated**")
    assert "- Nordland has deployed soldiers to the Gray Coast. (b, a)" in text


def test_article_text_cannot_make_links_images_or_html() -> None:
    hostile = (
        "See [click](http://evil.example) ![x](http://evil.example/p.png) <script>x()</script>"
    )
    one = summary(
        "h",
        "2026-06-01",
        hostile,
        [{"type": "statement", "description": hostile, "quote": "[click](http://evil.example)"}],
        PEOPLE,
        takeaways=[hostile, "# not a heading", "| not | a table |"],
    )
    text = render_markdown(build_brief([one], title="**bold** _title_"))
    assert "[click](" not in text and "![x](" not in text and "<script>" not in text
    assert "\\[click\\]\\(http://evil.example\\)" in text
    assert "\\<script\\>" in text
    assert "\n# not" not in text and "\\# not a heading" in text
    assert text.startswith("# \\*\\*bold\\*\\* \\_title\\_\n")


def test_line_breaks_stay_inside_their_item() -> None:
    assert md("one\n- two\n\nthree") == "one - two three"


def test_a_copy_is_named_and_counted_once() -> None:
    sc = scenario()
    original, text = sc["a"]
    copy = original.model_copy(
        update={"article": original.article.model_copy(update={"id": "a-wire"})}
    )
    summaries = [s for s, _ in sc.values()] + [copy]
    brief = build_brief(summaries, texts={**{k: t for k, (_, t) in sc.items()}, "a-wire": text})
    text = render_markdown(brief)
    assert "\n4 articles (3 independent, 1 copy), 3 events," in text
    assert "- a-wire: Article a · 2026-05-20 · copy of a\n" in text
    assert "sources: b (e1), a (e2), a-wire (e2), c (e2), 3 independent sources" in text
