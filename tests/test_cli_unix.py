"""The conventions of llm and jq: stdin when nothing else is given, `-o -` for stdout, files
with the umask's mode, the format from `-o`'s extension, a mistyped id as a usage error, and a
word on stderr (and in the pages) when a record holds less than the reader would expect."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventbrief.cli.app import app
from eventbrief.language import guess_language
from eventbrief.output import choose_format, current_umask, write_text
from eventbrief.progress import RunProgress

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "evals" / "articles"
SEED_000 = SEEDS / "000_a91afaca033a80ab.txt"
SEED_004 = SEEDS / "004_2ad1f6fdf5f1c408.txt"
OFFLINE = ["--backend", "offline", "--no-cache"]

GERMAN = """Bundesregierung beschließt neues Klimapaket

Die Bundesregierung hat am Mittwoch in Berlin ein neues Klimapaket beschlossen. Nach Angaben des
Wirtschaftsministeriums sollen die Mittel für den Ausbau der Windenergie bis 2030 verdoppelt
werden. Kanzler Friedrich Merz sagte, das Paket sei ein wichtiger Schritt für die Industrie. Die
Opposition kritisierte die Pläne als unzureichend. Der Bundestag soll im Herbst über das Gesetz
abstimmen.
"""
RECIPE = """Classic banana bread

This banana bread is moist, easy to make and a great way to use up overripe bananas.

Preheat the oven to 175 degrees and butter a loaf pan. In a mixing bowl, mash the ripe bananas
with a fork until completely smooth. Stir the melted butter into the mashed bananas. Mix in the
baking soda and salt. Stir in the sugar, beaten egg and vanilla extract. Mix in the flour.

Pour the batter into the prepared loaf pan. Bake for 55 minutes, until a tester inserted into
the center comes out clean. Let it cool in the pan for a few minutes before serving.
"""
NO_DATE = "000_a91afaca033a80ab: no publication date found, so 8 relative dates are left"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def _no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("OPENAI_") or name in ("EVENTBRIEF_BASE_URL", "EVENTBRIEF_API_KEY"):
            monkeypatch.delenv(name)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _script() -> str:
    script = Path(sys.executable).with_name("eventbrief")
    found = str(script) if script.exists() else shutil.which("eventbrief")
    assert found, "the eventbrief console script is installed next to this Python"
    return found


def _run(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed script with umask 022, as a user's shell runs it."""
    return subprocess.run(
        [_script(), *args],
        cwd=cwd,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),
    )


def _warnings(stderr: str, article_id: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(f"eventbrief: {article_id}: ")]


# stdin and stdout


def test_piped_text_is_read_without_a_path(tmp_path: Path) -> None:
    done = _run(["summarize", *OFFLINE], tmp_path, stdin=SEED_004.read_text(encoding="utf-8"))
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["article"]["id"] == "stdin"
    assert (
        record["article"]["sha256"]
        == json.loads(_run(["summarize", str(SEED_004), *OFFLINE], tmp_path).stdout)["article"][
            "sha256"
        ]
    )


