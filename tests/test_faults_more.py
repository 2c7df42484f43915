"""More faults (beyond tests/test_faults.py): damaged BACI zips, damaged Parquet inputs, a
damaged dataset file inside the warehouse, a download cut off half-way at the command line, and
two ingests started at the same moment. None of them needs ../shared/data."""

from __future__ import annotations

import io
import math
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tests.conftest import snapshot
from tests.helpers_http import start
from tests.servers import stop
from tests.test_cli_errors import VALID_CSV, InProcess, tg  # noqa: F401  (tg is a fixture)
from tradegap.errors import InputError, TradegapError
from tradegap.sources import ingest, parse
from tradegap.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]

BACI_CSV = "".join(
    ["t,i,j,k,v,q\n"]
    + [f"2020,{i},{j},{k},{(i * 7 + k) % 9999}.125,{'NA' if k % 3 else '1.5'}\n"
       for i in (4, 8, 12) for j in (4, 8, 12) for k in range(10101, 10101 + 40 * 97, 97)]
).encode()
COUNTRIES = b"country_code,country_iso3\n4,AFG\n8,ALB\n12,DZA\n"


def release_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("BACI_HS17_Y2020_V202501.csv", BACI_CSV)
        zf.writestr("country_codes_V202501.csv", COUNTRIES)
    return buf.getvalue()


def same(a: tuple | None, b: tuple | None) -> bool:
    """Equal counts and sums (a float sum's last digits depend on the order of addition)."""
    assert a is not None and b is not None
    return a[0] == b[0] and math.isclose(a[1], b[1], rel_tol=1e-12)


@pytest.fixture()
def filled(tmp_path: Path) -> Warehouse:
    """A warehouse holding the small demo world (its own: the test may damage it)."""
    wh = Warehouse(tmp_path / "wh")
    ingest(wh, "demo", [], scale="small", seed=5)
    return wh


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """A warehouse holding the small demo world, for tests that must leave it unchanged."""
    wh = Warehouse(tmp_path_factory.mktemp("shared") / "wh")
    ingest(wh, "demo", [], scale="small", seed=5)
    return wh


