"""`tradegap complexity` and `tradegap potential --diversification` through the console script,
on a world of three countries and three products whose ECI and densities are worked by hand.

Exports (US$, one year, all to DEU): ARG 01, 02, 03 (10 each); BRA 01, 02 (10 each); CHL 01 (10).
RCA ≥ 1: ARG {02, 03}, BRA {01, 02}, CHL {01}; BRA's RCA in 01, 02, 03 is 1, 1.5, 0.
Ubiquity 2, 2, 1. Proximity φ(01,02) = 1/2, φ(02,03) = 1/2, φ(01,03) = 0, diagonal 1, so
BRA's density = 1.5/1.5, 1.5/2, 0.5/1.5 = 1, 0.75, 1/3 (distance 1 − density).
The country matrix M̃ = [[.75,.25,0],[.25,.5,.25],[0,.5,.5]] has second eigenvalue (3+√5)/8 and
eigenvector ∝ (1, −(3−√5)/2, 1−√5); standardised, ECI = ((3+√5)/4, −(3−√5)/4, −√5/2)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.subprocess_env import minimal_env

TRADEGAP = str(Path(sys.executable).with_name("tradegap"))
WORLD = ("year,exporter,importer,product,value_usd\n2023,ARG,DEU,01,10\n2023,ARG,DEU,02,10\n"
         "2023,ARG,DEU,03,10\n2023,BRA,DEU,01,10\n2023,BRA,DEU,02,10\n2023,CHL,DEU,01,10\n")
ECI = {"ARG": (3 + math.sqrt(5)) / 4, "BRA": -(3 - math.sqrt(5)) / 4, "CHL": -math.sqrt(5) / 2}


def tradegap(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRADEGAP, "--home", str(home), *args], capture_output=True,
                          text=True, timeout=300,
                          env=minimal_env(COLUMNS="200", PATH="/usr/bin", NO_COLOR="1"))


@pytest.fixture()
def world(tmp_path: Path) -> Path:
    path = tmp_path / "world.csv"
    path.write_text(WORLD)
    return path


def test_eci_from_a_file_without_importer_and_year(tmp_path: Path, world: Path) -> None:
    path = tmp_path / "exports.csv"
    pd.read_csv(world, dtype={"product": str})[["exporter", "product", "value_usd"]].to_csv(
        path, index=False)
    run = tradegap(tmp_path / "wh", "complexity", "--file", str(path), "--json")
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout)
    rows = {r["country"]: r for r in payload["rows"]}
    assert [r["country"] for r in payload["rows"]] == ["ARG", "BRA", "CHL"]  # by ECI
    assert {c: r["diversity"] for c, r in rows.items()} == {"ARG": 2, "BRA": 2, "CHL": 1}
    assert {c: r["eci"] for c, r in rows.items()} == pytest.approx(ECI, abs=1e-12)
    assert payload["provenance"]["sources"] == [str(path)]


def test_country_products_by_density_printed_and_written(tmp_path: Path, world: Path) -> None:
    out = tmp_path / "bra.csv"
    run = tradegap(tmp_path / "wh", "complexity", "--file", str(world), "--country", "bra",
                   "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert "BRA: products by density" in run.stdout
    table = pd.read_csv(out, dtype={"product": str})
    assert table["product"].tolist() == ["01", "02", "03"]
    assert table["rca"].tolist() == pytest.approx([1.0, 1.5, 0.0])
    assert table["density"].tolist() == pytest.approx([1.0, 0.75, 1 / 3])
    assert table["distance"].tolist() == pytest.approx([0.0, 0.25, 2 / 3])


def test_file_without_values_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("exporter,product\nARG,01\n")
    run = tradegap(tmp_path / "wh", "complexity", "--file", str(path))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"{path}: the file lacks columns ['value_usd']" in run.stderr


def test_from_the_warehouse_and_diversification(tmp_path: Path, world: Path) -> None:
    home = tmp_path / "wh"
    ingest = tradegap(home, "ingest", "tidy", str(world), *[
        a for f in ("year", "exporter", "importer", "product", "value_usd")
        for a in ("--map", f"{f}={f}")], "--set", "hs_revision=HS17", "--set", "reporter=exporter")
    assert ingest.returncode == 0, ingest.stderr
    run = tradegap(home, "complexity", "--top", "2")
    assert run.returncode == 0, run.stderr
    assert "Economic complexity index, countries" in run.stdout
    assert "ARG" in run.stdout and "BRA" in run.stdout and "CHL" not in run.stdout  # top 2
    assert "1.31" in run.stdout and "-0.19" in run.stdout
    out = tmp_path / "div.csv"
    run = tradegap(home, "potential", "--exporter", "BRA", "--market", "DEU",
                   "--diversification", "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert "Diversification of BRA (RCA < 1), nearest first; market DEU, 2023" in run.stdout
    assert "DEU imports US$m" in " ".join(run.stdout.split())
    div = pd.read_csv(out, dtype={"product": str})
    # BRA lacks only 03; DEU buys US$10 of it (from ARG), none from BRA
    assert div["product"].tolist() == ["03"]
    assert div["density"].tolist() == pytest.approx([1 / 3])
    assert (div["market_demand"].tolist(), div["exports_to_market"].tolist()) == ([10.0], [0.0])
