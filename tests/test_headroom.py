"""Headroom per product and its combination with gravity: a hand-worked toy case with every term
checked, parameter errors, and the real ranking for India → Russia (agri and pharma)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tradegap.analysis.headroom import (
    HeadroomParams,
    combine,
    headroom,
    headroom_table,
    hs6_detail,
)
from tradegap.errors import InputError
from tradegap.warehouse import Warehouse

BILATERAL = "russia_india_bilateral/russia_india_monthly_by_product.parquet"
DEMAND = "russia_imports_hs4/russia_trade_by_hs4_12m_windows.parquet"
EXPORTS = "india_exports_eidb/india_exports_hs8_partner.parquet"


def toy() -> pd.DataFrame:
    """Three products (read the numbers as US$ m; min_demand is 1):
    A (agri):   demand 100, current 10, capacity 1000 → caps 30 % × 100 = 30 and 1000;
                ceiling 30, headroom 30 − 10 = 20 (market share binds), share now 10 %.
    B (pharma): demand 200, current 5, capacity 50 → caps 40 % × 200 = 80 and 50;
                ceiling 50, headroom 50 − 5 = 45 (capacity binds), share now 2.5 %.
    C (agri):   demand 0.5 (< min_demand 1), current 0, capacity 5000 → no demand, headroom 0
                (a product the market barely imports, however much the exporter makes).
    """
    return pd.DataFrame({
        "product": ["000A", "000B", "000C"],
        "group": ["agri", "pharma", "agri"],
        "demand": [100.0, 200.0, 0.5],
        "current": [10.0, 5.0, 0.0],
        "capacity": [1000.0, 50.0, 5000.0],
    })


PARAMS = HeadroomParams(share_cap=0.30, share_cap_by_group={"pharma": 0.40}, min_demand=1.0)


def test_headroom_hand_worked() -> None:
    h = headroom_table(toy(), PARAMS).set_index("product")
    a, b, c = h.loc["000A"], h.loc["000B"], h.loc["000C"]
    assert a["share_now"] == pytest.approx(0.10)
    assert a["market_ceiling"] == pytest.approx(30.0)
    assert a["capacity_ceiling"] == pytest.approx(1000.0)
    assert a["ceiling"] == pytest.approx(30.0)
    assert a["headroom"] == pytest.approx(20.0)
    assert a["binding"] == "market share"
    assert b["share_cap"] == 0.40
    assert b["share_now"] == pytest.approx(0.025)
    assert b["market_ceiling"] == pytest.approx(80.0)
    assert b["ceiling"] == pytest.approx(50.0)
    assert b["headroom"] == pytest.approx(45.0)
    assert b["binding"] == "capacity"
    assert c["headroom"] == 0.0 and c["binding"] == "no demand"
    assert c["note"].startswith("the market imports under US$")
    assert list(h.index) == ["000B", "000A", "000C"]  # sorted by headroom


def test_combine_takes_the_smaller_bound() -> None:
    """Gravity untapped: A 12 (< headroom 20: gravity sets it), B 100 (> 45: headroom sets
    it), C 900 (but no demand: 0). Ranking: B 45, A 12, C 0."""
    grav = pd.DataFrame({"product": ["000A", "000B", "000C"], "actual": [10.0, 5.0, 0.0],
                         "expected": [22.0, 105.0, 900.0], "untapped": [12.0, 100.0, 900.0]})
    r = combine(headroom_table(toy(), PARAMS), grav).set_index("product")
    assert r.loc["000A", "extra"] == pytest.approx(12.0)
    assert r.loc["000A", "extra_basis"] == "gravity"
    assert r.loc["000B", "extra"] == pytest.approx(45.0)
    assert r.loc["000B", "extra_basis"] == "headroom"
    assert r.loc["000C", "extra"] == 0.0 and r.loc["000C", "extra_basis"] == "no demand"
    assert list(r["rank"]) == [1, 2, 3] and list(r.index) == ["000B", "000A", "000C"]
    # no gravity estimate for A: conservative, no extra
    r2 = combine(headroom_table(toy(), PARAMS), grav[grav["product"] != "000A"])
    row = r2.set_index("product").loc["000A"]
    assert row["extra"] == 0.0 and row["extra_basis"] == "no gravity estimate"


def test_net_exporter_and_over_demand_rules() -> None:
    frame = toy().assign(market_exports=[1000.0, 0.0, 0.0])  # A: exports 10× its imports
    h = headroom_table(frame, PARAMS).set_index("product")
    assert h.loc["000A", "headroom"] == 0.0 and h.loc["000A", "binding"] == "net exporter"
    assert h.loc["000B", "headroom"] == pytest.approx(45.0)  # untouched
    off = HeadroomParams(share_cap=0.30, min_demand=1.0, net_exporter_ratio=None)
    assert headroom_table(frame, off).set_index("product").loc["000A", "headroom"] == 20.0
    over = toy().assign(current=[150.0, 5.0, 0.0])  # current above the lower-bound demand
    row = headroom_table(over, PARAMS).set_index("product").loc["000A"]
    assert row["headroom"] == 0.0 and row["share_now"] == pytest.approx(1.5)
    assert "lower bound" in row["note"]


def test_bad_parameters_and_inputs() -> None:
    with pytest.raises(InputError, match="share_cap"):
        HeadroomParams(share_cap=1.5)
    with pytest.raises(InputError, match="pharma"):
        HeadroomParams(share_cap_by_group={"pharma": -0.1})
    with pytest.raises(InputError, match="lacks"):
        headroom_table(toy().drop(columns="capacity"))


# -- real data -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wh(real_home: Path) -> Warehouse:
    """The session's real warehouse (russia-customs, russia-demand, india-dgcis), read only."""
    return Warehouse(real_home)


