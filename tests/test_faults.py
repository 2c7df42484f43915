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
    # it prints "writing" while it streams its second batch: the staged files exist by then
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


TRADEGAP = str(Path(sys.executable).with_name("tradegap"))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_ingest_interrupted_at_the_cli_leaves_the_warehouse_intact(tmp_path: Path,
                                                                       sig: int) -> None:
    """``tradegap ingest`` stopped by Ctrl+C (SIGINT) or SIGTERM while it writes: the previous
    dataset stays, whole and current. Ctrl+C cleans its staged files at once and says
    "aborted" (exit 130); SIGTERM ends the process where it is, and the next write removes
    what it left."""
    home = tmp_path / "wh"
    Warehouse(home).write("demo", flows(), source="test", fingerprint="old")
    before = snapshot(Warehouse(home))
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("TRADEGAP_HOME", None)
    proc = subprocess.Popen([TRADEGAP, "--home", str(home), "ingest", "demo", "--scale",
                             "50000", "--seed", "9"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    staging = home / "staging"
    deadline = time.monotonic() + 300
    try:
        while not (staging.is_dir() and any(staging.iterdir())):
            assert proc.poll() is None, "the ingest finished before it could be interrupted"
            assert time.monotonic() < deadline, "the ingest never started writing"
            time.sleep(0.005)
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    assert "Traceback" not in err, err
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and err.strip().endswith("aborted"), (proc.returncode, err)
        assert not any(staging.iterdir())  # cleaned on the way out
    else:
        assert proc.returncode == -signal.SIGTERM
    wh = Warehouse(home)
    assert snapshot(wh) == before
    assert wh.connect().execute("SELECT count(*), sum(value_usd) FROM flows").fetchone() == (
        3, 6000.0)
    wh.write("next", flows(1), source="test", fingerprint="n")  # not locked; leftovers go
    assert not staging.exists() and len(list((home / "datasets" / "demo").iterdir())) == 1


def test_a_second_writer_is_refused_at_once(warehouse: Warehouse) -> None:
    """The lock never waits: the refusal comes in well under a second, while the first
    writer holds the lock for as long as it likes (a blocking lock would hang here)."""
    warehouse.write("t", flows(), source="test", fingerprint="old")
    proc = start_slow_writer(warehouse.home)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseBusy, match=f"pid {proc.pid}"):
            warehouse.write("u", flows(), source="test", fingerprint="u")
        assert time.monotonic() - started < 1.0
        assert proc.poll() is None  # the first writer was still writing all along
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
