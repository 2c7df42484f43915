"""ITC export potential (Decreux & Spies 2016): a hand-worked three-country, three-product case,
parameter validation, window averaging, growth projection, and pair mode = global SQL mode."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tradegap.analysis.potential import (
    PotentialParams,
    export_potential,
    growth_factors,
    window_average,
)
from tradegap.analysis.potential_sql import global_potential
from tradegap.errors import InputError

# World of three countries A, B, C and three products p1, p2, p3 in 2020. Every product's world
# exports are 100, so W_k / W = 1/3 for each k.
#   A exports p1 50 (B 30, C 20), p2 10 (B 10), p3 40 (C 40)        X_A = 100
#   B exports p1 20 (A 20), p2 60 (A 30, C 30), p3 20 (C 20)         X_B = 100
#   C exports p1 30 (B 30), p2 30 (B 30), p3 40 (B 40)               X_C = 100
FLOWS = [
    ("A", "B", "p1", 30), ("A", "C", "p1", 20), ("A", "B", "p2", 10), ("A", "C", "p3", 40),
    ("B", "A", "p1", 20), ("B", "A", "p2", 30), ("B", "C", "p2", 30), ("B", "C", "p3", 20),
    ("C", "B", "p1", 30), ("C", "B", "p2", 30), ("C", "B", "p3", 40),
]
DISTANCES = pd.DataFrame(
    [("A", "B", 1000.0), ("C", "B", 4000.0), ("A", "C", 2000.0)],
    columns=["exporter", "importer", "dist_km"],
).assign(distw_km=lambda d: d["dist_km"])
# One projected rate per country (percent a year, vintage 2020): A and B grow 10 %, C 0 %.
GROWTH = pd.DataFrame({"iso3": ["A", "B", "C"], "year": [2020] * 3, "growth": [10.0, 10.0, 0.0]})


def flows_frame(rows=FLOWS, year: int = 2020) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["exporter", "importer", "product", "value_usd"])
    return frame.assign(year=year, value_usd=frame["value_usd"].astype(float))


def hand_result():
    params = PotentialParams(window=1, horizon=1, distance_elasticity=1.0, income_elasticity=1.0)
    return export_potential(
        flows_frame(), "A", "B", params, top=None, distances=DISTANCES, growth=GROWTH
    )


def test_hand_worked_three_countries_every_term() -> None:
    res = hand_result()
    t = res.table.set_index("product")
    # RCA_Ak = (X_Ak / X_A) / (W_k / W): p1 = 0.5 / (1/3) = 1.5, p2 = 0.1 · 3 = 0.3 (dropped,
    # below 1), p3 = 0.4 · 3 = 1.2.
    assert sorted(t.index) == ["p1", "p3"]
    assert t.loc["p1", "rca"] == pytest.approx(1.5)
    assert t.loc["p3", "rca"] == pytest.approx(1.2)
    # Base supply S0 = X_Ak / W_k: p1 50/100 = 0.5, p3 40/100 = 0.4.
    assert t.loc["p1", "supply_base"] == pytest.approx(0.5)
    assert t.loc["p3", "supply_base"] == pytest.approx(0.4)
    # Projected supply, horizon 1: G_A = G_B = 1.1, G_C = 1.
    #   p1: 50·1.1 / (50·1.1 + 20·1.1 + 30·1) = 55 / 107
    #   p3: 40·1.1 / (40·1.1 + 20·1.1 + 40·1) = 44 / 106
    assert t.loc["p1", "supply"] == pytest.approx(55 / 107)
    assert t.loc["p3", "supply"] == pytest.approx(44 / 106)
    # B's imports M_Bk: p1 = 30 (A) + 30 (C) = 60; p2 = 10 + 30 = 40; p3 = 40 (C).
    assert t.loc["p1", "market_imports"] == pytest.approx(60)
    assert t.loc["p3", "market_imports"] == pytest.approx(40)
    # Average supplier distance d̄_Bk: p1 (30·1000 + 30·4000)/60 = 2500; p2 (10·1000 +
    # 30·4000)/40 = 3250; p3 = 4000. Distance factor (d_AB / d̄)^(−1): p1 2500/1000 = 2.5,
    # p2 3.25, p3 4.
    assert t.loc["p1", "distance_factor"] == pytest.approx(2.5)
    assert t.loc["p3", "distance_factor"] == pytest.approx(4.0)
    # Projected demand D = M · G_B^1 · DF: p1 60·1.1·2.5 = 165; p3 40·1.1·4 = 176.
    assert t.loc["p1", "demand"] == pytest.approx(165)
    assert t.loc["p3", "demand"] == pytest.approx(176)
    # Ease (base terms, every product): Σ S0·M·DF = 0.5·60·2.5 + 0.1·40·3.25 + 0.4·40·4
    #   = 75 + 13 + 64 = 152; actual X_AB = 30 + 10 = 40; E = 40/152 = 5/19.
    assert res.ease == pytest.approx(5 / 19)
    assert t["ease"].tolist() == pytest.approx([5 / 19, 5 / 19])
    # Potential P = S · D · E: p1 (55/107)·165·(5/19) = 45375/2033 ≈ 22.32;
    #                          p3 (44/106)·176·(5/19) = 38720/2014 ≈ 19.23.
    assert t.loc["p1", "potential"] == pytest.approx(45375 / 2033)
    assert t.loc["p3", "potential"] == pytest.approx(38720 / 2014)
    # Actual: p1 30, p3 0. Untapped max(P − actual, 0): p1 0, p3 38720/2014.
    assert t.loc["p1", "actual"] == pytest.approx(30)
    assert t.loc["p1", "untapped"] == 0
    assert t.loc["p3", "untapped"] == pytest.approx(38720 / 2014)
    # Realised share actual / P: p1 30 / 22.32 = 60990/45375 ≈ 1.344; p3 0.
    assert t.loc["p1", "realised_share"] == pytest.approx(30 * 2033 / 45375)
    assert t.loc["p3", "realised_share"] == 0
    # Sorted by untapped potential: p3 first.
    assert res.table["product"].tolist() == ["p3", "p1"]


def test_base_potential_sums_to_actual_pair_trade() -> None:
    # With no projection the ease makes Σ_k S0·D0·E over every product equal X_AB = 40; the
    # RCA filter then drops p2 (0.1·130·5/19 = 6.84), leaving 40 − 6.84 for p1 and p3.
    params = PotentialParams(window=1, horizon=0, rca_threshold=0.0)
    res = export_potential(flows_frame(), "A", "B", params, top=None, distances=DISTANCES)
    assert res.table["potential"].sum() == pytest.approx(40.0)
    strict = export_potential(
        flows_frame(), "A", "B", PotentialParams(window=1, horizon=0), top=None,
        distances=DISTANCES,
    )
    assert strict.table["potential"].sum() == pytest.approx(40.0 - 0.1 * 130 * 5 / 19)


def test_no_distance_correction_needs_no_distances() -> None:
    params = PotentialParams(window=1, horizon=0, distance_elasticity=0.0)
    t = export_potential(flows_frame(), "A", "B", params, top=None).table.set_index("product")
    # E = 40 / (0.5·60 + 0.1·40 + 0.4·40) = 40/50 = 0.8; P_p3 = 0.4 · 40 · 0.8 = 12.8.
    assert (t["distance_factor"] == 1.0).all()
    assert t.loc["p3", "potential"] == pytest.approx(12.8)


def test_window_average_divides_by_years_present() -> None:
    two = pd.concat([flows_frame(year=2019), flows_frame(year=2020)])
    two.loc[(two["year"] == 2019) & (two["product"] == "p1") & (two["exporter"] == "A")
            & (two["importer"] == "B"), "value_usd"] = 10.0
    avg = window_average(two, 2020, 3)  # 2018 is absent from the data: two years count
    row = avg[(avg.exporter == "A") & (avg.importer == "B") & (avg["product"] == "p1")]
    assert row["value_usd"].item() == pytest.approx((10 + 30) / 2)


def test_growth_factors_pick_vintage_and_fall_back() -> None:
    growth = pd.DataFrame(
        {"iso3": ["A", "A", "A", "B"], "year": [2018, 2020, 2022, 2023],
         "growth": [1.0, 2.0, 9.0, 5.0]}
    )
    g, notes = growth_factors(growth, 2021, 5, ["A", "B", "C"])
    assert g["A"] == pytest.approx(1.02**5)  # latest vintage ≤ 2021
    assert g["B"] == pytest.approx(1.05**5)  # only a later vintage exists
    assert g["C"] == 1.0 and "C" in notes[0]


@pytest.mark.parametrize(
    "kwargs", [{"window": 0}, {"horizon": -1}, {"rca_threshold": -1.0},
               {"distance_elasticity": -0.5}, {"distance_measure": "miles"},
               {"income_elasticity": float("nan")}],
)
def test_params_are_validated(kwargs) -> None:
    with pytest.raises(InputError):
        PotentialParams(**kwargs)


def test_bad_input_raises() -> None:
    with pytest.raises(InputError):
        export_potential(flows_frame(), "A", "A", PotentialParams(window=1))
    with pytest.raises(InputError):
        export_potential(flows_frame().drop(columns="year"), "A", "B")
    with pytest.raises(InputError):
        export_potential(flows_frame(), "A", "B", PotentialParams(window=1), year=1990,
                         distances=DISTANCES, growth=GROWTH)


def test_global_sql_matches_hand_worked_case() -> None:
    con = duckdb.connect()
    con.register("flows", flows_frame())
    params = PotentialParams(window=1, horizon=1)
    out = global_potential(con, 2020, params, distances=DISTANCES, growth=GROWTH).df()
    row = out[(out.exporter == "A") & (out.importer == "B")].set_index("product")
    assert row.loc["p3", "potential"] == pytest.approx(38720 / 2014)
    assert row.loc["p1", "ease"] == pytest.approx(5 / 19)


def test_global_potential_counts_calendar_years_only(tmp_path) -> None:
    """A world dataset holding months beside its calendar years (Comtrade's monthly rows):
    ``potential_global`` reads the calendar-year rows only, so each flow counts once and the
    hand-worked numbers stand (without the filter every value would be doubled)."""
    from tradegap.analysis.potential_warehouse import potential_global
    from tradegap.warehouse import FLOWS as SCHEMA
    from tradegap.warehouse import Warehouse

    def rows(period: str, period_type: str, month: int | None) -> list[dict]:
        return [{"period": period, "period_type": period_type, "year": 2020, "month": month,
                 "exporter": e, "importer": i, "product": k, "hs_revision": "HS17",
                 "digits": 6, "value_usd": float(v), "quantity": None, "quantity_unit": None,
                 "source": "test", "reporter": "reconciled", "flag": None}
                for e, i, k, v in FLOWS]

    wh = Warehouse(tmp_path / "wh")
    table = pa.Table.from_pylist(rows("2020", "calendar_year", None)
                                 + rows("2020-06", "month", 6), schema=SCHEMA)
    wh.write("world", table, source="test", fingerprint="months-and-years")
    params = PotentialParams(window=1, horizon=1)
    out = potential_global(wh, 2020, params, dataset="world", distances=DISTANCES,
                           growth=GROWTH).table
    row = out[(out.exporter == "A") & (out.importer == "B")].set_index("product")
    assert row.loc["p3", "potential"] == pytest.approx(38720 / 2014)
    assert row.loc["p1", "ease"] == pytest.approx(5 / 19)
    assert row.loc["p1", "actual"] == 30.0
    # the labels are written from ENUM dictionaries but come back as plain text, in a frame
    # and in the written file
    assert all(out[c].dtype == object for c in ("exporter", "importer", "product"))
    path = potential_global(wh, 2020, params, dataset="world", distances=DISTANCES,
                            growth=GROWTH, out=tmp_path / "pot.parquet").path
    written = pq.read_table(path)
    assert written.schema.field("exporter").type == pa.string()
    assert written.num_rows == len(out)
    assert sorted(written.column("product").to_pylist()) == sorted(out["product"])


def random_world(seed: int = 7, n_countries: int = 18, n_products: int = 150) -> tuple:
    """Random flows (~3·10⁴ rows over three years), distances and growth."""
    rng = np.random.default_rng(seed)
    countries = [f"C{i:02d}" for i in range(n_countries)]
    products = [f"{p:06d}" for p in range(n_products)]
    rows = []
    for year in (2019, 2020, 2021):
        e, i, p = np.meshgrid(np.arange(n_countries), np.arange(n_countries),
                              np.arange(n_products), indexing="ij")
        keep = (e != i) & (rng.random(e.shape) < 0.35)
        vals = rng.lognormal(10, 2, keep.sum())
        rows.append(pd.DataFrame({
            "exporter": np.array(countries)[e[keep]], "importer": np.array(countries)[i[keep]],
            "product": np.array(products)[p[keep]], "year": year, "value_usd": vals,
        }))
    flows = pd.concat(rows, ignore_index=True)
    xy = rng.uniform(0, 10_000, (n_countries, 2))
    dist = pd.DataFrame([
        (countries[a], countries[b], float(np.hypot(*(xy[a] - xy[b]))) + 50.0)
        for a in range(n_countries) for b in range(n_countries) if a < b
    ], columns=["exporter", "importer", "distw_km"]).assign(dist_km=lambda d: d["distw_km"])
    dist = dist.iloc[:-3]  # a few pairs without a distance
    growth = pd.DataFrame({"iso3": countries[:-2], "year": 2021,
                           "growth": rng.uniform(-1, 8, n_countries - 2)})
    return flows, dist, growth


def test_global_mode_equals_pair_mode_on_random_world() -> None:
    flows, dist, growth = random_world()
    assert 10_000 < len(flows) < 100_000
    params = PotentialParams(window=3, horizon=5, distance_elasticity=1.0)
    con = duckdb.connect()
    con.register("flows", flows)
    out = global_potential(con, 2021, params, distances=dist, growth=growth).df()
    assert len(out) > 1000
    pairs = [("C00", "C05"), ("C03", "C17"), ("C16", "C17"), ("C17", "C16"), ("C09", "C01")]
    for exporter, market in pairs:
        pair = export_potential(flows, exporter, market, params, top=None,
                                distances=dist, growth=growth).table
        glob = out[(out.exporter == exporter) & (out.importer == market)]
        merged = pair.merge(glob, on="product", suffixes=("_pair", "_sql"), validate="1:1")
        assert len(merged) == len(pair) == len(glob) > 0
        for col in ("rca", "supply", "demand", "distance_factor", "ease", "potential",
                    "actual", "untapped"):
            np.testing.assert_allclose(merged[f"{col}_pair"], merged[f"{col}_sql"], rtol=1e-9,
                                       err_msg=f"{exporter}->{market} {col}")
