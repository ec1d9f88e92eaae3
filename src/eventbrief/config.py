"""Run settings, resolved in one place: flags, then EVENTBRIEF_* variables, then OPENAI_*.

The API key is read from the environment only (never a flag, so it stays out of shell history and
process lists) and is held as a SecretStr: printing the settings never shows it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from eventbrief.errors import ConfigError
from eventbrief.redaction import redact

BackendName = Literal["auto", "openai", "offline"]
Mode = Literal["auto", "tools", "json", "json_schema", "json_object", "md_json"]
Evidence = Literal["auto", "quotes", "sentences"]
BACKENDS: tuple[str, ...] = BackendName.__args__  # type: ignore[attr-defined]
MODES: tuple[str, ...] = Mode.__args__  # type: ignore[attr-defined]
EVIDENCE: tuple[str, ...] = Evidence.__args__  # type: ignore[attr-defined]
DEFAULT_MODEL = "gpt-4o-mini"
ENV_PREFIX = "EVENTBRIEF_"

# Settings field → the variables that can set it, first match wins.
ENV_VARS: dict[str, tuple[str, ...]] = {
    "backend": ("EVENTBRIEF_BACKEND",),
    "model": ("EVENTBRIEF_MODEL",),
    "base_url": ("EVENTBRIEF_BASE_URL", "OPENAI_BASE_URL"),
    "api_key": ("EVENTBRIEF_API_KEY", "OPENAI_API_KEY"),
    "mode": ("EVENTBRIEF_MODE",),
    "evidence": ("EVENTBRIEF_EVIDENCE",),
    "concurrency": ("EVENTBRIEF_CONCURRENCY",),
    "timeout": ("EVENTBRIEF_TIMEOUT",),
    "stall_timeout": ("EVENTBRIEF_STALL_TIMEOUT",),
    "stream": ("EVENTBRIEF_STREAM",),
    "max_attempts": ("EVENTBRIEF_MAX_ATTEMPTS",),
    "max_retry_seconds": ("EVENTBRIEF_MAX_RETRY_SECONDS",),
    "reasks": ("EVENTBRIEF_REASKS",),
    "max_tokens": ("EVENTBRIEF_MAX_TOKENS",),
    "temperature": ("EVENTBRIEF_TEMPERATURE",),
    "max_chars": ("EVENTBRIEF_MAX_CHARS",),
    "no_cache": ("EVENTBRIEF_NO_CACHE",),
    "strict": ("EVENTBRIEF_STRICT",),
}

NO_ENDPOINT_HELP = (
    "configure an OpenAI-compatible endpoint: set EVENTBRIEF_BASE_URL or OPENAI_BASE_URL "
    "(or pass --base-url) for a local or hosted server, and EVENTBRIEF_API_KEY or OPENAI_API_KEY "
    "when it needs a key"
)


class Settings(BaseModel):
    """Everything a run needs to pick and configure a backend."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: BackendName = "auto"
    model: str = Field(default=DEFAULT_MODEL, min_length=1)
    base_url: str | None = None
    api_key: SecretStr | None = None
    # auto: tools on OpenAI's own API; elsewhere the best enforced mode `endpoint check` finds
    mode: Mode = "auto"
    # How the model gives evidence: quotes copied from the article, or the numbers of its
    # sentences (shown to it numbered). auto: sentences where `--mode auto` checked the
    # endpoint, else quotes.
    evidence: Evidence = "auto"
    # None: 8, or on a checked endpoint the requests it serves in parallel
    concurrency: int | None = Field(default=None, ge=1, le=256)
    # An answer may take `timeout` seconds in all (a CPU server may need minutes); streamed, it
    # counts as stalled, and is retried, after `stall_timeout` seconds without a byte.
    timeout: float = Field(default=600.0, gt=0)
    stall_timeout: float = Field(default=60.0, gt=0)
    stream: bool = True
    # Bounds on the OpenAI backend's two retry loops: network faults, then invalid answers. The
    # retry budget exceeds the stall timeout, so a stalled answer is asked for again.
    max_attempts: int = Field(default=4, ge=1, le=20)
    max_retry_seconds: float = Field(default=120.0, ge=0)
    reasks: int = Field(default=2, ge=0, le=10)
    # Bounded, deterministic generation: a cap sized to the contract's largest answer, and no
    # sampling (a server's own default, 0.8 on llama.cpp, makes re-runs differ).
    max_tokens: int = Field(default=4096, ge=16, le=1_000_000)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_chars: int = Field(default=200_000, ge=1)
    no_cache: bool = False
    # Fail an article whose answer is still invalid after the re-asks, instead of keeping its
    # valid, grounded part with warnings (a partial result).
    strict: bool = False

    @classmethod
    def resolve(cls, env: Mapping[str, str] | None = None, **flags: Any) -> Settings:
        """Flags given (not None) win; then the environment (`os.environ` unless `env` is given).

        Raises ConfigError with one line naming the flag or variable that holds a bad value.
        """
        environ = os.environ if env is None else env
        unknown = set(flags) - set(cls.model_fields)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        origin: dict[str, str] = {}
        for field in cls.model_fields:
            if flags.get(field) is not None:
                values[field] = flags[field]
                origin[field] = "--" + field.replace("_", "-")
                continue
            for var in ENV_VARS.get(field, ()):
                raw = environ.get(var, "").strip()
                if raw:
                    values[field] = _parse_env(field, raw)
                    origin[field] = var
                    break
        try:
            return cls(**values)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = str(error["loc"][0]) if error["loc"] else "settings"
            where = origin.get(field, field)
            shown = "" if field == "api_key" else f" (got {values.get(field)!r})"
            raise ConfigError(f"{where}: {error['msg']}{shown}") from None

    @property
    def endpoint_configured(self) -> bool:
        """An endpoint counts as configured when a key or a base URL is set."""
        return self.api_key is not None or bool(self.base_url)

    def resolved_backend(self) -> Literal["openai", "offline"]:
        """`auto` means the OpenAI-compatible endpoint when one is configured, else offline."""
        if self.backend == "auto":
            return "openai" if self.endpoint_configured else "offline"
        return self.backend

    def redact(self, text: str) -> str:
        """`text` with the API key masked (for messages that quote a server or client), by the
        one rule of `eventbrief.redaction`."""
        return redact(text, self.api_key.get_secret_value() if self.api_key is not None else None)

    def describe(self) -> str:
        """A one-line, secret-free description of the backend a run will use (for stderr)."""
        kind = self.resolved_backend()
        how = (
            ""
            if self.backend != "auto"
            else " (auto: "
            + ("endpoint configured)" if kind == "openai" else "no endpoint configured)")
        )
        if kind == "offline":
            return f"backend offline{how}"
        where = _display_url(self.base_url) if self.base_url else "api.openai.com"
        return (
            f"backend openai{how}: model {self.model}, mode {self.mode}, evidence "
            f"{self.evidence}, endpoint {where}"
        )


def _display_url(url: str) -> str:
    """The endpoint without what may hold a secret: user:password@ and the query string."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return url.rsplit("@", 1)[-1].split("?", 1)[0]
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _parse_env(field: str, raw: str) -> Any:
    if field in ("no_cache", "strict"):
        return raw.lower() in {"1", "true", "yes", "on"}
    if field == "api_key":
        return SecretStr(raw)
    return raw
