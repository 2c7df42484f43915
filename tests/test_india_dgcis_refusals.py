"""India's EIDB export extracts and HS8 product list (tradegap.sources.india_dgcis) that cannot
be read: each refusal names the file (and line and field where there is one) and what to do;
and an inconsistent partner-name mapping is refused before it maps anything."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tradegap.errors import InputError
from tradegap.sources import india_dgcis
from tradegap.sources.india_dgcis import hs8_descriptions, parse

HEADER = "fy_start,hs8,partner,value_usd_million,quantity,unit\n"


def refusal(call, *args) -> InputError:
    with pytest.raises(InputError) as exc:
        call(*args)
    return exc.value


def test_parquet_without_a_column(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    pd.DataFrame({"fy_start": [2023], "hs8": ["01012100"], "partner": ["RUSSIA"],
                  "value_usd_million": [1.0], "quantity": [1.0]}).to_parquet(path)
    err = refusal(parse, [path])
    assert err.file == str(path)
    assert err.reason == ("missing column(s) ['unit']; found ['fy_start', 'hs8', 'partner', "
                          "'value_usd_million', 'quantity']")
    assert err.hint == ("the file needs the columns fy_start, hs8, partner, value_usd_million, "
                        "quantity, unit")


def test_csv_row_with_too_many_fields(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(HEADER + "2023,01012100,RUSSIA,1.00,1,KGS\n2023,01012100,OMAN,1,1,KGS,9\n")
    err = refusal(parse, [path])
    assert err.file == str(path)
    assert err.reason == ("not a well-formed CSV: Error tokenizing data. C error: Expected 6 "
                          "fields in line 3, saw 7\n")


def test_unsupported_file_type(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK")
    err = refusal(parse, [path])
    assert (err.file, err.reason) == (str(path), "unsupported file type '.xlsx'")
    assert err.hint == "give the EIDB extract as .parquet or .csv"


def test_hs8_list_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes("hs8,description,unit\n01012100,CAFÉ,NOS\n".encode("latin-1"))
    err = refusal(hs8_descriptions, path)
    assert err.file == str(path)
    assert err.reason.startswith("not UTF-8 text (")  # the codec's words follow
    assert err.hint == "re-save the CSV as UTF-8"


def test_hs8_list_damaged_parquet(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pd.DataFrame({"hs8": ["01012100"], "description": ["HORSES"], "unit": ["NOS"]}).to_parquet(
        path)
    path.write_bytes(path.read_bytes()[:60])
    err = refusal(hs8_descriptions, path)
    assert err.file == str(path) and err.reason.startswith("cannot read the file: ")


def test_hs8_list_code_not_eight_digits(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("hs8,description,unit\n01012100,HORSES,NOS\n0101,ASSES,NOS\n01A2,X,NOS\n")
    err = refusal(hs8_descriptions, path)
    assert (err.file, err.line, err.field) == (str(path), 3, "hs8")
    assert err.reason == "hs8 '0101' is not an 8-digit code (2 such rows)"


@pytest.mark.parametrize(("rows", "shown"), [
    ("RUSSIA,RUS,\nRUSSIAN FED,RUS,\n", "repeated names [], repeated codes ['RUS']"),
    ("RUSSIA,RUS,\nRUSSIA,RUT,\n", "repeated names ['RUSSIA'], repeated codes []"),
    ("RUSSIA,Rus,\n", "repeated names [], repeated codes []"),
])
def test_inconsistent_partner_mapping_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 rows: str, shown: str) -> None:
    mapping = tmp_path / "names.csv"
    mapping.write_text("portal_name,iso3,note\n" + rows)
    monkeypatch.setattr(india_dgcis, "PARTNER_NAMES_FILE", mapping)
    india_dgcis.partner_names.cache_clear()
    try:
        err = refusal(india_dgcis.partner_names)
    finally:
        india_dgcis.partner_names.cache_clear()  # the next caller reads the packaged file
    assert err.file == str(mapping)
    assert err.reason == (f"the partner-name mapping is inconsistent ({shown}, or a code that "
                          "is not 3 capital letters)")
    assert err.hint == "each portal name must appear once and map to its own 3-letter code"
