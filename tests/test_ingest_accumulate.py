"""Ingest never loses data silently: files accumulate, replacing needs --replace; directories;
unknown countries are refused with the closest matches (through the installed console script)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import snapshot
from tests.subprocess_env import minimal_env
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse

CRUDE = "india_crude_coal_imports/hs2709_crude_imports_by_country_usd.xlsx"
COAL = "india_crude_coal_imports/hs2701_coal_imports_by_country_usd.xlsx"
TRADEGAP = Path(sys.executable).with_name("tradegap")


def run(home: Path, *args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TRADEGAP), "--home", str(home), *map(str, args)],
        capture_output=True, text=True, timeout=300,
        env=minimal_env(COLUMNS="200", PATH="/usr/bin"),
    )


def totals(wh: Warehouse, name: str) -> tuple[int, float]:
    con = wh.connect()
    try:
        rows, value = con.execute(
            "SELECT count(*), sum(value_usd) FROM flows WHERE dataset = ?", [name]
        ).fetchone()
    finally:
        con.close()
    return int(rows), float(value)


def test_two_files_one_after_the_other_keep_both(shared_data: Path, tmp_path: Path) -> None:
    crude, coal = shared_data / CRUDE, shared_data / COAL
    home = tmp_path / "wh"
    assert run(home, "ingest", "india-imports", crude).returncode == 0
    second = run(home, "ingest", "india-imports", coal)
    assert second.returncode == 0, second.stderr
    assert "added to hs2709_crude_imports_by_country_usd.xlsx" in second.stdout
    apart = Warehouse(home)
    together = Warehouse(tmp_path / "together")
    ingest(together, "india-imports", [crude, coal])
    # 258 crude rows + 176 coal rows, the same as one ingest of both files
    assert totals(apart, "india-imports") == totals(together, "india-imports")
    assert totals(apart, "india-imports")[0] == 258 + 176
    # ingesting either file again changes nothing
    again = run(home, "ingest", "india-imports", crude)
    assert again.returncode == 0 and "unchanged" in again.stdout


def test_replacing_other_files_is_refused_without_replace(
    shared_data: Path, tmp_path: Path
) -> None:
    import openpyxl

    home = tmp_path / "wh"
    assert run(home, "ingest", "india-imports", shared_data / CRUDE).returncode == 0
    wh = Warehouse(home)
    before = snapshot(wh)
    # the same rows saved again under another name: other bytes, the same 258 keys
    copy = tmp_path / "hs2709_copy.xlsx"
    openpyxl.load_workbook(shared_data / CRUDE).save(copy)
    refused = run(home, "ingest", "india-imports", copy)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    text = " ".join((refused.stdout + refused.stderr).split())
    assert "already holds hs2709_crude_imports_by_country_usd.xlsx (258 rows, US$" in text
    assert "would repeat 258 of its keys" in text and "--replace" in text
    assert snapshot(wh) == before
    # a stored file's name with other content, while the dataset holds more files
    assert run(home, "ingest", "india-imports", shared_data / COAL).returncode == 0
    clash = tmp_path / "other" / "hs2709_crude_imports_by_country_usd.xlsx"
    clash.parent.mkdir()
    openpyxl.load_workbook(shared_data / COAL).save(clash)
    refused = run(home, "ingest", "india-imports", clash)
    text = " ".join((refused.stdout + refused.stderr).split())
    assert refused.returncode == 2
    name = "hs2709_crude_imports_by_country_usd.xlsx"
    assert f"would replace {name} (same name, other content)" in text
    replaced = run(home, "ingest", "india-imports", copy, "--replace")
    assert replaced.returncode == 0 and totals(wh, "india-imports")[0] == 258


def test_directory_ingests_every_file_of_the_layout(shared_data: Path, tmp_path: Path) -> None:
    done = run(tmp_path / "wh", "ingest", "baci", shared_data / "baci_sample")
    assert done.returncode == 0, done.stderr
    assert "baci_hs17: 70,920 rows stored" in done.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = run(tmp_path / "wh", "ingest", "baci", empty)
    assert missing.returncode == 2 and "no file of the baci layout" in missing.stderr


@pytest.mark.parametrize(
    ("code", "match"),
    [("RUZ", "RUS (Russia)"), ("RUSSIA", "closest matches: RUS (Russia)"),
     ("XXX", "unknown country code 'XXX' → no similar country found")],
)
def test_unknown_country_exits_2_with_closest_matches(
    tmp_path: Path, code: str, match: str
) -> None:
    done = run(tmp_path / "wh", "balance", "IND", code)
    text = " ".join(done.stderr.split())
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert match in text and "ISO3 codes" in text
