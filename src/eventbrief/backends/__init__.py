"""Backends: `openai` (instructor over any OpenAI-compatible endpoint) and `offline` (rules).

A small registry names each backend's class by module path; the module is imported only when
the backend is chosen or asked about, so `offline` never loads the OpenAI client and
`import eventbrief` stays cheap. A new backend is one module (a class with `name`,
`capabilities`, a `make(settings)` classmethod, `identity`, `extract` and `aclose`) plus one line
here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, cast

from eventbrief.errors import ConfigError

if TYPE_CHECKING:
    from eventbrief.backends.base import Backend, BackendKind, Capabilities
    from eventbrief.config import Settings

REGISTRY: dict[str, str] = {
    "openai": "eventbrief.backends.openai.client:OpenAIBackend",
    "offline": "eventbrief.backends.offline.backend:OfflineBackend",
}
"""Backend name → "module:class"."""


def backend_class(name: str) -> BackendKind:
    """The class of backend `name`, its module imported now; ConfigError for an unknown name or a
    backend whose dependencies are not installed."""
    from eventbrief.config import NO_ENDPOINT_HELP

    if name not in REGISTRY:
        raise ConfigError(f"unknown backend {name!r}; choose one of auto, {', '.join(REGISTRY)}")
    module_path, _, class_name = REGISTRY[name].partition(":")
    try:
        module = importlib.import_module(module_path)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if not missing.startswith("eventbrief"):
            raise ConfigError(
                f"the {name} backend needs the package {missing!r}, which is not installed; "
                "reinstall eventbrief (pip install eventbrief) to get its dependencies"
            ) from None
        if not module_path.startswith(missing):
            raise
        raise ConfigError(
            f"the {name} backend is not available in this build; {NO_ENDPOINT_HELP}"
        ) from None
    return cast("BackendKind", getattr(module, class_name))


def capabilities(name: str) -> Capabilities:
    """What backend `name` can do (see `Capabilities`), without making one; a name not in the
    registry (a record from elsewhere, a test double) can do nothing special."""
    from eventbrief.backends.base import Capabilities

    if name not in REGISTRY:
        return Capabilities()
    return backend_class(name).capabilities


def make_backend(settings: Settings) -> Backend:
    """The backend `settings` ask for (`auto` resolved); ConfigError when it cannot be built."""
    from eventbrief.config import NO_ENDPOINT_HELP

    name = settings.resolved_backend()
    try:
        cls = backend_class(name)
    except ConfigError as exc:
        if settings.backend == "auto" and "not available in this build" in str(exc):
            raise ConfigError(
                "no endpoint is configured and the offline backend is not available in this "
                f"build; {NO_ENDPOINT_HELP}"
            ) from None
        raise
    return cls.make(settings)
