"""Tariffs in the WITS/TRAINS bulk layout and the tidy layout, on files written here in those
exact layouts (no real tariff file can be had offline)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tradegap.errors import InputError, TooManyBadRows
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse

TRADEGAP = str(Path(sys.executable).with_name("tradegap"))

WITS_HEADER = (
    "Selected Nomen,Native Nomen,Reporter,Reporter Name,Product,Product Name,Partner,"
    "Partner Name,Tariff Year,Trade Year,Trade Source,DutyType,Simple Average,Weighted Average,"
    "Standard Deviation,Minimum Rate,Maximum Rate,Nbr of Total Lines,Nbr of Domestic Peaks,"
    "Nbr of International Peaks,Imports Value in 1000 USD"
)
WITS_ROWS = [
    "H5,H5,643,Russian Federation,300490,Medicaments nes,699,India,2023,2023,WTO,AHS,"
    "4.5,3.9,1.2,0,10,14,0,0,2150.5",
    "H5,H5,643,Russian Federation,300490,Medicaments nes,000,World,2023,2023,WTO,MFN,"
    "5,4.2,1.1,0,10,14,0,0,99000",
    "H5,H5,643,Russian Federation,0901,Coffee,699,India,2023,2023,WTO,PRF,2.5,,,,,3,0,0,",
]


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_wits_layout(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    path = _write(tmp_path / "wits.csv", WITS_HEADER, WITS_ROWS)
    [(parsed, outcome)] = ingest(wh, "tariffs", [path])
    assert outcome.dataset.kind == "tariffs" and outcome.dataset.rows == 3
    con = wh.connect()
    rows = con.sql("SELECT * FROM tariffs ORDER BY product, partner").df()
    con.close()
    first = rows[(rows["product"] == "300490") & (rows["partner"] == "IND")].iloc[0]
    assert first["reporter"] == "RUS" and first["duty_type"] == "applied"
    assert first["simple_average_pct"] == 4.5 and first["imports_usd"] == pytest.approx(2150500)
    assert first["digits"] == 6 and first["nomenclature"] == "H5" and first["year"] == 2023
    assert set(rows["partner"]) == {"IND", "WLD"}
    assert set(rows["duty_type"]) == {"applied", "mfn", "preferential"}
    coffee = rows[rows["product"] == "0901"].iloc[0]  # leading zero kept, blanks are null
    assert coffee["digits"] == 4 and coffee["weighted_average_pct"] != coffee[
        "weighted_average_pct"]


def test_tidy_layout_and_bad_rows(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    path = _write(tmp_path / "tidy.csv",
                  "reporter,partner,product,year,duty_type,simple_average_pct,ave",
                  ["RUS,IND,3004,2024,applied,4.1,yes", "RUS,IND,3004,2024,weird,4.1,",
                   "RUS,XX,3004,2024,mfn,5,", "RUS,IND,02,2024,mfn,-1,"])
    with pytest.raises(TooManyBadRows):
        ingest(wh, "tariffs", [path])
    [(parsed, outcome)] = ingest(wh, "tariffs", [path], max_bad_rows=3)
    assert outcome.dataset.rows == 1 and parsed.set_aside == {"malformed": 3}
    con = wh.connect()
    row = con.sql("SELECT * FROM tariffs").df().iloc[0]
    con.close()
    assert bool(row["ave"]) and row["source"] == "tariffs-tidy"


def test_unknown_layout(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", "a,b", ["1,2"])
    with pytest.raises(InputError, match="tariff layout"):
        ingest(Warehouse(tmp_path / "wh"), "tariffs", [path])


def test_cli_ingest_tariffs(tmp_path: Path) -> None:
    path = _write(tmp_path / "wits.csv", WITS_HEADER, WITS_ROWS)
    run = subprocess.run([TRADEGAP, "--home", str(tmp_path / "wh"), "ingest", "tariffs",
                          str(path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "3 rows stored" in run.stdout
    bad = _write(tmp_path / "bad.csv", "a,b", ["1,2"])
    run = subprocess.run([TRADEGAP, "--home", str(tmp_path / "wh"), "ingest", "tariffs",
                          str(bad)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "Traceback" not in run.stderr
