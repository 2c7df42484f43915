"""BACI source: the real CEPII sample, the release zip layout, and every malformed case."""

from __future__ import annotations

import csv
import shutil
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import snapshot
from tradegap.errors import InputError, TooManyBadRows
from tradegap.sources import ingest as ingest_many
from tradegap.sources.baci import read_country_table
from tradegap.warehouse import Warehouse

SAMPLE = "BACI_HS17_Y2020_subset_AFG_ZAF.csv"


def ingest(wh: Warehouse, source: str, paths: list[Path], **options: object):  # noqa: ANN201
    """The one (Parsed, WriteOutcome) pair of a single-dataset source."""
    [pair] = ingest_many(wh, source, paths, **options)
    return pair


@pytest.fixture(scope="module")
def sample(shared_data: Path) -> Path:
    return shared_data / "baci_sample" / SAMPLE


@pytest.fixture()
def small(tmp_path: Path, sample: Path) -> Path:
    """The sample's first 40 rows as a yearly file, with the V202201 country table beside it."""
    lines = sample.read_text().splitlines(keepends=True)[:41]
    path = tmp_path / "in" / "BACI_HS17_Y2020_V202201.csv"
    path.parent.mkdir()
    path.write_text("".join(lines))
    shutil.copy(sample.parent / "country_codes_V202201.csv", path.parent)
    return path


def expected_totals(sample: Path) -> tuple[dict[str, Decimal], int, int]:
    """Value per exporter code in US$ (Decimal, independent of the parser), NA count, rows."""
    totals: dict[str, Decimal] = {}
    na = rows = 0
    with open(sample, newline="") as fh:
        for row in csv.DictReader(fh):
            totals[row["i"]] = totals.get(row["i"], Decimal(0)) + Decimal(row["v"]) * 1000
            na += row["q"].strip() == "NA"
            rows += 1
    return totals, na, rows


def test_sample_ingests_with_exact_totals(warehouse: Warehouse, sample: Path) -> None:
    parsed, outcome = ingest(warehouse, "baci", [sample])
    totals, na, rows = expected_totals(sample)
    assert rows == 70_920 and outcome.dataset.rows == 70_920 and parsed.rows_read == 70_920
    assert parsed.set_aside == {}
    con = warehouse.connect()
    got = dict(con.execute("SELECT exporter, sum(value_usd) FROM flows GROUP BY 1").fetchall())
    assert got == {"AFG": float(totals["4"]), "ZAF": float(totals["710"])}
    assert Decimal(int(got["ZAF"])) == totals["710"]  # whole dollars, exactly
    assert con.execute("SELECT count(*) FROM flows WHERE quantity IS NULL").fetchall() == [(na,)]
    assert na == 2368
    # the first data row: 2020,4,31,251512,27.820,      169.800
    assert con.execute(
        "SELECT importer, value_usd, quantity, quantity_unit, period, period_type, hs_revision,"
        " reporter, source FROM flows WHERE exporter = 'AFG' AND product = '251512'"
        " AND importer = 'AZE'"
    ).fetchall() == [("AZE", 27820.0, 169.8, "t", "2020", "calendar_year", "HS17",
                      "reconciled", "baci")]
    # leading zeros kept: 2020,4,36,071120,0.727,        0.308
    assert con.execute(
        "SELECT value_usd, quantity FROM flows WHERE exporter='AFG' AND importer='AUS'"
        " AND product='071120'"
    ).fetchall() == [(727.0, 0.308)]
    assert con.execute("SELECT min(length(product)), max(length(product)) FROM flows"
                       ).fetchall() == [(6, 6)]
    # 490 'Other Asia, nes' has no ISO3 in the table: it gets Comtrade's S19
    assert con.execute("SELECT count(*) FROM flows WHERE importer = 'S19'").fetchall()[0][0] > 0


def test_same_input_twice_changes_nothing(warehouse: Warehouse, small: Path) -> None:
    first = ingest(warehouse, "baci", [small])[1]
    before = snapshot(warehouse)
    second = ingest(warehouse, "baci", [small])[1]
    assert first.changed and not second.changed
    assert snapshot(warehouse) == before


