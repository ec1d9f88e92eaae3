"""Backends: `openai` (instructor over any OpenAI-compatible endpoint) and `offline` (rules).

Each backend module is imported only when chosen, so `offline` never loads the OpenAI client and
`import eventbrief` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventbrief.errors import ConfigError

if TYPE_CHECKING:
    from eventbrief.backends.base import Backend
    from eventbrief.config import Settings


def make_backend(settings: Settings) -> Backend:
    """The backend `settings` ask for (`auto` resolved); ConfigError when it cannot be built."""
    from eventbrief.config import NO_ENDPOINT_HELP

    kind = settings.resolved_backend()
    if kind == "openai":
        if not settings.endpoint_configured:
            raise ConfigError(f"backend openai has no endpoint; {NO_ENDPOINT_HELP}")
        from eventbrief.backends.openai_compatible import OpenAIBackend

        return OpenAIBackend(
            model=settings.model,
            base_url=settings.base_url,
            api_key=settings.api_key,
            mode=settings.mode,
            evidence=settings.evidence,
            timeout=settings.timeout,
            stall_timeout=settings.stall_timeout,
            stream=settings.stream,
            max_attempts=settings.max_attempts,
            max_retry_seconds=settings.max_retry_seconds,
            reasks=settings.reasks,
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
            strict=settings.strict,
        )
    try:
        from eventbrief.backends.offline import OfflineBackend
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("eventbrief"):
            raise ConfigError(
                f"the offline backend needs the package {exc.name!r}, which is not installed; "
                "reinstall eventbrief (pip install eventbrief) to get its dependencies"
            ) from None
        if not (exc.name or "").startswith("eventbrief.backends.offline"):
            raise
        reason = (
            "no endpoint is configured and the offline backend is not available in this build"
            if settings.backend == "auto"
            else "the offline backend is not available in this build"
        )
        raise ConfigError(f"{reason}; {NO_ENDPOINT_HELP}") from None
    return OfflineBackend()
