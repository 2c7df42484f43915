"""Adversarial suite, storage side (issue 14): a full disk at every step of a commit, inside the
catalogue's checkpoint included; a read-only or completely full file system; damaged datasets
and catalogue blocks named and isolated; `tradegap data verify`; reports written aside.

Two ways to fill the disk: ``ENOSPC`` injected at every write-like call Python makes during an
ingest (always runs), and a real 30 MB tmpfs filled to several free-space levels, which reaches
DuckDB's and Arrow's own writes (needs root; skipped with the reason otherwise)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.faults import fill, inject, mount_tmpfs, remount, unmount
from tests.test_cli_errors import InProcess, assert_clean_refusal, tg  # noqa: F401
from tradegap.errors import TradegapError
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]
TRADEGAP = ROOT / ".venv" / "bin" / "tradegap"
HEAD = "refYear,period,reporterISO,partnerISO,flowCode,cmdCode,primaryValue,classificationCode\n"
OLD = HEAD + "2020,2020,IND,RUS,X,0101,5.5,H5\n"
NEW = OLD + "2020,2020,IND,RUS,M,0102,7,H5\n2021,2021,IND,CHN,X,0101,9,H5\n"


def files(home: Path) -> dict[str, bytes]:
    """Every file under the warehouse with its bytes: "exactly as it was" is this equality."""
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*"))
            if p.is_file()}


def totals(wh: Warehouse) -> list[tuple]:
    con = wh.connect()
    try:
        return con.execute("SELECT dataset, count(*), sum(value_usd) FROM flows GROUP BY 1 "
                           "ORDER BY 1").fetchall()
    finally:
        con.close()


def inputs(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "old.csv").write_text(OLD)
    (folder / "new.csv").write_text(NEW)
    return folder / "old.csv", folder / "new.csv"


def previous(home: Path, old: Path) -> Warehouse:
    """The warehouse before the write under attack: two datasets."""
    wh = Warehouse(home)
    ingest(wh, "comtrade", [old], name="other")
    ingest(wh, "comtrade", [old])
    return wh


def attempt(wh: Warehouse, new: Path) -> TradegapError | None:
    try:
        ingest(wh, "comtrade", [new], replace=True)
    except TradegapError as exc:
        return exc
    return None


def check_outcome(wh: Warehouse, before: dict[str, bytes], sums: list[tuple],
                  err: TradegapError | None) -> str:
    """Refused: the warehouse is byte for byte the previous one, and readable. Done: the new
    data is complete. Either way every dataset verifies."""
    if err is not None:
        assert "unchanged" in str(err) or "nothing was changed" in str(err), str(err)
        assert "Traceback" not in str(err)
        assert files(wh.home) == before
        assert totals(wh) == sums
        outcome = "refused"
    else:
        assert dict((d, n) for d, n, _ in totals(wh))["comtrade"] == 3
        outcome = "done"
    assert [c.status for c in wh.check()] == ["ok", "ok"]
    return outcome


# -- ENOSPC injected at every write-like call of an ingest -------------------------------------
def test_enospc_at_every_write_and_fsync_of_a_commit(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = inputs(tmp_path / "in")
    base = previous(tmp_path / "base", old)
    probe = Warehouse(shutil.copytree(base.home, tmp_path / "probe"))
    with inject(monkeypatch, None) as counted:
        assert attempt(probe, new) is None
    assert counted.calls >= 10  # lock, staging, Parquet fsync, checksums, rename, catalogue …
    outcomes, where = {}, {}
    for n in range(1, counted.calls + 1):
        wh = Warehouse(shutil.copytree(base.home, tmp_path / f"n{n}"))
        before, sums = files(wh.home), totals(wh)
        with inject(monkeypatch, n) as inj:
            err = attempt(wh, new)
        outcomes[n], where[n] = check_outcome(wh, before, sums, err), inj.failed
        shutil.rmtree(wh.home)
    refused = [n for n, o in outcomes.items() if o == "refused"]
    print("\n".join(f"{n:3} {outcomes[n]:8} {where[n]}" for n in outcomes))
    assert len(refused) >= counted.calls // 2, (outcomes, where)
    # the faults reached the catalogue's own save (its temporary file, fsync and rename)
    assert any(".new" in str(where[n]) for n in refused), where
    assert any("os.replace" in str(where[n]) for n in refused), where


def test_read_only_file_system_is_a_clear_error(tmp_path: Path, tg: InProcess,  # noqa: F811
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = inputs(tmp_path / "in")
    wh = previous(tmp_path / "wh", old)
    before = files(wh.home)
    for code, words in ((errno.EROFS, "read-only"), (errno.ENOSPC, "disk is full")):
        with inject(monkeypatch, 1, code, match=".lock"):  # opening the lock
            proc = tg(wh.home, "ingest", "comtrade", str(new), "--replace")
        assert_clean_refusal(proc, str(wh.home), words)
        assert files(wh.home) == before


# -- a real full disk: a small tmpfs at several free-space levels ------------------------------
#: Free space left before the write (KB): nothing, the lock, the Parquet file, the 96–160 KB
#: window of the issue (DuckDB's checkpoint failing), below and above what the new catalogue
#: needs (about 830 KB: DuckDB writes 256 KB blocks), and plenty.
LEVELS_KB = (0, 8, 24, 64, 96, 128, 160, 400, 768, 900, 4096)


@pytest.fixture()
def tmpfs(tmp_path: Path):  # type: ignore[no-untyped-def]
    mnt = tmp_path / "mnt"
    mount_tmpfs(mnt)
    yield mnt
    unmount(mnt)


def test_full_disk_at_several_levels_leaves_the_previous_warehouse(tmp_path: Path,
                                                                   tmpfs: Path) -> None:
    old, new = inputs(tmp_path / "in")
    seen = {}
    for kb in LEVELS_KB:
        home = tmpfs / f"wh{kb}"
        wh = previous(home, old)
        before, sums = files(home), totals(wh)
        filler = fill(tmpfs, kb * 1024)
        err = attempt(wh, new)
        seen[kb] = (check_outcome(wh, before, sums, err), str(err).splitlines()[0])
        filler.unlink()
        shutil.rmtree(home)
    assert [kb for kb, (o, _) in seen.items() if o == "refused"][:7] == list(LEVELS_KB[:7]), seen
    assert any("checkpoint" in msg.lower() for _, msg in seen.values()), seen  # DuckDB's own
    assert seen[4096][0] == "done", seen


def test_full_disk_and_read_only_at_the_command_line(tmp_path: Path, tmpfs: Path) -> None:
    """The installed console script: a full disk, then a read-only mount; exit 2, no
    traceback, the warehouse unchanged and readable."""
    old, new = inputs(tmp_path / "in")
    home = tmpfs / "wh"
    wh = previous(home, old)
    before, sums = files(home), totals(wh)
    env = {k: v for k, v in os.environ.items() if k != "TRADEGAP_HOME"}
    run = [str(TRADEGAP), "--home", str(home), "ingest", "comtrade", str(new), "--replace"]
    filler = fill(tmpfs, 0)
    proc = subprocess.run(run, capture_output=True, text=True, env=env, timeout=300)
    assert_clean_refusal(proc, "unchanged")
    filler.unlink()
    remount(tmpfs, "ro")
    try:
        proc = subprocess.run(run, capture_output=True, text=True, env=env, timeout=300)
        assert_clean_refusal(proc, "read-only")
        assert files(home) == before and totals(wh) == sums
    finally:
        remount(tmpfs, "rw")


# -- damage named and isolated ------------------------------------------------------------------
def _flip_blocks(path: Path) -> None:
    """Flip bytes inside every 256 KB block of a DuckDB file (after its three 4 KB headers)."""
    data = bytearray(path.read_bytes())
    for start in range(3 * 4096 + 64, len(data), 256 * 1024):
        for i in range(start, min(start + 256, len(data))):
            data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _flip(path: Path, at: float, n: int = 64) -> None:
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    for i in range(start, min(start + n, len(data))):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.fixture()
def two(tmp_path: Path) -> Warehouse:
    """A warehouse with the demo world and a small Comtrade dataset."""
    old, _ = inputs(tmp_path / "in")
    wh = Warehouse(tmp_path / "wh")
    ingest(wh, "demo", [], scale="1000", seed=2)
    ingest(wh, "comtrade", [old])
    return wh


def test_one_damaged_dataset_does_not_block_the_others(two: Warehouse) -> None:
    shutil.rmtree(two.home / "datasets" / "demo")
    env = {k: v for k, v in os.environ.items() if k != "TRADEGAP_HOME"}
    info = subprocess.run([str(TRADEGAP), "--home", str(two.home), "data", "info", "comtrade"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert info.returncode == 0, info.stderr
    assert "comtrade" in info.stdout and "Traceback" not in info.stderr
    verify = subprocess.run([str(TRADEGAP), "--home", str(two.home), "data", "verify"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert_clean_refusal(verify, "1 of 2 datasets are damaged", "'demo'")
    assert "comtrade" in verify.stdout and "ok" in verify.stdout
    # a read that needs every dataset names the damaged one; one that does not, works
    with pytest.raises(TradegapError, match="'demo' is damaged"):
        two.connect()
    assert two.connect(names=["comtrade"]).execute("SELECT count(*) FROM flows").fetchone() == (1,)


def test_damaged_parquet_pages_are_named(two: Warehouse, tg: InProcess) -> None:  # noqa: F811
    path = next(two.dataset("demo").path.glob("*.parquet"))
    _flip(path, 0.4, 400)
    assert [(c.name, c.status) for c in two.check()] == [("comtrade", "ok"), ("demo", "damaged")]
    proc = tg(two.home, "data", "verify", "demo")
    assert_clean_refusal(proc, "'demo'", "checksum")
    # queries that touch the damaged pages: a named error, never DuckDB's traceback
    for args in (["balance", "RUS", "IND"], ["data", "info", "demo"]):
        proc = tg(two.home, *args)
        assert proc.returncode in (0, 2), proc.stderr
        if proc.returncode == 2:
            assert_clean_refusal(proc)
    proc = tg(two.home, "data", "verify", "comtrade")
    assert proc.returncode == 0 and "ok" in proc.stdout


def test_verify_without_recorded_checksums_reads_every_page(two: Warehouse) -> None:
    """A version written before checksums were recorded is decoded page by page."""
    (two.dataset("demo").path / "_checksums.json").unlink()
    assert {c.name: c.status for c in two.check()} == {"comtrade": "ok", "demo": "unverified"}
    # without checksums, only what decoding notices can be found: cut the file's second half
    # (bytes flipped inside compressed values may decode; see the checksummed case above)
    damaged = next(two.dataset("demo").path.glob("*.parquet"))
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    assert {c.name: c.status for c in two.check()}["demo"] == "damaged"


def test_damaged_catalogue_block_is_a_clear_error(two: Warehouse, tg: InProcess) -> None:  # noqa: F811
    _flip_blocks(two.catalog_path)  # DuckDB's block checksums no longer match
    proc = tg(two.home, "data", "list")
    assert_clean_refusal(proc, "catalog.duckdb")
    proc = tg(two.home, "data", "verify")
    assert_clean_refusal(proc, "catalog.duckdb")


# -- reports written aside ---------------------------------------------------------------------
def test_a_failed_report_write_leaves_the_previous_report(tmp_path: Path, two: Warehouse,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from tradegap.report.html import ReportOptions, write_report

    out = tmp_path / "out" / "report.html"
    options = ReportOptions(plan=False, headroom=False, draws=10)
    write_report(two, "RUS", "IND", out, options)
    first = out.read_bytes()
    assert b"<html" in first.lower()
    for match in ("tmp.html, w", "os.fsync", "os.replace"):  # the file aside, fsync, rename
        with inject(monkeypatch, 1, match=match), \
                pytest.raises(TradegapError, match="no file was changed"):
            write_report(two, "RUS", "IND", out, options)
        assert out.read_bytes() == first
        assert sorted(p.name for p in out.parent.iterdir()) == ["report.html"]
