"""The eval's packages come from the `eval` extra, which the eval names when it is missing, and
every matching of the eval goes through one Hungarian solver."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventbrief.cli.app import app
from eventbrief.scoring import extra
from eventbrief.scoring.matching import assign, max_weight_pairs


def test_eval_names_the_extra_it_needs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(extra, "find_spec", lambda name: None if name == "nltk" else real(name))
    result = CliRunner().invoke(app, ["eval", "--dataset", str(tmp_path)])
    assert result.exit_code == 2
    assert "scoring needs nltk (the eval extra): pip install 'eventbrief[eval]'" in result.output


def test_the_extra_is_installed_here() -> None:
    assert extra.missing_eval_packages() == []


def test_max_weight_pairs_prefers_the_larger_total() -> None:
    # Greedy would take 0.9 (row 0, col 0) and leave 0.1; the optimum pairs 0.8 + 0.8.
    assert sorted(max_weight_pairs([[0.9, 0.8], [0.8, 0.1]])) == [(0, 1), (1, 0)]
    assert max_weight_pairs([[0.5], [0.7]]) == [(1, 0)]


def test_assign_keeps_pairs_at_or_above_the_threshold() -> None:
    pairs = assign(["a", "b"], ["a", "c"], lambda p, g: 1.0 if p == g else 0.3, threshold=0.5)
    assert [(p.pred, p.gold, p.score) for p in pairs] == [(0, 0, 1.0)]