# -- damaged BACI zips -------------------------------------------------------------------------
def _flip_in_member(data: bytes) -> bytes:
    """Damage the compressed bytes of the first member: its CRC no longer matches."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.infolist()[0]
    start_ = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    out = bytearray(data)
    for i in range(start_ + 10, start_ + 30):
        out[i] ^= 0x5A
    return bytes(out)


ZIP_DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "truncated at 10 bytes": lambda b: b[:10],
    "truncated at half": lambda b: b[: len(b) // 2],
    "truncated by 10 bytes": lambda b: b[:-10],
    "empty": lambda b: b"",
    "member bytes damaged": _flip_in_member,
    "not a zip": lambda b: b"PK\x03\x04" + b"garbage" * 100,
}


@pytest.mark.parametrize("damage", list(ZIP_DAMAGE))
def test_damaged_baci_zip_is_refused(damage: str, shared: Warehouse, tmp_path: Path,
                                     tg: InProcess) -> None:  # noqa: F811
    filled = shared
    path = tmp_path / "BACI_HS17_V202501.zip"
    path.write_bytes(ZIP_DAMAGE[damage](release_zip()))
    before = snapshot(filled)
    with pytest.raises(InputError) as err:
        ingest(filled, "baci", [path])
    assert str(path) in str(err.value)
    assert snapshot(filled) == before
    proc = tg(filled.home, "ingest", "baci", str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert path.name in proc.stderr.replace("\n", "")
    assert snapshot(filled) == before


def test_the_zip_above_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "BACI_HS17_V202501.zip"
    path.write_bytes(release_zip())
    [(_, outcome)] = ingest(Warehouse(tmp_path / "ok"), "baci", [path])
    assert outcome.dataset.rows == 9 * 40


def test_zip_without_yearly_csv_is_refused(shared: Warehouse, tmp_path: Path) -> None:
    filled = shared
    path = tmp_path / "BACI_HS17_V202501.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "nothing here")
    with pytest.raises(InputError, match="no yearly BACI"):
        ingest(filled, "baci", [path])


# -- damaged Parquet inputs --------------------------------------------------------------------
def parquet_of(kind: str) -> bytes:
    """The valid CSV input of ``kind`` (tests/test_cli_errors.py) as Parquet."""
    name, text, _ = VALID_CSV[kind]
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    if kind == "india-dgcis":
        frame["fy_start"] = frame["fy_start"].astype(int)
        for col in ("value_usd_million", "quantity"):
            frame[col] = pd.to_numeric(frame[col])
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


PARQUET_DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "truncated at half": lambda b: b[: len(b) // 2],
    "footer cut": lambda b: b[:-8],
    "magic zeroed": lambda b: b[:-4] + b"\0\0\0\0",
    "empty": lambda b: b"",
    "csv renamed .parquet": lambda b: b"a,b\n1,2\n",
}
PARQUET_KINDS = ["india-dgcis", "russia-customs", "russia-demand", "tidy"]


def _ingest_parquet(wh: Warehouse, kind: str, path: Path) -> object:
    options: dict[str, object] = {}
    if kind == "tidy":
        mapping = path.parent / "mapping.toml"
        mapping.write_bytes(VALID_CSV["tidy"][2]["mapping.toml"])
        options["mapping"] = mapping
    return ingest(wh, kind, [path], **options)


@pytest.mark.parametrize("damage", list(PARQUET_DAMAGE))
@pytest.mark.parametrize("kind", PARQUET_KINDS)
def test_damaged_parquet_input_is_refused(kind: str, damage: str, shared: Warehouse,
                                          tmp_path: Path) -> None:
    filled = shared
    path = tmp_path / "input.parquet"
    path.write_bytes(PARQUET_DAMAGE[damage](parquet_of(kind)))
    before = snapshot(filled)
    with pytest.raises(InputError) as err:
        _ingest_parquet(filled, kind, path)
    assert err.value.file == str(path)
    assert snapshot(filled) == before


#: What each valid Parquet input above stores: dataset, rows, sum of value_usd (from the CSV
#: text in tests/test_cli_errors.py: US$ million × 1e6, or dollars as written).
PARQUET_STORED = {
    "india-dgcis": [("india-dgcis", 2, 1_750_000.0)],
    "russia-customs": [("russia-customs-fts", 1, 1000.0), ("russia-customs-mirror", 1, 2000.0)],
    "russia-demand": [("russia-demand", 3, 5_000_000_000.0)],  # 2.5 bn year-before is empty
    "tidy": [("tidy", 2, 12.0)],
}


@pytest.mark.parametrize("kind", PARQUET_KINDS)
def test_the_parquet_inputs_above_are_valid(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "input.parquet"
    path.write_bytes(parquet_of(kind))
    wh = Warehouse(tmp_path / "ok")
    results = _ingest_parquet(wh, kind, path)
    stored = []
    for parsed, outcome in results:  # type: ignore[attr-defined]
        ds = outcome.dataset
        total = wh.connect().execute(
            f"SELECT sum(value_usd) FROM read_parquet('{ds.path}/*.parquet')").fetchone()[0]
        stored.append((ds.name, ds.rows, total))
        assert ds.rows + sum(parsed.set_aside.values()) == (2 if kind == "russia-demand" else 1
                                                             ) * parsed.rows_read
    assert stored == PARQUET_STORED[kind]


def _damage_pages(b: bytes) -> bytes:
    """Flip the first bytes of every column chunk's first page (its header), located from the
    file's own metadata, so the damage always lands in the data (a flip at a fixed offset can
    land in statistics that no reader uses)."""
    meta = pq.ParquetFile(io.BytesIO(b)).metadata.row_group(0)
    out = bytearray(b)
    for c in range(meta.num_columns):
        col = meta.column(c)
        start = col.dictionary_page_offset if col.has_dictionary_page else col.data_page_offset
        for i in range(start, start + 6):
            out[i] ^= 0xFF
    return bytes(out)


@pytest.mark.parametrize("kind", PARQUET_KINDS)
def test_parquet_with_damaged_pages_is_refused(kind: str, shared: Warehouse,
                                               tmp_path: Path) -> None:
    """Damaged pages inside the data: a clear error naming the file, the warehouse unchanged
    (never another exception, never rows read from garbage)."""
    filled = shared
    path = tmp_path / "input.parquet"
    path.write_bytes(_damage_pages(parquet_of(kind)))
    before = snapshot(filled)
    with pytest.raises(InputError) as err:
        _ingest_parquet(filled, kind, path)
    assert err.value.file == str(path)
    assert "read" in err.value.reason, err.value.reason  # not readable / cannot read the file
    assert snapshot(filled) == before


# -- a damaged dataset inside the warehouse ----------------------------------------------------
def _dataset_file(wh: Warehouse) -> Path:
    return next(wh.dataset("demo").path.glob("*.parquet"))


WAREHOUSE_DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "deleted": lambda p: p.unlink(),
    "garbage": lambda p: p.write_bytes(b"not parquet at all" * 10),
    "other rows": lambda p: pq.write_table(pq.read_table(p).slice(0, 3), p),
    "folder gone": lambda p: [q.unlink() for q in p.parent.iterdir()] and p.parent.rmdir(),
}


@pytest.mark.parametrize("damage", list(WAREHOUSE_DAMAGE))
def test_damaged_dataset_file_is_named_and_reingest_repairs_it(
    damage: str, filled: Warehouse, tg: InProcess  # noqa: F811
) -> None:
    con = filled.connect()
    total = con.execute("SELECT count(*), sum(value_usd) FROM flows").fetchone()
    WAREHOUSE_DAMAGE[damage](_dataset_file(filled))
    with pytest.raises(TradegapError) as err:
        filled.connect().execute("SELECT sum(value_usd) FROM flows").fetchone()
    assert "'demo'" in str(err.value) and "damaged" in str(err.value)
    assert "ingest" in (err.value.hint or "")
    # the command line says the same, without a traceback
    proc = tg(filled.home, "data", "info", "demo")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "damaged" in proc.stderr and "demo" in proc.stderr
    # ingesting the same input again rewrites the dataset (same fingerprint, but damaged)
    [(_, outcome)] = ingest(filled, "demo", [], scale="small", seed=5)
    assert outcome.changed
    assert same(filled.connect().execute(
        "SELECT count(*), sum(value_usd) FROM flows").fetchone(), total)


def test_an_intact_warehouse_is_not_rewritten(filled: Warehouse) -> None:
    before = snapshot(filled)
    [(_, outcome)] = ingest(filled, "demo", [], scale="small", seed=5)
    assert not outcome.changed and snapshot(filled) == before


# -- a download cut off half-way, at the command line ------------------------------------------
def test_download_cut_off_then_resumed_at_the_cli(tmp_path: Path,
                                                  tg: InProcess) -> None:  # noqa: F811
    served = tmp_path / "www"
    served.mkdir()
    data = release_zip()
    (served / "BACI_HS17_V202501.zip").write_bytes(data)
    dest = tmp_path / "dl"
    cut = len(data) // 2 + 1  # the resumed rest is shorter than the cut: it completes
    proc_server, port = start(served, "--cut-after", str(cut))
    try:
        url = f"http://127.0.0.1:{port}/DATA_DOWNLOAD/baci/data"
        args = ["fetch", "baci", "--revision", "HS17", "--release", "V202501",
                "--base-url", url, "--dest", str(dest)]
        first = tg(tmp_path / "home", *args)
        assert first.returncode == 2 and "Traceback" not in first.stderr
        assert "stopped after" in first.stderr and "run the same command again" in first.stderr
        part = dest / "BACI_HS17_V202501.zip.part"
        assert part.stat().st_size == cut
        assert not (dest / "BACI_HS17_V202501.zip").exists()
        second = tg(tmp_path / "home", *args)
        assert second.returncode == 0, second.stderr
    finally:
        stop(proc_server)
    assert (dest / "BACI_HS17_V202501.zip").read_bytes() == data
    assert not part.exists()
    [(_, outcome)] = ingest(Warehouse(tmp_path / "home"), "baci",
                            [dest / "BACI_HS17_V202501.zip"])
    assert outcome.dataset.rows == 9 * 40


# -- two ingests started at the same moment ----------------------------------------------------
SCALE = "20000"  # flows per year: a write long enough for the two to overlap


def _ingest_proc(home: Path, seed: int) -> subprocess.Popen[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("TRADEGAP_HOME", None)
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("tradegap")), "--home", str(home), "ingest", "demo",
         "--scale", SCALE, "--seed", str(seed)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def _holder(home: Path) -> str:
    try:
        return (home / ".lock").read_text().strip()
    except FileNotFoundError:
        return ""


def test_two_ingests_that_overlap_one_is_refused(tmp_path: Path) -> None:
    """Two real ingests into one home, made to overlap: the first is frozen (SIGSTOP) while it
    holds the writer lock, the second runs meanwhile and must be refused with WarehouseBusy
    naming the first's pid; the first then resumes and completes. The dataset is exactly the
    first's input, complete, and the catalogue agrees with the files."""
    home = tmp_path / "wh"
    first = _ingest_proc(home, 11)
    deadline = time.monotonic() + 300
    try:
        while _holder(home) != str(first.pid):
            assert first.poll() is None, f"the first ingest ended first: {first.stderr.read()}"
            assert time.monotonic() < deadline, "the first ingest never took the lock"
            time.sleep(0.002)
        os.kill(first.pid, signal.SIGSTOP)
        if _holder(home) != str(first.pid):  # it let go just before it froze: start again
            os.kill(first.pid, signal.SIGCONT)
            pytest.fail("the first ingest released the lock before it could be frozen")
        second = _ingest_proc(home, 12)
        _, err2 = second.communicate(timeout=300)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    _, err1 = first.communicate(timeout=300)
    assert "Traceback" not in err1 + err2, err1 + err2
    assert second.returncode == 2, err2
    assert f"being written by another process (pid {first.pid})" in " ".join(err2.split())
    assert first.returncode == 0, err1
    wh = Warehouse(home)
    wh.verify()  # the catalogue agrees with the files
    [info] = wh.datasets()
    stored = wh.connect().execute("SELECT count(*), sum(value_usd) FROM flows").fetchone()
    [parsed] = parse("demo", [], scale=SCALE, seed=11)
    table = parsed.data if isinstance(parsed.data, pa.Table) else parsed.data.read_all()
    assert info.fingerprint == parsed.fingerprint
    assert same(stored, (table.num_rows, pc.sum(table["value_usd"]).as_py()))
    assert not (home / "staging").exists() or not any((home / "staging").iterdir())


