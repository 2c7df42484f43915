"""Usage errors through the installed console script: a message and the usage line, exit 2, no
traceback — whichever click typer brings (typer ≥ 0.29 vendors its own, which CliRunner hid).
Also ``--version``, ``version --json`` and quiet output by default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.subprocess_env import run_tradegap

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("tradegap")


def run(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    assert SCRIPT.exists(), f"console script not installed at {SCRIPT}"
    env = {k: v for k, v in os.environ.items() if k != "TRADEGAP_VERBOSE"}
    env["COLUMNS"] = "100"
    pre = ["--home", str(home)] if home is not None else []
    return subprocess.run([str(SCRIPT), *pre, *args], capture_output=True, text=True,
                          timeout=180, cwd=ROOT, env=env)


@pytest.mark.parametrize(("args", "message"), [
    (["balanc", "IND", "RUS"], "No such command 'balanc'. Did you mean 'balance'"),
    (["balance", "IND"], "Missing argument"),
    (["potential", "--top", "abc"], "Invalid value for '--top'"),
    (["balance", "IND", "RUS", "--no-such-option"], "No such option: --no-such-option"),
    (["plan", "run"], "Missing argument"),
])
def test_usage_errors_exit_2_with_usage_and_no_traceback(tmp_path, args, message):
    r = run(*args, home=tmp_path / "wh")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout
    assert message in " ".join(r.stderr.split()), r.stderr
    assert "Usage: tradegap" in r.stderr


def test_bad_value_reaching_the_library_is_a_clear_error(tmp_path):
    r = run("balance", "IND", "RUS", "--frequency", "yearly", home=tmp_path / "wh")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "unknown frequency 'yearly'" in r.stderr
    assert "calendar_year, fiscal_year_in" in r.stderr


def test_bare_command_prints_help_and_exits_0():
    r = run()
    assert r.returncode == 0, r.stderr
    assert "Usage: tradegap" in r.stdout and "balance" in r.stdout and "plan" in r.stdout


def test_command_summaries_are_not_broken_mid_sentence():
    """A command's summary in the commands panel is its docstring's first paragraph as one
    line: on a terminal wide enough for it, one row (Typer keeps a docstring's line breaks)."""
    def panel(*args: str) -> list[str]:
        r = run_tradegap(*args, "--help")  # a 300-column terminal
        assert r.returncode == 0, r.stderr
        return [line for line in r.stdout.splitlines() if line.startswith("│")]

    top = panel()
    row = next(line for line in top if line.startswith("│ balance "))
    assert "composition, drivers, concentration, unit values and the mirror gap." in row
    gravity = panel("gravity")
    row = next(line for line in gravity if line.startswith("│ ge "))
    assert "SCENARIO and print each country's % change in exports" in row
    verify = next(line for line in panel("data") if line.startswith("│ verify "))
    assert "recorded when it was written; name the damaged ones" in verify


def test_version_option_and_json():
    from tradegap import __version__

    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"tradegap {__version__}"
    r = run("version", "--json")
    assert r.returncode == 0, r.stderr
    found = json.loads(r.stdout)
    assert set(found) == {"tradegap", "python", "duckdb", "pyarrow", "pandas", "pyfixest",
                          "highspy", "typer", "warehouse_schema"}
    from importlib import metadata

    assert found["highspy"] == metadata.version("highspy")
    assert found["duckdb"] == metadata.version("duckdb")
    assert found["python"] == ".".join(map(str, sys.version_info[:3]))


def test_solver_banner_only_with_verbose():
    scenario = str(ROOT / "scenarios" / "agri-pharma-only.toml")
    quiet = run("plan", scenario)
    assert quiet.returncode == 0, quiet.stderr
    assert "HiGHS" not in quiet.stdout + quiet.stderr
    assert "INFO" not in quiet.stderr
    loud = run("--verbose", "plan", scenario)
    assert loud.returncode == 0, loud.stderr
    assert "Running HiGHS" in loud.stdout + loud.stderr
