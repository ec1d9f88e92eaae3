"""An eval dataset folder: `articles/<id>.(txt|md|html)` and `gold/<id>.json` (ArticleSummary).

Any such folder works. Gold files are validated against the contract; a gold file that is not a
valid ArticleSummary, or has no article, stops the eval with a one-line error naming the file
(a wrong ruler makes every score wrong). Articles without gold are skipped with a warning.
`gold/brief.json` is the brief gold, not an article's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from eventbrief.articles import SUPPORTED_SUFFIXES, load_article
from eventbrief.errors import ArticleError, EventbriefError
from eventbrief.models import Article, ArticleSummary
from eventbrief.scoring.scorer import Prediction

BRIEF_GOLD = "brief.json"


class DatasetError(EventbriefError):
    """The dataset folder cannot be used as it is (the message names the file)."""


@dataclass(frozen=True)
class Item:
    """One article of a dataset with its gold record."""

    id: str
    article: Article
    gold: ArticleSummary


@dataclass
class Dataset:
    root: Path
    items: list[Item]
    brief_gold: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [item.id for item in self.items]

    def fingerprint(self) -> str:
        """SHA-256 over the article texts and gold records: changes when either is edited."""
        digest = hashlib.sha256()
        for item in sorted(self.items, key=lambda i: i.id):
            digest.update(item.id.encode("utf-8") + b"\0" + item.article.meta.sha256.encode())
            digest.update(item.gold.model_dump_json().encode("utf-8") + b"\0")
        if self.brief_gold is not None:
            digest.update(self.brief_gold.read_bytes())
        return digest.hexdigest()


def first_error(exc: ValidationError) -> str:
    """A validation error as one line: where, and what is wrong."""
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"]) or "record"
    extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {error['msg']}{extra}"


def load_gold(path: Path) -> ArticleSummary:
    try:
        return ArticleSummary.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValidationError as exc:
        raise DatasetError(f"{path}: not a valid ArticleSummary: {first_error(exc)}") from None


def load_dataset(root: str | Path) -> Dataset:
    """Load and check a dataset folder; DatasetError names what is wrong."""
    root = Path(root)
    articles_dir, gold_dir = root / "articles", root / "gold"
    for folder in (articles_dir, gold_dir):
        if not folder.is_dir():
            raise DatasetError(
                f"{folder}: no such folder; a dataset holds articles/<id>.txt and gold/<id>.json"
            )
    articles: dict[str, Path] = {}
    for path in sorted(articles_dir.iterdir()):
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            if path.stem in articles:
                raise DatasetError(f"{path}: two articles have the id {path.stem!r}")
            articles[path.stem] = path
    gold_paths = {
        p.stem: p for p in sorted(gold_dir.glob("*.json")) if p.name != BRIEF_GOLD and p.is_file()
    }
    if not gold_paths:
        raise DatasetError(f"{gold_dir}: no gold records (<id>.json)")

    dataset = Dataset(root=root, items=[])
    brief = gold_dir / BRIEF_GOLD
    dataset.brief_gold = brief if brief.is_file() else None
    for article_id, gold_path in gold_paths.items():
        if article_id not in articles:
            raise DatasetError(f"{gold_path}: no article {article_id}.txt in {articles_dir}")
        gold = load_gold(gold_path)
        try:
            article = load_article(
                articles[article_id], gold.article.published, article_id=article_id
            )
        except ArticleError as exc:
            raise DatasetError(str(exc)) from None
        if gold.article.id != article_id:
            dataset.warnings.append(
                f"{gold_path}: article.id is {gold.article.id!r}; the file name says {article_id!r}"
            )
        if gold.article.sha256 != article.meta.sha256:
            dataset.warnings.append(
                f"{gold_path}: article.sha256 does not match {articles[article_id].name}; "
                "gold offsets may not point into this text"
            )
        dataset.items.append(Item(article_id, article, gold))
    for article_id in articles.keys() - gold_paths.keys():
        dataset.warnings.append(f"{articles[article_id]}: no gold record; not scored")
    return dataset


def load_predictions(folder: str | Path, ids: list[str]) -> dict[str, Prediction]:
    """Saved ArticleSummary files `<folder>/<id>.json` for each id.

    A missing, unreadable or invalid file is that article's invalid prediction (it scores 0);
    the others are still scored.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"{folder}: no such folder of predictions")
    out: dict[str, Prediction] = {}
    for article_id in ids:
        path = folder / f"{article_id}.json"
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            out[article_id] = Prediction(None, f"{path}: no prediction file")
            continue
        except OSError as exc:
            out[article_id] = Prediction(None, f"{path}: cannot read: {exc.strerror or exc}")
            continue
        try:
            out[article_id] = Prediction(ArticleSummary.model_validate_json(raw))
        except ValidationError as exc:
            reason = "not JSON" if _not_json(raw) else f"invalid: {first_error(exc)}"
            out[article_id] = Prediction(None, f"{path}: {reason}")
    return out


def _not_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return True
    return False
