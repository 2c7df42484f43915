"""India's crude (HS 2709) and coal (HS 2701) imports by supplier: totals reproduced, Russia's
rise as a crude supplier, and malformed workbooks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import snapshot
from tradegap.errors import InputError, TooManyBadRows
from tradegap.reference.facts import official_value
from tradegap.sources import ingest
from tradegap.sources.india_imports import fiscal_period, parse
from tradegap.warehouse import Warehouse

DIR = "india_crude_coal_imports"
CRUDE = "hs2709_crude_imports_by_country_usd.xlsx"
COAL = "hs2701_coal_imports_by_country_usd.xlsx"
XLS = "dgcis_crude_imports_2021_apr_aug.xls"


def ingest_one(wh: Warehouse, paths: list[Path], **options):
    result = ingest(wh, "india-imports", paths, **options)
    if isinstance(result, list):
        (result,) = result
    return result


@pytest.fixture(scope="module")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    paths = [shared_data / DIR / f for f in (CRUDE, COAL, XLS)]
    wh = Warehouse(tmp_path_factory.mktemp("wh"))
    parsed, outcome = ingest_one(wh, paths)
    return paths, wh, parsed, outcome


def test_totals_per_sheet_reproduced(real) -> None:
    paths, wh, _parsed, _outcome = real
    con = wh.connect()
    checked = 0
    for path, product in ((paths[0], "2709"), (paths[1], "2701")):
        for sheet, raw in pd.read_excel(path, sheet_name=None, header=None).items():
            labels = raw[1].astype(str).str.strip()
            total = float(raw.loc[labels == "Total", 2].iloc[0])
            country_rows = raw.iloc[1:][~labels.iloc[1:].str.contains("Total|Share")]
            period = "FY" + sheet + (" Apr-Aug" if "Apr-Aug" in str(raw.iat[0, 2]) else "")
            got, n = con.execute(
                "SELECT sum(value_usd), count(*) FROM flows WHERE product=? AND period=?",
                [product, period],
            ).fetchone()
            assert abs(got / 1e6 - total) <= 0.005 * n + 0.005, (product, sheet)
            assert round(got / 1e4) == round(country_rows[2].dropna().sum() * 100)
            assert n == int(country_rows[2].notna().sum())
            checked += 1
    assert checked == 12


def test_known_totals_and_provenance(real) -> None:
    _paths, _wh, parsed, _outcome = real
    sheets = {(s["product"], s["period"]): s for f in parsed.provenance["files"][:2]
              for s in f["sheets"]}
    crude_fy22 = sheets[("2709", "FY2021-22")]
    assert crude_fy22["total_usd_million"] == 122449.32
    assert crude_fy22["country_sum_usd_million"] == 122449.33
    assert crude_fy22["india_total_imports_usd_million"] == 613052.05
    assert sheets[("2701", "FY2022-23 Apr-Aug")]["total_usd_million"] == 26097.21
    assert parsed.set_aside == {
        "value blank or 'NA' (no trade recorded)": 98,
        "summary rows (Total, India's total imports, %Share)": 36,
    }
    assert parsed.rows_read == 600 and parsed.data.num_rows == 466


def test_russia_crude_share_grows(real) -> None:
    wh = real[1]
    rows = wh.connect().execute(
        "SELECT period, sum(value_usd) FILTER (WHERE exporter='RUS'), sum(value_usd) FROM flows "
        "WHERE product='2709' AND importer='IND' AND reporter='importer' "
        "AND period NOT LIKE 'FY2021-22 %' GROUP BY period ORDER BY period"
    ).fetchall()
    russia = {p: r / 1e6 for p, r, _ in rows}
    share = {p: r / t for p, r, t in rows}
    assert russia == {
        "FY2017-18": 1169.30, "FY2018-19": 1180.91, "FY2019-20": 1755.00,
        "FY2020-21": 944.04, "FY2021-22": 2470.91, "FY2022-23 Apr-Aug": 11412.15,
    }
    # 1.3 %, 1.0 %, 1.7 %, 1.6 %, 2.0 %, then 14.6 % in Apr-Aug 2022
    assert [round(s * 100, 1) for s in share.values()] == [1.3, 1.0, 1.7, 1.6, 2.0, 14.6]
    assert share["FY2021-22"] > max(share[f"FY{y}-{y - 1999}"] for y in range(2017, 2021))
    assert share["FY2022-23 Apr-Aug"] > 7 * share["FY2021-22"]
    # the published figure for FY2021-22 is "approximately 2.2 bn"; the DGCI&S sheet says 2.47
    assert abs(russia["FY2021-22"] / 1000 - official_value(
        "india_crude_imports_from_russia", "FY2021-22")) < 0.3


def test_dgcis_extract_apr_aug_2021(real) -> None:
    wh = real[1]
    row = wh.connect().execute(
        "SELECT value_usd, quantity, quantity_unit, period_type, year, digits FROM flows "
        "WHERE period='FY2021-22 Apr-Aug' AND exporter='RUS'"
    ).fetchone()
    assert row == (881_951_027.0, 1_737_464.0, "TON", "fiscal_year_in_partial", 2021, 4)
    total, n = wh.connect().execute(
        "SELECT sum(value_usd), count(*) FROM flows WHERE period='FY2021-22 Apr-Aug'"
    ).fetchone()
    assert (total, n) == (40_185_522_661.0, 32)


def test_reingest_changes_nothing(real) -> None:
    paths, wh, _parsed, _outcome = real
    before = snapshot(wh)
    assert not ingest_one(wh, paths)[1].changed
    assert snapshot(wh) == before


def test_fiscal_period_labels() -> None:
    assert fiscal_period(2022, "Apr", "Aug") == ("FY2022-23 Apr-Aug", "fiscal_year_in_partial")
    assert fiscal_period(2021) == ("FY2021-22", "fiscal_year_in")


# -- small workbooks --------------------------------------------------------------------------
def workbook(tmp_path: Path, rows: list[list], name: str = "hs2709_test.xlsx",
             sheet: str = "2021-22") -> Path:
    path = tmp_path / name
    pd.DataFrame(rows).to_excel(path, sheet_name=sheet, header=False, index=False)
    return path


HEAD = ["S.No.", "Country / Region", "2021-2022 (Million US $)"]


def test_small_workbook_good(tmp_path: Path) -> None:
    path = workbook(tmp_path, [HEAD, [1, "RUSSIA", 2470.91], [2, "IRAQ", 30342.1],
                               [3, "CUBA", "NA"], [4, "CHAD", None], [5, "FRANCE", 0],
                               [6, "Total", 32813.01], [7, "India's Total Import", 613052.05]])
    parsed = parse([path])
    frame = parsed.data.to_pandas()
    assert frame["exporter"].tolist() == ["RUS", "IRQ", "FRA"]
    assert frame["value_usd"].tolist() == [2_470_910_000, 30_342_100_000, 0]
    assert frame["flag"].tolist() == [None, None, "rounded_to_zero"]
    assert set(frame["product"]) == {"2709"} and set(frame["period"]) == {"FY2021-22"}
    assert parsed.set_aside["value blank or 'NA' (no trade recorded)"] == 2


def test_missing_header_row(tmp_path: Path) -> None:
    path = workbook(tmp_path, [[1, "RUSSIA", 1.0], [2, "Total", 1.0]])
    with pytest.raises(InputError, match="S.No.") as exc:
        parse([path])
    assert "2021-22" in str(exc.value) and str(path) in str(exc.value)


def test_non_numeric_value(tmp_path: Path) -> None:
    path = workbook(tmp_path, [HEAD, [1, "RUSSIA", "twelve"], [2, "IRAQ", 5.0], [3, "Total", 5.0]])
    with pytest.raises(TooManyBadRows) as exc:
        parse([path])
    issue = exc.value.issues[0]
    assert (issue.line, issue.field, issue.value) == (2, "value", "twelve")
    parsed = parse([path], max_bad_rows=1)
    assert parsed.data.num_rows == 1 and parsed.issues[0].line == 2


def test_unknown_country_names_listed(tmp_path: Path) -> None:
    path = workbook(tmp_path, [HEAD, [1, "RUSSIA", 1.0], [2, "ATLANTIS", 1.0],
                               [3, "EL DORADO", 1.0], [4, "Total", 3.0]])
    with pytest.raises(InputError) as exc:
        parse([path])
    text = str(exc.value)
    assert "'ATLANTIS' (first at hs2709_test.xlsx [sheet '2021-22'] row 3)" in text
    assert "'EL DORADO'" in text and "india_partner_names.csv" in text


def test_total_mismatch_and_missing_total(tmp_path: Path) -> None:
    path = workbook(tmp_path, [HEAD, [1, "RUSSIA", 1.0], [2, "IRAQ", 2.0], [3, "Total", 4.0]])
    with pytest.raises(InputError, match=r"sum to 3\.00 but the 'Total' row says 4\.00"):
        parse([path])
    path = workbook(tmp_path, [HEAD, [1, "RUSSIA", 1.0]], name="hs2709_b.xlsx")
    with pytest.raises(InputError, match="no 'Total' row"):
        parse([path])


def test_product_from_name_or_option(tmp_path: Path) -> None:
    rows = [HEAD, [1, "RUSSIA", 1.0], [2, "Total", 1.0]]
    path = workbook(tmp_path, rows, name="imports.xlsx")
    with pytest.raises(InputError, match="cannot tell the product"):
        parse([path])
    assert parse([path], product="2701").data.column("product").to_pylist() == ["2701"]
    with pytest.raises(InputError, match="4-digit"):
        parse([path], product="27")


def test_sheet_name_disagrees_with_header(tmp_path: Path) -> None:
    path = workbook(tmp_path, [HEAD, [1, "RUSSIA", 1.0], [2, "Total", 1.0]], sheet="2020-21")
    with pytest.raises(InputError, match="disagrees"):
        parse([path])


def test_corrupt_workbook_and_failed_ingest(tmp_path: Path, warehouse: Warehouse) -> None:
    good = workbook(tmp_path, [HEAD, [1, "RUSSIA", 1.0], [2, "Total", 1.0]])
    ingest_one(warehouse, [good], name="imp")
    before = snapshot(warehouse)
    cut = tmp_path / "hs2709_cut.xlsx"
    cut.write_bytes(good.read_bytes()[:200])
    with pytest.raises(InputError, match="Excel workbook") as exc:
        ingest_one(warehouse, [cut], name="imp")
    assert exc.value.file == str(cut)
    bad = workbook(tmp_path, [HEAD, [1, "RUSSIA", -1.0], [2, "Total", 1.0]], name="hs2709_n.xlsx")
    with pytest.raises(TooManyBadRows, match="negative"):
        ingest_one(warehouse, [bad], name="imp")
    assert snapshot(warehouse) == before


def test_same_workbook_twice_is_refused(tmp_path: Path) -> None:
    a = workbook(tmp_path, [HEAD, [1, "RUSSIA", 1.0], [2, "Total", 1.0]], name="hs2709_a.xlsx")
    b = workbook(tmp_path, [HEAD, [1, "RUSSIA", 1.0], [2, "Total", 1.0]], name="hs2709_b.xlsx")
    with pytest.raises(InputError, match="same supplier, period and product twice"):
        parse([a, b])
