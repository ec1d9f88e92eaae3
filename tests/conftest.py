"""Shared fixtures: a scripted OpenAI-compatible server on 127.0.0.1 (no internet, no API key),
and headless Chromium for the HTML page tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripted_server import ScriptedServer


@pytest.fixture
def scripted_server() -> Iterator[ScriptedServer]:
    """A running ScriptedServer; queue replies on it and point a client at `.base_url`."""
    with ScriptedServer() as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's chromium driven over the DevTools protocol (tests/cdp.py); a missing browser
    skips the test locally and fails it under CI=true, where .ci/run installs it."""
    if not Path("/usr/bin/chromium").exists():
        reason = (
            "/usr/bin/chromium is missing: install Debian's chromium (apt-get install -y chromium)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from cdp import Browser

    with Browser() as b:
        yield b


@pytest.fixture(autouse=True)
def _private_cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own extraction cache: none reads or fills the user's."""
    monkeypatch.setenv("EVENTBRIEF_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def _private_config_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own, empty config dir: none reads or writes the user's config file."""
    monkeypatch.setenv("EVENTBRIEF_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))


@pytest.fixture(autouse=True)
def _tools_mode_unless_said(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests against the scripted server script tool calls: they run in `tools` mode, as the
    default was before `--mode auto`. Tests of auto remove this (monkeypatch.delenv)."""
    monkeypatch.setenv("EVENTBRIEF_MODE", "tools")
