"""Small builders shared by the scale tests: articles and valid extractions without a model."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
from pathlib import Path

from eventbrief.backends.base import ExtractionResult
from eventbrief.models import Article, ArticleExtraction, ArticleMeta, Usage

BATCH_TEXTS = {
    "alpha": "Envoys met in Hanoi on Monday. They agreed to talk again. Trade was discussed.",
    "beta": "The minister visited Lima on Friday. A deal on copper was signed. Protests followed.",
    "gamma": "Ships docked at Busan on Sunday. Crews went ashore. Officials counted the cargo.",
    "delta": "A report was released in Geneva. It named three firms. The firms denied it.",
}
"""Four short invented articles (ids = keys) for the Batch API tests."""


def write_corpus(folder: Path, texts: dict[str, str] = BATCH_TEXTS) -> Path:
    """`folder` holding one <id>.txt per text (each ends with a newline)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


def make_article(
    article_id: str, text: str | None = None, published: dt.date | None = dt.date(2025, 6, 17)
) -> Article:
    body = text if text is not None else f"Officials of {article_id} met in Seoul on Tuesday."
    meta = ArticleMeta(
        id=article_id,
        published=published,
        sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
    )
    return Article(meta=meta, text=body)


def first_sentence(text: str) -> str:
    return text.split(".")[0].strip() or text.strip()


def make_extraction(text: str, *, actor: str = "Officials") -> ArticleExtraction:
    """A valid extraction whose every quote is a span of `text`."""
    quote = first_sentence(text)
    return ArticleExtraction.model_validate(
        {
            "summary": f"{actor} met.",
            "key_takeaways": [
                {"text": f"Point {n}.", "evidence": [{"quote": quote}]} for n in (1, 2, 3)
            ],
            "events": [
                {
                    "id": "e1",
                    "type": "meeting",
                    "description": f"{actor} met.",
                    "participants": [actor],
                    "evidence": [{"quote": quote}],
                }
            ],
            "entities": [{"name": actor, "type": "organization"}],
        }
    )


class CountingBackend:
    """A backend that answers from the article text, counts calls and can fail on chosen ids."""

    name = "counting"

    def __init__(
        self, *, model: str = "m1", fail_ids: set[str] | None = None, delay: float = 0.0
    ) -> None:
        self.model = model
        self.calls: list[str] = []
        self.fail_ids = fail_ids or set()
        self.delay = delay

    def identity(self) -> dict[str, str]:
        return {"backend": self.name, "model": self.model, "mode": "tools", "prompt_version": "1"}

    async def extract(self, article: Article) -> ExtractionResult:
        self.calls.append(article.meta.id)
        if self.delay:
            await asyncio.sleep(self.delay)
        if article.meta.id in self.fail_ids:
            raise RuntimeError(f"{article.meta.id}: interrupted")
        usage = Usage(prompt_tokens=1000, completion_tokens=200, requests=1)
        return ExtractionResult(make_extraction(article.text), self.model, "1", usage)


_ARTICLE = re.compile(r"<article (\w+)>\n(.*)\n</article \1>", re.DOTALL)


def article_in_prompt(messages: list[dict]) -> str:
    """The article text a rendered prompt carries between its fenced delimiters."""
    for message in reversed(messages):
        match = _ARTICLE.search(message.get("content") or "")
        if match:
            return match.group(2)
    raise AssertionError("no fenced article in the prompt")