def test_release_zip(warehouse: Warehouse, tmp_path: Path, sample: Path) -> None:
    release = tmp_path / "BACI_HS17_V202501.zip"
    with zipfile.ZipFile(release, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(sample, "BACI_HS17_Y2020_V202501.csv")
        zf.write(sample.parent / "country_codes_V202201.csv", "country_codes_V202501.csv")
        zf.writestr("product_codes_HS17_V202501.csv", "code,description\n010121,Horses\n")
        zf.writestr("Readme.txt", "BACI")
    parsed, outcome = ingest(warehouse, "baci", [release])
    assert outcome.dataset.rows == 70_920 and parsed.dataset == "baci_hs17"
    assert parsed.provenance["country_table"].endswith("!country_codes_V202501.csv")
    totals, _, _ = expected_totals(sample)
    got = dict(warehouse.connect().execute(
        "SELECT exporter, sum(value_usd) FROM flows GROUP BY 1").fetchall())
    assert got["ZAF"] == float(totals["710"])


def test_truncated_zip_is_a_clear_error(warehouse: Warehouse, tmp_path: Path, sample: Path) -> None:
    release = tmp_path / "BACI_HS17_V202501.zip"
    with zipfile.ZipFile(release, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(sample, "BACI_HS17_Y2020_V202501.csv")
    data = release.read_bytes()
    release.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="cannot read the zip") as exc:
        ingest(warehouse, "baci", [release], country_table=sample.parent /
               "country_codes_V202201.csv")
    assert "fetch it again" in str(exc.value)
    assert warehouse.datasets() == []


@pytest.mark.parametrize("name", ["country_codes_V202001.csv", "country_codes_V202201.csv"])
def test_latin1_country_names(sample: Path, name: str) -> None:
    table = {c.code: c for c in read_country_table(sample.parent / name)}
    assert table[384].name == "Côte d'Ivoire" and table[384].iso3 == "CIV"
    assert table[699].iso3 == "IND" and table[643].iso3 == "RUS"
    assert table[490].iso3 == "S19" and table[697].iso3 is None


def _mutate(small: Path, line: int, new: str | None) -> None:
    """Replace 1-based ``line`` (header = 1) with ``new``; ``None`` appends a copy of it."""
    lines = small.read_text().splitlines()
    if new is None:
        lines.append(lines[line - 1])
    else:
        lines[line - 1] = new
    small.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("line", "new", "field", "reason"),
    [
        (5, "2020,4,36,080211,2.4x4,        0.710", "v", "bad number in column v"),
        (6, "2020,4,36,080211,2.404,      0.7.10", "q", "bad number in column q"),
        (7, "2020,4,999,080211,2.404,        0.710", "j", "unknown country code"),
        (8, "2020,4,36,1234567,2.404,        0.710", "k", "bad product code"),
        (9, "2020,4,36,08A211,2.404,        0.710", "k", "bad number in column k"),
        (10, "2020,4,36,080211,,        0.710", "v", "missing or negative value"),
        (11, "2020,4,36,080211", None, "wrong number of fields"),
        (3, None, "t,i,j,k", "duplicate"),
    ],
)
def test_malformed_row_fails_and_leaves_warehouse_unchanged(
    warehouse: Warehouse, small: Path, line: int, new: str | None, field: str | None,
    reason: str,
) -> None:
    ingest(warehouse, "baci", [small], name="keep")
    before = snapshot(warehouse)
    _mutate(small, line, new)
    with pytest.raises(TooManyBadRows) as exc:
        ingest(warehouse, "baci", [small], name="keep")
    issue = exc.value.issues[0]
    expected_line = 42 if new is None else line
    assert issue.line in (line, expected_line) and reason in issue.reason
    if field:
        assert issue.field == field
    assert str(small) in str(exc.value) and "--max-bad-rows" in str(exc.value)
    assert snapshot(warehouse) == before


