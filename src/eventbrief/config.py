"""Run settings, resolved in one place: flags, then EVENTBRIEF_* variables, then OPENAI_*, then
the user's config file, then the defaults.

The config file (`eventbrief config set|unset|show`) pins what a user chooses once: the backend,
model, endpoint URL and mode, so that an OPENAI_API_KEY set for some other tool does not decide
for them. It is one flat TOML table in EVENTBRIEF_CONFIG_DIR or the platform's user config dir.
The API key is read from the environment only (never a flag or the file, so it stays out of
shell history, process lists and dotfiles) and is held as a SecretStr: printing the settings
never shows it.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, ValidationError

from eventbrief.errors import ConfigError
from eventbrief.redaction import redact
from eventbrief.urls import display_url

BackendName = Literal["auto", "openai", "offline"]
Mode = Literal["auto", "tools", "json", "json_schema", "json_object", "md_json"]
Evidence = Literal["auto", "quotes", "sentences"]
BACKENDS: tuple[BackendName, ...] = get_args(BackendName)
MODES: tuple[Mode, ...] = get_args(Mode)
EVIDENCE: tuple[Evidence, ...] = get_args(Evidence)
DEFAULT_MODEL = "gpt-4o-mini"

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

CACHE_DIR_VAR = "EVENTBRIEF_CACHE_DIR"
CHUNK_CHARS_VAR = "EVENTBRIEF_CHUNK_CHARS"
PRICES_VAR = "EVENTBRIEF_PRICES"
MIN_CHUNK_CHARS = 500
# Settings field → its variable, for the knobs no flag sets: where the cache lives, the chunk
# size of long articles, a user price file. Apart from ENV_VARS (the flags' variables) so a
# caller clearing those keeps where its cache is.
KNOB_VARS: dict[str, tuple[str, ...]] = {
    "cache_dir": (CACHE_DIR_VAR,),
    "chunk_chars": (CHUNK_CHARS_VAR,),
    "prices": (PRICES_VAR,),
}

CONFIG_DIR_VAR = "EVENTBRIEF_CONFIG_DIR"
CONFIG_FILE = "config.toml"
CONFIG_KEYS: tuple[str, ...] = ("backend", "model", "base_url", "mode")
"""What the config file may hold: the choices a user makes once, never a secret."""

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
    # The extraction cache's folder (None: the platform's user cache dir), the size above which
    # the LLM backend cuts an article into chunks (None: the chunker's default), and a price
    # file that adds or replaces model prices (None: the shipped table only).
    cache_dir: Path | None = None
    chunk_chars: int | None = Field(default=None, ge=MIN_CHUNK_CHARS)
    prices: Path | None = None

    # Where each field's value came from: "--model", "EVENTBRIEF_MODEL", "config file"; a
    # field at its default is absent.
    _origin: dict[str, str] = PrivateAttr(default_factory=dict)

    @classmethod
    def resolve(
        cls,
        env: Mapping[str, str] | None = None,
        config: Mapping[str, str] | None = None,
        **flags: Any,
    ) -> Settings:
        """Flags given (not None) win; then the environment (`os.environ` unless `env` is given);
        then the config file (`read_config()` unless `config` is given); then the defaults.

        Raises ConfigError with one line naming the flag, variable or file that holds a bad
        value.
        """
        environ = os.environ if env is None else env
        unknown = set(flags) - set(cls.model_fields)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        stored = read_config(config_path(environ)) if config is None else config
        values: dict[str, Any] = {}
        origin: dict[str, str] = {}
        for field in cls.model_fields:
            if flags.get(field) is not None:
                values[field] = flags[field]
                origin[field] = "--" + field.replace("_", "-")
                continue
            found = from_env(field, environ)
            if found is not None:
                var, raw = found
                values[field] = _parse_env(field, raw)
                origin[field] = var
            elif field in CONFIG_KEYS and stored.get(field):
                values[field] = stored[field]
                origin[field] = "config file"
        try:
            settings = cls(**values)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = str(error["loc"][0]) if error["loc"] else "settings"
            where = origin.get(field, field)
            if where == "config file":
                where = f"{config_path(environ)}: {field}"
            shown = "" if field == "api_key" else f" (got {values.get(field)!r})"
            raise ConfigError(f"{where}: {error['msg']}{shown}") from None
        settings._origin = origin
        return settings

    def origin(self, field: str) -> str:
        """Where `field`'s value came from: a flag, a variable, "config file" or "default"."""
        return self._origin.get(field, "default")

    @property
    def paid_by_surprise(self) -> bool:
        """`auto` chose OpenAI's own (paid) API for no reason but an OPENAI_API_KEY in the
        environment, which is often there for some other tool: the user should hear it first."""
        return (
            self.backend == "auto"
            and not self.base_url
            and self.origin("api_key") == "OPENAI_API_KEY"
        )

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
        if self.origin("backend") == "config file":
            how += " (config file)"
        if self.paid_by_surprise:
            how = (
                " (auto: only because OPENAI_API_KEY is set, so OpenAI's paid API is used; "
                "for the offline backend pass --backend offline or run "
                "'eventbrief config set backend offline')"
            )
        if kind == "offline":
            return f"backend offline{how}"
        where = display_url(self.base_url)
        return (
            f"backend openai{how}: model {self.model}, mode {self.mode}, evidence "
            f"{self.evidence}, endpoint {where}"
        )


