"""The warehouse: canonical schema, atomic replacement, idempotence, one writer at a time."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from tests.conftest import snapshot
from tradegap.errors import InputError, TradegapError, WarehouseBusy
from tradegap.warehouse import FLOWS, Warehouse
from tradegap.warehouse.lock import writer_lock
from tradegap.warehouse.store import WriteRequest


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


def test_dictionary_encoded_text_is_stored_as_plain_text(warehouse: Warehouse) -> None:
    """A source may hand its text columns over dictionary-encoded (India's DGCI&S loader
    does): the stored files read back with exactly the canonical schema and values, by
    pyarrow and DuckDB alike, also with a text column that is empty in some rows."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    plain = flows(4)
    plain = plain.set_column(plain.schema.get_field_index("flag"), "flag",
                             pa.array([None, "x", None, "x"], pa.string()))
    encoded = pa.table([pc.dictionary_encode(c) if pa.types.is_string(c.type) else c
                        for c in plain.columns], names=plain.column_names)
    assert pa.types.is_dictionary(encoded.schema.field("product").type)
    out = warehouse.write("d", encoded, source="test", fingerprint="d")
    assert out.changed and out.dataset.rows == 4
    (part,) = sorted(out.dataset.path.glob("*.parquet"))
    back = pq.read_table(part)
    assert back.schema.equals(FLOWS)
    assert back.equals(plain)
    con = warehouse.connect()
    assert con.execute("SELECT list(flag ORDER BY product), list(product ORDER BY product) "
                       "FROM flows WHERE dataset = 'd'").fetchone() == (
        [None, "x", None, "x"], ["000000", "000001", "000002", "000003"])


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


def test_the_grace_period_is_ten_minutes(warehouse: Warehouse) -> None:
    """A replaced version stays while it was replaced less than 600 s ago, by the default
    warehouse's own clock check; at 600 s the next write removes it."""
    assert Warehouse.KEEP_REPLACED_SECONDS == 600.0 == warehouse.keep_replaced_seconds
    first = warehouse.write("t", flows(), source="test", fingerprint="a").dataset
    warehouse.write("t", flows(5), source="test", fingerprint="b")
    mark = first.path / ".replaced-at"
    replaced = float(mark.read_text())
    assert abs(replaced - time.time()) < 60
    for age, kept in ((1.0, True), (599.0, True), (601.0, False)):
        mark.write_text(f"{time.time() - age:.3f}")
        warehouse.write("u", flows(1, value=age), source="test", fingerprint=f"u{age}")
        assert first.path.exists() is kept, age


def _batches_failing_after(first: pa.Table) -> pa.RecordBatchReader:
    """A stream of batches that fails after its first one, as a parser that meets too many
    bad rows half-way through a file does."""
    def gen():  # noqa: ANN202
        yield from first.to_batches()
        raise InputError("too many bad rows", file="half.csv", line=3)

    return pa.RecordBatchReader.from_batches(FLOWS, gen())


def test_a_failure_inside_write_many_commits_nothing(warehouse: Warehouse) -> None:
    warehouse.write("a", flows(2), source="test", fingerprint="a1")
    before = snapshot(warehouse)
    requests = [WriteRequest("a", flows(4), source="test", fingerprint="a2"),
                WriteRequest("b", _batches_failing_after(flows(3)), source="test",
                             fingerprint="b1")]
    with pytest.raises(InputError, match="too many bad rows"):
        warehouse.write_many(requests)
    assert snapshot(warehouse) == before  # "a" unchanged, no "b"
    assert sorted(p.name for p in (warehouse.home / "datasets" / "a").iterdir()) == [
        warehouse.dataset("a").path.name]  # the staged new version of "a" is gone
    assert not any((warehouse.home / "staging").glob("*"))
    assert warehouse.connect().execute("SELECT count(*) FROM flows").fetchone() == (2,)


class FailingCatalog:
    """The real catalogue connection, with one statement made to fail (the disk filling up
    half-way through the transaction): the INSERT of dataset ``fail_on``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, fail_on: str) -> None:
        self.con, self.fail_on, self.seen = con, fail_on, []

    def execute(self, sql: str, params: list | None = None) -> object:
        self.seen.append(sql.split()[0])
        if sql.startswith("INSERT") and params and params[0] == self.fail_on:
            raise duckdb.IOException("No space left on device")
        return self.con.execute(sql, params) if params is not None else self.con.execute(sql)

    def close(self) -> None:
        self.con.close()


def test_a_failure_while_the_catalogue_is_saved_changes_nothing(
        warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogue is written anew and renamed over the old one (warehouse/catalogue.py): a
    failure while the new file is written (here ENOSPC) leaves both datasets as they were."""
    import errno

    from tradegap.warehouse import catalogue

    warehouse.write_many([WriteRequest("a", flows(2), source="test", fingerprint="a1"),
                          WriteRequest("b", flows(1), source="test", fingerprint="b1")])
    before = snapshot(warehouse)
    calls: list[int] = []

    def full_disk(*args: object, **kwargs: object) -> None:
        calls.append(1)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(catalogue, "_write", full_disk)  # the new catalogue file's write
    with pytest.raises(TradegapError, match="cannot save the catalogue .*No space left on "
                       "device; the warehouse is unchanged"):
        warehouse.write_many([WriteRequest("a", flows(5), source="test", fingerprint="a2"),
                              WriteRequest("b", flows(6), source="test", fingerprint="b2")])
    assert calls == [1]
    monkeypatch.undo()
    assert snapshot(warehouse) == before
    assert {d.name: d.fingerprint for d in warehouse.datasets()} == {"a": "a1", "b": "b1"}
    assert not any((warehouse.home / "staging").glob("*"))
    assert warehouse.connect().execute("SELECT count(*) FROM flows").fetchone() == (3,)


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
