"""The query layer on DuckDB: hand-worked balances and indicators over many pairs, agreement
with the pandas indicators, the HS4 rollup, and engine choice."""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

from tradegap.analysis import indicators
from tradegap.analysis.many_pairs import OUTPUT_COLUMNS, balances, balances_sql
from tradegap.config import resolve_engine, spark_master
from tradegap.engine import open_engine, rollup
from tradegap.engine.duck import DuckDBEngine
from tradegap.errors import InputError
from tradegap.sources import ingest

#: A → B: p1 10, p2 30; B → A: p1 20; A → C: p1 40; C → B: p2 100 (one year). World 200.
TINY = pd.DataFrame({
    "exporter": ["A", "A", "B", "A", "C"],
    "importer": ["B", "B", "A", "C", "B"],
    "product": ["p1", "p2", "p1", "p1", "p2"],
    "year": [2020] * 5,
    "value_usd": [10.0, 30.0, 20.0, 40.0, 100.0],
    "period_type": ["calendar_year"] * 5,
})


@pytest.fixture(scope="module")
def tiny_pairs() -> pd.DataFrame:
    con = duckdb.connect()
    con.register("tiny", TINY)
    out = DuckDBEngine(con).sql(balances_sql(source="tiny"))
    return out.set_index(["a", "b"])


def test_balance_hand_worked(tiny_pairs: pd.DataFrame) -> None:
    ab = tiny_pairs.loc[("A", "B")]
    assert (ab["exports"], ab["imports"], ab["balance"], ab["turnover"]) == (40, 20, 20, 60)
    assert tiny_pairs.loc[("B", "A"), "balance"] == -20
    # every ordered pair that trades either way: AB, BA, AC, CA, BC, CB
    assert len(tiny_pairs) == 6
    assert list(tiny_pairs.reset_index().columns) == list(OUTPUT_COLUMNS)


def test_indicators_hand_worked(tiny_pairs: pd.DataFrame) -> None:
    ab = tiny_pairs.loc[("A", "B")]
    # TI = (40 / 80) / (140 / 200); GL = 2·min(10, 20) / 60; Aquino = min(10/40, 20/20)
    assert ab["intensity"] == pytest.approx(0.5 / 0.7, rel=1e-12)
    assert ab["gl"] == pytest.approx(1 / 3, rel=1e-12)
    assert ab["gl_aquino"] == pytest.approx(0.25, rel=1e-12)
    # shares 0.25, 0.75: H = 0.625, normalised (0.625 − 0.5) / 0.5; one product imported → 1
    assert ab["hhi_exports"] == pytest.approx(0.25, rel=1e-12)
    assert ab["hhi_imports"] == 1.0
    assert tiny_pairs.loc[("B", "A"), "intensity"] == pytest.approx(10.0, rel=1e-12)
    ac = tiny_pairs.loc[("A", "C")]
    assert ac["gl"] == 0.0 and math.isnan(ac["gl_aquino"])  # one-way trade
    assert math.isnan(tiny_pairs.loc[("C", "A"), "hhi_exports"])  # C sells nothing to A


def test_countries_keep_world_totals(tiny_pairs: pd.DataFrame) -> None:
    con = duckdb.connect()
    con.register("tiny", TINY)
    out = DuckDBEngine(con).sql(balances_sql(source="tiny", countries=["a", "b"]))
    assert sorted(zip(out["a"], out["b"], strict=True)) == [("A", "B"), ("B", "A")]
    row = out.set_index(["a", "b"]).loc[("A", "B")]
    assert row["intensity"] == pytest.approx(tiny_pairs.loc[("A", "B"), "intensity"])


@pytest.fixture(scope="module")
def demo_wh(tmp_path_factory: pytest.TempPathFactory):
    from tradegap.warehouse import Warehouse

    wh = Warehouse(tmp_path_factory.mktemp("engine") / "wh")
    ingest(wh, "demo", [], scale="tiny", years="2023-2024")
    return wh


