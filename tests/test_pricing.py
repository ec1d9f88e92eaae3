"""Prices: the shipped table, prefixes of dated model names, user overrides, unknown models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventbrief.errors import ConfigError
from eventbrief.models import Usage
from eventbrief.pricing import PRICES_ENV, ModelPrice, PriceTable, load_prices

USAGE = Usage(prompt_tokens=2_000_000, completion_tokens=500_000, requests=3)


def test_shipped_table_prices_a_known_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PRICES_ENV, raising=False)
    table = load_prices()
    price = table.price_for("gpt-4o-mini")
    assert price is not None
    assert table.cost("gpt-4o-mini", USAGE) == pytest.approx(2 * price.input + 0.5 * price.output)


def test_dated_names_use_their_longest_prefix() -> None:
    table = PriceTable({"gpt-4o": ModelPrice(2.5, 10.0), "gpt-4o-mini": ModelPrice(0.15, 0.6)})
    assert table.price_for("gpt-4o-mini-2024-07-18") == ModelPrice(0.15, 0.6)
    assert table.price_for("gpt-4o-2024-08-06") == ModelPrice(2.5, 10.0)
    assert table.price_for("openai/gpt-4o") == ModelPrice(2.5, 10.0)
    assert table.price_for("gpt-4oo") is None


def test_unknown_model_has_no_cost_and_usage_is_left_alone() -> None:
    table = PriceTable({"gpt-4o": ModelPrice(2.5, 10.0)})
    assert table.cost("llama3.1:8b", USAGE) is None
    assert table.priced("llama3.1:8b", USAGE) == USAGE
    assert table.priced(None, None) is None


def test_priced_fills_cost_and_batch_halves_it() -> None:
    table = PriceTable({"m": ModelPrice(1.0, 4.0)}, batch_discount=0.5)
    priced = table.priced("m", USAGE)
    assert priced is not None
    assert priced.cost_usd == pytest.approx(4.0)
    assert priced.requests == 3
    assert table.cost("m", USAGE, batch=True) == pytest.approx(2.0)


def test_user_file_overrides_and_extends(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    user = tmp_path / "prices.json"
    user.write_text(
        json.dumps(
            {
                "models": {
                    "gpt-4o": {"input": 1.0, "output": 1.0},
                    "my-local": {"input": 0, "output": 0},
                },
                "batch_discount": 0.25,
            }
        )
    )
    monkeypatch.setenv(PRICES_ENV, str(user))
    table = load_prices()
    assert table.price_for("gpt-4o") == ModelPrice(1.0, 1.0)
    assert table.cost("my-local", USAGE) == 0.0
    assert table.price_for("gpt-4o-mini") is not None  # shipped entries remain
    assert table.batch_discount == 0.25
    # an explicit file wins over the environment
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"models": {"gpt-4o": {"input": 3, "output": 3}}}))
    assert load_prices(other).price_for("gpt-4o") == ModelPrice(3.0, 3.0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"models": []}', "'models' object"),
        ('{"models": {"x": {"input": "cheap"}}}', "numeric 'input' and 'output'"),
        ('{"models": {"x": {"input": -1, "output": 1}}}', "negative price"),
    ],
)
def test_bad_user_file_is_a_one_line_config_error(
    tmp_path: Path, content: str, message: str
) -> None:
    user = tmp_path / "p.json"
    user.write_text(content)
    with pytest.raises(ConfigError, match=message) as info:
        load_prices(user)
    assert str(user) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_user_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_prices(tmp_path / "absent.json")
