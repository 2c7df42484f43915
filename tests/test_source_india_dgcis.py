"""India's export statistics (DGCI&S EIDB): exact sums on the real file, partner names, and
every kind of malformed input."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import snapshot
from tradegap.errors import InputError, TooManyBadRows
from tradegap.sources import ingest
from tradegap.sources.india_dgcis import (
    hs6,
    hs8_descriptions,
    hs_revision,
    million_to_usd,
    parse,
    partner_iso3,
    partner_names,
)
from tradegap.warehouse import FLOWS, Warehouse

EIDB = "india_exports_eidb/india_exports_hs8_partner.parquet"
HEADER = "fy_start,hs8,partner,value_usd_million,quantity,unit\n"


def ingest_one(wh: Warehouse, paths: list[Path], **options):
    """``ingest`` for this source, which writes exactly one dataset."""
    result = ingest(wh, "india-dgcis", paths, **options)
    if isinstance(result, list):
        (result,) = result
    return result


def write_csv(tmp_path: Path, body: str, name: str = "x.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


# -- the real file ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    path = shared_data / EIDB
    wh = Warehouse(tmp_path_factory.mktemp("wh"))
    parsed, outcome = ingest_one(wh, [path])
    raw = pd.read_parquet(path)
    return path, wh, parsed, outcome, raw


def test_real_file_sums_to_the_cent(real) -> None:
    _path, wh, parsed, outcome, raw = real
    con = wh.connect()
    rus_2023 = con.execute(
        "SELECT sum(value_usd) FROM flows WHERE importer='RUS' AND period='FY2023-24'"
    ).fetchone()[0]
    total = con.execute("SELECT sum(value_usd) FROM flows").fetchone()[0]
    assert rus_2023 == 3_346_670_000  # US$ 3,346.67 m, exactly
    assert total == 2_396_129_580_000  # US$ 2,396,129.58 m, exactly
    # independently of the parser: decimal arithmetic on the raw text of the values
    rus = raw.loc[(raw.partner == "RUSSIA") & (raw.fy_start == 2023), "value_usd_million"]
    assert sum(Decimal(repr(v)) for v in rus) * 1_000_000 == Decimal(rus_2023)
    cents = raw["value_usd_million"].mul(100).round().dropna().astype("int64").sum()
    assert int(cents) * 10_000 == total
    assert outcome.changed and outcome.dataset.rows == len(raw) == 2_842_586


def test_real_india_to_russia_by_fiscal_year(real) -> None:
    wh = real[1]
    got = dict(
        wh.connect().execute(
            "SELECT period, sum(value_usd) / 1e6 FROM flows WHERE importer='RUS' "
            "GROUP BY period ORDER BY period"
        ).fetchall()
    )
    expected = [2032.69, 2311.68, 2929.72, 2224.43, 2621.76, 2742.17, 3346.67, 3962.28]
    assert list(got) == [f"FY{y}-{(y + 1) % 100:02d}" for y in range(2017, 2025)]
    assert [round(v, 2) for v in got.values()] == expected
    assert [round(v) for v in got.values()] == [2033, 2312, 2930, 2224, 2622, 2742, 3347, 3962]


def test_real_rows_flags_revisions_and_provenance(real) -> None:
    path, wh, parsed, _outcome, raw = real
    con = wh.connect()
    flags = dict(con.execute("SELECT flag, count(*) FROM flows GROUP BY flag").fetchall())
    assert flags["rounded_to_zero"] == int((raw.value_usd_million == 0).sum()) == 1_153_341
    assert flags["value_missing"] == int(raw.value_usd_million.isna().sum()) == 91
    revs = dict(con.execute("SELECT DISTINCT year, hs_revision FROM flows").fetchall())
    assert revs[2021] == "HS17" and revs[2022] == "HS22"
    lengths = con.execute("SELECT DISTINCT length(product), digits FROM flows").fetchall()
    assert lengths == [(8, 8)]
    assert parsed.set_aside == {}
    files = parsed.provenance["files"]
    assert files[0]["file"] == path.name and files[0]["rows"] == 2_842_586
    assert len(files[0]["sha256"]) == 64 and files[0]["years"][0] == "FY2017-18"


def test_real_partner_names_all_map(real) -> None:
    raw = real[4]
    names = partner_names()
    assert len(names) == 245 and names["iso3"].is_unique
    assert set(raw["partner"].unique()) == set(names["portal_name"])
    for portal, iso in [("U S A", "USA"), ("CHINA P RP", "CHN"), ("U ARAB EMTS", "ARE"),
                        ("BANGLADESH PR", "BGD"), ("C AFRI REP", "CAF"), ("SRI LANKA DSR", "LKA"),
                        ("RUSSIA", "RUS"), ("KOREA RP", "KOR"), ("KOREA DP RP", "PRK")]:
        assert partner_iso3(portal) == iso
    importers = {r[0] for r in real[1].connect().execute("SELECT DISTINCT importer FROM flows")
                 .fetchall()}
    assert len(importers) == 245


def test_real_reingest_changes_nothing(real) -> None:
    path, wh, *_ = real
    before = snapshot(wh)
    _parsed, outcome = ingest_one(wh, [path])
    assert not outcome.changed
    assert snapshot(wh) == before


def test_partner_codes_agree_with_reference_countries() -> None:
    """Where the reference name matcher knows a portal name, it gives the same ISO3."""
    from tradegap.reference import countries

    names = partner_names()
    matched = {n: countries.match_country(n) for n in names["portal_name"]}
    disagree = {
        n: (iso, matched[n])
        for n, iso in zip(names["portal_name"], names["iso3"], strict=True)
        if matched[n] is not None and matched[n] != iso
    }
    assert disagree == {}
    assert sum(v is not None for v in matched.values()) >= 200


# -- helpers ---------------------------------------------------------------------------------
def test_helpers_hand_worked() -> None:
    assert list(million_to_usd([0.29, 3346.67, 0.0, 0.01])) == [
        290_000, 3_346_670_000, 0, 10_000
    ]
    assert hs6("01012100") == "010121"
    assert [hs_revision(y) for y in (2011, 2016, 2017, 2021, 2022, 2024)] == [
        "HS07", "HS12", "HS17", "HS17", "HS22", "HS22"
    ]
    assert partner_iso3("  u s a ") == "USA" and partner_iso3("ATLANTIS") is None


# -- small files -----------------------------------------------------------------------------
def test_csv_good_rows_padding_zero_and_exact_dollars(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "2023,01012100,RUSSIA,0.29,19,NOS\n"
        "2023,1012990,U S A,0.00,15,NOS\n"  # lost leading zero, value below rounding
        "2022,27101944,CHINA P RP,1234.56,,\n",
    )
    parsed = parse([path])
    frame = parsed.data.cast(FLOWS).to_pandas()  # text comes dictionary-encoded
    assert frame["product"].tolist() == ["01012100", "01012990", "27101944"]
    assert frame["value_usd"].tolist() == [290_000, 0, 1_234_560_000]
    assert frame["flag"].tolist() == [None, "rounded_to_zero", None]
    assert frame["importer"].tolist() == ["RUS", "USA", "CHN"]
    assert frame["period"].tolist() == ["FY2023-24", "FY2023-24", "FY2022-23"]
    assert frame["hs_revision"].tolist() == ["HS22", "HS22", "HS22"]
    assert frame["exporter"].unique().tolist() == ["IND"]
    assert pd.isna(frame["quantity"].iloc[2]) and frame["quantity_unit"].iloc[2] is None
    assert parsed.provenance["flagged"] == {
        "rounded_to_zero": 1, "value_missing": 0, "hs8_zero_padded": 1
    }


def test_missing_column_names_expected_columns(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("fy_start,hs8,partner,value\n2023,01012100,RUSSIA,1\n")
    with pytest.raises(InputError, match="value_usd_million") as exc:
        parse([path])
    assert "fy_start, hs8, partner, value_usd_million, quantity, unit" in str(exc.value)
    assert exc.value.file == str(path)


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ("2023,01012100,RUSSIA,abc,1,KGS", "value_usd_million", "not a number"),
        ("2023,01012100,RUSSIA,-1.5,1,KGS", "value_usd_million", "negative"),
        ("2023,01012100,RUSSIA,1.234,1,KGS", "value_usd_million", "2 decimals"),
        ("1890,01012100,RUSSIA,1.00,1,KGS", "fy_start", "whole year"),
        ("20x3,01012100,RUSSIA,1.00,1,KGS", "fy_start", "whole year"),
        ("2023,12345,RUSSIA,1.00,1,KGS", "hs8", "8-digit"),
        ("2023,0101210A,RUSSIA,1.00,1,KGS", "hs8", "8-digit"),
        ("2023,01012100,,1.00,1,KGS", "partner", "empty"),
        ("2023,01012100,RUSSIA,1.00,-4,KGS", "quantity", "negative"),
    ],
)
def test_malformed_row_reported_with_line_and_field(
    tmp_path: Path, row: str, field: str, reason: str
) -> None:
    path = write_csv(tmp_path, f"2023,02011000,NEPAL,5.00,10,KGS\n{row}\n")
    with pytest.raises(TooManyBadRows) as exc:
        parse([path], max_bad_rows=0)
    issue = exc.value.issues[0]
    assert (issue.line, issue.field) == (3, field) and reason in issue.reason
    assert exc.value.bad == 1 and exc.value.total == 2
    parsed = parse([path], max_bad_rows=1)  # set aside, counted, never silent
    assert parsed.data.num_rows == 1 and sum(parsed.set_aside.values()) == 1
    assert parsed.issues[0].line == 3


def test_duplicates_are_all_reported(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "2023,01012100,RUSSIA,1.00,1,KGS\n2023,02011000,NEPAL,5.00,10,KGS\n"
        "2023,01012100, russia,2.00,1,KGS\n",  # same partner, spelt loosely
    )
    with pytest.raises(TooManyBadRows) as exc:
        parse([path])
    assert [i.line for i in exc.value.issues] == [2, 4]
    assert "first at line 2" in exc.value.issues[1].value
    parsed = parse([path], max_bad_rows=2)
    assert parsed.data.to_pandas()["importer"].tolist() == ["NPL"]
    assert parsed.set_aside == {
        "malformed: duplicate of another row with the same (fy_start, hs8, partner)": 2
    }


def test_unknown_partners_listed_with_first_line(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "2023,01012100,RUSSIA,1.00,1,KGS\n2023,01012100,ATLANTIS,1.00,1,KGS\n"
        "2023,01012101,ATLANTIS,1.00,1,KGS\n2023,01012100,LEMURIA,1.00,1,KGS\n",
    )
    with pytest.raises(InputError) as exc:
        parse([path])
    text = str(exc.value)
    assert "'ATLANTIS' (first at line 3)" in text and "'LEMURIA' (first at line 5)" in text
    assert "india_partner_names.csv" in text and exc.value.field == "partner"


def test_parquet_row_numbers_are_index_plus_one(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "fy_start": pd.array([2023, 2023, 2023], dtype="int16"),
            "hs8": ["01012100", "01012190", "01012199"],
            "partner": ["RUSSIA", "NEPAL", "OMAN"],
            "value_usd_million": [1.0, -2.0, 0.0],
            "quantity": [1.0, 2.0, None],
            "unit": ["KGS", "KGS", None],
        }
    )
    path = tmp_path / "x.parquet"
    frame.to_parquet(path)
    with pytest.raises(TooManyBadRows) as exc:
        parse([path])
    assert exc.value.issues[0].line == 2 and exc.value.issues[0].field == "value_usd_million"


def test_truncated_parquet_and_wrong_encoding(tmp_path: Path) -> None:
    table = pa.table({"fy_start": [2023], "hs8": ["01012100"], "partner": ["RUSSIA"],
                      "value_usd_million": [1.0], "quantity": [1.0], "unit": ["KGS"]})
    good = tmp_path / "good.parquet"
    pq.write_table(table, good)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputError, match="Parquet") as exc:
        parse([cut])
    assert exc.value.file == str(cut)
    latin = write_csv(tmp_path, "2023,01012100,CÔTE,1.00,1,KGS\n", encoding="latin-1")
    with pytest.raises(InputError, match="UTF-8") as exc:
        parse([latin])
    assert exc.value.file == str(latin)
    assert parse([good]).data.num_rows == 1


def test_unknown_option_and_no_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="scale"):
        parse([write_csv(tmp_path, "")], scale="small")
    with pytest.raises(InputError, match="no input file"):
        parse([])
    with pytest.raises(InputError, match="no data rows"):
        parse([write_csv(tmp_path, "")])


def test_failed_ingest_leaves_warehouse_byte_identical(tmp_path: Path, warehouse) -> None:
    good = write_csv(tmp_path, "2023,01012100,RUSSIA,1.00,1,KGS\n", name="good.csv")
    ingest_one(warehouse, [good], name="eidb")
    before = snapshot(warehouse)
    bad = write_csv(tmp_path, "2023,01012100,RUSSIA,oops,1,KGS\n", name="bad.csv")
    with pytest.raises(TooManyBadRows):
        ingest_one(warehouse, [bad], name="eidb")
    unknown = write_csv(tmp_path, "2023,01012100,NARNIA,1.00,1,KGS\n", name="unknown.csv")
    with pytest.raises(InputError):
        ingest_one(warehouse, [unknown], name="eidb")
    assert snapshot(warehouse) == before
    assert [d.name for d in warehouse.datasets()] == ["eidb"]


def test_duplicates_across_two_files(tmp_path: Path) -> None:
    a = write_csv(tmp_path, "2023,01012100,RUSSIA,1.00,1,KGS\n", name="a.csv")
    b = write_csv(tmp_path, "2023,01012100,RUSSIA,1.00,1,KGS\n2024,01012100,OMAN,2,1,KGS\n",
                  name="b.csv")
    with pytest.raises(TooManyBadRows, match="another input file"):
        parse([a, b])


def test_hs8_descriptions(shared_data: Path, tmp_path: Path) -> None:
    products = hs8_descriptions(shared_data / "india_exports_eidb/india_hs8_products.parquet")
    assert len(products) == 10_830 and products["hs8"].is_unique
    first = products.iloc[0]
    assert (first["hs8"], first["hs6"], first["description"]) == (
        "01012100", "010121", "PURE-BRED BREEDING HORSES"
    )
    bad = tmp_path / "p.csv"
    bad.write_text("hs8,description,unit\n01012100,HORSES,NOS\n1012100,AGAIN,NOS\n")
    with pytest.raises(InputError, match="appears twice") as exc:
        hs8_descriptions(bad)
    assert exc.value.line == 3


def test_csv_with_byte_order_mark(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "2023,01012100,RUSSIA,1.00,1,KGS\n", encoding="utf-8-sig")
    assert parse([path]).data.column("value_usd").to_pylist() == [1_000_000]
