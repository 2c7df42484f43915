"""India's crude/coal import workbooks (tradegap.sources.india_imports) that are malformed: each
is refused with a message naming the file, the sheet, the Excel row and the field, or its bad
row is set aside and listed; and the cells the portal writes for "no value" are set aside."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.subprocess_env import minimal_env
from tradegap.errors import InputError, TooManyBadRows
from tradegap.sources.india_imports import parse
from tradegap.warehouse import Warehouse

HEAD = ["S.No.", "Country / Region", "2021-2022 (Million US $)"]
CHEAD = ["S.No.", "Commodity", "Country of Consignment", "Unit", "Qty",
         "Apr, 2021 To Aug, 2021 Value(US $)"]
TRADEGAP = Path(sys.executable).with_name("tradegap")


def book(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook with one sheet per item, rows written cell by cell (None = empty cell)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def refusal(path: Path, **options) -> InputError:
    with pytest.raises(InputError) as exc:
        parse([path], **options)
    return exc.value


# -- parse options and files -----------------------------------------------------------------
def test_unknown_option_and_no_file() -> None:
    with pytest.raises(InputError) as exc:
        parse([], year="2021")
    assert exc.value.reason == "option(s) ['year'] do not apply to source 'india-imports'"
    assert exc.value.hint == "options of india-imports: ['max_bad_rows', 'name', 'product']"
    with pytest.raises(InputError, match="^no input file given") as exc:
        parse([])
    assert "tradegap ingest india-imports" in exc.value.hint


@pytest.mark.parametrize(("name", "shown"), [("hs2709.csv", "'.csv'"),
                                             ("hs2709", "'(no extension)'")])
def test_unsupported_file_type(tmp_path: Path, name: str, shown: str) -> None:
    path = tmp_path / name
    path.write_text("S.No.,Country,Value\n")
    err = refusal(path)
    assert err.file == str(path)
    assert err.reason == f"unsupported file type {shown}"
    assert err.hint == "give the DGCI&S workbooks as .xlsx or .xls"


def test_workbook_of_blank_sheets_has_no_data_sheet(tmp_path: Path) -> None:
    path = book(tmp_path / "hs2709_blank.xlsx", {"2021-22": [[None, None]], "2022-23": []})
    err = refusal(path)
    assert (err.file, err.reason) == (str(path), "the workbook has no data sheet")


def test_blank_sheet_beside_a_data_sheet_is_skipped(tmp_path: Path) -> None:
    path = book(tmp_path / "hs2709_two.xlsx", {
        "notes": [[None], [None, None, None]],
        "2021-22": [HEAD, [1, "RUSSIA", 2.5], [None, None, None], [2, "IRAQ", 1.25],
                    [3, "Total", 3.75]],
    })
    parsed = parse([path])
    assert parsed.data.column("exporter").to_pylist() == ["RUS", "IRQ"]
    assert parsed.data.column("value_usd").to_pylist() == [2_500_000.0, 1_250_000.0]
    (sheet,) = parsed.provenance["files"][0]["sheets"]
    assert sheet["sheet"] == "2021-22" and sheet["country_sum_usd_million"] == 3.75
    # the empty Excel row 4 is neither a flow, nor set aside, nor malformed
    assert parsed.rows_read == 3 and not parsed.issues


def test_nothing_to_load_is_refused_not_a_crash(tmp_path: Path) -> None:
    path = book(tmp_path / "hs2709_na.xlsx",
                {"2021-22": [HEAD, [1, "RUSSIA", "NA"], [2, "IRAQ", "-"], [3, "Total", 0]]})
    err = refusal(path)
    assert err.file == str(path)
    assert err.reason == ("no supplier row has a value to load (every value is blank, 'NA' "
                          "or malformed)")
    # the same when the only row was malformed and the limit lets it be set aside
    path = book(tmp_path / "hs2709_bad.xlsx",
                {"2021-22": [HEAD, [1, "RUSSIA", "twelve"], [2, "Total", 0]]})
    assert refusal(path, max_bad_rows=1).reason.startswith("no supplier row has a value")


def test_nothing_to_load_at_the_command_line(tmp_path: Path) -> None:
    path = book(tmp_path / "hs2709_na.xlsx",
                {"2021-22": [HEAD, [1, "RUSSIA", "NA"], [2, "Total", 0]]})
    proc = subprocess.run(
        [str(TRADEGAP), "--home", str(tmp_path / "wh"), "ingest", "india-imports", str(path)],
        capture_output=True, text=True, timeout=120,
        env=minimal_env(COLUMNS="300", PATH="/usr/bin", NO_COLOR="1"),
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"error: {path}: no supplier row has a value to load" in proc.stderr
    assert Warehouse(tmp_path / "wh").datasets() == []


# -- by-country sheets -----------------------------------------------------------------------
def test_two_columns_only(tmp_path: Path) -> None:
    path = book(tmp_path / "hs2709_2col.xlsx",
                {"2021-22": [["Note"], HEAD[:2], [1, "RUSSIA"], [2, "Total"]]})
    err = refusal(path)
    assert (err.file, err.line) == (f"{path} [sheet '2021-22']", 2)
    assert err.reason == "expected 3 columns: S.No., Country / Region, value"


@pytest.mark.parametrize(("header", "reason"), [
    ("Value (Million US $)",
     "cannot read the fiscal year from the value header 'Value (Million US $)'"),
    ("2021-2023 (Million US $)",
     "cannot read the fiscal year from the value header '2021-2023 (Million US $)'"),
    ("2022-2023(Xyz-Aug) (Million US $)",
     "cannot read the months in '2022-2023(Xyz-Aug) (Million US $)'"),
    ("2021-2022 (US $ Thousand)",
     "the value header '2021-2022 (US $ Thousand)' is not in US$ million"),
])
def test_value_header_refused(tmp_path: Path, header: str, reason: str) -> None:
    path = book(tmp_path / "hs2709_head.xlsx",
                {"Sheet1": [[*HEAD[:2], header], [1, "RUSSIA", 1.0], [2, "Total", 1.0]]})
    err = refusal(path)
    assert (err.file, err.line, err.field) == (f"{path} [sheet 'Sheet1']", 1, "value header")
    assert err.reason == reason


def test_total_row_without_a_number(tmp_path: Path) -> None:
    path = book(tmp_path / "hs2709_total.xlsx",
                {"2021-22": [HEAD, [1, "RUSSIA", 1.0], [2, "Total", "NA"]]})
    err = refusal(path)
    assert (err.file, err.line, err.field) == (f"{path} [sheet '2021-22']", 3, "value")
    assert err.reason == "the 'Total' row has no number ('NA')"


def test_bad_country_rows_listed_with_excel_row(tmp_path: Path) -> None:
    rows = [HEAD, [1, "RUSSIA", 1.0], [2, None, 5.0], [3, "IRAQ", 1.234], [4, "CUBA", "1.5 m"],
            [5, "Total", 1.0]]
    path = book(tmp_path / "hs2709_rows.xlsx", {"2021-22": rows})
    with pytest.raises(TooManyBadRows) as exc:
        parse([path])
    assert (exc.value.bad, exc.value.total) == (3, 5)
    assert [(i.line, i.field, i.value, i.reason) for i in exc.value.issues] == [
        (3, "Country / Region", None, "[sheet '2021-22'] country is empty"),
        (4, "value", "1.234", "[sheet '2021-22'] value has more than 2 decimals (US$ million)"),
        (5, "value", "1.5 m", "[sheet '2021-22'] value is not a number"),
    ]
    parsed = parse([path], max_bad_rows=3)
    assert parsed.data.column("exporter").to_pylist() == ["RUS"]
    assert parsed.set_aside["malformed: [sheet '2021-22'] country is empty"] == 1


def test_excel_error_cell_is_not_available(tmp_path: Path) -> None:
    """An Excel error value such as #N/A is read as 'no value', like the portal's 'NA'."""
    rows = [HEAD, [1, "RUSSIA", "#N/A"], [2, "IRAQ", 3.0], [3, "Total", 3.0]]
    path = book(tmp_path / "hs2709_err.xlsx", {"2021-22": rows})
    parsed = parse([path])
    assert parsed.data.column("exporter").to_pylist() == ["IRQ"]
    assert parsed.set_aside["value blank or 'NA' (no trade recorded)"] == 1


