"""Loading articles: formats, metadata, datelines, ids, and every way an input can be unusable."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest

from eventbrief.articles import (
    PublicationDates,
    article_ids,
    expand_sources,
    find_dateline,
    holds_articles,
    load_article,
)
from eventbrief.errors import ArticleError

SEEDS = Path(__file__).resolve().parents[1] / "evals" / "articles"

HTML = """<!DOCTYPE html>
<html><head>
<title>Envoy arrives for talks | Example News</title>
<meta property="og:title" content="Envoy arrives for talks">
<meta property="article:published_time" content="2024-11-05T08:30:00Z">
<link rel="canonical" href="https://news.example/envoy-talks">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/about">About us</a></nav>
<article>
<h1>Envoy arrives for talks</h1>
<p>The special envoy arrived in the capital on Monday for two days of talks with the foreign
minister, the ministry said in a statement carried by the state news agency.</p>
<p>Officials said the talks would cover trade, a stalled border agreement and the return of
detained fishermen, and that a joint statement was expected on Wednesday.</p>
</article>
<footer>Copyright Example News. Subscribe to our newsletter.</footer>
</body></html>
"""


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def test_text_article_title_sha_and_id(tmp_path: Path) -> None:
    text = "  Envoy arrives for talks\n\nThe envoy arrived on Monday.\n"
    path = write(tmp_path, "story-1.txt", text)
    article = load_article(path)
    assert article.text == text
    assert article.meta.id == "story-1"
    assert article.meta.title == "Envoy arrives for talks"
    assert article.meta.source == str(path)
    assert article.meta.published is None
    assert article.meta.sha256 == hashlib.sha256(text.encode()).hexdigest()


def test_markdown_title_drops_heading_marks(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "a.md", "## Talks resume\n\nBody text here.\n"))
    assert article.meta.title == "Talks resume"
    assert article.text.startswith("## Talks resume")


def test_long_first_line_gives_its_first_sentence_as_title(tmp_path: Path) -> None:
    opening = "The envoy arrived in the capital on Monday. " + "He met officials. " * 20
    article = load_article(write(tmp_path, "p.txt", opening + "\nMore.\n"))
    assert article.meta.title == "The envoy arrived in the capital on Monday."
    run_on = "word " * 60
    title = load_article(write(tmp_path, "r.txt", run_on)).meta.title
    assert title is not None and title.endswith("word…") and len(title) <= 151


def test_utf8_bom_is_dropped_so_offsets_match_the_text(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "b.txt", "\ufeffTitle\nBody\n".encode()))
    assert article.text == "Title\nBody\n"
    assert article.meta.title == "Title"


def test_seed_articles_load_with_their_stems_and_no_false_dateline() -> None:
    sources = expand_sources([SEEDS])
    assert [Path(s).name for s in sources] == sorted(p.name for p in SEEDS.glob("*.txt"))
    for source in sources:
        article = load_article(source)
        assert article.meta.id == Path(source).stem
        # 002 has "Wednesday, Dec. 21, 2022" in a photo caption: not a publication date.
        assert article.meta.published is None
        assert article.meta.title and len(article.meta.title) > 10


def test_published_flag_wins_over_dateline(tmp_path: Path) -> None:
    path = write(tmp_path, "d.txt", "Title\nSEOUL, June 4, 2025 (Yonhap) -- Talks began.\n")
    assert load_article(path).meta.published == dt.date(2025, 6, 4)
    flagged = load_article(path, published=dt.date(2025, 6, 5))
    assert flagged.meta.published == dt.date(2025, 6, 5)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("SEOUL, June 4, 2025 (Yonhap) -- Talks began.", dt.date(2025, 6, 4)),
        ("New York (AP), Sept. 9, 2024 — text", dt.date(2024, 9, 9)),
        ("Published: 2025-06-17", dt.date(2025, 6, 17)),
        ("Updated on 4 June 2025 10:00", dt.date(2025, 6, 4)),
        ("Wednesday, Dec. 21, 2022", dt.date(2022, 12, 21)),
        ("2025-03-21", dt.date(2025, 3, 21)),
        ("On March 21, 2025, the envoy arrived.", None),
        ("Photo taken Wednesday, Dec. 21, 2022. (AP)", None),
        ("The envoy arrived on March 21.", None),
        ("In late 2022, troops were deployed.", None),
        ("Published: 2025-02-30", None),
    ],
)
def test_dateline(line: str, expected: dt.date | None) -> None:
    assert find_dateline(f"Headline\n{line}\nBody.") == expected


def test_dateline_only_near_the_top() -> None:
    text = "Headline\n" + "Body line.\n" * 30 + "Published: 2025-06-17\n"
    assert find_dateline(text) is None


def test_html_main_text_title_published_and_url(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "page.html", HTML))
    assert article.meta.title == "Envoy arrives for talks"
    assert article.meta.published == dt.date(2024, 11, 5)
    assert article.meta.url == "https://news.example/envoy-talks"
    assert "special envoy arrived in the capital" in article.text
    assert "detained fishermen" in article.text
    assert "Subscribe to our newsletter" not in article.text
    assert "<p>" not in article.text
    assert article.meta.sha256 == hashlib.sha256(article.text.encode()).hexdigest()


def test_html_published_flag_wins(tmp_path: Path) -> None:
    article = load_article(write(tmp_path, "page.html", HTML), published=dt.date(2024, 11, 6))
    assert article.meta.published == dt.date(2024, 11, 6)


def test_html_without_article_text(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.html", "<html><head><title>x</title></head><body></body></html>")
    with pytest.raises(ArticleError, match="no article text found in the HTML"):
        load_article(path)


def test_stdin_text_and_html() -> None:
    article = load_article("-", stdin=io.BytesIO(b"Piped headline\nBody.\n"))
    assert article.meta.id == "stdin"
    assert article.meta.title == "Piped headline"
    with pytest.raises(ArticleError, match=r"^stdin: empty file$"):
        load_article("-", stdin=io.BytesIO(b""))
    html = load_article("-", stdin=io.BytesIO(HTML.encode()))
    assert html.meta.title == "Envoy arrives for talks"
    assert "detained fishermen" in html.text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t\n", "contains only white space"),
        ("bin.txt", b"abc\x00\x01def", "binary file"),
        ("latin1.txt", "Café\n".encode("latin-1"), "not valid UTF-8 (byte 0xe9 at offset 3)"),
        ("doc.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
        ("noext", b"text", "unsupported file type '(none)'"),
    ],
)
def test_bad_inputs_name_the_file_on_one_line(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = write(tmp_path, name, data)
    with pytest.raises(ArticleError) as info:
        load_article(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert reason in message
    assert "\n" not in message


def test_missing_file_folder_and_unmatched_glob(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match=r"nope\.txt: no such file$"):
        load_article(tmp_path / "nope.txt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArticleError, match=r"folder has no \.txt, \.md or \.html articles"):
        load_article(tmp_path / "empty")
    with pytest.raises(ArticleError, match="no file matches this pattern"):
        load_article(str(tmp_path / "*.txt"))


def test_too_long(tmp_path: Path) -> None:
    path = write(tmp_path, "long.txt", "word " * 50)
    assert load_article(path, max_chars=250).text == "word " * 50
    with pytest.raises(ArticleError, match="too long: 250 characters \\(limit 249"):
        load_article(path, max_chars=249)


def test_expand_sources_folders_globs_stdin_and_duplicates(tmp_path: Path) -> None:
    for name in ("b.txt", "a.md", "c.html", "skip.pdf"):
        write(tmp_path, name, "x")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "deep.txt", "x")
    (tmp_path / "empty").mkdir()
    folder = [str(tmp_path / n) for n in ("a.md", "b.txt", "c.html")]
    assert expand_sources([tmp_path]) == folder
    assert expand_sources([str(tmp_path / "*.txt"), "-", tmp_path / "b.txt"]) == [
        str(tmp_path / "b.txt"),
        "-",
    ]
    kept = [str(tmp_path / "missing.txt"), str(tmp_path / "empty"), str(tmp_path / "*.none")]
    assert expand_sources(kept) == kept
    assert expand_sources(expand_sources([tmp_path])) == folder


def test_article_ids_are_stems_deduplicated_in_order() -> None:
    sources = ["x/a.txt", "y/a.md", "-", "z/a.html", "a-2.txt", "b.txt"]
    assert article_ids(sources) == ["a", "a-2", "stdin", "a-3", "a-2-2", "b"]


def test_publication_dates_default_and_per_article() -> None:
    dates = PublicationDates.parse(["2025-06-17", "003_story=2025-03-21", "a=b=2024-01-02"])
    assert dates.for_article("003_story") == dt.date(2025, 3, 21)
    assert dates.for_article("a=b") == dt.date(2024, 1, 2)
    assert dates.for_article("other") == dt.date(2025, 6, 17)
    assert PublicationDates.parse([]).for_article("any") is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("June 4", "is not DATE or ID=DATE"),
        ("x=2025-13-01", "is not DATE"),
        ("=2025-01-01", "names no article"),
    ],
)
def test_publication_dates_reject_bad_values(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PublicationDates.parse([value])


def _jsonl(path: Path, *lines: object) -> Path:
    """A JSONL file of articles: bytes and strings as written, anything else as JSON."""
    raw = []
    for line in lines:
        if isinstance(line, bytes):
            raw.append(line)
        else:
            raw.append((line if isinstance(line, str) else json.dumps(line)).encode())
    path.write_bytes(b"\n".join(raw) + b"\n")
    return path


def test_jsonl_lines_are_articles_with_their_ids_and_metadata(tmp_path: Path) -> None:
    text = (SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0]).read_text(encoding="utf-8")
    path = _jsonl(
        tmp_path / "feed.jsonl",
        {
            "id": "a-1",
            "text": text,
            "title": "  Given   title ",
            "published": "2025-06-04",
            "url": "https://news.example/a",
            "source": "Example Wire",
            "extra": [1, 2],
        },
        "",
        {"text": "Ministry statement\nThe ministry said talks would resume."},
    )
    sources = expand_sources([path, tmp_path / "other.txt"])
    assert [str(s) for s in sources] == [f"{path}:1", f"{path}:3", str(tmp_path / "other.txt")]
    assert article_ids(sources) == ["a-1", "feed-3", "other"]
    first = load_article(sources[0])
    assert first.text == text
    assert first.meta.model_dump(mode="json") == {
        "id": "a-1",
        "title": "Given title",
        "source": "Example Wire",
        "published": "2025-06-04",
        "url": "https://news.example/a",
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }
    second = load_article(sources[1], dt.date(2024, 1, 2), article_id="feed-3")
    assert (second.meta.id, second.meta.title, second.meta.source) == (
        "feed-3",
        "Ministry statement",
        f"{path}:3",
    )
    assert second.meta.published == dt.date(2024, 1, 2)
    # --published wins over the line's own date, as it does over HTML metadata
    assert load_article(sources[0], dt.date(2020, 5, 6)).meta.published == dt.date(2020, 5, 6)


def test_bad_jsonl_lines_are_one_line_errors_naming_file_and_line(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "bad.jsonl",
        "{not json",
        ["a list"],
        {"title": "no text"},
        {"text": 42},
        {"text": "Fine text.", "published": "2025-02-30"},
        {"text": "Fine text.", "title": 7},
        {"text": ""},
        {"text": " \n\t"},
        {"text": "binary\u0000data"},
        b'{"text": "lone \\ud800 surrogate"}',
        b'{"text": "caf\xe9"}',
        {"id": "../../etc/passwd", "text": "Fine text."},
        {"id": "x", "text": "y" * 30},
        {"id": "x", "text": "Again."},
    )
    sources = expand_sources([path])
    assert article_ids(sources)[11:] == ["bad-12", "x", "x-2"]
    errors = []
    for source in sources:
        with pytest.raises(ArticleError) as caught:
            load_article(source, max_chars=20)
        errors.append(str(caught.value))
    expected = [
        "not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 "
        "(char 1))",
        "not a JSON object (a list)",
        'no "text" string',
        '"text" is not a string',
        "published '2025-02-30' is not a date (YYYY-MM-DD)",
        "'title' is not a string",
        "empty text",
        "contains only white space",
        "binary text (contains NUL characters), not a text article",
        "not valid Unicode (a lone surrogate at character 5)",
        "not valid UTF-8 (byte 0xe9 at offset 13)",
        "id '../../etc/passwd' is not a usable id (letters, digits, '.', '_', '-'; at most 200, "
        "not starting with '.', '_' or '-')",
        "too long: 30 characters (limit 20; raise it with EVENTBRIEF_MAX_CHARS)",
        "duplicate id 'x' (an earlier line has it)",
    ]
    assert errors == [f"{path}:{n}: {reason}" for n, reason in enumerate(expected, start=1)]


def test_a_jsonl_file_without_articles_is_its_own_error(tmp_path: Path) -> None:
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n  \n", encoding="utf-8")
    missing = tmp_path / "missing.jsonl"
    sources = expand_sources([blank, missing])
    assert sources == [str(blank), str(missing)]
    with pytest.raises(ArticleError, match="no articles"):
        load_article(sources[0])
    with pytest.raises(ArticleError, match="no such file"):
        load_article(sources[1])


def test_holds_articles_tells_a_jsonl_of_articles_from_one_of_summaries(tmp_path: Path) -> None:
    articles = _jsonl(tmp_path / "a.jsonl", "", {"id": "x", "text": "Talks resumed."})
    summaries = _jsonl(tmp_path / "s.jsonl", {"article": {"id": "x"}, "text": "?", "events": []})
    garbage = _jsonl(tmp_path / "g.jsonl", "{not json")
    found = [holds_articles(p) for p in (articles, summaries, garbage, tmp_path / "none.jsonl")]
    assert found == [True, False, False, False]
