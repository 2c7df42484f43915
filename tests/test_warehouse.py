"""The warehouse: canonical schema, atomic replacement, idempotence, one writer at a time."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from tests.conftest import snapshot
from tradegap.errors import InputError, WarehouseBusy
from tradegap.warehouse import FLOWS, Warehouse
from tradegap.warehouse.lock import writer_lock


def flows(n: int = 3, value: float = 1000.0) -> pa.Table:
    rows = [
        {
            "period": "2020",
            "period_type": "calendar_year",
            "year": 2020,
            "month": None,
            "exporter": "IND",
            "importer": "RUS",
            "product": f"{i:06d}",
            "hs_revision": "HS17",
            "digits": 6,
            "value_usd": value * (i + 1),
            "quantity": None,
            "quantity_unit": None,
            "source": "test",
            "reporter": "exporter",
            "flag": None,
        }
        for i in range(n)
    ]
    return pa.Table.from_pylist(rows, schema=FLOWS)


def test_write_then_query(warehouse: Warehouse) -> None:
    out = warehouse.write("t", flows(), source="test", fingerprint="a")
    assert out.changed and out.dataset.rows == 3
    con = warehouse.connect()
    total, first = con.execute("SELECT sum(value_usd), min(product) FROM flows").fetchone()
    assert total == 6000.0
    assert first == "000000"  # leading zeros kept


def test_same_fingerprint_changes_nothing(warehouse: Warehouse) -> None:
    warehouse.write("t", flows(), source="test", fingerprint="a")
    before = snapshot(warehouse)
    out = warehouse.write("t", flows(5), source="test", fingerprint="a")
    assert not out.changed
    assert snapshot(warehouse) == before


def test_new_version_replaces_old_which_stays_for_a_grace_period(warehouse: Warehouse) -> None:
    first = warehouse.write("t", flows(), source="test", fingerprint="a").dataset
    second = warehouse.write("t", flows(5), source="test", fingerprint="b").dataset
    assert second.rows == 5
    assert [d.name for d in warehouse.datasets()] == ["t"]
    # a reader that opened its views on the first version can still read it for a while
    assert first.path.exists() and any(first.path.glob("*.parquet"))
    # once the grace period is over, the next write removes it
    impatient = Warehouse(warehouse.home, keep_replaced_seconds=0)
    impatient.write("u", flows(1), source="test", fingerprint="c")
    assert not first.path.exists() and second.path.exists()


def test_without_grace_old_files_go_at_once(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh", keep_replaced_seconds=0)
    first = wh.write("t", flows(), source="test", fingerprint="a").dataset
    wh.write("t", flows(5), source="test", fingerprint="b")
    assert not first.path.exists()
    wh.remove("t")
    assert wh.datasets() == [] and not (wh.home / "datasets" / "t").exists()


def test_failed_write_leaves_warehouse_unchanged(warehouse: Warehouse) -> None:
    warehouse.write("t", flows(), source="test", fingerprint="a")
    before = snapshot(warehouse)
    bad = flows().set_column(0, "period", pa.array([None, None, None], pa.string()))
    with pytest.raises(InputError, match="period"):
        warehouse.write("t", bad, source="test", fingerprint="b")
    assert snapshot(warehouse) == before
    assert not (warehouse.home / "staging").exists() or not any(
        (warehouse.home / "staging").iterdir()
    )


def test_second_writer_is_refused(warehouse: Warehouse) -> None:
    with writer_lock(warehouse.home), pytest.raises(WarehouseBusy, match="pid"):
        warehouse.write("t", flows(), source="test", fingerprint="a")
    assert warehouse.datasets() == []


def test_empty_warehouse_has_typed_empty_views(warehouse: Warehouse) -> None:
    con = warehouse.connect()
    assert con.execute("SELECT count(*) FROM flows").fetchone() == (0,)
    cols = [c[0] for c in con.execute("DESCRIBE flows").fetchall()]
    assert cols[:3] == ["period", "period_type", "year"] and "dataset" in cols


def test_readers_reuse_one_database_until_the_catalogue_or_a_file_changes(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from tradegap.errors import TradegapError
    from tradegap.warehouse import store

    warehouse.write("t", flows(), source="test", fingerprint="a")
    time.sleep(store._ReadCache.RACY_NS / 1e9 + 0.05)  # old enough to be cached
    reads = []
    real = Warehouse._read_datasets
    monkeypatch.setattr(Warehouse, "_read_datasets", lambda self: reads.append(1) or real(self))
    first, second = warehouse.connect(), Warehouse(warehouse.home).connect()
    assert len(reads) <= 1  # the catalogue was read at most once for both
    first.execute("CREATE TEMP TABLE mine AS SELECT 1")  # a cursor's own, not the other's
    assert second.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'mine'"
                          ).fetchone() == (0,)
    first.close()  # closes the cursor only
    assert second.execute("SELECT sum(value_usd) FROM flows").fetchone() == (6000.0,)
    warehouse.write("t", flows(5), source="test", fingerprint="b")  # the catalogue changes
    assert warehouse.connect().execute("SELECT count(*) FROM flows").fetchone() == (5,)
    path = warehouse.dataset("t").path / "part-0.parquet"
    path.write_bytes(b"not parquet")  # damage is still found, though the catalogue is as it was
    with pytest.raises(TradegapError, match="damaged"):
        warehouse.connect()