# -- DGCI&S commodity x country extracts -----------------------------------------------------
def test_commodity_extract_rows(tmp_path: Path) -> None:
    rows = [CHEAD,
            [1, "PETROLEUM: CRUDE", "RUSSIA", "TON", 1000, 500_000],
            [None, None, None, None, None, None],
            [2, "PETROLEUM: CRUDE", "IRAQ", "TON", None, 250_000.4],
            [3, "PETROLEUM: CRUDE", "CUBA", "TON", 7, "NA"]]
    path = book(tmp_path / "extract.xlsx", {"Sheet1": rows})
    parsed = parse([path])
    frame = parsed.data.to_pandas()
    assert frame["exporter"].tolist() == ["RUS", "IRQ"]
    assert frame["value_usd"].tolist() == [500_000.0, 250_000.0]
    assert frame["quantity"].tolist()[0] == 1000.0 and frame["quantity"].isna().tolist()[1]
    assert set(frame["period"]) == {"FY2021-22 Apr-Aug"} and set(frame["product"]) == {"2709"}
    assert parsed.set_aside == {"value blank or 'NA' (no trade recorded)": 1}


def test_commodity_extract_bad_rows(tmp_path: Path) -> None:
    rows = [CHEAD,
            [1, "PETROLEUM: CRUDE", "RUSSIA", "TON", 1000, 500_000],
            [2, "PETROLEUM: CRUDE", None, "TON", 1, 5],
            [3, "PETROLEUM: CRUDE", "IRAQ", "TON", 1, -5],
            [4, "PETROLEUM: CRUDE", "CUBA", "TON", "lots", 5]]
    path = book(tmp_path / "extract.xlsx", {"Sheet1": rows})
    with pytest.raises(TooManyBadRows) as exc:
        parse([path])
    assert [(i.line, i.field, i.value, i.reason) for i in exc.value.issues] == [
        (3, "Country of Consignment", None, "[sheet 'Sheet1'] country is empty"),
        (4, "value", "-5", "[sheet 'Sheet1'] value is not a non-negative number"),
        (5, "Qty", "lots", "[sheet 'Sheet1'] quantity is not a non-negative number"),
    ]
    assert parse([path], max_bad_rows=3).data.column("exporter").to_pylist() == ["RUS"]