def test_no_path_and_a_terminal_on_stdin_is_a_usage_error(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("eventbrief.cli.options.stdin_is_piped", lambda: False)
    for command in ("summarize", "brief"):
        result = runner.invoke(app, [command])
        assert result.exit_code == 2
        assert "no PATH given and nothing piped on stdin" in result.stderr
        assert result.stdout == ""


def test_dash_o_is_stdout_and_creates_no_file(tmp_path: Path) -> None:
    summarized = _run(["summarize", str(SEED_004), *OFFLINE, "-o", "-"], tmp_path)
    assert summarized.returncode == 0, summarized.stderr
    assert json.loads(summarized.stdout)["article"]["id"] == SEED_004.stem
    briefed = _run(["brief", str(SEED_004), *OFFLINE, "-o", "-", "-q"], tmp_path)
    assert briefed.returncode == 0, briefed.stderr
    assert json.loads(briefed.stdout)["articles"][0]["id"] == SEED_004.stem
    prepared = _run(["batch", "prepare", str(SEED_004), "-o", "-", "--model", "m"], tmp_path)
    assert prepared.returncode == 0, prepared.stderr
    assert json.loads(prepared.stdout)["custom_id"].startswith(SEED_004.stem + ":")
    evaluated = _run(["eval", "--dataset", str(ROOT / "evals"), *OFFLINE, "--html", "-"], tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert evaluated.stdout.lstrip().lower().startswith("<!doctype html>")
    assert list(tmp_path.iterdir()) == []


# files


def test_output_files_get_the_umasks_mode(tmp_path: Path) -> None:
    done = _run(["summarize", str(SEEDS), *OFFLINE, "-o", "out/"], tmp_path)
    assert done.returncode == 0, done.stderr
    written = sorted((tmp_path / "out").iterdir())
    assert [p.name for p in written] == [f"{p.stem}.json" for p in sorted(SEEDS.glob("*.txt"))]
    assert {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o644}
    for args in (["summarize", str(SEED_004), *OFFLINE], ["brief", str(SEED_004), *OFFLINE]):
        target = tmp_path / f"{args[0]}.json"
        assert _run([*args, "-o", str(target)], tmp_path).returncode == 0
        assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_write_text_follows_the_umask_and_keeps_an_existing_files_mode(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        assert current_umask() == 0o077
        write_text(tmp_path / "private.json", "{}\n")
        os.umask(0o002)
        write_text(tmp_path / "shared.json", "{}\n")
        (tmp_path / "kept.json").write_text("old\n")
        (tmp_path / "kept.json").chmod(0o640)
        write_text(tmp_path / "kept.json", "new\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "private.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "shared.json").stat().st_mode) == 0o664
    assert stat.S_IMODE((tmp_path / "kept.json").stat().st_mode) == 0o640
    assert (tmp_path / "kept.json").read_text() == "new\n"


# formats


def test_the_format_follows_the_extension_unless_given() -> None:
    assert choose_format(None, "brief.md", 1) == "markdown"
    assert choose_format(None, "page.HTML", 3) == "html"
    assert choose_format(None, "all.jsonl", 1) == "jsonl"
    assert choose_format(None, "all.json", 3) == "json"
    assert choose_format("json", "brief.md", 1) == "json"
    assert choose_format(None, "notes.txt", 1) == "json"
    assert choose_format(None, "notes.txt", 2) == "jsonl"
    assert choose_format(None, "-", 2) == "jsonl"
    assert choose_format(None, None, 1) == "json"


def test_dash_o_with_a_markdown_name_writes_markdown(runner: CliRunner, tmp_path: Path) -> None:
    page = tmp_path / "brief.md"
    result = runner.invoke(
        app, ["summarize", str(SEED_004), *OFFLINE, "-o", str(page), "--published", "2025-03-21"]
    )
    assert result.exit_code == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Sergei Shoigu visited North Korea")
    assert "\n## Events\n" in text and "| e1 |" in text
    several = tmp_path / "several.json"
    result = runner.invoke(app, ["summarize", str(SEEDS), *OFFLINE, "-o", str(several), "-q"])
    assert result.exit_code == 0, result.stderr
    assert [r["article"]["id"] for r in json.loads(several.read_text())] == sorted(
        p.stem for p in SEEDS.glob("*.txt")
    )


def test_jsonl_prints_one_line_for_one_article(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summarize", str(SEED_004), *OFFLINE, "--format", "jsonl"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["article"]["id"] == SEED_004.stem


def test_a_folder_target_takes_markdown_and_html(runner: CliRunner, tmp_path: Path) -> None:
    for fmt, suffix in (("markdown", ".md"), ("html", ".html")):
        out = tmp_path / fmt
        args = ["summarize", str(SEED_004), *OFFLINE, "--format", fmt, "-o", f"{out}/"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.stderr
        assert [p.name for p in out.iterdir()] == [SEED_004.stem + suffix]


# --published


def test_an_unknown_id_in_published_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summarize", str(SEEDS), "--published", "nosuch=2025-03-01"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "no article has the id 'nosuch'" in result.stderr
    assert "the ids are 000_a91afaca033a80ab, 001_06ee34612adf2594" in result.stderr
    shortened = runner.invoke(app, ["summarize", str(SEEDS), "--published", "000=2025-06-17"])
    assert shortened.exit_code == 2
    assert "did you mean '000_a91afaca033a80ab'?" in shortened.stderr
    for command in (["brief"], ["batch", "prepare"]):
        result = runner.invoke(app, [*command, str(SEED_004), "--published", "nosuch=2025-03-01"])
        assert result.exit_code == 2, (command, result.stderr)
        assert "no article has the id 'nosuch'" in result.stderr


# notices


def test_seed_000_without_a_date_says_so_and_how_to_give_one(runner: CliRunner) -> None:
    result = runner.invoke(app, ["summarize", str(SEED_000), *OFFLINE])
    assert result.exit_code == 0, result.stderr
    (line,) = _warnings(result.stderr, SEED_000.stem)
    assert line.startswith(f"eventbrief: {NO_DATE} unresolved (“June 19”, “June 17”, …)")
    assert line.endswith(f"give it with --published {SEED_000.stem}=YYYY-MM-DD")
    assert all(
        e["date"] is None or e["date"]["value"] is None for e in json.loads(result.stdout)["events"]
    )
    dated = runner.invoke(app, ["summarize", str(SEED_000), *OFFLINE, "--published", "2025-06-17"])
    assert _warnings(dated.stderr, SEED_000.stem) == []


def test_a_german_article_gets_one_warning_and_its_record(
    runner: CliRunner, tmp_path: Path
) -> None:
    article = tmp_path / "klima.txt"
    article.write_text(GERMAN, encoding="utf-8")
    result = runner.invoke(app, ["summarize", str(article), *OFFLINE])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["article"]["id"] == "klima"
    assert _warnings(result.stderr, "klima") == [
        "eventbrief: klima: the text looks German, not English; the offline backend reads "
        "English news only, so it finds little here (an LLM behind --backend openai reads "
        "other languages)"
    ]


def test_a_recipe_gets_one_warning_and_its_record(runner: CliRunner, tmp_path: Path) -> None:
    article = tmp_path / "bread.txt"
    article.write_text(RECIPE, encoding="utf-8")
    result = runner.invoke(app, ["summarize", str(article), *OFFLINE, "-q"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["events"] == [] and len(record["key_takeaways"]) >= 3
    (line,) = result.stderr.splitlines()  # -q: no run summary, the warning still
    assert line.startswith("eventbrief: bread: no event found: the offline rules look for news")


def test_pages_for_people_show_the_warnings(runner: CliRunner, tmp_path: Path) -> None:
    article = tmp_path / "bread.txt"
    article.write_text(RECIPE, encoding="utf-8")
    result = runner.invoke(app, ["summarize", str(article), *OFFLINE, "--format", "markdown"])
    assert "grounding 100% · 1 warning (see Warnings)" in result.stdout
    assert "\n## Warnings\n\n- no event found: the offline rules" in result.stdout
    html = runner.invoke(app, ["summarize", str(article), *OFFLINE, "--format", "html"])
    assert '<section class="panel warnings"><h2>Warnings</h2><ul><li>no event found' in html.stdout


def test_a_brief_over_the_seeds_without_dates_names_each_undated_article(
    runner: CliRunner,
) -> None:
    result = runner.invoke(app, ["brief", str(SEEDS), *OFFLINE, "-q"])
    assert result.exit_code == 0, result.stderr
    undated = [line for line in result.stderr.splitlines() if "no publication date found" in line]
    assert [line.split(":")[1].strip() for line in undated] == sorted(
        p.stem for p in SEEDS.glob("*.txt")
    )


def test_language_guesses() -> None:
    assert guess_language(GERMAN) == "German"
    assert guess_language(RECIPE) is None
    assert guess_language(SEED_000.read_text(encoding="utf-8")) is None
    assert guess_language("Kurz.") is None  # too short to judge
    french = (
        "Le gouvernement a annoncé mardi une nouvelle réforme des retraites, selon le ministre "
        "du Travail, qui a précisé que le texte sera présenté au Parlement dans les prochaines "
        "semaines. Les syndicats ont dénoncé un projet injuste et appellent à la grève."
    )
    assert guess_language(french) == "French"
    russian = (
        "Министерство обороны России заявило во вторник, что войска отразили атаку "
        "беспилотников в Белгородской области, сообщает ТАСС."
    )
    assert guess_language(russian) == "Cyrillic script"


# progress


def test_one_article_on_a_terminal_gets_a_spinner_with_its_name() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    drawn = Tty()
    with RunProgress(1, enabled=True, stream=drawn, label="summarizing long.txt") as progress:
        progress._progress.refresh()  # type: ignore[union-attr]
    assert "summarizing long.txt" in drawn.getvalue()
    assert "0:00:0" in drawn.getvalue()  # the time elapsed
