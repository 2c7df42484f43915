"""Every command's tables read in an 80-column terminal: no line over 80 characters, no money
value split across lines, SYNTHETIC once at the top; --format csv|markdown; --out FILE.xlsx.
Most commands run in-process (one import, 80 columns); the potential table and the formats also
through the installed console script, as a user would."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
TRADEGAP = Path(sys.executable).parent / "tradegap"
MONEY = re.compile(r"(?:US\$|INR|RUB) −?[\d,.]+(?: (?:k|m|bn|tn))?")

COMMANDS = {
    "balance": ["balance", "RUS", "IND"],
    "potential": ["potential", "--exporter", "IND", "--market", "RUS", "--group",
                  "agri,pharma", "--top", "10"],
    "balances": ["balances", "--top", "5"],
    "data list": ["data", "list"],
    "data info": ["data", "info", "demo"],
    "plan": ["plan", "scenarios/agri-pharma-only.toml"],
    "plan compare": ["plan", "compare", "scenarios/agri-pharma-only.toml",
                     "scenarios/all-sectors.toml"],
    "settle": ["settle", "scenarios/settlement-fund.toml"],
}


def run(home: Path, *args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns), "TERM": "dumb", "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    return subprocess.run([str(TRADEGAP), "--home", str(home), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


#: Lines the HiGHS library prints itself when a model is built (not tradegap's output).
SOLVER_BANNER = ("Running HiGHS", "Includes third-party")


def invoke(home: Path, *args: str, width: int = 80) -> str:
    from typer.testing import CliRunner

    from tradegap.cli.common import console
    from tradegap.cli.main import app

    before = console.width
    console.width = width
    try:
        result = CliRunner().invoke(app, ["--home", str(home), *args])
    finally:
        console.width = before
    assert result.exit_code == 0, (args, result.output)
    return result.output


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("terminal") / "wh"
    invoke(home, "ingest", "demo", "--scale", "tiny", "--set", "years=2022-2024")
    return home


@pytest.fixture(scope="module")
def outputs(home: Path) -> dict[str, str]:
    out = {name: invoke(home, *args) for name, args in COMMANDS.items() if name != "potential"}
    done = run(home, *COMMANDS["potential"])
    assert done.returncode == 0, done.stderr
    out["potential"] = done.stdout
    return {name: "\n".join(line for line in text.splitlines()
                             if not line.startswith(SOLVER_BANNER)) + "\n"
            for name, text in out.items()}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_fits_80_columns_and_keeps_money_whole(outputs: dict[str, str], name: str) -> None:
    text = outputs[name]
    lines = text.splitlines()
    assert lines, name
    too_long = [line for line in lines if len(line) > 80]
    assert not too_long, f"{name}: {too_long[:3]}"
    for line in lines:
        assert not re.search(r"(?:US\$|INR|RUB)\s*(?:−?[\d,.]+)?\s*$", line), (name, line)
        assert not re.match(r"^\s*(?:bn|tn|m|k)\b", line), (name, line)
    assert MONEY.search(text) or name.startswith("data list"), name


@pytest.mark.parametrize("name", list(COMMANDS))
def test_synthetic_once_at_the_top(outputs: dict[str, str], name: str) -> None:
    text = outputs[name]
    if name == "settle":  # real reference facts and stated assumptions: not synthetic
        assert "SYNTHETIC" not in text
        return
    if name in ("data list", "data info"):  # these list the data, each marked in a column
        assert "SYNTHETIC" in text
        return
    assert text.count("SYNTHETIC") == 1, name
    assert text.splitlines()[0].startswith("SYNTHETIC"), name


def test_headers_are_words_and_products_have_names(outputs: dict[str, str]) -> None:
    for name, text in outputs.items():
        header_area = "\n".join(text.splitlines()[:40])
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", header_area), (name, header_area)
    potential = outputs["potential"]
    assert "largest untapped first" in potential
    assert re.search(r"\b\d{6}\s+[A-Z][a-z]", potential)  # a code and its name
    assert "is_mip" not in outputs["plan compare"] and "capacity:capacity" not in \
        outputs["plan compare"]
    assert "2,02" not in outputs["balances"]  # years print as years


def test_potential_table_ranks_by_untapped(outputs: dict[str, str]) -> None:
    rows = [line for line in outputs["potential"].splitlines() if re.match(r"^\d{6}\s", line)]
    assert 5 <= len(rows) <= 10
    untapped = []
    for row in rows:
        first = MONEY.search(row)
        assert first is not None, row
        number, _, unit = first.group(0).removeprefix("US$ ").partition(" ")
        scale = {"": 1, "k": 1e3, "m": 1e6, "bn": 1e9, "tn": 1e12}[unit]
        untapped.append(float(number.replace(",", "").replace("−", "-")) * scale)
    assert untapped == sorted(untapped, reverse=True)


def test_names_cut_at_a_word(outputs: dict[str, str]) -> None:
    from tradegap.cli.tables import cut_at_word

    assert re.findall(r"\w…", outputs["potential"] + outputs["balance"])
    name = "Pharmaceutical goods; sterile surgical catgut, suture materials"
    assert cut_at_word(name, 24) == "Pharmaceutical goods…"
    assert cut_at_word(name, 40) == "Pharmaceutical goods; sterile surgical…"
    assert cut_at_word("Tea", 24) == "Tea"
    assert len(cut_at_word("Supercalifragilisticexpialidocious", 10)) == 10


def test_format_csv_and_markdown(home: Path) -> None:
    csv_run = run(home, *COMMANDS["potential"], "--format", "csv")
    assert csv_run.returncode == 0, csv_run.stderr
    assert csv_run.stdout.startswith("# SYNTHETIC")
    frame = pd.read_csv(io.StringIO(csv_run.stdout), comment="#", dtype={"product": str})
    assert {"product", "name", "untapped", "potential", "realised"} <= set(frame.columns)
    assert frame["product"].str.fullmatch(r"\d{6}").all()
    assert len(frame) >= 5 and frame["untapped"].is_monotonic_decreasing
    md = invoke(home, *COMMANDS["balance"], "--format", "markdown")
    assert md.count("SYNTHETIC") == 1
    assert "| period | exports | imports | balance |" in md
    assert "| --- | ---: |" in md
    bad = run(home, "data", "list", "--format", "html")
    assert bad.returncode == 2 and "table, csv or markdown" in bad.stderr


def test_out_xlsx_holds_the_raw_table(home: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "potential.xlsx"
    invoke(home, *COMMANDS["potential"], "--out", str(path))
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    header = list(rows[0])
    assert "untapped" in header and "product" in header
    values = [r[header.index("untapped")] for r in rows[1:]]
    assert len(values) >= 5 and all(isinstance(v, int | float) for v in values)
    assert values == sorted(values, reverse=True)


def test_wide_terminal_shows_every_column(home: Path) -> None:
    text = invoke(home, *COMMANDS["potential"], width=200)
    assert "imports" in text and "RCA" in text and "actual" in text
    assert "Not shown" not in text