def test_bad_rows_set_aside_when_allowed(warehouse: Warehouse, small: Path) -> None:
    _mutate(small, 5, "2020,4,999,080211,2.404,        0.710")
    _mutate(small, 3, None)  # line 3 duplicated at the end: both copies set aside
    parsed, outcome = ingest(warehouse, "baci", [small], max_bad_rows=5)
    assert parsed.rows_read == 41 and outcome.dataset.rows == 41 - 3
    assert sum(parsed.set_aside.values()) == 3
    assert Counter(i.line for i in parsed.issues) == Counter({5: 1, 3: 1, 42: 1})


def test_wrong_header_and_truncation(warehouse: Warehouse, small: Path) -> None:
    ingest(warehouse, "baci", [small])
    before = snapshot(warehouse)
    text = small.read_text()
    small.write_text(text.replace("t,i,j,k,v,q", "year,i,j,k,v,q", 1))
    with pytest.raises(InputError, match="wrong header") as exc:
        ingest(warehouse, "baci", [small])
    assert exc.value.line == 1
    small.write_text(text[:-7])  # cut inside the last line
    with pytest.raises(InputError, match="truncated"):
        ingest(warehouse, "baci", [small])
    small.write_bytes(text.encode("utf-16"))
    with pytest.raises(InputError, match="encoding"):
        ingest(warehouse, "baci", [small])
    assert snapshot(warehouse) == before


def test_nes_country_rows_are_set_aside_and_counted(warehouse: Warehouse, small: Path) -> None:
    _mutate(small, 4, "2020,4,697,080211,2.404,        0.710")
    parsed, outcome = ingest(warehouse, "baci", [small])
    assert outcome.dataset.rows == 39
    assert list(parsed.set_aside.values()) == [1] and "ISO3" in next(iter(parsed.set_aside))


def test_integer_product_codes_and_revision_option(warehouse: Warehouse, small: Path) -> None:
    lines = small.read_text().splitlines()
    lines[3] = "2020,4,36,71120,0.727,        0.308"  # release stored k without its zero
    renamed = small.with_name("trade_2020.csv")
    renamed.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match="revision"):
        ingest(warehouse, "baci", [renamed])
    ingest(warehouse, "baci", [renamed], revision="HS12")
    got = warehouse.connect().execute(
        "SELECT product, hs_revision FROM flows WHERE importer='AUS' AND value_usd=727").fetchall()
    assert got == [("071120", "HS12")]


def test_missing_country_table(warehouse: Warehouse, small: Path) -> None:
    for p in small.parent.glob("country_codes_*"):
        p.unlink()
    with pytest.raises(InputError, match="country table") as exc:
        ingest(warehouse, "baci", [small])
    assert "country_table=PATH" in str(exc.value)


def test_several_years_and_the_years_option(warehouse: Warehouse, small: Path,
                                            tmp_path: Path) -> None:
    y2021 = small.with_name("BACI_HS17_Y2021_V202201.csv")
    y2021.write_text(small.read_text().replace("\n2020,", "\n2021,"))
    parsed, outcome = ingest(warehouse, "baci", [small, y2021])
    assert outcome.dataset.rows == 80 and parsed.rows_read == 80
    assert warehouse.connect().execute(
        "SELECT period, count(*) FROM flows GROUP BY 1 ORDER BY 1").fetchall() == [
        ("2020", 40), ("2021", 40)]
    release = tmp_path / "BACI_HS17_V202201.zip"
    with zipfile.ZipFile(release, "w") as zf:
        zf.write(small, small.name)
        zf.write(y2021, y2021.name)
        zf.write(small.parent / "country_codes_V202201.csv", "country_codes_V202201.csv")
    parsed, outcome = ingest(warehouse, "baci", [release], years="2021", name="only2021")
    assert outcome.dataset.rows == 40
    same_year = small.with_name("BACI_HS17_Y2020_copy.csv")
    shutil.copy(small, same_year)
    with pytest.raises(InputError, match="more than one input file"):
        ingest(warehouse, "baci", [small, same_year], name="twice")


