"""The synthetic demo world: deterministic, calibrated on India–Russia, labelled synthetic,
valid codes, streamed to the warehouse, and writable in BACI's layout."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pytest

from tradegap.errors import InputError
from tradegap.reference.countries import countries
from tradegap.reference.products import products
from tradegap.sources import ingest
from tradegap.sources import parse as parse_source
from tradegap.sources.demo import (
    INDIA_RUSSIA_TARGETS,
    flows_per_year,
    generate,
    parse,
    parse_years,
    write_baci_csv,
)
from tradegap.warehouse import FLOWS, Warehouse

TINY = 5_000


@pytest.fixture(scope="module")
def tiny() -> pa.Table:
    return generate(TINY, seed=7, years="2023-2024").read_all()


def _pair(table: pa.Table, year: int, exporter: str, importer: str):
    frame = table.to_pandas()
    return frame[(frame.year == year) & (frame.exporter == exporter) & (frame.importer == importer)]


def test_schema_and_exact_counts(tiny: pa.Table) -> None:
    assert tiny.schema.equals(FLOWS)
    assert tiny.num_rows == 2 * TINY
    counts = tiny.group_by("year").aggregate([("value_usd", "count")]).to_pydict()
    assert sorted(counts["value_usd_count"]) == [TINY, TINY]
    frame = tiny.to_pandas()
    assert not frame.duplicated(["year", "exporter", "importer", "product"]).any()
    assert (frame["value_usd"] > 0).all()
    assert (frame["exporter"] != frame["importer"]).all()


def test_deterministic(tiny: pa.Table) -> None:
    again = generate(TINY, seed=7, years="2023-2024").read_all()
    assert again.equals(tiny)
    other = generate(TINY, seed=8, years="2023-2024").read_all()
    assert not other.equals(tiny)
    first = parse([], scale=TINY, seed=7).fingerprint
    assert first == parse([], scale=str(TINY), seed="7").fingerprint
    assert first != parse([], scale=TINY, seed=8).fingerprint


def test_india_russia_calibrated_latest_year(tiny: pa.Table) -> None:
    exports = _pair(tiny, 2024, "IND", "RUS")["value_usd"].sum()
    imports = _pair(tiny, 2024, "RUS", "IND")["value_usd"].sum()
    assert exports == pytest.approx(4.88e9, rel=0.005)
    assert imports == pytest.approx(63.84e9, rel=0.005)
    earlier = _pair(tiny, 2023, "RUS", "IND")["value_usd"].sum()
    assert earlier == pytest.approx(INDIA_RUSSIA_TARGETS[2023][1], rel=0.005)


def test_crude_dominates_russia_to_india(tiny: pa.Table) -> None:
    flows = _pair(tiny, 2024, "RUS", "IND")
    crude = flows.loc[flows["product"].str.startswith("2709"), "value_usd"].sum()
    assert 0.80 <= crude / flows["value_usd"].sum() <= 0.88
    quantity = flows.loc[flows["product"] == "270900", "quantity"].dropna()
    if not quantity.empty:  # unit value near the Brent price (US$80.5/bbl × 7.33 bbl/t)
        unit_value = flows.loc[quantity.index, "value_usd"].sum() / quantity.sum()
        assert 500 < unit_value < 700


def test_india_exports_led_by_pharma_and_machinery(tiny: pa.Table) -> None:
    from tradegap.reference.groups import group_of

    flows = _pair(tiny, 2024, "IND", "RUS")
    by_chapter = flows.groupby(flows["product"].str[:2])["value_usd"].sum()
    assert by_chapter.idxmax() == "30"
    by_group = flows.groupby(group_of(flows["product"]).values)["value_usd"].sum()
    top = by_group.drop("other", errors="ignore").sort_values(ascending=False)
    assert top.index[0] == "pharma" and "machinery" in top.index[:3]
    assert {"chemicals", "agri"} <= set(top.index[:5])


def test_every_row_synthetic_and_codes_valid(tiny: pa.Table) -> None:
    frame = tiny.to_pandas()
    assert set(frame["source"]) == {"demo"} and set(frame["flag"]) == {"synthetic"}
    assert set(frame["reporter"]) == {"reconciled"} and set(frame["hs_revision"]) == {"HS12"}
    assert set(frame["period_type"]) == {"calendar_year"}
    assert set(frame["period"]) == {"2023", "2024"} and (frame["digits"] == 6).all()
    assert set(frame["exporter"]) | set(frame["importer"]) <= set(countries()["iso3"])
    assert set(frame["product"]) <= set(products("HS12")["code"])
    assert frame["product"].str.fullmatch(r"\d{6}").all()
    has_q = frame["quantity"].notna()
    assert 0.9 < has_q.mean() < 1.0
    assert (frame.loc[has_q, "quantity_unit"] == "t").all()
    assert frame.loc[~has_q, "quantity_unit"].isna().all()


def test_parsed_is_labelled_synthetic() -> None:
    parsed = parse([], scale=TINY, years="2024")
    assert parsed.synthetic and parsed.source == "demo" and parsed.dataset == "demo"
    assert parsed.provenance["synthetic"] is True
    assert "SYNTHETIC" in parsed.provenance["label"]
    assert any("GeoDist" in note for note in parsed.provenance["notes"])
    assert parsed.rows_read == TINY


def test_ingest_into_warehouse(warehouse: Warehouse) -> None:
    [(parsed, outcome)] = ingest(warehouse, "demo", [], scale=str(TINY), years="2024", seed=3,
                             max_bad_rows=0, name="demo_small")
    assert outcome.changed and outcome.dataset.rows == TINY and outcome.dataset.synthetic
    con = warehouse.connect()
    total = con.execute("SELECT sum(value_usd) FROM flows WHERE exporter = 'RUS' AND "
                        "importer = 'IND'").fetchone()[0]
    assert total == pytest.approx(63.84e9, rel=0.005)
    [(_, again)] = ingest(warehouse, "demo", [], scale=str(TINY), years="2024", seed=3,
                      max_bad_rows=0, name="demo_small")
    assert not again.changed


@pytest.mark.parametrize(
    ("options", "field"),
    [({"scale": "huge"}, "scale"), ({"scale": "10"}, "scale"), ({"years": "2030"}, "years"),
     ({"years": "twenty"}, "years"), ({"seed": "x"}, "seed"), ({"colour": "red"}, "colour")],
)
def test_bad_options_raise_input_error(options: dict, field: str) -> None:
    with pytest.raises(InputError) as info:
        parse_source("demo", [], **options)
    assert info.value.field == field and info.value.hint


def test_paths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no input files"):
        parse([tmp_path / "x.csv"])


def test_scales_and_years() -> None:
    assert flows_per_year("small") == 50_000 and flows_per_year("baci") == 11_000_000
    assert flows_per_year("1,000,000") == 1_000_000
    assert parse_years(None, 50_000) == list(range(2019, 2025))
    assert parse_years("2019,2022-2024", 50_000) == [2019, 2022, 2023, 2024]


def test_medium_scale_one_year() -> None:
    table = generate("medium", years="2024").read_all()
    assert table.num_rows == 1_000_000
    assert _pair(table, 2024, "IND", "RUS")["value_usd"].sum() == pytest.approx(4.88e9, rel=0.005)
    frame = table.select(["exporter", "importer"]).to_pandas()
    pairs = frame.value_counts()
    assert pairs.max() > 1_000 and len(pairs) > 20_000  # big pairs trade many products


def test_write_baci_csv(tmp_path: Path) -> None:
    path = write_baci_csv(tmp_path, TINY, seed=7, year=2024)
    assert path.name == "BACI_HS12_Y2024_V0_demo.csv"
    lines = path.read_text().splitlines()
    assert lines[0] == "t,i,j,k,v,q" and len(lines) == TINY + 1
    rows = [line.split(",") for line in lines[1:]]
    keys = [(int(r[1]), int(r[2]), r[3]) for r in rows]
    assert keys == sorted(keys)
    # q is right-aligned to at least 13 characters, as in the release files
    assert all(len(r) == 6 and len(r[3]) == 6 and len(r[5]) >= 13 for r in rows)
    assert sum(len(r[5]) == 13 for r in rows) > 0.99 * len(rows)
    assert any(r[5] == "           NA" for r in rows)
    assert all(len(r[4].split(".")[1]) == 3 for r in rows)
    # India (356) → Russia (643): US$4.88 bn = 4,880,000 thousand
    total = sum(float(r[4]) for r in rows if r[1] == "356" and r[2] == "643")
    assert total == pytest.approx(4.88e6, rel=0.005)
    table = tmp_path / "country_codes_V0.csv"
    with open(table, encoding="latin-1", newline="") as fh:
        records = list(csv.DictReader(fh))
    codes = {r["iso_3digit_alpha"]: r["country_code"] for r in records}
    assert codes["IND"] == "356" and codes["RUS"] == "643"


def test_baci_layout_reads_back_through_the_baci_source(tmp_path: Path) -> None:
    path = write_baci_csv(tmp_path, TINY, seed=7, year=2024)
    wh = Warehouse(tmp_path / "wh")
    [(_, outcome)] = ingest(wh, "baci", [path])
    assert outcome.dataset.rows == TINY
    total, revision = wh.connect().execute(
        "SELECT sum(value_usd), any_value(hs_revision) FROM flows "
        "WHERE exporter = 'IND' AND importer = 'RUS'").fetchone()
    assert total == pytest.approx(4.88e9, rel=0.005) and revision == "HS12"


def test_targets_match_the_published_figures() -> None:
    from tradegap.reference.facts import official_figures

    exports = official_figures("india_exports_to_russia").set_index("period")["value_usd"]
    imports = official_figures("india_imports_from_russia").set_index("period")["value_usd"]
    for year in (2021, 2022, 2023, 2024):
        fy = f"FY{year}-{(year + 1) % 100:02d}"
        assert INDIA_RUSSIA_TARGETS[year] == (pytest.approx(exports[fy]),
                                              pytest.approx(imports[fy]))
