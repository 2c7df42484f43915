"""The command line: ingest, data, balance with --json/--out/--charts, and clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradegap.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli") / "wh"
    result = runner.invoke(app, ["--home", str(home), "ingest", "demo", "--scale", "tiny"])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output
    return home


def test_data_list_and_info_json(demo_home: Path) -> None:
    listing = runner.invoke(app, ["--home", str(demo_home), "data", "list", "--json"])
    payload = json.loads(listing.output)
    assert [d["synthetic"] for d in payload["datasets"]] == [True]
    name = payload["datasets"][0]["name"]
    info = json.loads(
        runner.invoke(app, ["--home", str(demo_home), "data", "info", name, "--json"]).output
    )
    assert info[0]["rows"] == sum(p["rows"] for p in info[0]["per_period"])
    assert info[0]["exporters"] > 50


def test_balance_json_out_and_charts(demo_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "summary.parquet"
    charts = tmp_path / "charts"
    result = runner.invoke(
        app,
        [
            "--home",
            str(demo_home),
            "balance",
            "RUS",
            "IND",
            "--json",
            "--out",
            str(out),
            "--charts",
            str(charts),
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["provenance"]["synthetic"] is True
    latest = payload["summary"][-1]
    assert latest["period"] == "2024"
    assert latest["exports"] == pytest.approx(63.84e9, rel=0.005)  # calibrated demo world
    assert latest["imports"] == pytest.approx(4.88e9, rel=0.005)
    table = pd.read_parquet(out)
    assert list(table["period"]) == [r["period"] for r in payload["summary"]]
    html = (charts / "balance.html").read_text()
    assert "SYNTHETIC" in html and "US$ bn" in html
    png = charts / "balance.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_balance_table_output_labels_synthetic(demo_home: Path) -> None:
    result = runner.invoke(app, ["--home", str(demo_home), "balance", "RUS", "IND"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("SYNTHETIC (demo world)")
    assert "63.8" in result.output and "What drives the balance" in result.output


def test_unknown_output_format_is_a_clear_error(demo_home: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tradegap.cli",
            "--home",
            str(demo_home),
            "balance",
            "RUS",
            "IND",
            "--out",
            str(tmp_path / "x.txt"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "unknown output format '.txt'" in proc.stderr and "--out" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_input_file_exits_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("t,i,j\n2020,4,31\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tradegap.cli",
            "--home",
            str(tmp_path / "wh"),
            "ingest",
            "russia-customs",
            str(bad),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "bad.csv" in proc.stderr and "missing columns" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "wh" / "catalog.duckdb").exists()
