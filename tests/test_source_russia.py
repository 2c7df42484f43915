"""Russia's customs layout and the HS4 demand profile, on the real files in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import snapshot
from tradegap.analysis.balance import balance
from tradegap.errors import InputError, TooManyBadRows
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse

BILATERAL = "russia_india_bilateral/russia_india_monthly_by_product.parquet"
DEMAND = "russia_imports_hs4/russia_trade_by_hs4_12m_windows.parquet"


@pytest.fixture(scope="module")
def raw(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_parquet(shared_data / BILATERAL)
    frame["year"] = frame["PERIOD"].astype(str).str[:4].astype(int)
    return frame


@pytest.fixture(scope="module")
def loaded(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    wh = Warehouse(tmp_path_factory.mktemp("ru") / "wh")
    ingest(wh, "russia-customs", [shared_data / BILATERAL])
    return wh


def source_sum(raw: pd.DataFrame, source: str, napr: str, year: int, prefix: str = "") -> float:
    sel = raw[(raw["Source"] == source) & (raw["NAPR"] == napr) & (raw["year"] == year)]
    if prefix:
        sel = sel[sel["TNVED"].str.zfill(6).str.startswith(prefix)]
    return float(sel["STOIM"].sum())


def test_two_reporting_sources_are_two_datasets(loaded: Warehouse) -> None:
    names = {d.name: d for d in loaded.datasets()}
    assert set(names) == {"russia-customs-fts", "russia-customs-mirror"}
    assert names["russia-customs-fts"].rows == 32_740
    mirror = names["russia-customs-mirror"]
    # every row is loaded or counted: 248,110 mirror rows = loaded + set aside (no value)
    assert mirror.rows + mirror.report["set_aside"]["value missing (STOIM empty)"] == 248_110


def test_calendar_2024_india_reported_totals(loaded: Warehouse, raw: pd.DataFrame) -> None:
    s = balance(loaded, "IND", "RUS").summary.set_index("period")
    exports = source_sum(raw, "MIRROR", "ИМ", 2024)
    imports = source_sum(raw, "MIRROR", "ЭК", 2024)
    assert s.loc["2024", "exports"] == pytest.approx(exports, abs=0.5)
    assert s.loc["2024", "imports"] == pytest.approx(imports, abs=0.5)
    assert round(exports / 1e9, 2) == 4.91 and round(imports / 1e9, 2) == 64.53
    fuels = s.loc["2024", "imports_fuels"]
    assert fuels == pytest.approx(source_sum(raw, "MIRROR", "ЭК", 2024, "27"), abs=0.5)
    assert round(fuels / 1e9, 2) == 57.46
    assert s.loc["2024", "exports_dataset"] == "russia-customs-mirror"


def test_russian_customs_2021_and_the_mirror_gap(loaded: Warehouse, raw: pd.DataFrame) -> None:
    r = balance(loaded, "RUS", "IND", datasets=["russia-customs-fts"])
    s = r.summary.set_index("period")
    assert s.loc["2021", "imports"] == pytest.approx(source_sum(raw, "FTS", "ИМ", 2021), abs=0.5)
    assert s.loc["2021", "exports"] == pytest.approx(source_sum(raw, "FTS", "ЭК", 2021), abs=0.5)
    assert round(s.loc["2021", "imports"] / 1e9, 2) == 4.43
    assert round(s.loc["2021", "exports"] / 1e9, 2) == 9.13
    # 2022 holds January only: flagged as a partial year
    assert "1 of 12 months" in s.loc["2022", "imports_note"]
    totals = balance(loaded, "IND", "RUS").mirror_totals.set_index(["side", "period"])
    india_exports = totals.loc[("exports", "2021")]
    assert round(india_exports["exporter_declared"] / 1e9, 2) == 3.32  # India's declaration
    assert round(india_exports["importer_declared"] / 1e9, 2) == 4.43  # Russia's customs


def test_short_codes_restored_and_confidential_counted(shared_data: Path) -> None:
    from tradegap.sources.russia_customs import parse

    fts, mirror = parse([shared_data / BILATERAL])
    assert mirror.provenance["codes_restored_leading_zero"] == 10_000
    assert fts.provenance["confidential_rows"] == 23
    products = mirror.data.column("product").to_pylist()
    assert all(len(p) == 6 for p in products)
    assert "071310" in products
    flags = fts.data.column("flag").to_pylist()
    assert flags.count("confidential") == 23


def test_demand_profile_totals_and_lower_bound(shared_data: Path, warehouse: Warehouse) -> None:
    ((parsed, outcome),) = ingest(warehouse, "russia-demand", [shared_data / DEMAND])
    raw = pd.read_parquet(shared_data / DEMAND)
    con = warehouse.connect()
    got = con.execute(
        "SELECT sum(value_usd) FROM demand WHERE flow = 'import' AND \"window\" = 'last12'"
    ).fetchone()[0]
    assert got == pytest.approx(raw.loc[raw["NAPR"] == "ИМ", "STOIM_last12"].sum() * 1e9)
    assert con.execute("SELECT count(*) FROM demand WHERE flag <> 'lower_bound'").fetchone() == (0,)
    assert parsed.set_aside == {"year_before: no value": 92}
    assert "lower bound" in outcome.dataset.provenance["caveat"]


def test_bad_rows_are_reported_and_nothing_is_written(
    tmp_path: Path, warehouse: Warehouse, shared_data: Path
) -> None:
    frame = pd.read_parquet(shared_data / BILATERAL).head(50)
    frame.loc[3, "NAPR"] = "XX"
    frame.loc[7, "TNVED"] = "12AB"
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    before = snapshot(warehouse)
    with pytest.raises(TooManyBadRows) as err:
        ingest(warehouse, "russia-customs", [path])
    text = str(err.value)
    assert "bad.csv:5" in text and "'NAPR'" in text  # row 3 is line 5 (header + 1-based)
    assert "bad.csv:9" in text and "'TNVED'" in text
    assert snapshot(warehouse) == before
    # with a limit, the two rows are set aside and counted
    results = ingest(warehouse, "russia-customs", [path], max_bad_rows=2)
    assert all(p.set_aside.get("malformed") == 2 for p, _ in results)


def test_missing_column_names_what_to_do(tmp_path: Path, warehouse: Warehouse) -> None:
    path = tmp_path / "x.csv"
    path.write_text("NAPR,PERIOD\nИМ,2021-01-01\n")
    with pytest.raises(InputError, match=r"x.csv.*missing columns .*TNVED"):
        ingest(warehouse, "russia-customs", [path])


def test_quantities_are_tonnes_in_both_sources(loaded: Warehouse) -> None:
    """NETTO is kg in Russia's customs rows and tonnes in the mirror rows: both load as tonnes,
    so unit values agree (rice and crude at a few hundred US$ per tonne)."""
    con = loaded.connect()
    uv = dict(
        con.execute(
            "SELECT dataset, sum(value_usd) / sum(quantity) FROM flows "
            "WHERE product LIKE '1006%' AND quantity_unit = 't' GROUP BY dataset"
        ).fetchall()
    )
    assert 300 < uv["russia-customs-mirror"] < 700
    assert 300 < uv["russia-customs-fts"] < 800
