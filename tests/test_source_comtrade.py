"""Comtrade source: API and legacy bulk layouts, roles, aggregates set aside, malformed rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import snapshot
from tradegap.errors import InputError, TooManyBadRows
from tradegap.sources import ingest as ingest_many
from tradegap.warehouse import Warehouse

_HEADER_TEXT = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,"
    "flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,"
    "classificationCode,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,mosCode,motCode,"
    "qtyUnitCode,qtyUnitAbbr,qty,netWgt,cifvalue,fobvalue,primaryValue,isReported,isAggregate"
)
API_HEADER = _HEADER_TEXT.split(",")


def api_row(flow: str, partner: str, cmd: str, value: str, *, net: str = "", qty: str = "",
            unit: str = "N/A", mot: str = "0", reporter: str = "IND", period: str = "2023",
            klass: str = "H5") -> dict[str, str]:
    return {
        "typeCode": "C", "freqCode": "A" if len(period) == 4 else "M",
        "refPeriodId": period + "0101", "refYear": period[:4], "refMonth": "52",
        "period": period, "reporterCode": "699", "reporterISO": reporter,
        "reporterDesc": "India", "flowCode": flow, "flowDesc": "Import" if flow == "M" else "x",
        "partnerCode": "0" if partner == "W00" else "643", "partnerISO": partner,
        "partnerDesc": "Russian Federation, the", "partner2Code": "0", "partner2ISO": "W00",
        "classificationCode": klass, "cmdCode": cmd, "cmdDesc": "Petroleum oils, crude",
        "aggrLevel": str(len(cmd)), "isLeaf": "1", "customsCode": "C00", "mosCode": "0",
        "motCode": mot, "qtyUnitCode": "8", "qtyUnitAbbr": unit, "qty": qty, "netWgt": net,
        "cifvalue": "", "fobvalue": "", "primaryValue": value, "isReported": "True",
        "isAggregate": "False",
    }


API_ROWS = [
    api_row("M", "RUS", "270900", "45123456789", net="80000000000"),
    api_row("M", "RUS", "310210", "1234567.25"),
    api_row("X", "RUS", "300490", "987654", net="12345", qty="100", unit="kg"),
    api_row("X", "RUS", "080211", "5000", qty="20", unit="u"),
    api_row("RX", "RUS", "300490", "111"),
    api_row("M", "W00", "270900", "170000000000"),
    api_row("X", "RUS", "TOTAL", "4000000000"),
    api_row("M", "RUS", "270900", "999", mot="2100"),
]


def write_api(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, API_HEADER)
        w.writeheader()
        w.writerows(rows)
    return path


def ingest(wh: Warehouse, paths: list[Path], **options: object):  # noqa: ANN201
    [pair] = ingest_many(wh, "comtrade", paths, **options)
    return pair


def test_api_layout_roles_totals_and_aggregates(warehouse: Warehouse, tmp_path: Path) -> None:
    parsed, outcome = ingest(warehouse, [write_api(tmp_path / "api.csv", API_ROWS)])
    assert parsed.rows_read == 8 and outcome.dataset.rows == 4
    assert parsed.set_aside == {
        "flow RX (re-exports): only M and X are loaded": 1,
        "partner W00 (world): an aggregate of the partner rows": 1,
        "cmdCode TOTAL: an aggregate of the product rows": 1,
        "motCode breakdown (only the total row is loaded)": 1,
    }
    con = warehouse.connect()
    got = con.execute(
        "SELECT exporter, importer, reporter, sum(value_usd), count(*) FROM flows GROUP BY ALL"
        " ORDER BY 1").fetchall()
    assert got == [("IND", "RUS", "exporter", 992654.0, 2),
                   ("RUS", "IND", "importer", 45124691356.25, 2)]
    assert con.execute(
        "SELECT product, digits, quantity, quantity_unit, period, period_type, hs_revision"
        " FROM flows ORDER BY product").fetchall() == [
        ("080211", 6, 20.0, "u", "2023", "calendar_year", "HS17"),
        ("270900", 6, 80_000_000.0, "t", "2023", "calendar_year", "HS17"),
        ("300490", 6, 12.345, "t", "2023", "calendar_year", "HS17"),
        ("310210", 6, None, None, "2023", "calendar_year", "HS17"),
    ]


LEGACY = """Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,\
Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,Commodity Code,\
Commodity,Qty Unit Code,Qty Unit,Qty,Netweight (kg),Trade Value (US$),Flag
H4,2020,202001,January 2020,4,0,1,Import,699,India,IND,643,Russian Federation,RUS,2709,\
"Petroleum oils, crude",8,Weight in kilograms,1000,1000,300000,0
H4,2020,202002,February 2020,4,0,1,Import,699,India,IND,643,Russian Federation,RUS,2709,\
"Petroleum oils, crude",8,Weight in kilograms,,2000,600000,0
H4,2020,202001,January 2020,2,0,2,Export,699,India,IND,643,Russian Federation,RUS,30,\
Pharmaceutical products,1,No Quantity,,,70000,0
H4,2020,202001,January 2020,2,0,3,Re-Export,699,India,IND,643,Russian Federation,RUS,30,\
Pharmaceutical products,1,No Quantity,,,5,0
H4,2020,202001,January 2020,2,0,2,Export,699,India,IND,0,World,WLD,30,\
Pharmaceutical products,1,No Quantity,,,900000,0
"""


def test_legacy_bulk_layout_monthly(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "bulk.csv"
    path.write_text(LEGACY)
    parsed, outcome = ingest(warehouse, [path], name="ct_monthly")
    assert outcome.dataset.rows == 3 and parsed.rows_read == 5
    assert sum(parsed.set_aside.values()) == 2
    rows = warehouse.connect().execute(
        "SELECT period, period_type, year, month, exporter, importer, product, digits,"
        " hs_revision, value_usd, quantity FROM flows ORDER BY period, product").fetchall()
    assert rows == [
        ("2020-01", "month", 2020, 1, "RUS", "IND", "2709", 4, "HS12", 300000.0, 1.0),
        ("2020-01", "month", 2020, 1, "IND", "RUS", "30", 2, "HS12", 70000.0, None),
        ("2020-02", "month", 2020, 2, "RUS", "IND", "2709", 4, "HS12", 600000.0, 2.0),
    ]


def test_digits_option_and_tab_separated(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "bulk.txt"
    path.write_text("\n".join("\t".join(next(csv.reader([line]))) for line in
                              LEGACY.splitlines()) + "\n")
    parsed, outcome = ingest(warehouse, [path], digits="4")
    assert outcome.dataset.rows == 2
    assert parsed.set_aside["product codes not of [4] digits (option digits)"] == 1


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        (api_row("M", "RUS", "270900", "12", reporter="Ind"), "reporterISO", "ISO3"),
        (api_row("M", "RUS", "270900", "abc"), "primaryValue", "value"),
        (api_row("M", "RUS", "-5", "1"), "cmdCode", "HS code"),
        (api_row("M", "RUS", "80211", "1"), "cmdCode", "leading zero"),
        (api_row("M", "RUS", "270900", "1", klass="S4"), "classificationCode", "H0"),
        (api_row("M", "RUS", "270900", "1", period="2023-01"), "period", "YYYYMM"),
        (api_row("M", "RUS", "270900", "1", net="lots"), "netWgt", "not a number"),
        (api_row("M", "RUS", "270900", "77"), "period,reporterISO,partnerISO,flowCode,cmdCode",
         "duplicate"),
        (api_row("", "RUS", "270900", "1"), "flowCode", "missing flow"),
    ],
)
def test_malformed_rows(warehouse: Warehouse, tmp_path: Path, row: dict[str, str], field: str,
                        reason: str) -> None:
    ingest(warehouse, [write_api(tmp_path / "ok.csv", API_ROWS)])
    before = snapshot(warehouse)
    bad = write_api(tmp_path / "bad.csv", [*API_ROWS, row])
    with pytest.raises(TooManyBadRows) as exc:
        ingest(warehouse, [bad])
    [issue] = exc.value.issues
    assert issue.line == 10 and issue.field == field and reason in issue.reason
    assert "bad.csv" in str(exc.value)
    assert snapshot(warehouse) == before
    # set aside when allowed; bad.csv repeats ok.csv's keys, so it replaces it only when asked
    with pytest.raises(InputError, match="would repeat 4 of its keys"):
        ingest(warehouse, [bad], max_bad_rows=1)
    parsed, outcome = ingest(warehouse, [bad], max_bad_rows=1, replace=True)
    assert outcome.dataset.rows == 4 and parsed.rows_read == 9


def test_wrong_layout_names_columns(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("year,exporter,importer,hs6,value\n2020,IND,RUS,010121,5\n")
    with pytest.raises(InputError, match="no column for reporterISO") as exc:
        ingest(warehouse, [path])
    assert "'hs6'" in str(exc.value) and exc.value.file == str(path)
    path.write_bytes(API_ROWS and ",".join(API_HEADER).encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        ingest(warehouse, [path])
    assert warehouse.datasets() == []


def test_same_extract_twice_in_one_ingest_is_refused(warehouse: Warehouse, tmp_path: Path) -> None:
    a = write_api(tmp_path / "a.csv", API_ROWS)
    b = write_api(tmp_path / "b.csv", API_ROWS)
    with pytest.raises(InputError, match="double count"):
        ingest(warehouse, [a, b])


def test_unknown_option_is_refused(warehouse: Warehouse, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown option") as exc:
        ingest(warehouse, [write_api(tmp_path / "a.csv", API_ROWS)], revison="HS17")
    assert "revision" in str(exc.value.hint)
