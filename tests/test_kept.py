"""Results kept on disk per warehouse version (``tradegap.warehouse.kept``): read back by a
new process while nothing changed, recomputed after an ingest or a changed input file, and
never a failure of their own (damaged entry, a cache directory that cannot be written)."""

from __future__ import annotations

from pathlib import Path

from tradegap.sources import ingest
from tradegap.warehouse import Warehouse
from tradegap.warehouse.kept import CACHE_DIR, kept


def _demo(wh: Warehouse, name: str, seed: int) -> None:
    ingest(wh, "demo", [], scale="2000", years="2024", seed=seed, max_bad_rows=0, name=name)


def _rows(wh: Warehouse, calls: list[int]) -> int:
    """A real computation on the warehouse, counting how often it runs."""
    calls.append(1)
    con = wh.connect()
    try:
        return int(con.execute("SELECT count(*) FROM flows").fetchone()[0])
    finally:
        con.close()


def test_kept_until_an_ingest_changes_the_warehouse(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    _demo(wh, "demo", 1)
    calls: list[int] = []
    first = kept(wh, "rows", ("all",), lambda: _rows(wh, calls))
    assert list((wh.home / CACHE_DIR).glob("rows-*.pickle"))
    # a new Warehouse object (as a new process would open it) reads the kept result
    again = Warehouse(wh.home)
    assert kept(again, "rows", ("all",), lambda: _rows(again, calls)) == first
    assert len(calls) == 1
    _demo(wh, "more", 2)  # an ingest: the kept result must not be served
    after = kept(Warehouse(wh.home), "rows", ("all",), lambda: _rows(wh, calls))
    assert len(calls) == 2
    assert after == _rows(wh, []) > first
    assert len(list((wh.home / CACHE_DIR).glob("rows-*.pickle"))) == 1  # the old one removed


def test_other_keys_and_changed_input_files_recompute(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    _demo(wh, "demo", 1)
    scenario = tmp_path / "scenario.toml"
    scenario.write_text("a = 1\n", encoding="utf-8")
    calls: list[int] = []
    kept(wh, "rows", ("x",), lambda: _rows(wh, calls), files=[scenario])
    kept(wh, "rows", ("y",), lambda: _rows(wh, calls), files=[scenario])
    kept(wh, "rows", ("x",), lambda: _rows(wh, calls), files=[scenario])
    assert len(calls) == 2
    scenario.write_text("a = 2\n", encoding="utf-8")
    kept(wh, "rows", ("x",), lambda: _rows(wh, calls), files=[scenario])
    assert len(calls) == 3


def test_damaged_entry_and_failed_write_do_not_fail(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    _demo(wh, "demo", 1)
    calls: list[int] = []
    value = kept(wh, "rows", (), lambda: _rows(wh, calls))
    (entry,) = (wh.home / CACHE_DIR).glob("rows-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert kept(wh, "rows", (), lambda: _rows(wh, calls)) == value
    assert len(calls) == 2
    for path in (wh.home / CACHE_DIR).iterdir():
        path.unlink()
    (wh.home / CACHE_DIR).rmdir()
    (wh.home / CACHE_DIR).write_text("a file where the cache directory would be")
    assert kept(wh, "rows", (), lambda: _rows(wh, calls)) == value
    assert kept(wh, "rows", (), lambda: _rows(wh, calls)) == value
    assert len(calls) == 4  # nothing could be kept, each call computes
    assert not [p for p in wh.home.rglob("*.tmp*")]
