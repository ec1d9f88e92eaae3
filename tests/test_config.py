"""Settings: flags over EVENTBRIEF_* over OPENAI_*, backend auto, and the key kept secret."""

from __future__ import annotations

import pytest

from eventbrief.backends import make_backend
from eventbrief.backends.openai.client import OpenAIBackend
from eventbrief.config import Settings
from eventbrief.errors import ConfigError

KEY = "sk-test-CONFIG-7f3a9c1e55"


def test_defaults_with_an_empty_environment() -> None:
    settings = Settings.resolve(env={})
    assert settings.backend == "auto"
    assert settings.resolved_backend() == "offline"
    assert settings.mode == "auto"
    assert settings.concurrency is None  # 8, or what a checked endpoint serves in parallel
    assert settings.max_tokens == 4096
    assert settings.temperature == 0.0
    assert settings.api_key is None
    assert settings.no_cache is False
    # a slow CPU server may stream for minutes: the whole answer may take 10, a silence 1
    assert (settings.timeout, settings.stall_timeout, settings.stream) == (600.0, 60.0, True)
    assert (settings.max_attempts, settings.max_retry_seconds) == (4, 120.0)
    # the retry budget outlasts a stall, so a stalled answer is asked for once more
    assert settings.max_retry_seconds >= settings.stall_timeout


def test_timeouts_and_streaming_from_env_and_flags() -> None:
    env = {
        "EVENTBRIEF_TIMEOUT": "900",
        "EVENTBRIEF_STALL_TIMEOUT": "15",
        "EVENTBRIEF_STREAM": "0",
    }
    settings = Settings.resolve(env=env)
    assert (settings.timeout, settings.stall_timeout, settings.stream) == (900.0, 15.0, False)
    flagged = Settings.resolve(env=env, timeout=30.0, stall_timeout=5.0, stream=True)
    assert (flagged.timeout, flagged.stall_timeout, flagged.stream) == (30.0, 5.0, True)
    assert Settings.resolve(env={"EVENTBRIEF_STREAM": "yes"}).stream is True


def test_flags_then_eventbrief_env_then_openai_env() -> None:
    env = {
        "OPENAI_BASE_URL": "http://openai.example/v1",
        "OPENAI_API_KEY": "sk-openai",
        "EVENTBRIEF_BASE_URL": "http://eventbrief.example/v1",
        "EVENTBRIEF_MODEL": "env-model",
        "EVENTBRIEF_CONCURRENCY": "3",
        "EVENTBRIEF_MODE": "json",
        "EVENTBRIEF_NO_CACHE": "yes",
    }
    settings = Settings.resolve(env=env)
    assert settings.base_url == "http://eventbrief.example/v1"
    assert settings.model == "env-model"
    assert settings.concurrency == 3
    assert settings.mode == "json"
    assert settings.no_cache is True
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-openai"
    flagged = Settings.resolve(env=env, base_url="http://flag/v1", model="m", concurrency=1)
    assert (flagged.base_url, flagged.model, flagged.concurrency) == ("http://flag/v1", "m", 1)
    only_openai = Settings.resolve(env={"OPENAI_BASE_URL": "http://o/v1"})
    assert only_openai.base_url == "http://o/v1"


def test_eventbrief_key_wins_over_openai_key() -> None:
    env = {"OPENAI_API_KEY": "sk-a", "EVENTBRIEF_API_KEY": "sk-b"}
    settings = Settings.resolve(env=env)
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-b"


@pytest.mark.parametrize(
    ("env", "flags", "expected"),
    [
        ({}, {}, "offline"),
        ({"OPENAI_API_KEY": "sk-x"}, {}, "openai"),
        ({"EVENTBRIEF_BASE_URL": "http://h/v1"}, {}, "openai"),
        ({}, {"base_url": "http://h/v1"}, "openai"),
        ({"OPENAI_API_KEY": "sk-x"}, {"backend": "offline"}, "offline"),
        ({}, {"backend": "openai"}, "openai"),
        ({"EVENTBRIEF_BACKEND": "offline", "OPENAI_API_KEY": "k"}, {}, "offline"),
    ],
)
def test_auto_backend(env: dict[str, str], flags: dict[str, str], expected: str) -> None:
    assert Settings.resolve(env=env, **flags).resolved_backend() == expected


def test_key_never_shown_by_repr_describe_or_errors() -> None:
    settings = Settings.resolve(env={"OPENAI_API_KEY": KEY, "EVENTBRIEF_MODEL": "m"})
    for text in (repr(settings), str(settings), settings.describe(), settings.model_dump_json()):
        assert KEY not in text
    assert "model m" in settings.describe()
    assert settings.redact(f"401 for key {KEY}!") == "401 for key ***!"


@pytest.mark.parametrize(
    ("env", "flags", "message"),
    [
        ({"EVENTBRIEF_CONCURRENCY": "many"}, {}, "EVENTBRIEF_CONCURRENCY: "),
        ({"EVENTBRIEF_CONCURRENCY": "0"}, {}, "EVENTBRIEF_CONCURRENCY: "),
        ({"EVENTBRIEF_MODE": "xml"}, {}, "EVENTBRIEF_MODE: "),
        ({"EVENTBRIEF_STALL_TIMEOUT": "0"}, {}, "EVENTBRIEF_STALL_TIMEOUT: "),
        ({"EVENTBRIEF_STALL_TIMEOUT": "soon"}, {}, "EVENTBRIEF_STALL_TIMEOUT: "),
        ({"EVENTBRIEF_STREAM": "maybe"}, {}, "EVENTBRIEF_STREAM: "),
        ({}, {"stall_timeout": -1.0}, "--stall-timeout: "),
        ({}, {"backend": "cloud"}, "--backend: "),
        ({}, {"colour": "red"}, "unknown setting(s): colour"),
    ],
)
def test_bad_values_are_one_line_config_errors(
    env: dict[str, str], flags: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.resolve(env=env, **flags)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_make_backend_without_endpoint_explains_how_to_configure_one() -> None:
    """Until the offline backend is in the build, `auto` without an endpoint is a clear error."""
    settings = Settings.resolve(env={})
    try:
        backend = make_backend(settings)
    except ConfigError as exc:
        message = str(exc)
        for hint in ("EVENTBRIEF_BASE_URL", "OPENAI_BASE_URL", "--base-url", "OPENAI_API_KEY"):
            assert hint in message
    else:
        assert backend.name == "offline"


def test_make_backend_openai_needs_an_endpoint() -> None:
    with pytest.raises(ConfigError, match="backend openai has no endpoint; configure"):
        make_backend(Settings.resolve(env={}, backend="openai"))


def test_make_backend_openai_passes_settings_through() -> None:
    settings = Settings.resolve(
        env={"EVENTBRIEF_API_KEY": KEY},
        base_url="http://127.0.0.1:9/v1",
        model="m",
        mode="json_schema",
        timeout=300.0,
        stall_timeout=20.0,
        stream=False,
    )
    backend = make_backend(settings)
    assert backend.name == "openai"
    assert isinstance(backend, OpenAIBackend)
    assert (backend.timeout, backend.stall_timeout, backend.stream) == (300.0, 20.0, False)
    defaults = make_backend(Settings.resolve(env={}, base_url="http://127.0.0.1:9/v1"))
    assert isinstance(defaults, OpenAIBackend)
    assert (defaults.timeout, defaults.stall_timeout, defaults.stream) == (600.0, 60.0, True)
    assert defaults.max_retry_seconds == 120.0
    identity = backend.identity()
    assert identity["model"] == "m"
    assert identity["mode"] == "json_schema"
    assert KEY not in repr(identity)
