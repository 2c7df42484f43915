"""India–Russia on India's real statistics: official headline figures and product coverage."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tradegap.analysis.balance import balance
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse

EXPORTS = "india_exports_eidb/india_exports_hs8_partner.parquet"
CRUDE = "india_crude_coal_imports/hs2709_crude_imports_by_country_usd.xlsx"
COAL = "india_crude_coal_imports/hs2701_coal_imports_by_country_usd.xlsx"


@pytest.fixture(scope="module")
def india(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    wh = Warehouse(tmp_path_factory.mktemp("india") / "wh")
    ingest(wh, "india-dgcis", [shared_data / EXPORTS])
    ingest(wh, "india-imports", [shared_data / CRUDE, shared_data / COAL])
    return wh


@pytest.fixture(scope="module")
def summary(india: Warehouse) -> pd.DataFrame:
    return balance(india, "IND", "RUS").summary.set_index("period")


def test_official_fy2024_25_figures_with_sources(summary: pd.DataFrame) -> None:
    row = summary.loc["FY2024-25"]
    assert row["official_exports"] == 4.88e9
    assert row["official_imports"] == 63.84e9
    assert row["headline_balance"] == pytest.approx(-58.96e9)
    assert row["official_balance"] == pytest.approx(-58.9e9)  # as published, kept as is
    assert row["official_exports_source"].startswith("https://")
    assert row["official_imports_source"].startswith("https://")


def test_product_level_exports_and_their_coverage(summary: pd.DataFrame) -> None:
    # India's statistics lack chapters 98-99, so they cover part of the official total
    fy24 = summary.loc["FY2023-24"]
    assert fy24["exports"] == 3_346_670_000.0  # US$ 3,346.67 m to the cent
    assert fy24["exports_coverage"] == pytest.approx(3.34667 / 4.26)
    assert "chapters 98–99 absent" in fy24["exports_note"]
    years = [p for p in summary.index if p.startswith("FY") and "Apr" not in p]
    assert years[0] == "FY2017-18" and years[-1] == "FY2024-25"


def test_missing_imports_are_missing_with_a_reason(summary: pd.DataFrame) -> None:
    fy25 = summary.loc["FY2024-25"]
    assert pd.isna(fy25["imports"]) and pd.isna(fy25["balance"])
    assert fy25["imports_note"].startswith("missing")


def test_partial_imports_do_not_make_a_balance(summary: pd.DataFrame) -> None:
    fy22 = summary.loc["FY2021-22"]
    # crude and coal only: shown, labelled partial, no balance computed from them
    assert fy22["imports"] > 2e9
    assert "partial" in fy22["imports_note"]
    assert pd.isna(fy22["balance"]) and "not computed" in fy22["balance_note"]
    assert fy22["imports_crude"] == pytest.approx(2_470_910_000.0, rel=1e-6)
    assert fy22["imports_crude_share_of_official"] == pytest.approx(2.47091 / 9.79, rel=1e-4)


def test_export_composition_fy2023_24_top_chapters(india: Warehouse) -> None:
    comp = balance(india, "IND", "RUS", level="chapter").composition
    fy = comp[(comp["side"] == "exports") & (comp["period"] == "FY2023-24")]
    top5 = fy.sort_values("value_usd", ascending=False)["code"].head(5).tolist()
    assert top5 == ["84", "30", "72", "29", "85"]
    assert fy["share"].sum() == pytest.approx(1.0)
    assert fy.set_index("code").loc["30", "name"].lower().startswith("pharmaceutical")
