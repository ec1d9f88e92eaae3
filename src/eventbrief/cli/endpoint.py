"""`eventbrief endpoint check`: find out what an OpenAI-compatible endpoint does."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from typing import Annotated

import typer

from eventbrief.cache import ExtractionCache
from eventbrief.cli.app import EXIT_OK, EXIT_SOME_FAILED, Command, app, sub_app
from eventbrief.cli.options import BaseUrlOption, ModelOption, config_errors_exit, say
from eventbrief.config import Settings
from eventbrief.errors import ConfigError

endpoint_app = sub_app(
    help="Find out what an OpenAI-compatible endpoint does.",
)
app.add_typer(endpoint_app, name="endpoint")

EPILOG = """\
\b
Each line is what the endpoint did with a tiny request, not what it claims:
  tools                 a tool call came back, its arguments following a schema
                        that the prompt contradicts (enforced) or not (accepted)
  named tool_choice     the named tool was called although the prompt asked for
                        the other one
  json_schema           response_format json_schema: rejected, accepted, enforced
  json_object + schema  llama-cpp-python's form: {"type": "json_object", "schema": …}
  long prompt           about 4,200 tokens sent, usage.prompt_tokens compared: a
                        server that silently truncates (Ollama's num_ctx) shows here
  parallel requests     the same request 1, 2 and 4 at once, timed
The report is kept in the cache file per endpoint and model; --mode auto (the
default for endpoints other than api.openai.com) uses it, and this command
checks again.

\b
Examples:
  eventbrief endpoint check --base-url http://127.0.0.1:8080/v1 --model smollm2
  eventbrief endpoint check --json | jq .recommended_mode

Exit codes: 0 checked, 1 the endpoint could not be reached or answered nothing usable,
2 usage or configuration error.
"""


@endpoint_app.command(cls=Command, epilog=EPILOG)
def check(
    base_url: BaseUrlOption = None,
    model: ModelOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Probe the endpoint and recommend a mode and a concurrency."""
    with config_errors_exit():
        settings = Settings.resolve(backend="openai", base_url=base_url, model=model, mode="auto")
    from eventbrief.backends.openai.client import OpenAIBackend

    backend = OpenAIBackend(
        model=settings.model,
        base_url=settings.base_url,
        api_key=settings.api_key,
        mode="auto",
        timeout=settings.timeout,
    )
    say(f"checking {backend.endpoint} with model {settings.model}")
    try:
        report = asyncio.run(backend.check(progress=lambda step: say(f"  {step}…")))
    except KeyboardInterrupt:
        say("interrupted")
        raise typer.Exit(130) from None
    with contextlib.suppress(ConfigError, sqlite3.Error, OSError), ExtractionCache() as store:
        store.open().put_endpoint_report(backend.endpoint, settings.model, report.model_dump_json())
    from eventbrief.backends.openai.endpoint_check import table

    typer.echo(report.model_dump_json(indent=2) if as_json else table(report))
    shapes = ("tools", "json_schema", "json_object_schema", "json_object")
    reached = any(p.verdict != "failed" for p in report.probes if p.name in shapes)
    raise typer.Exit(EXIT_OK if reached else EXIT_SOME_FAILED)
