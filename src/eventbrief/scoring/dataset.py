"""An eval dataset folder: `articles/<id>.(txt|md|html)` and `gold/<id>.json` (ArticleSummary).

Any such folder works. A gold file holds what a person writes (quotes without offsets, no
SHA-256, no provenance); the rest is filled in from its article and everything is checked
(gold.py). A dataset with any problem stops the eval with every problem named by file and field
(a wrong ruler makes every score wrong); `eventbrief gold check DIR` lists them without running
anything. Articles without gold are skipped with a warning. `gold/brief.json` is the brief
gold, not an article's.
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
from eventbrief.scoring.gold import Problem, brief_problems, complete_gold, published_of, read_json
from eventbrief.scoring.scorer import Prediction

BRIEF_GOLD = "brief.json"


class DatasetError(EventbriefError):
    """The dataset folder cannot be used as it is (each line names a file, and a field where
    there is one)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    @classmethod
    def of(cls, problems: list[Problem]) -> DatasetError:
        return cls("\n".join(str(p) for p in problems), problems)


@dataclass(frozen=True)
class Item:
    """One article of a dataset with its gold record."""

    id: str
    article: Article
    gold: ArticleSummary
    gold_sha256: str
    """Of the gold file's bytes: a new optional field in the models leaves it as it is."""


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
        """SHA-256 over the article texts and gold files: changes when either is edited, not when
        the models gain a field (a dump of the parsed gold would)."""
        digest = hashlib.sha256()
        for item in sorted(self.items, key=lambda i: i.id):
            digest.update(item.id.encode("utf-8") + b"\0" + item.article.meta.sha256.encode())
            digest.update(item.gold_sha256.encode() + b"\0")
        if self.brief_gold is not None:
            digest.update(self.brief_gold.read_bytes())
        return digest.hexdigest()


def first_error(exc: ValidationError) -> str:
    """A validation error as one line: where, and what is wrong."""
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"]) or "record"
    extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {error['msg']}{extra}"


def _articles(folder: Path) -> tuple[dict[str, Path], list[Problem]]:
    articles: dict[str, Path] = {}
    problems = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            if path.stem in articles:
                problems.append(Problem(path, None, f"two articles have the id {path.stem!r}"))
            articles[path.stem] = path
    return articles, problems


def _item(
    article_id: str, gold_path: Path, article_path: Path
) -> tuple[Item | None, list[Problem]]:
    raw, problems = read_json(gold_path)
    if problems:
        return None, problems
    try:
        article = load_article(article_path, published_of(raw), article_id=article_id)
    except ArticleError as exc:
        return None, [Problem(article_path, None, exc.reason)]
    gold, problems = complete_gold(raw, gold_path, article)
    if gold is None:
        return None, problems
    return Item(
        article_id, article, gold, hashlib.sha256(gold_path.read_bytes()).hexdigest()
    ), problems


def check_dataset(root: str | Path) -> tuple[Dataset, list[Problem]]:
    """Load a dataset folder and check it: the dataset (its good items) and every problem."""
    root = Path(root)
    dataset = Dataset(root=root, items=[])
    articles_dir, gold_dir = root / "articles", root / "gold"
    missing = [folder for folder in (articles_dir, gold_dir) if not folder.is_dir()]
    if missing:
        what = "no such folder; a dataset holds articles/<id>.txt and gold/<id>.json"
        return dataset, [Problem(folder, None, what) for folder in missing]
    articles, problems = _articles(articles_dir)
    gold_paths = {
        p.stem: p for p in sorted(gold_dir.glob("*.json")) if p.name != BRIEF_GOLD and p.is_file()
    }
    if not gold_paths:
        problems.append(Problem(gold_dir, None, "no gold records (<id>.json)"))
    for article_id, gold_path in gold_paths.items():
        if article_id not in articles:
            what = f"no article {article_id}.txt in {articles_dir}"
            problems.append(Problem(gold_path, None, what))
            continue
        item, found = _item(article_id, gold_path, articles[article_id])
        problems += found
        if item is None:
            continue
        dataset.items.append(item)
        if item.gold.article.id != article_id:
            dataset.warnings.append(
                f"{gold_path}: article.id is {item.gold.article.id!r}; the file name says "
                f"{article_id!r}"
            )
        if item.gold.article.sha256 != item.article.meta.sha256:
            dataset.warnings.append(
                f"{gold_path}: article.sha256 does not match {articles[article_id].name}; "
                "the article changed since this gold was written"
            )
    for article_id in sorted(articles.keys() - gold_paths.keys()):
        dataset.warnings.append(f"{articles[article_id]}: no gold record; not scored")
    brief = gold_dir / BRIEF_GOLD
    if brief.is_file():
        dataset.brief_gold = brief
        raw, found = read_json(brief)
        if not found:
            events = {item.id: {e.id for e in item.gold.events} for item in dataset.items}
            complete = len(dataset.items) == len(gold_paths)
            found = brief_problems(raw, brief, events if complete else None)
        problems += found
    return dataset, problems


def load_dataset(root: str | Path) -> Dataset:
    """Load and check a dataset folder; DatasetError names every problem."""
    dataset, problems = check_dataset(root)
    if problems:
        raise DatasetError.of(problems)
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
