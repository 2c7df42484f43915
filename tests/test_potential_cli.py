"""Export potential from the warehouse (demo world, real reference distances and growth): the
reduced pair flows give the global SQL numbers; the CLI prints, writes and labels synthetic."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tradegap.analysis.displacement import displacement
from tradegap.analysis.potential import PotentialParams
from tradegap.analysis.potential_sql import global_potential
from tradegap.analysis.potential_warehouse import potential
from tradegap.cli.main import app
from tradegap.errors import InputError
from tradegap.provenance import SYNTHETIC_LABEL
from tradegap.sources import demo
from tradegap.warehouse import Warehouse


@pytest.fixture(scope="module")
def demo_wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    wh = Warehouse(tmp_path_factory.mktemp("wh"))
    years = [2022, 2023, 2024]
    wh.write("demo", demo.generate(scale=20_000, years="2022-2024"), source="demo",
             fingerprint="demo-20000", synthetic=True,
             provenance=demo.provenance(20_000, demo.DEFAULT_SEED, years))
    return wh


def test_warehouse_pair_equals_global_sql(demo_wh: Warehouse) -> None:
    params = PotentialParams()
    result, flows = potential(demo_wh, "IND", "RUS", params, top=None)
    assert result.year == 2024 and len(result.table) > 5
    assert result.provenance.synthetic and result.provenance.datasets == ["demo"]
    assert (result.table["rca"] >= 1).all()
    con = demo_wh.connect()
    glob = global_potential(con, 2024, params, dataset="demo", reporter="reconciled",
                            digits=6).df()
    glob = glob[(glob.exporter == "IND") & (glob.importer == "RUS")]
    merged = result.table.merge(glob, on="product", suffixes=("_pair", "_sql"), validate="1:1")
    assert len(merged) == len(result.table) == len(glob)
    for col in ("supply", "demand", "ease", "potential", "untapped"):
        np.testing.assert_allclose(merged[f"{col}_pair"], merged[f"{col}_sql"], rtol=1e-9)
    # Displacement under constant imports keeps every product's shares summing to one.
    d = displacement(flows, result)
    sums = d.groupby("product")[["share_now", "share_after"]].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)


def test_several_datasets_need_a_choice(demo_wh: Warehouse, tmp_path) -> None:
    wh = Warehouse(tmp_path / "two")
    for name in ("a", "b"):
        wh.write(name, demo.generate(scale=500, years="2024"), source="demo",
                 fingerprint=name, synthetic=True)
    with pytest.raises(InputError, match="--dataset"):
        potential(wh, "IND", "RUS")


def test_cli_json_out_chart(demo_wh: Warehouse, tmp_path) -> None:
    out, chart = tmp_path / "pot.csv", tmp_path / "pot.html"
    res = CliRunner().invoke(app, [
        "--home", str(demo_wh.home), "potential", "--exporter", "IND", "--market", "RUS",
        "--top", "5", "--json", "--out", str(out), "--chart", str(chart), "--displaced",
    ])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert payload["provenance"]["synthetic"] is True
    assert SYNTHETIC_LABEL in payload["provenance"]["label"]
    assert len(payload["table"]) == 5
    untapped = [r["untapped"] for r in payload["table"]]
    assert untapped == sorted(untapped, reverse=True)
    assert len(payload["displacement"]) == 5
    # the file says it is synthetic on its first line (as the dashboard's downloads do)
    first, header = out.read_text().splitlines()[:2]
    assert first == f"# {SYNTHETIC_LABEL}" and header.startswith("exporter,market,product")
    assert len(pd.read_csv(out, skiprows=1)) == 5
    xlsx, parquet = tmp_path / "pot.xlsx", tmp_path / "pot.parquet"
    for path in (xlsx, parquet):
        res = CliRunner().invoke(app, ["--home", str(demo_wh.home), "potential", "--exporter",
                                       "IND", "--market", "RUS", "--top", "5", "--out",
                                       str(path)])
        assert res.exit_code == 0, res.output
    assert pd.read_excel(xlsx, sheet_name="about")["note"].tolist() == [SYNTHETIC_LABEL]
    assert len(pd.read_excel(xlsx, sheet_name="table")) == 5
    import pyarrow.parquet as pq

    meta = pq.read_schema(parquet).metadata
    assert meta[b"tradegap.label"].decode() == SYNTHETIC_LABEL
    assert len(pd.read_parquet(parquet)) == 5
    assert "SYNTHETIC" in chart.read_text()


def test_cli_table_and_groups(demo_wh: Warehouse) -> None:
    """The installed console script's table shows the Python API's rows, in its order, each
    with its RCA, potential, actual and untapped value."""
    import os
    import subprocess
    import sys


    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("TRADEGAP_HOME", None)
    proc = subprocess.run([str(Path(sys.executable).with_name("tradegap")), "--home",
                           str(demo_wh.home), "potential", "--group", "agri,pharma", "--top",
                           "8"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(SYNTHETIC_LABEL)
    result, _ = potential(demo_wh, "IND", "RUS", groups=["agri", "pharma"], top=8)
    assert (f"India (IND) in Russia (RUS): export potential by product, largest untapped "
            f"first (base {result.year})") in " ".join(proc.stdout.split())
    assert f"ease of trade {result.ease:.3g}" in proc.stdout
    # the same rows as numbers: --format csv keeps raw values
    csv_run = subprocess.run([str(Path(sys.executable).with_name("tradegap")), "--home",
                              str(demo_wh.home), "potential", "--group", "agri,pharma", "--top",
                              "8", "--format", "csv"], capture_output=True, text=True, env=env,
                             timeout=300)
    assert csv_run.returncode == 0, csv_run.stderr
    import io

    shown = pd.read_csv(io.StringIO(csv_run.stdout), comment="#", dtype={"product": str})
    want = result.table.set_index("product")
    assert sorted(shown["product"]) == sorted(want.index)
    for row in shown.itertuples(index=False):
        w = want.loc[row.product]
        assert row.untapped == pytest.approx(w["untapped"], rel=1e-9, abs=1e-6)
        assert row.potential == pytest.approx(w["potential"], rel=1e-9)
        assert pytest.approx(w["rca"], rel=1e-9) == row.RCA

def test_groups_filter_products(demo_wh: Warehouse) -> None:
    from tradegap.reference.groups import group_of

    result, _ = potential(demo_wh, "IND", "RUS", groups=["agri", "pharma"], top=None)
    assert len(result.table) > 0
    assert set(group_of(result.table["product"])) <= {"agri", "pharma"}


def test_charts(demo_wh: Warehouse) -> None:
    from tradegap.report.charts_potential import potential_vs_actual, top_opportunities

    result, _ = potential(demo_wh, "IND", "RUS", top=12)
    bar = top_opportunities(result, top=10)
    assert [t.name for t in bar.data] == ["actual exports", "untapped potential"]
    assert len(bar.data[0].y) == 10
    # largest untapped potential is drawn on top (last category of a horizontal bar chart)
    assert bar.data[1].x[-1] == pytest.approx(result.table["untapped"].iloc[0] / 1e6)
    assert "SYNTHETIC" in bar.layout.title.text
    scatter = potential_vs_actual(result)
    assert len(scatter.data[0].x) == (result.table["potential"] > 0).sum()
