"""Property tests of every parser: generated valid files (every layout: BACI CSV + country table,
Comtrade CSV, tidy CSV/Parquet with a mapping, India DGCI&S CSV, Russia customs CSV, Russia demand
CSV) parse to exactly the generated values and round-trip through the warehouse: totals per key,
product codes with their leading zeros, rows stored + rows set aside = rows read.

Broken files: tests/test_properties_broken.py; scenario TOML: tests/test_properties_scenarios.py.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings

from tests import strategies as gen_st
from tests.conftest import snapshot
from tradegap.sources import ingest, parse
from tradegap.warehouse import Warehouse

SETTINGS = settings(
    max_examples=40, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example],
)


def options_for(gen: gen_st.Generated, folder: Path) -> dict[str, Any]:
    """The generated options, with file names made absolute."""
    return {k: str(folder / v) if isinstance(v, str) and v in gen.files else v
            for k, v in gen.options.items()}


def stored(wh: Warehouse, dataset: str, key_columns: tuple[str, ...], kind: str
           ) -> dict[tuple[str, ...], float]:
    cols = ", ".join(f'"{c}"' for c in key_columns)
    frame = wh.connect().execute(
        f"SELECT {cols}, value_usd FROM {kind} WHERE dataset = ?", [dataset]).df()
    return totals(pa.Table.from_pandas(frame, preserve_index=False), key_columns)


def assert_accounted(parsed: Any, rows: int, factor: int = 1) -> None:
    """Nothing dropped silently: rows stored + rows set aside = rows read."""
    assert rows + sum(parsed.set_aside.values()) == factor * parsed.rows_read, (
        rows, parsed.set_aside, parsed.rows_read)


# -- valid inputs round-trip -------------------------------------------------------------------
def as_arrow(data: Any) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatchReader):
        return data.read_all()
    return data.to_arrow_table()  # a DuckDB relation


def totals(table: pa.Table, key_columns: tuple[str, ...]) -> dict[tuple[str, ...], float]:
    frame = table.select([*key_columns, "value_usd"]).to_pandas()
    frame[list(key_columns)] = frame[list(key_columns)].astype(str)
    sums = frame.groupby(list(key_columns), dropna=False)["value_usd"].sum()
    return {tuple(k) if isinstance(k, tuple) else (k,): float(v) for k, v in sums.items()}


def assert_same_values(got: dict[tuple[str, ...], float], want: dict[tuple[str, ...], float]
                       ) -> None:
    # the same keys: product codes kept their leading zeros, no row added or lost
    assert set(got) == set(want), (sorted(set(got) ^ set(want))[:5])
    for key, value in want.items():
        assert math.isclose(got[key], value, rel_tol=1e-12, abs_tol=1e-9), (key, got[key], value)


@pytest.mark.parametrize("kind", list(gen_st.VALID))
def test_valid_input_parses_to_exactly_the_generated_values(kind: str) -> None:
    """Many examples, parser only: values per key, row accounting."""

    @settings(SETTINGS, max_examples=40)
    @given(gen=gen_st.VALID[kind])
    def check(gen: gen_st.Generated) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            results = parse(gen.source, gen.paths(folder), **options_for(gen, folder))
            assert sorted(p.dataset for p in results) == sorted(gen.expected)
            for parsed in results:
                table = as_arrow(parsed.data)
                assert parsed.rows_read == gen.rows_read[parsed.dataset]
                assert sum(parsed.set_aside.values()) == gen.set_aside[parsed.dataset]
                assert_accounted(parsed, table.num_rows, gen.factor)
                assert_same_values(totals(table, gen.key_columns), gen.expected[parsed.dataset])

    check()


@pytest.mark.parametrize("kind", list(gen_st.VALID))
def test_valid_input_round_trips_through_the_warehouse(kind: str) -> None:
    """Fewer examples (a write costs ~0.2 s), end to end: the warehouse holds exactly the
    generated values, and ingesting the same files again changes nothing."""

    @settings(SETTINGS, max_examples=10)
    @given(gen=gen_st.VALID[kind])
    def check(gen: gen_st.Generated) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            paths = gen.paths(folder)
            wh = Warehouse(folder / "wh")
            results = ingest(wh, gen.source, paths, **options_for(gen, folder))
            assert sorted(o.dataset.name for _, o in results) == sorted(gen.expected)
            for parsed, outcome in results:
                name = outcome.dataset.name
                assert outcome.dataset.report["rows_read"] == gen.rows_read[name]
                assert_accounted(parsed, outcome.dataset.rows, gen.factor)
                assert_same_values(stored(wh, name, gen.key_columns, parsed.kind),
                                   gen.expected[name])
            before = snapshot(wh)
            again = ingest(wh, gen.source, paths, **options_for(gen, folder))
            assert not any(o.changed for _, o in again)
            assert snapshot(wh) == before

    check()