def from_env(field: str, env: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """The variable that sets Settings `field` and its value (first set, non-blank one wins),
    from `env` or the process's environment: the one place the environment is read."""
    environ = os.environ if env is None else env
    for var in (*ENV_VARS.get(field, ()), *KNOB_VARS.get(field, ())):
        raw = environ.get(var, "").strip()
        if raw:
            return var, raw
    return None


def env_value(field: str) -> str | None:
    """The process environment's value for Settings `field`, None when no variable sets it
    (for code that runs without resolved Settings: `cache info`, a bare ChunkingBackend)."""
    found = from_env(field)
    return None if found is None else found[1]


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """The config file: in EVENTBRIEF_CONFIG_DIR when set (in `env`, else the process's
    environment), else in the platform's user config dir."""
    folder = ((env or {}).get(CONFIG_DIR_VAR) or os.environ.get(CONFIG_DIR_VAR, "")).strip()
    if folder:
        return Path(folder).expanduser() / CONFIG_FILE
    return Path(platformdirs.user_config_dir("eventbrief", appauthor=False)) / CONFIG_FILE


def read_config(path: Path | None = None) -> dict[str, str]:
    """The settings in the config file, {} when there is none. A file that is not TOML, or holds
    a key it may not or a value that is not text, is a ConfigError naming the file."""
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from None
    try:
        table = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a TOML file: {exc}") from None
    for key, value in table.items():
        if key not in CONFIG_KEYS:
            raise ConfigError(f"{path}: {unknown_key(key)}")
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {key} must be a string (got {value!r})")
    return dict(table)


def check_config_value(key: str, value: str) -> None:
    """A ConfigError unless `key` may be stored and `value` is valid for it."""
    if key not in CONFIG_KEYS:
        raise ConfigError(unknown_key(key))
    try:
        Settings.model_validate({key: value})
    except ValidationError as exc:
        raise ConfigError(f"{key}: {exc.errors()[0]['msg']} (got {value!r})") from None
    if key == "base_url" and urlsplit(value).scheme not in ("http", "https"):
        raise ConfigError(f"base_url: not an http(s) URL (got {value!r})")


def write_config(values: Mapping[str, str], path: Path | None = None) -> Path:
    """Write `values` as the config file: one flat TOML table of strings, keys in a fixed
    order; atomically (a temporary file, then os.replace), so a failed write keeps the old.
    The file is private (0600) as ~/.netrc is: a base URL may carry a user:password."""
    path = path or config_path()
    lines = ["# eventbrief settings: 'eventbrief config set|unset|show'; flags and env win"]
    # a JSON string is a TOML basic string; read back to be sure of any odd character
    lines += [
        f"{key} = {json.dumps(values[key], ensure_ascii=False)}"
        for key in CONFIG_KEYS
        if key in values
    ]
    text = "\n".join(lines) + "\n"
    try:
        same = tomllib.loads(text) == dict(values)
    except tomllib.TOMLDecodeError:
        same = False
    if not same:
        raise ConfigError("a value holds characters the config file cannot keep")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            os.fchmod(handle.fileno(), 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def unknown_key(key: str) -> str:
    """Why the config file may not hold `key`."""
    if key == "api_key":
        return (
            "the API key is read from the environment only (EVENTBRIEF_API_KEY or "
            "OPENAI_API_KEY), never from a file"
        )
    return f"unknown setting {key!r}; the config file holds {', '.join(CONFIG_KEYS)}"


def _parse_env(field: str, raw: str) -> Any:
    if field in ("no_cache", "strict"):
        return raw.lower() in {"1", "true", "yes", "on"}
    if field == "api_key":
        return SecretStr(raw)
    if field == "cache_dir":
        return Path(raw).expanduser()
    return raw
