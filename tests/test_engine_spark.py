"""The same queries on DuckDB and on Spark give the same results (to 1e-9 relative) on the demo
world: global export potential for one year, balances and indicators over many pairs, and the
HS4 rollup of the flows. One local[2] SparkSession for the whole file.

Skipped with the reason when pyspark or Java is missing, unless TRADEGAP_REQUIRE_SHARED_DATA=1
(CI), where a missing Spark is a failure."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from tradegap.analysis.many_pairs import balances
from tradegap.analysis.potential import PotentialParams
from tradegap.analysis.potential_warehouse import potential_global
from tradegap.engine import open_engine, rollup
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse

REL = 1e-9


def _spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'tradegap[spark]')"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "Java (17+) is not installed"
    return None


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    missing = _spark_missing()
    if missing:
        if os.environ.get("TRADEGAP_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"{missing}, but TRADEGAP_REQUIRE_SHARED_DATA=1 needs the Spark tests")
        pytest.skip(missing)
    from tradegap.engine import spark as spark_engine

    session = spark_engine.session(
        "local[2]",
        {"spark.sql.shuffle.partitions": "4", "spark.default.parallelism": "2",
         "spark.driver.memory": "1g"},
    )
    yield session
    spark_engine.stop()


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    wh = Warehouse(tmp_path_factory.mktemp("spark") / "wh")
    ingest(wh, "demo", [], scale=5000, years="2023-2024")
    return wh


#: A difference of two terms is compared relative to the terms: untapped = potential − actual
#: (0 vs 2e-9 when they cancel), balance = exports − imports.
SCALE = {"untapped": "potential", "balance": "turnover"}


def assert_same(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> None:
    """Equal rows (by ``keys``); numbers equal to ``REL`` relative (for a difference: relative
    to its terms, see :data:`SCALE`), NaN where NaN."""
    assert len(left) == len(right) > 0
    assert sorted(left.columns) == sorted(right.columns)
    a = left.sort_values(keys, ignore_index=True)
    b = right[list(left.columns)].sort_values(keys, ignore_index=True)
    for column in a.columns:
        x, y = a[column], b[column]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            x, y = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
            assert np.array_equal(np.isnan(x), np.isnan(y)), column
            scale = np.abs(a[SCALE[column]].to_numpy(dtype=float)) if column in SCALE else 0.0
            ok = np.isnan(x) | np.isclose(x, y, rtol=REL, atol=1e-9) | (
                np.abs(x - y) <= REL * scale)
            assert ok.all(), (column, a[~ok].head(), b[~ok].head())
        else:
            assert x.astype(str).tolist() == y.astype(str).tolist(), column


def test_global_potential_same_on_both_and_spark_writes_one_file(spark, wh: Warehouse,
                                                                 tmp_path) -> None:
    """The same rows from both engines; Spark's written as one Parquet file (its parts
    joined, in the engines' result codec) without collecting them."""
    import pyarrow.parquet as pq

    params = PotentialParams(window=2)
    duck = potential_global(wh, 2024, params, engine="duckdb")
    sp = potential_global(wh, 2024, params, engine="spark", out=tmp_path / "pot.parquet")
    assert (duck.engine, sp.engine) == ("duckdb", "spark")
    assert duck.table is not None and len(duck.table) > 1000
    assert (duck.table["potential"] > 0).all()
    assert sp.table is None and sp.path == tmp_path / "pot.parquet"
    assert [p.name for p in tmp_path.iterdir()] == ["pot.parquet"]  # the parts are gone
    assert pq.ParquetFile(sp.path).metadata.row_group(0).column(0).compression == "SNAPPY"
    assert_same(duck.table, pd.read_parquet(sp.path), ["exporter", "importer", "product"])


def test_balances_same_on_both(spark, wh: Warehouse) -> None:
    duck = balances(wh, engine="duckdb").table
    sp = balances(wh, engine="spark").table
    assert set(duck["year"]) == {2023, 2024}
    assert duck["gl"].notna().sum() > 100  # two-way trade exists, so GL is computed
    assert_same(duck, sp, ["a", "b", "year"])


def test_rollup_same_on_both(spark, wh: Warehouse) -> None:
    with open_engine(wh, "duckdb") as eng:
        duck = rollup(eng, 4)
    with open_engine(wh, "spark") as eng:
        sp = rollup(eng, 4)
    assert duck["product"].str.len().eq(4).all()
    assert_same(duck, sp, ["dataset", "year", "exporter", "importer", "product"])


def test_spark_writes_one_csv(spark, wh: Warehouse, tmp_path) -> None:
    out = balances(wh, engine="spark", out=tmp_path / "pairs.csv")
    assert out.table is None
    written = pd.read_csv(out.path, keep_default_na=False, na_values=[""])
    ref = balances(wh, engine="duckdb").table
    assert_same(ref, written, ["a", "b", "year"])
