"""At the command line, bad input is a short message and exit code 2, never a traceback, and a
failed ingest leaves the warehouse as it was. A sample runs `python -m tradegap.cli` in a real
subprocess (what a user sees); the larger matrix of damaged files, usage mistakes and broken
scenarios runs the same entry point (`tradegap.cli.main.run`) in-process, where any exception
other than SystemExit would be the traceback a user sees."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests import strategies as gen_st
from tests.conftest import snapshot
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]


def cli(home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("TRADEGAP_HOME", None)
    return subprocess.run(
        [sys.executable, "-m", "tradegap.cli", "--home", str(home), *args],
        capture_output=True, text=True, timeout=120, cwd=cwd or ROOT, env=env,
    )


class InProcess:
    """``run()`` with ``sys.argv`` set, its exit code and output captured."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
                 ) -> None:
        self.monkeypatch, self.capsys = monkeypatch, capsys

    def __call__(self, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
        from tradegap.cli.main import run

        self.capsys.readouterr()
        self.monkeypatch.setattr(sys, "argv", ["tradegap", "--home", str(home), *args])
        self.monkeypatch.setenv("COLUMNS", "200")
        try:
            run()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out = self.capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)


@pytest.fixture()
def tg(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> InProcess:
    return InProcess(monkeypatch, capsys)


def assert_clean_refusal(proc: subprocess.CompletedProcess[str], *names: str) -> None:
    """Exit 2, a message starting with 'error:' that names what was wrong, no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    assert proc.stderr.lstrip().startswith("error:"), proc.stderr
    flat = " ".join(proc.stderr.split())  # rich may wrap long paths
    for name in names:
        assert name in flat or name in proc.stderr.replace("\n", ""), (name, proc.stderr)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding the small demo world."""
    path = tmp_path_factory.mktemp("cli") / "wh"
    ingest(Warehouse(path), "demo", [], scale="small", seed=3)
    return path


def ingest_args(gen: gen_st.Generated, folder: Path) -> list[str]:
    args = ["ingest", gen.source, *map(str, gen.paths(folder))]
    for key, value in gen.options.items():
        if key == "mapping":
            args += ["--mapping", str(folder / str(value))]
    return args


@pytest.mark.parametrize("kind", list(gen_st.VALID))
def test_broken_files_at_the_cli(kind: str, home: Path) -> None:
    """A random sample (2 per source) of broken files, in real subprocesses."""
    wh = Warehouse(home)
    seen: list[int] = []

    @settings(max_examples=2, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(case=gen_st.broken(kind))
    def check(case: tuple[gen_st.Generated, str]) -> None:
        gen, _ = case
        with tempfile.TemporaryDirectory() as tmp:
            before = snapshot(wh)
            proc = cli(home, *ingest_args(gen, Path(tmp)))
            seen.append(proc.returncode)
            assert "Traceback" not in proc.stderr, proc.stderr
            assert proc.returncode in (0, 2), proc.stderr
            if proc.returncode == 2:
                assert_clean_refusal(proc)
                assert snapshot(wh) == before
            else:  # a mutation that left the file valid: it says what it stored
                assert re.search(r"[\d,]+ rows (stored|unchanged)", proc.stdout), (
                    proc.stdout[-1000:])

    check()
    assert seen


#: A small valid input of every CSV layout (two rows that are loaded), and its file name.
VALID_CSV: dict[str, tuple[str, str, dict[str, bytes]]] = {
    "baci": ("BACI_HS17_Y2020_V202501.csv",
             "t,i,j,k,v,q\n2020,4,8,10101,1.500,NA\n2020,8,4,999999,2.000,3.0\n",
             {"country_codes_V202501.csv": b"country_code,country_iso3\n4,AFG\n8,ALB\n"}),
    "comtrade": ("comtrade.csv",
                 "refYear,period,reporterISO,partnerISO,flowCode,cmdCode,primaryValue,"
                 "classificationCode\n2020,2020,IND,RUS,X,0101,5.5,H5\n"
                 "2020,2020,IND,RUS,M,0102,7,H5\n", {}),
    "tidy": ("flows.csv", "from,to,hs,yr,val\nIND,RUS,0101,2020,5\nRUS,IND,2709,2020,7\n",
             {"mapping.toml": gen_st.MAPPING_TOML}),
    "india-dgcis": ("eidb.csv", "fy_start,hs8,partner,value_usd_million,quantity,unit\n"
                    "2022,01012100,RUSSIA,1.25,3,KGS\n2022,27090000,U S A,0.50,,KGS\n", {}),
    "russia-customs": ("customs.csv", "NAPR,PERIOD,STRANA,TNVED,EDIZM,STOIM,NETTO,KOL,Source\n"
                       "ИМ,2023-01-01,IND,0101210000,166,1000,10,,FTS\n"
                       "ЭК,2023-02-01,IND,270900,166,2000,10,,MIRROR\n", {}),
    "russia-demand": ("demand.csv", "TNVED4,NAPR,STOIM_last12,STOIM_year_before,NETTO_last12\n"
                      "0101,ИМ,1.5,1.0,10\n2709,ЭК,2.5,,\n", {}),
}


def write_valid(kind: str, folder: Path, damage: Any = None) -> list[str]:
    """Write the valid input of ``kind`` (damaged by ``damage``); the ingest arguments."""
    name, text, extra = VALID_CSV[kind]
    data = text.encode("utf-8")
    (folder / name).write_bytes(damage(data) if damage else data)
    for other, content in extra.items():
        (folder / other).write_bytes(content)
    args = ["ingest", kind, str(folder / name)]
    if kind == "tidy":
        args += ["--mapping", str(folder / "mapping.toml")]
    return args


#: Deterministic damage every source must refuse, by name → how to damage the input bytes.
DAMAGE = {
    "utf16": lambda b: b.decode("utf-8").encode("utf-16"),
    "wrong_header": lambda b: b"alpha,beta,gamma\n" + b.split(b"\n", 1)[1],
    "binary_garbage": lambda b: bytes(range(256)) * 4,
    "empty": lambda b: b"",
}


def bad_byte_in_code(kind: str) -> Any:
    """Bytes that are not UTF-8 in the code column of the first data row (the header stays
    readable)."""
    column = gen_st.CODE_COLUMN[kind][0]

    def damage(b: bytes) -> bytes:
        lines = b.split(b"\n")
        cells = lines[1].split(b",")
        cells[column] = b"\x80\xff" + cells[column]
        lines[1] = b",".join(cells)
        return b"\n".join(lines)

    return damage


@pytest.mark.parametrize("damage", ["utf16", "wrong_header", "binary_garbage", "empty",
                                    "bad_number", "bad_byte_in_code"])
@pytest.mark.parametrize("kind", list(VALID_CSV))
def test_damaged_csv_is_refused_at_the_cli(kind: str, damage: str, home: Path,
                                           tmp_path: Path, tg: InProcess) -> None:
    if damage == "bad_number":
        column = gen_st.VALUE_COLUMN[kind]
        how = lambda b: gen_st._set_cell(b, 1, column, "12,5x")  # noqa: E731
    elif damage == "bad_byte_in_code":
        how = bad_byte_in_code(kind)
    else:
        how = DAMAGE[damage]
    before = snapshot(Warehouse(home))
    args = write_valid(kind, tmp_path, how)
    assert_clean_refusal(tg(home, *args), Path(args[2]).name)
    assert snapshot(Warehouse(home)) == before


def test_the_valid_inputs_above_are_valid(home: Path, tmp_path: Path, tg: InProcess) -> None:
    """So that each refusal above is caused by its damage."""
    for kind in VALID_CSV:
        folder = tmp_path / kind
        folder.mkdir()
        proc = tg(tmp_path / "wh", *write_valid(kind, folder))
        assert proc.returncode == 0, (kind, proc.stderr)
        assert "set aside" not in proc.stdout or kind == "russia-demand", proc.stdout


def test_usage_mistakes_are_clear(home: Path, tmp_path: Path, tg: InProcess) -> None:
    before = snapshot(Warehouse(home))
    cases = [
        (["ingest", "no-such-source", str(tmp_path)], "no-such-source"),
        (["ingest", "comtrade", str(tmp_path / "missing.csv")], "missing.csv"),
        (["ingest", "comtrade", str(tmp_path)], str(tmp_path.name)),  # a folder, not a file
        (["ingest", "baci", str(tmp_path / "x.zip")], "x.zip"),
        (["ingest", "tidy", str(tmp_path / "x.csv"), "--set", "oops"], "oops"),
        (["data", "info", "no-such-dataset"], "no-such-dataset"),
    ]
    for args, named in cases:
        assert_clean_refusal(tg(home, *args), named)
    assert snapshot(Warehouse(home)) == before


@pytest.mark.parametrize(("args", "said"), [
    (["data", "info"], "Missing argument"),
    (["balance", "RUS"], "Missing argument"),
    (["serve", "--port", "eighty"], "Invalid value for '--port'"),
    (["balance", "RUS", "IND", "--no-such-option"], "No such option"),
    (["no-such-command"], "No such command"),
])
def test_usage_errors_are_click_messages_not_tracebacks(args: list[str], said: str, home: Path,
                                                         tg: InProcess) -> None:
    """A missing argument, an unknown option or command, a bad option value: click's usage
    message and exit 2 (typer raises its own copy of click's exceptions, which ``run`` must
    still recognise)."""
    proc = tg(home, *args)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and said in proc.stderr, proc.stderr
    assert "Usage:" in proc.stderr


def test_a_usage_error_at_the_console_script(home: Path) -> None:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("TRADEGAP_HOME", None)
    proc = subprocess.run([str(Path(sys.executable).with_name("tradegap")), "--home", str(home),
                           "data", "info"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "Missing argument 'name'" in proc.stderr


@pytest.mark.parametrize("command", [["plan", "run"], ["settle", "check"]])
@pytest.mark.parametrize("content", [b"\x80\x81 not utf-8", b"[pair\nexporter = ", b"a = 1\n",
                                     b"[period]\nhorizon = 1" + b"0" * 400 + b"\n"])
def test_broken_scenario_at_the_cli(command: list[str], content: bytes, home: Path,
                                    tmp_path: Path, tg: InProcess) -> None:
    path = tmp_path / "broken.toml"
    path.write_bytes(content)
    proc = tg(home, *command, str(path))
    assert_clean_refusal(proc, "broken.toml")


def test_scenario_is_a_folder(home: Path, tmp_path: Path, tg: InProcess) -> None:
    folder = tmp_path / "scen.toml"
    folder.mkdir()
    for command in (["plan", "run"], ["settle", "check"]):
        assert_clean_refusal(tg(home, *command, str(folder)), "scen.toml")


def test_a_real_subprocess_prints_no_traceback(home: Path, tmp_path: Path) -> None:
    """The in-process runner above stands for this: the real command, exit 2, one message."""
    bad = tmp_path / "BACI_HS17_Y2020_V202501.csv"
    bad.write_bytes("t,i,j,k,v,q\n2020,4,8,010101,1.0,NA\n".encode("utf-16"))
    (tmp_path / "country_codes_V202501.csv").write_text("country_code,country_iso3\n4,AFG\n8,ALB\n")
    before = snapshot(Warehouse(home))
    assert_clean_refusal(cli(home, "ingest", "baci", str(bad)), bad.name)
    assert snapshot(Warehouse(home)) == before


@pytest.mark.parametrize("kind", list(VALID_CSV))
def test_header_only_file_is_empty_or_refused(kind: str, home: Path, tmp_path: Path,
                                              tg: InProcess) -> None:
    """A file with its header and no rows: an empty dataset or a clear refusal, never a
    crash."""
    before = snapshot(Warehouse(home))
    args = write_valid(kind, tmp_path, lambda b: b.split(b"\n", 1)[0] + b"\n")
    proc = tg(tmp_path / "wh", *args)
    assert "Traceback" not in proc.stderr
    if proc.returncode == 2:
        assert_clean_refusal(proc, Path(args[2]).name)
    else:
        assert proc.returncode == 0 and " 0 rows stored" in proc.stdout, proc.stdout
    assert snapshot(Warehouse(home)) == before


#: Quantity columns per layout: a value there that is not a number is malformed, not blank.
QUANTITY_COLUMN = {"india-dgcis": 4, "russia-demand": 4}


@pytest.mark.parametrize("column", ["NETTO", "KOL"])
def test_russia_customs_quantity_that_is_not_a_number_is_refused(
        column: str, home: Path, tmp_path: Path, tg: InProcess) -> None:
    index = {"NETTO": 6, "KOL": 7}[column]
    args = write_valid("russia-customs", tmp_path,
                       lambda b: gen_st._set_cell(b, 1, index, "12 kg?"))
    proc = tg(tmp_path / "wh", *args)
    assert_clean_refusal(proc, "customs.csv", column, "12 kg?")


@pytest.mark.parametrize("kind", ["india-dgcis", "russia-demand"])
def test_quantity_that_is_not_a_number_is_refused(kind: str, home: Path, tmp_path: Path,
                                                 tg: InProcess) -> None:
    column = QUANTITY_COLUMN[kind]
    args = write_valid(kind, tmp_path, lambda b: gen_st._set_cell(b, 1, column, "12 kg?"))
    proc = tg(tmp_path / "wh", *args)
    assert_clean_refusal(proc, Path(args[2]).name, "12 kg?")


@pytest.mark.parametrize("kind", list(VALID_CSV))
def test_the_same_file_twice_is_refused(kind: str, home: Path, tmp_path: Path,
                                        tg: InProcess) -> None:
    """Passing one file twice would double count: refused with a clear message."""
    args = write_valid(kind, tmp_path)
    proc = tg(tmp_path / "wh", *args[:3], args[2], *args[3:])
    assert_clean_refusal(proc)
    assert not (tmp_path / "wh" / "catalog.duckdb").exists() or not Warehouse(
        tmp_path / "wh").datasets()
