"""Metering of one extraction's requests: every attempt counts, failed or not."""

from __future__ import annotations

from typing import Any

from instructor.core.hooks import Hooks

from eventbrief.models import Usage


class UsageMeter:
    """Counts requests and tokens over every attempt of one extraction via instructor hooks."""

    def __init__(self) -> None:
        self.usage = Usage()
        self.last_response: Any = None

    def hooks(self) -> Hooks:
        hooks = Hooks()
        hooks.on("completion:kwargs", self._on_request)
        hooks.on("completion:response", self._on_response)
        return hooks

    def _on_request(self, *args: Any, **kwargs: Any) -> None:
        self.usage = self.usage + Usage(requests=1)

    def _on_response(self, response: Any) -> None:
        self.last_response = response
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.usage = self.usage + Usage(
                prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            )