def test_unknown_commodity(tmp_path: Path) -> None:
    rows = [CHEAD, [1, "NATURAL GAS", "RUSSIA", "TON", 1, 5]]
    path = book(tmp_path / "extract.xlsx", {"Sheet1": rows})
    err = refusal(path)
    assert (err.file, err.line, err.field) == (f"{path} [sheet 'Sheet1']", 2, "Commodity")
    assert err.reason == "unknown commodity 'NATURAL GAS'"
    assert err.hint == ("known: PETROLEUM: CRUDE, PETROLEUM CRUDE, COAL; "
                        "or pass --set product=HS4")
    assert parse([path], product="2711").data.column("product").to_pylist() == ["2711"]


def test_commodity_header_columns_out_of_order(tmp_path: Path) -> None:
    header = ["S.No.", "Country of Consignment", "Commodity", "Unit", "Qty", CHEAD[5]]
    path = book(tmp_path / "extract.xlsx", {"Sheet1": [header, [1, "RUSSIA", "COAL"]]})
    err = refusal(path)
    assert (err.file, err.line) == (f"{path} [sheet 'Sheet1']", 1)
    assert err.reason == f"unexpected header {header}"
    assert err.hint.startswith("expected 'S.No. | Commodity | Country of Consignment |")


@pytest.mark.parametrize(("value_header", "reason"), [
    ("Value(US $)", "cannot read the months and US$ from 'Value(US $)'"),
    ("Apr, 2021 To Aug, 2021 Value(Rs. Lakh)",
     "cannot read the months and US$ from 'Apr, 2021 To Aug, 2021 Value(Rs. Lakh)'"),
    ("Abc, 2021 To Aug, 2021 Value(US $)",
     "cannot read the months in 'Abc, 2021 To Aug, 2021 Value(US $)'"),
    ("Jan, 2021 To Aug, 2021 Value(US $)",
     "'Jan, 2021 To Aug, 2021 Value(US $)' is not within one fiscal year"),
    ("Aug, 2021 To Apr, 2021 Value(US $)",
     "'Aug, 2021 To Apr, 2021 Value(US $)' is not within one fiscal year"),
])
def test_commodity_value_header_refused(tmp_path: Path, value_header: str, reason: str) -> None:
    rows = [[*CHEAD[:5], value_header], [1, "COAL", "RUSSIA", "TON", 1, 5]]
    path = book(tmp_path / "extract.xlsx", {"Sheet1": rows})
    err = refusal(path)
    assert (err.file, err.line) == (f"{path} [sheet 'Sheet1']", 1)
    assert err.reason == reason
