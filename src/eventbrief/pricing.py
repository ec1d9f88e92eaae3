"""Turn token counts into dollars with a price table shipped as data and overridable by the user.

The table (`data/prices.json`) gives USD per million input and output tokens per model. A user
file named by `EVENTBRIEF_PRICES` (or passed explicitly) adds models or replaces their prices.
Dated model names ("gpt-4o-mini-2024-07-18") use the entry of their longest listed prefix. A
model that is not listed has an unknown cost (None), never a guessed one.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from eventbrief.config import PRICES_VAR, env_value
from eventbrief.errors import ConfigError
from eventbrief.models import Usage

PRICES_ENV = PRICES_VAR
_PER = 1_000_000


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens."""

    input: float
    output: float


@dataclass(frozen=True)
class PriceTable:
    models: dict[str, ModelPrice]
    batch_discount: float = 0.5

    def price_for(self, model: str | None) -> ModelPrice | None:
        """The entry for `model`, or for its longest listed prefix followed by "-"."""
        if not model:
            return None
        name = model.rsplit("/", 1)[-1]
        if name in self.models:
            return self.models[name]
        prefixes = [m for m in self.models if name.startswith(m + "-")]
        return self.models[max(prefixes, key=len)] if prefixes else None

    def cost(self, model: str | None, usage: Usage, *, batch: bool = False) -> float | None:
        """Dollars for `usage` on `model`; None when the model's price is unknown."""
        price = self.price_for(model)
        if price is None:
            return None
        dollars = (
            usage.prompt_tokens * price.input + usage.completion_tokens * price.output
        ) / _PER
        if batch:
            dollars *= 1 - self.batch_discount
        return round(dollars, 8)

    def priced(
        self, model: str | None, usage: Usage | None, *, batch: bool = False
    ) -> Usage | None:
        """`usage` with `cost_usd` filled from this table (left as it was when unknown)."""
        if usage is None:
            return None
        cost = self.cost(model, usage, batch=batch)
        return usage if cost is None else usage.model_copy(update={"cost_usd": cost})


def _parse(data: Any, origin: str) -> tuple[dict[str, ModelPrice], float | None]:
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise ConfigError(f"{origin}: a price file is an object with a 'models' object")
    models: dict[str, ModelPrice] = {}
    for name, entry in data["models"].items():
        try:
            price = ModelPrice(input=float(entry["input"]), output=float(entry["output"]))
        except (TypeError, KeyError, ValueError):
            raise ConfigError(
                f"{origin}: model {name!r} needs numeric 'input' and 'output' (USD per 1M tokens)"
            ) from None
        if price.input < 0 or price.output < 0:
            raise ConfigError(f"{origin}: model {name!r} has a negative price")
        models[name] = price
    discount = data.get("batch_discount")
    return models, None if discount is None else float(discount)


@functools.lru_cache(maxsize=4)
def _cached(user_file: str | None) -> PriceTable:
    return load_prices(user_file)


def default_prices() -> PriceTable:
    """The table for this process: shipped prices updated by EVENTBRIEF_PRICES, read once per
    distinct file (ConfigError when that file is unusable)."""
    return _cached(env_value("prices"))


def shipped_prices() -> dict[str, Any]:
    """The price data shipped in the package, as JSON."""
    text = (resources.files("eventbrief") / "data" / "prices.json").read_text(encoding="utf-8")
    return json.loads(text)


def load_prices(user_file: str | Path | None = None) -> PriceTable:
    """The shipped table, updated by `user_file` or else the file named by EVENTBRIEF_PRICES."""
    models, discount = _parse(shipped_prices(), "prices.json")
    path = user_file or env_value("prices")
    if path:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the price file ({exc.strerror})") from None
        except ValueError as exc:
            raise ConfigError(f"{path}: the price file is not valid JSON ({exc})") from None
        user_models, user_discount = _parse(data, str(path))
        models.update(user_models)
        discount = user_discount if user_discount is not None else discount
    return PriceTable(models=models, batch_discount=0.5 if discount is None else discount)