def test_newer_country_table_layout_in_utf8(tmp_path: Path) -> None:
    path = tmp_path / "country_codes_V202501.csv"
    path.write_text('country_code,country_name,country_iso2,country_iso3\n'
                    '384,"Côte d\'Ivoire",CI,CIV\n490,"Other Asia, nes",N/A,N/A\n'
                    '849,"US Misc. Pacific Isds",N/A,N/A\n', encoding="utf-8")
    table = read_country_table(path)
    assert [(c.code, c.name, c.iso3) for c in table] == [
        (384, "Côte d'Ivoire", "CIV"), (490, "Other Asia, nes", "S19"),
        (849, "US Misc. Pacific Isds", None)]
    path.write_text("country_code,country_iso3\n4,AFG\n4,AFG\n")
    with pytest.raises(InputError, match="appears twice") as exc:
        read_country_table(path)
    assert exc.value.line == 3


def test_bad_rows_of_each_file_are_reported_once(warehouse: Warehouse, small: Path) -> None:
    _mutate(small, 5, "2020,4,999,080211,2.404,        0.710")
    y2021 = small.with_name("BACI_HS17_Y2021_V202201.csv")
    y2021.write_text(small.read_text().replace("\n2020,", "\n2021,"))
    _mutate(y2021, 5, "2021,4,36,080211,2.404,        0.710")  # line 5 fixed in 2021
    _mutate(y2021, 9, "2021,4,998,080211,2.404,        0.710")
    parsed, outcome = ingest(warehouse, "baci", [small, y2021], max_bad_rows=3)
    assert outcome.dataset.rows == 78 and parsed.rows_read == 80
    assert [(Path(i.file).name, i.line, i.value[:10]) for i in parsed.issues] == [
        (small.name, 5, "2020,4,999"), (y2021.name, 9, "2021,4,998")]


def test_unique_keys_check() -> None:
    import numpy as np

    from tradegap.sources.baci import _unique

    blocks = [np.arange(0, 100), np.arange(300, 400), np.arange(100, 300)]  # shuffled blocks
    assert _unique(np.concatenate(blocks)) is True
    dup = [np.arange(0, 100), np.arange(300, 400), np.arange(99, 300)]  # 99 twice
    assert _unique(np.concatenate(dup)) is False
    assert _unique(np.array([5, 5])) is False
    rng = np.random.default_rng(1)
    assert _unique(rng.permutation(10_000)) is None  # unsorted: left to DuckDB's exact count


def test_demo_world_files_are_marked_synthetic(warehouse: Warehouse, tmp_path: Path) -> None:
    from tradegap.sources.demo import write_baci_csv

    path = write_baci_csv(tmp_path / "demo", "small")
    parsed, outcome = ingest(warehouse, "baci", [path], name="demo_baci")
    assert parsed.synthetic and outcome.dataset.synthetic
    assert outcome.dataset.rows == parsed.rows_read > 0 and parsed.set_aside == {}


def test_country_table_edit_changes_the_fingerprint(warehouse: Warehouse, small: Path) -> None:
    ingest(warehouse, "baci", [small])
    table = small.parent / "country_codes_V202201.csv"
    data = table.read_bytes().replace(b'"AZE"', b'"AZX"')
    table.chmod(0o644)
    table.write_bytes(data)
    assert ingest(warehouse, "baci", [small])[1].changed
    assert warehouse.connect().execute(
        "SELECT count(*) FROM flows WHERE importer = 'AZX'").fetchall()[0][0] == 1


def test_country_table_of_another_release(warehouse: Warehouse, sample: Path) -> None:
    old = sample.parent / "country_codes_V202001.csv"  # no 710 (South Africa) nor 56
    with pytest.raises(InputError, match="missing from the country table") as exc:
        ingest(warehouse, "baci", [sample], country_table=old)
    assert "710" in str(exc.value) and "same BACI release" in str(exc.value)
    assert warehouse.datasets() == []


def test_unknown_option_is_refused(warehouse: Warehouse, small: Path) -> None:
    with pytest.raises(InputError, match="unknown option.*country_tabel"):
        ingest(warehouse, "baci", [small], country_tabel="x.csv")
