"""Promises of the command line, through the installed console script on a tiny hand-made
tidy file: ``ingest tidy --map/--set``, ``--max-bad-rows`` and the set-aside counts in ``data
info``, ``balance --frequency fiscal_year_in`` with hand-worked totals, a missing side shown as
missing (JSON null with its reason, "—" in the table and on the dashboard page), ``--out
FILE.json``, SYNTHETIC on every table of a demo warehouse, the README's Python example, and
``.ci/run`` refusing to run without ../shared/data."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tradegap.provenance import SYNTHETIC_LABEL
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]
TRADEGAP = str(Path(sys.executable).with_name("tradegap"))

#: India's exports to Russia in March and April 2023, Russia's to India in April 2023, and a
#: malformed row (line 5). Indian fiscal years start in April: FY2022-23 holds March 2023.
FLOWS_CSV = ("from,to,hs,per,val\nIND,RUS,0101,2023-03,100\nIND,RUS,0101,2023-04,250\n"
             "RUS,IND,2709,2023-04,1000\nIND,RUS,0102,2023-05,oops\n")
MAP = ["--map", "exporter=from", "--map", "importer=to", "--map", "product=hs", "--map",
       "period=per", "--map", "value_usd=val", "--set", "hs_revision=HS17", "--set",
       "reporter=exporter"]


def tg(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "250", "NO_COLOR": "1"}
    env.pop("TRADEGAP_HOME", None)
    return subprocess.run([TRADEGAP, "--home", str(home), *args], capture_output=True,
                          text=True, env=env, timeout=300, cwd=ROOT)


@pytest.fixture(scope="module")
def tidy_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("promises")
    (tmp / "flows.csv").write_text(FLOWS_CSV)
    home = tmp / "wh"
    refused = tg(home, "ingest", "tidy", str(tmp / "flows.csv"), *MAP)
    assert refused.returncode == 2, refused.stderr
    flat = " ".join(refused.stderr.split())
    assert "1 of 4 rows are malformed (limit 0 rows); nothing was written" in flat
    assert "flows.csv:5, field 'val'" in flat and "value 'oops'" in flat
    assert not Warehouse(home).datasets()
    loaded = tg(home, "ingest", "tidy", str(tmp / "flows.csv"), *MAP, "--max-bad-rows", "1")
    assert loaded.returncode == 0, loaded.stderr
    assert "tidy: 3 rows stored" in loaded.stdout
    assert re.search(r"\b1\s+malformed: missing, non-numeric or negative value", loaded.stdout)
    return home


def test_data_info_shows_what_was_set_aside(tidy_home: Path) -> None:
    proc = tg(tidy_home, "data", "info", "tidy")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Dataset tidy")
    assert re.search(r"^rows\s+3\s*$", proc.stdout, re.M), proc.stdout
    assert re.search(r"^set aside at ingest\s+malformed: missing, non-numeric or negative "
                     r"value: 1\s*$", proc.stdout, re.M), proc.stdout
    assert re.search(r"^2023-04\s+month\s+2\s+US\$ 1\.2 k\s", proc.stdout, re.M), proc.stdout
    assert re.search(r"^2023-03\s+month\s+1\s+US\$ 100\s", proc.stdout, re.M), proc.stdout


def test_fiscal_years_and_a_missing_side_at_the_cli(tidy_home: Path) -> None:
    proc = tg(tidy_home, "balance", "IND", "RUS", "--frequency", "fiscal_year_in", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = {r["period"]: r for r in json.loads(proc.stdout)["summary"]}
    fy22, fy23 = rows["FY2022-23"], rows["FY2023-24"]
    # FY2022-23 (April 2022 – March 2023): India's March exports; no Russian side at all
    assert fy22["exports"] == 100.0
    assert fy22["imports"] is None and fy22["balance"] is None  # JSON null, not 0
    assert fy22["imports_note"] == "missing: no dataset reports RUS→IND for FY2022-23"
    assert (fy23["exports"], fy23["imports"], fy23["balance"]) == (250.0, 1000.0, -750.0)
    table = tg(tidy_home, "balance", "IND", "RUS", "--frequency", "fiscal_year_in")
    assert table.returncode == 0, table.stderr
    def cells(period: str) -> list[str]:
        line = next(ln for ln in table.stdout.splitlines() if ln.startswith(period))
        return re.split(r"\s{2,}", line.strip())

    assert cells("FY2022-23")[:4] == ["FY2022-23 (partial)", "US$ 100", "—", "—"]
    assert "missing: no dataset reports RUS→IND for FY2022-23" in " ".join(table.stdout.split())
    assert cells("FY2023-24")[:4] == ["FY2023-24 (partial)", "US$ 250", "US$ 1.0 k", "−US$ 750"]


def test_a_missing_side_on_the_dashboard(tidy_home: Path) -> None:
    from fastapi.testclient import TestClient

    from tradegap.web import create_app

    client = TestClient(create_app(tidy_home))
    api = client.get("/api/balance?a=IND&b=RUS&frequency=fiscal_year_in").json()
    row = next(r for r in api["summary"] if r["period"] == "FY2022-23")
    assert row["imports"] is None and row["exports"] == 100.0
    page = client.get("/balance?a=IND&b=RUS&frequency=fiscal_year_in",
                      headers={"accept": "text/html"}).text
    start = re.search(r">FY2022-23[^<]*</td>", page).start()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page[start - 40: start + 1500], re.S)
    assert "—" in cells[:6], cells[:6]
    assert "no dataset reports RUS→IND for FY2022-23" in page


def test_out_json_holds_the_rows_shown(tidy_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "balance.json"
    proc = tg(tidy_home, "balance", "IND", "RUS", "--frequency", "calendar_year", "--out",
              str(out))
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(out.read_text())
    [year] = [r for r in rows if r["period"] == "2023"]
    # exports cover March and April, imports April only: no balance from unequal months
    assert (year["exports"], year["imports"], year["balance"]) == (350.0, 1000.0, None)
    assert year["exports_note"] == "partial: 2 of 12 months"


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo") / "wh"
    ingest(Warehouse(home), "demo", [], scale="small", seed=1)
    return home


@pytest.mark.parametrize("args", [
    ["plan", "scenarios/all-sectors.toml"],
    ["balances", "--top", "3"],
    ["potential-global", "--top", "3"],
    ["balance", "RUS", "IND"],
])
def test_every_table_from_demo_data_says_synthetic(demo_home: Path, args: list[str]) -> None:
    proc = tg(demo_home, *args)
    assert proc.returncode == 0, proc.stderr
    assert SYNTHETIC_LABEL in proc.stdout, proc.stdout[:2000]


def test_the_readme_python_example_runs(demo_home: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    """The README's Python block, run as written (its warehouse path pointed at a demo one)."""
    readme = (ROOT / "README.md").read_text()
    [block] = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert 'open_warehouse("~/tradegap-warehouse")' in block
    code = block.replace('"~/tradegap-warehouse"', repr(str(demo_home)))
    monkeypatch.chdir(ROOT)
    names: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), names)  # noqa: S102
    result, est, plan = names["result"], names["est"], names["plan"]
    assert len(result.summary) > 0 and result.provenance.synthetic  # type: ignore[attr-defined]
    assert len(est.table) > 0 and est.method == "itc"  # type: ignore[attr-defined]
    assert len(names["cands"]) > 0  # type: ignore[arg-type]
    assert plan.summary()["share_closed"] == pytest.approx(0.25)  # type: ignore[attr-defined]


def test_ci_run_fails_without_shared_data(tmp_path: Path) -> None:
    """.ci/run in a checkout with no ../shared/data beside it: exit 1 and says why, before it
    runs anything."""
    project = tmp_path / "project"
    (project / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "run", project / ".ci" / "run")
    (project / "Makefile").write_text("test:\n\ttouch ran-make\n")
    proc = subprocess.run(["bash", str(project / ".ci" / "run")], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1
    assert "../shared/data is missing" in proc.stderr
    assert not (project / "ran-make").exists()