def test_many_pairs_agree_with_pandas_indicators(demo_wh) -> None:
    res = balances(demo_wh, years=(2024, 2024))
    assert res.engine == "duckdb" and res.provenance.synthetic
    table = res.table.set_index(["a", "b"])
    con = demo_wh.connect()
    flows = con.sql("SELECT exporter, importer, product, value_usd FROM flows "
                    "WHERE year = 2024 AND exporter <> importer AND value_usd > 0").df()
    ti = indicators.trade_intensity(flows).set_index(["exporter", "importer"])["intensity"]
    for a, b in [("IND", "RUS"), ("RUS", "IND"), ("CHN", "USA"), ("DEU", "FRA")]:
        row = table.loc[(a, b)]
        x = flows[(flows.exporter == a) & (flows.importer == b)].groupby("product").value_usd.sum()
        m = flows[(flows.exporter == b) & (flows.importer == a)].groupby("product").value_usd.sum()
        assert row["exports"] == pytest.approx(x.sum(), rel=1e-12)
        assert row["imports"] == pytest.approx(m.sum(), rel=1e-12)
        assert row["intensity"] == pytest.approx(ti.loc[(a, b)], rel=1e-9)
        assert row["gl"] == pytest.approx(indicators.grubel_lloyd_aggregate(x, m), rel=1e-9)
        assert row["gl_aquino"] == pytest.approx(
            indicators.grubel_lloyd_aggregate(x, m, aquino=True), rel=1e-9)
        assert row["hhi_exports"] == pytest.approx(indicators.hhi(x), rel=1e-9, abs=1e-12)
        assert row["products_exported"] == len(x)


def test_rollup_to_hs4(demo_wh) -> None:
    with open_engine(demo_wh) as eng:
        hs4 = rollup(eng, 4, years=(2024, 2024))
        total = eng.rows("SELECT SUM(value_usd), COUNT(*) FROM flows WHERE year = 2024")[0]
    assert hs4["product"].str.len().eq(4).all()
    assert hs4["value_usd"].sum() == pytest.approx(total[0], rel=1e-12)
    assert hs4["flows"].sum() == total[1]
    assert not hs4.duplicated(["exporter", "importer", "product", "year"]).any()
    with pytest.raises(ValueError):
        rollup(eng, 0)


def test_engine_write_and_choice(demo_wh, tmp_path, monkeypatch) -> None:
    with open_engine(demo_wh, "duckdb") as eng:
        path = eng.write("SELECT * FROM flows WHERE year = 2024", tmp_path / "f.parquet")
        with pytest.raises(InputError):
            eng.write("SELECT 1", tmp_path / "f.xlsx")
    with demo_wh.connect() as con:
        expected = con.execute("SELECT COUNT(*) FROM flows WHERE year = 2024").fetchone()[0]
    assert len(pd.read_parquet(path)) == expected > 1000
    import pyarrow.parquet as pq

    # result files are snappy (engine.base.RESULT_PARQUET_CODEC), not the warehouse's zstd
    assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "SNAPPY"
    monkeypatch.setenv("TRADEGAP_ENGINE", "spark")
    assert resolve_engine() == "spark" and resolve_engine("duckdb") == "duckdb"
    with pytest.raises(InputError):
        resolve_engine("postgres")
    monkeypatch.setenv("TRADEGAP_SPARK_MASTER", "spark://h:7077")
    assert spark_master() == "spark://h:7077" and spark_master("local[2]") == "local[2]"
    monkeypatch.delenv("TRADEGAP_SPARK_MASTER")
    assert spark_master() == "local[*]"


def test_cli_potential_global_and_balances(demo_wh, tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from tradegap.cli.main import app

    runner = CliRunner()
    home = ["--home", str(demo_wh.home)]
    out = tmp_path / "pot.parquet"
    res = runner.invoke(app, [*home, "potential-global", "--year", "2024", "--window", "1",
                              "--engine", "duckdb", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output)
    assert summary["engine"] == "duckdb" and summary["provenance"]["synthetic"]
    table = pd.read_parquet(out)
    assert len(table) > 100 and (table["untapped"] >= 0).all()
    res = runner.invoke(app, [*home, "balances", "--countries", "IND,RUS", "--years", "2024",
                              "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)["table"]
    assert {(r["a"], r["b"]) for r in rows} == {("IND", "RUS"), ("RUS", "IND")}
    res = runner.invoke(app, [*home, "balances", "--years", "twenty"])
    assert res.exit_code != 0
