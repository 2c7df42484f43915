"""Faults: a killed ingest, a full disk, a concurrent writer — the warehouse stays intact."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from tests.conftest import snapshot
from tests.test_warehouse import flows
from tradegap.errors import TradegapError, WarehouseBusy
from tradegap.warehouse import FLOWS, Warehouse

SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    import pyarrow as pa
    from tests.test_warehouse import flows
    from tradegap.warehouse import FLOWS, Warehouse

    def batches():
        for i in range(10_000):
            if i == 1:
                print("writing", flush=True)
            time.sleep(0.05)
            yield flows(1000, value=float(i + 1)).to_batches()[0]

    Warehouse(sys.argv[1]).write("t", pa.RecordBatchReader.from_batches(FLOWS, batches()),
                                 source="test", fingerprint="new")
    """
)


def start_slow_writer(home: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(home)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    return proc


def test_sigkill_mid_ingest_leaves_previous_warehouse_intact(warehouse: Warehouse) -> None:
    warehouse.write("t", flows(), source="test", fingerprint="old")
    before = snapshot(warehouse)
    proc = start_slow_writer(warehouse.home)
    time.sleep(0.3)
    assert any((warehouse.home / "staging").iterdir())  # it was really writing
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(warehouse) == before
    con = warehouse.connect()
    assert con.execute("SELECT sum(value_usd) FROM flows").fetchone() == (6000.0,)
    # the kernel released the lock: the next write goes through and cleans the leftovers
    warehouse.write("t", flows(4), source="test", fingerprint="next")
    assert not (warehouse.home / "staging").exists()
    assert warehouse.dataset("t").rows == 4


def test_a_second_writer_process_is_refused(warehouse: Warehouse) -> None:
    warehouse.write("t", flows(), source="test", fingerprint="old")
    proc = start_slow_writer(warehouse.home)
    try:
        with pytest.raises(WarehouseBusy, match=f"pid {proc.pid}"):
            warehouse.write("u", flows(), source="test", fingerprint="u")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert [d.name for d in warehouse.datasets()] == ["t"]


def test_disk_full_during_write_is_a_clear_error(warehouse: Warehouse) -> None:
    warehouse.write("t", flows(), source="test", fingerprint="old")
    before = snapshot(warehouse)

    def batches() -> Iterator[pa.RecordBatch]:
        yield flows(10).to_batches()[0]
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(TradegapError, match="No space left on device.*unchanged") as err:
        warehouse.write(
            "t",
            pa.RecordBatchReader.from_batches(FLOWS, batches()),
            source="test",
            fingerprint="new",
        )
    assert "free disk space" in str(err.value)
    assert snapshot(warehouse) == before


@pytest.mark.skipif(sys.platform != "linux", reason="uses /dev/full")
def test_write_error_from_the_filesystem(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real ENOSPC from the kernel: /dev/full refuses every write."""
    warehouse.write("t", flows(), source="test", fingerprint="old")
    before = snapshot(warehouse)
    import tradegap.warehouse.store as store

    real = store.pq.ParquetWriter

    def to_dev_full(where: object, schema: pa.Schema, **kw: object) -> object:
        return real(open("/dev/full", "wb"), schema, **kw)  # noqa: SIM115

    monkeypatch.setattr(store.pq, "ParquetWriter", to_dev_full)
    with pytest.raises(TradegapError, match="unchanged"):
        warehouse.write("t", flows(5000), source="test", fingerprint="new")
    assert snapshot(warehouse) == before