@pytest.fixture(scope="module")
def ranking(wh: Warehouse) -> pd.DataFrame:
    return headroom(wh, "IND", "RUS")


def test_real_ranking_is_plausible(ranking: pd.DataFrame) -> None:
    """Check: each of the top 10 has India's world exports ≥ US$ 100 m, Russia's imports
    ≥ US$ 25 m, a positive extra bounded by the headroom; products without Russian demand (or
    that Russia mainly exports) get no extra."""
    assert set(ranking["group"]) == {"agri", "pharma"}
    top = ranking.head(10)
    assert (top["capacity"] >= 100e6).all(), top
    assert (top["demand"] >= 25e6).all(), top
    assert (top["extra"] > 0).all()
    assert (ranking["extra"] <= ranking["headroom"] + 1e-6).all()
    assert top["gravity_untapped"].notna().all()  # the gravity benchmark stays a column
    excluded = ranking[ranking["binding"].isin(["no demand", "net exporter"])]
    assert len(excluded) > 10
    assert (excluded["headroom"] == 0).all() and (excluded["extra"] == 0).all()
    assert (ranking.loc[ranking["demand"].fillna(0) < 1e6, "extra"] == 0).all()
    # medicaments: India sells more than gravity expects for Russia's GDP, but Russia imports
    # US$ 8.1 bn and India holds 4.8 %: the share benchmark (14.2 %) gives it the first place
    med = ranking.set_index("product").loc["3004"]
    assert med["headroom"] > 1e9 and med["gravity_untapped"] == 0.0
    assert med["extra"] > 700e6 and med["rank"] == 1 and med["extra_basis"] == "share benchmark"
    # pinned on calendar 2024 (India's mirror sales, Russia's last-12-month imports): headroom
    # is 40 % of Russia's demand less India's sales; 211 headings; the realistic total
    assert med["demand"] == pytest.approx(8_097_294_933, rel=1e-9)
    assert med["current"] == pytest.approx(385_960_000, rel=1e-9)
    assert med["headroom"] == pytest.approx(0.40 * med["demand"] - med["current"], rel=1e-9)
    assert med["extra"] == pytest.approx(760_325_784, rel=1e-6)
    assert len(ranking) == 211
    assert ranking["extra"].sum() == pytest.approx(1_581_532_767, rel=1e-6)
    assert ranking["headroom"].sum() == pytest.approx(6_898_805_242, rel=1e-6)
    assert list(ranking["product"].head(4)) == ["3004", "0202", "2106", "0901"]
    prov = ranking.attrs["provenance"]
    assert "russia-customs-mirror" in prov.datasets and not prov.synthetic


def test_real_current_sales_match_the_raw_file(ranking: pd.DataFrame,
                                               shared_data: Path) -> None:
    raw = pd.read_parquet(shared_data / BILATERAL, columns=["TNVED", "STOIM"], filters=[
        ("Source", "==", "MIRROR"), ("NAPR", "==", "ИМ"),
        ("PERIOD", ">=", dt.date(2024, 1, 1)), ("PERIOD", "<", dt.date(2025, 1, 1))])
    hs4 = raw["TNVED"].str.zfill(6).str[:4]
    by_hs4 = raw.groupby(hs4)["STOIM"].sum()
    row = ranking.set_index("product")
    for code in ("3004", "0202", "0901"):
        assert row.loc[code, "current"] == pytest.approx(by_hs4[code])
    demand = pd.read_parquet(shared_data / DEMAND)
    demand = demand[(demand["NAPR"] == "ИМ") & (demand["TNVED4"].astype(str) == "3004")]
    assert row.loc["3004", "demand"] == pytest.approx(demand["STOIM_last12"].iloc[0] * 1e9)


def test_refined_petroleum_gets_no_headroom(wh: Warehouse) -> None:
    """The known weakness of a gravity-only ranking: 2710 ranked high for Russia, which
    exports it. Russia's imports are real but small against its exports (≥ 10×): no headroom."""
    fuels = headroom(wh, "IND", "RUS", groups=("fuels",), gravity=False).set_index("product")
    row = fuels.loc["2710"]
    assert row["market_exports"] > 10 * row["demand"] > 0
    assert row["binding"] == "net exporter" and row["headroom"] == 0.0


def test_hs6_detail_inside_the_top_headings(wh: Warehouse, ranking: pd.DataFrame) -> None:
    detail = hs6_detail(wh, ["0202", "3004"], top=2)
    assert list(detail["hs4"]) == ["0202", "0202", "3004", "3004"]
    assert detail["product"].str.len().eq(6).all()
    row = ranking.set_index("product")
    for hs4, part in detail.groupby("hs4"):
        assert part["capacity"].sum() <= row.loc[hs4, "capacity"] + 1
        assert part["current"].sum() <= row.loc[hs4, "current"] + 1
    # India's frozen bovine meat is boneless carabeef (020230): nearly all of the heading
    top = detail.iloc[0]
    assert top["product"] == "020230" and top["share_of_capacity_in_hs4"] > 0.99