# -- a damaged catalogue -----------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_damaged_catalogue_is_a_clear_error(damage: str, filled: Warehouse,
                                            tg: InProcess) -> None:  # noqa: F811
    path = filled.catalog_path
    data = path.read_bytes()
    path.write_bytes({"garbage": os.urandom(20_000), "truncated": data[:5000],
                      "empty": b""}[damage])
    with pytest.raises(TradegapError, match="catalogue") as err:
        filled.datasets()
    assert "damaged" in (err.value.hint or "")
    proc = tg(filled.home, "data", "list")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "catalog.duckdb" in proc.stderr.replace("\n", "")


def test_dashboard_names_a_damaged_dataset(filled: Warehouse) -> None:
    """The JSON API answers a damaged dataset with the same clear message (not a 500)."""
    from fastapi.testclient import TestClient

    from tradegap.web import create_app

    WAREHOUSE_DAMAGE["truncated"](_dataset_file(filled))
    client = TestClient(create_app(filled.home), raise_server_exceptions=False)
    for url in ("/api/balance?a=RUS&b=IND", "/api/datasets"):
        r = client.get(url)
        assert r.status_code == 400, (url, r.status_code, r.text[:300])
        assert "'demo'" in r.json()["error"] and "damaged" in r.json()["error"]
        assert "ingest" in r.json()["hint"]


# -- a reader holding a connection while an ingest replaces the dataset ------------------------
def test_a_reader_holding_a_connection_survives_a_replace(filled: Warehouse) -> None:
    """A reader's open connection keeps reading the version it opened (the old files stay for
    the grace period), while a new connection sees the new data: value sums differ between
    the seeds (row counts do not: the demo's scale fixes them)."""
    query = "SELECT count(*), sum(value_usd) FROM flows"
    con = filled.connect()  # a reader builds its views …
    before = con.execute(query).fetchone()
    ingest(filled, "demo", [], scale="small", seed=6)  # … an ingest replaces the dataset …
    after = filled.connect().execute(query).fetchone()
    assert after[0] == before[0] and not math.isclose(after[1], before[1], rel_tol=1e-6)
    assert same(con.execute(query).fetchone(), before)  # … it reads on, the same numbers
