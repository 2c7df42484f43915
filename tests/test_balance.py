"""`balance`: totals, source choice, missing data, composition, drivers, mirror, months → years."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from tradegap.analysis.balance import balance
from tradegap.warehouse import FLOWS, Warehouse


def row(
    exp: str,
    imp: str,
    product: str,
    value: float,
    reporter: str,
    period: str = "2022",
    period_type: str = "calendar_year",
    year: int = 2022,
    month: int | None = None,
    quantity: float | None = None,
) -> dict[str, object]:
    return {
        "period": period,
        "period_type": period_type,
        "year": year,
        "month": month,
        "exporter": exp,
        "importer": imp,
        "product": product,
        "hs_revision": "HS17",
        "digits": len(product),
        "value_usd": value,
        "quantity": quantity,
        "quantity_unit": "t" if quantity else None,
        "source": "test",
        "reporter": reporter,
        "flag": None,
    }


def write(wh: Warehouse, name: str, rows: list[dict[str, object]], fp: str | None = None) -> None:
    wh.write(name, pa.Table.from_pylist(rows, schema=FLOWS), source="test", fingerprint=fp or name)


@pytest.fixture()
def pair_wh(warehouse: Warehouse) -> Warehouse:
    # Russia's declarations (exporter for RUS→IND, importer for IND→RUS) ...
    write(
        warehouse,
        "rus",
        [
            row("RUS", "IND", "270900", 900.0, "exporter", quantity=10.0),
            row("RUS", "IND", "310420", 100.0, "exporter"),
            row("IND", "RUS", "300490", 60.0, "importer"),
            row("IND", "RUS", "090111", 40.0, "importer"),
        ],
    )
    # ... and India's (importer for RUS→IND, exporter for IND→RUS)
    write(
        warehouse,
        "ind",
        [
            row("RUS", "IND", "270900", 990.0, "importer"),
            row("IND", "RUS", "300490", 50.0, "exporter"),
            row("IND", "RUS", "090111", 30.0, "exporter"),
        ],
    )
    return warehouse


def test_importer_declaration_first_and_both_views_agree(pair_wh: Warehouse) -> None:
    r = balance(pair_wh, "RUS", "IND")
    s = r.summary.set_index("period").loc["2022"]
    # RUS→IND as India (the importer) declared it, IND→RUS as Russia (the importer) did
    assert s["exports"] == 990.0 and s["exports_dataset"] == "ind"
    assert s["imports"] == 100.0 and s["imports_dataset"] == "rus"
    assert s["balance"] == 890.0 and s["turnover"] == 1090.0
    assert s["exports_fuel_share"] == pytest.approx(1.0)
    # seen from India the same numbers, sign aside
    s2 = balance(pair_wh, "IND", "RUS").summary.set_index("period").loc["2022"]
    assert (s2["exports"], s2["imports"], s2["balance"]) == (100.0, 990.0, -890.0)
    why = r.sources.set_index(["side", "dataset"])["reason"]
    assert why[("exports", "rus")] == (
        "passed over for ind: equally complete; the importer's declaration first"
    )
    assert why[("exports", "ind")].startswith("chosen: complete (12 of 12 months, all products)")


def test_prefer_orders_without_restricting(pair_wh: Warehouse) -> None:
    s = balance(pair_wh, "RUS", "IND", prefer=["rus"]).summary.iloc[0]
    assert (s["exports"], s["imports"]) == (1000.0, 100.0)
    r = balance(pair_wh, "RUS", "IND", prefer=["ind"])
    assert set(r.sources["dataset"]) == {"ind", "rus"}
    assert (r.summary.iloc[0]["exports"], r.summary.iloc[0]["imports"]) == (990.0, 80.0)


def test_user_can_force_a_dataset(pair_wh: Warehouse) -> None:
    s = balance(pair_wh, "RUS", "IND", datasets=["ind"]).summary.iloc[0]
    assert (s["exports"], s["imports"]) == (990.0, 80.0)


def test_missing_side_is_missing_not_zero(warehouse: Warehouse) -> None:
    write(warehouse, "one", [row("IND", "RUS", "300490", 5.0, "exporter")])
    s = balance(warehouse, "IND", "RUS").summary.iloc[0]
    assert s["exports"] == 5.0
    assert math.isnan(s["imports"]) and math.isnan(s["balance"])
    assert s["imports_note"].startswith("missing: no dataset reports RUS→IND")


def test_composition_shares_and_drivers(pair_wh: Warehouse) -> None:
    r = balance(pair_wh, "RUS", "IND", prefer=["rus"], level="chapter", top=100)
    comp = r.composition
    for _, group in comp.groupby(["side", "period"]):
        assert group["share"].sum() == pytest.approx(1.0)
    exports = comp[comp["side"] == "exports"].set_index("code")
    assert exports.loc["27", "share"] == pytest.approx(0.9)
    d = r.drivers.set_index("code")
    # net by HS4: 2709 +900, 3104 +100, 3004 −60, 0901 −40; balance 900
    assert d.loc["2709", "net"] == 900.0 and d.loc["3004", "net"] == -60.0
    assert d["contribution"].sum() == pytest.approx(1.0)
    assert d.index[0] == "2709"


def test_mirror_gap_where_both_declare(pair_wh: Warehouse) -> None:
    m = balance(pair_wh, "RUS", "IND").mirror
    crude = m[(m["side"] == "exports") & (m["code"] == "270900")].iloc[0]
    assert crude["exporter_declared"] == 900.0 and crude["importer_declared"] == 990.0
    assert crude["gap"] == 90.0 and crude["cif_fob_ratio"] == pytest.approx(1.1)
    fert = m[(m["side"] == "exports") & (m["code"] == "310420")].iloc[0]
    assert math.isnan(fert["importer_declared"])  # declared by one side only: missing


def test_months_sum_to_calendar_or_fiscal_years(warehouse: Warehouse) -> None:
    rows = [
        row(
            "IND",
            "RUS",
            "300490",
            10.0 * m,
            "exporter",
            period=f"2023-{m:02d}",
            period_type="month",
            year=2023,
            month=m,
        )
        for m in range(1, 13)
    ]
    rows += [
        row(
            "IND",
            "RUS",
            "300490",
            1.0,
            "exporter",
            period="2024-01",
            period_type="month",
            year=2024,
            month=1,
        )
    ]
    write(warehouse, "monthly", rows)
    cal = balance(warehouse, "IND", "RUS").summary.set_index("period")
    assert cal.loc["2023", "exports"] == 780.0
    assert "partial: 1 of 12 months" in cal.loc["2024", "exports_note"]
    assert cal.loc["2024", "partial"] and not cal.loc["2023", "partial"]
    fy = balance(warehouse, "IND", "RUS", frequency="fiscal_year_in").summary.set_index("period")
    assert fy.loc["FY2022-23", "exports"] == 60.0  # Jan–Mar 2023
    assert fy.loc["FY2023-24", "exports"] == 720.0 + 1.0  # Apr 2023 – Mar 2024


def test_unit_values(pair_wh: Warehouse) -> None:
    uv = balance(pair_wh, "RUS", "IND", prefer=["rus"]).unit_values
    crude = uv[(uv["side"] == "exports") & (uv["code"] == "270900")].iloc[0]
    assert crude["unit_value"] == 90.0


def test_composition_by_section_hand_worked(pair_wh: Warehouse) -> None:
    """HS sections (WCO): chapter 27 is section V (mineral products), 31 and 30 section VI
    (chemicals), 09 section II (vegetable products). Russia's exports 900 + 100 → V 90 %,
    VI 10 %; its imports 60 + 40 → VI 60 %, II 40 %; each named from the reference data."""
    r = balance(pair_wh, "RUS", "IND", prefer=["rus"], level="section", top=100)
    comp = r.composition.set_index(["side", "code"])
    assert comp.loc[("exports", "V"), "value_usd"] == 900.0
    assert comp.loc[("exports", "VI"), "share"] == pytest.approx(0.1)
    assert comp.loc[("imports", "VI"), "share"] == pytest.approx(0.6)
    assert comp.loc[("imports", "II"), "share"] == pytest.approx(0.4)
    assert "mineral" in comp.loc[("exports", "V"), "name"].lower()
    assert "chemical" in comp.loc[("imports", "VI"), "name"].lower()
