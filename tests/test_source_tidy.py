"""Tidy source: CSV and Parquet round trips, the TOML mapping, and malformed input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import snapshot
from tradegap.errors import InputError, TooManyBadRows
from tradegap.sources import ingest as ingest_many
from tradegap.warehouse import Warehouse

CSV = """yr,rep,par,hs6,val_k,tons
2023,IND,RUS,030617,1234.567,10.5
2023,IND,RUS,300490,2000,
2023,RUS,IND,270900,64000000,
2024,IND,RUS,030617,1500.5,12
"""
MAP = {"year": "yr", "exporter": "rep", "importer": "par", "product": "hs6",
       "value_usd": "val_k", "quantity": "tons"}
CONST = {"hs_revision": "HS17", "reporter": "exporter", "value_multiplier": "1000",
         "quantity_unit": "t"}


def ingest(wh: Warehouse, paths: list[Path], **options: object):  # noqa: ANN201
    [pair] = ingest_many(wh, "tidy", paths, **options)
    return pair


def rows(wh: Warehouse) -> list[tuple]:
    return wh.connect().execute(
        "SELECT period, period_type, year, exporter, importer, product, digits, value_usd,"
        " quantity, quantity_unit, hs_revision, reporter, source FROM flows"
        " ORDER BY period, exporter, product").fetchall()


EXPECTED = [
    ("2023", "calendar_year", 2023, "IND", "RUS", "030617", 6, 1234567.0, 10.5, "t", "HS17",
     "exporter", "tidy"),
    ("2023", "calendar_year", 2023, "IND", "RUS", "300490", 6, 2000000.0, None, None, "HS17",
     "exporter", "tidy"),
    ("2023", "calendar_year", 2023, "RUS", "IND", "270900", 6, 64e9, None, None, "HS17",
     "exporter", "tidy"),
    ("2024", "calendar_year", 2024, "IND", "RUS", "030617", 6, 1500500.0, 12.0, "t", "HS17",
     "exporter", "tidy"),
]


def test_csv_round_trip(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(CSV)
    parsed, outcome = ingest(warehouse, [path], columns=MAP, **CONST)
    assert outcome.dataset.rows == 4 and parsed.rows_read == 4 and parsed.set_aside == {}
    assert rows(warehouse) == EXPECTED
    again = ingest(warehouse, [path], columns=MAP, **CONST)[1]
    assert not again.changed


def test_parquet_round_trip_and_toml_mapping(warehouse: Warehouse, tmp_path: Path) -> None:
    frame = pd.read_csv(pd.io.common.StringIO(CSV), dtype={"hs6": str})
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        "[columns]\n" + "".join(f'{k} = "{v}"\n' for k, v in MAP.items())
        + '\n[constants]\nhs_revision = "HS17"\nreporter = "exporter"\n'
        'value_multiplier = 1000\nquantity_unit = "t"\n'
    )
    ingest(warehouse, [path], mapping=mapping, name="pq")
    assert rows(warehouse) == EXPECTED


def test_numeric_product_codes_padded_by_digits(warehouse: Warehouse, tmp_path: Path) -> None:
    frame = pd.read_csv(pd.io.common.StringIO(CSV))  # hs6 read as integers: 30617
    assert frame["hs6"].iloc[0] == 30617
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    with pytest.raises(TooManyBadRows, match="leading zero"):
        ingest(warehouse, [path], columns=MAP, **CONST)
    ingest(warehouse, [path], columns=MAP, digits="6", **CONST)
    assert rows(warehouse) == EXPECTED


def test_monthly_and_fiscal_periods(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("p,e,i,k,v\n2023-01,IND,RUS,0101,5\n202302,IND,RUS,0101,6\n"
                    "FY2023-24,IND,RUS,0102,7\n")
    cols = {"period": "p", "exporter": "e", "importer": "i", "product": "k", "value_usd": "v"}
    ingest(warehouse, [path], columns=cols, hs_revision="HS17", reporter="importer")
    got = warehouse.connect().execute(
        "SELECT period, period_type, year, month, digits FROM flows ORDER BY period").fetchall()
    assert got == [("2023-01", "month", 2023, 1, 4), ("2023-02", "month", 2023, 2, 4),
                   ("FY2023-24", "fiscal_year_in", 2023, None, 4)]


def test_unknown_column_names_file_and_columns(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(CSV)
    with pytest.raises(InputError) as exc:
        ingest(warehouse, [path], columns={**MAP, "exporter": "reporter_iso"}, **CONST)
    msg = str(exc.value)
    assert "'reporter_iso'" in msg and str(path) in msg and "['yr', 'rep', 'par'" in msg
    with pytest.raises(InputError, match="unknown field"):
        ingest(warehouse, [path], columns={**MAP, "exportr": "rep"}, **CONST)
    with pytest.raises(InputError, match="lacks .*reporter"):
        ingest(warehouse, [path], columns=MAP, hs_revision="HS17")
    with pytest.raises(InputError, match="unknown constant"):
        ingest(warehouse, [path], columns=MAP, colour="red", **CONST)
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("[columns\nexporter = 1")
    with pytest.raises(InputError, match="TOML"):
        ingest(warehouse, [path], mapping=bad_toml)
    assert warehouse.datasets() == []


@pytest.mark.parametrize(
    ("line", "bad", "field", "reason"),
    [
        ("2023,Ind,RUS,030617,1,", "rep", "rep", "ISO3"),
        ("2023,IN,RUS,030617,1,", "rep", "rep", "ISO3"),
        ("2023,IND,RUS,30617,1,", "hs6", "hs6", "leading zero"),
        ("2023,IND,RUS,030617,x,", "val_k", "val_k", "non-numeric"),
        ("2023,IND,RUS,030617,-1,", "val_k", "val_k", "negative"),
        ("2023,IND,RUS,030617,1,heavy", "tons", "tons", "not a number"),
        ("20x3,IND,RUS,030617,1,", "yr", "yr", "not a year"),
        ("2023,IND,RUS,030617,9,", None, "period,exporter,importer,product", "duplicate"),
    ],
)
def test_malformed_rows(warehouse: Warehouse, tmp_path: Path, line: str, bad: str | None,
                        field: str, reason: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(CSV)
    ingest(warehouse, [path], columns=MAP, **CONST)
    before = snapshot(warehouse)
    path.write_text(CSV + line + "\n")
    with pytest.raises(TooManyBadRows) as exc:
        ingest(warehouse, [path], columns=MAP, **CONST)
    [issue] = exc.value.issues
    assert issue.line == 6 and issue.field == field and reason in issue.reason
    assert snapshot(warehouse) == before
    parsed, outcome = ingest(warehouse, [path], columns=MAP, max_bad_rows=1, **CONST)
    assert outcome.dataset.rows == 4 and sum(parsed.set_aside.values()) == 1
