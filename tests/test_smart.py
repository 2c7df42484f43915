"""SMART partial equilibrium: a hand-worked single-product, three-supplier case, zero change,
and the command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradegap.analysis.smart import apply_cut, smart
from tradegap.errors import InputError

TRADEGAP = str(Path(sys.executable).with_name("tradegap"))

# One product; suppliers A 100, B 200, C 300 (US$), all at 10 %; A's tariff cut to 0.
# ε_m = −1, σ = 1.5, infinite supply elasticity.
#   t̂_A = (0 − 0.1)/1.1 = −1/11; t̂_B = t̂_C = 0; Σ s t̂ = (1/6)(−1/11) = −1/66.
#   TC_A = 100 · (−1) · (−1/11) = 100/11 = 9.0909091
#   TD_A = −1.5 · 100 · (−1/11 + 1/66) = 150 · 5/66 = 11.3636364
#   TD_B = −1.5 · 200 · (1/66) = −4.5454545;  TD_C = −1.5 · 300 · (1/66) = −6.8181818
#   revenue: before 0.1 · 600 = 60; after 0.1 · (200 − 4.5454545 + 300 − 6.8181818)
#            = 48.8636364
#   welfare = ½ · 0.1 · 100/11 = 0.4545455
CASE = pd.DataFrame({"product": ["0101"] * 3, "supplier": ["A", "B", "C"],
                     "imports": [100.0, 200.0, 300.0], "tariff": [0.1, 0.1, 0.1],
                     "new_tariff": [0.0, 0.1, 0.1]})


def test_hand_worked_three_suppliers() -> None:
    r = smart(CASE, import_elasticity=-1.0, substitution=1.5, supply_elasticity=float("inf"))
    t = r.table.set_index("supplier")
    assert t.loc["A", "creation"] == pytest.approx(100 / 11, abs=1e-6)
    assert t.loc["B", "creation"] == 0 and t.loc["C", "creation"] == 0
    assert t.loc["A", "diversion"] == pytest.approx(150 * 5 / 66, abs=1e-6)
    assert t.loc["B", "diversion"] == pytest.approx(-300 / 66, abs=1e-6)
    assert t.loc["C", "diversion"] == pytest.approx(-450 / 66, abs=1e-6)
    assert t["diversion"].sum() == pytest.approx(0, abs=1e-9)
    assert r.totals["revenue_before"] == pytest.approx(60, abs=1e-6)
    assert r.totals["revenue_after"] == pytest.approx(0.1 * (500 - 750 / 66), abs=1e-6)
    assert r.totals["welfare"] == pytest.approx(0.05 * 100 / 11, abs=1e-6)
    assert t.loc["A", "price_change"] == pytest.approx(-1 / 11, abs=1e-12)
    assert (t["world_price_change"] == 0).all()


def test_finite_supply_elasticity_damps_the_effects() -> None:
    # ε_x = 4: TC_A = 100 · (−1)(−1/11) / (1 + 1/4) = 7.2727273
    r = smart(CASE, import_elasticity=-1.0, substitution=1.5, supply_elasticity=4.0)
    t = r.table.set_index("supplier")
    assert t.loc["A", "creation"] == pytest.approx(100 / 11 / 1.25, abs=1e-6)
    assert t.loc["A", "diversion"] == pytest.approx(150 * 5 / 66 / (1 + 1.5 / 4), abs=1e-6)
    assert t.loc["A", "world_price_change"] > 0  # more demand raises A's price


def test_zero_change_gives_zero_effects() -> None:
    same = CASE.assign(new_tariff=CASE["tariff"])
    r = smart(same, import_elasticity=-1.5)
    cols = ["creation", "diversion", "change", "price_change", "welfare"]
    assert np.abs(r.table[cols].to_numpy()).max() == 0
    assert r.totals["revenue_after"] == pytest.approx(r.totals["revenue_before"])


def test_apply_cut_and_errors() -> None:
    cut = apply_cut(CASE.drop(columns="new_tariff"), "A", 1.0)
    assert cut["new_tariff"].tolist() == [0.0, 0.1, 0.1]
    with pytest.raises(InputError, match="no imports from"):
        apply_cut(CASE, "Z", 0.5)
    with pytest.raises(InputError, match="negative"):
        smart(CASE, import_elasticity=1.0)


def test_cli_smart(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    CASE.drop(columns="new_tariff").to_csv(path, index=False)
    run = subprocess.run([TRADEGAP, "smart", str(path), "--partner", "A", "--tariff-cut", "1",
                          "--import-elasticity", "-1", "--supply-elasticity", "inf", "--json"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    totals = json.loads(run.stdout)["totals"]
    assert totals["welfare"] == pytest.approx(0.05 * 100 / 11, abs=1e-6)
    run = subprocess.run([TRADEGAP, "smart", str(path), "--partner", "A"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_smart_from_the_warehouse(tmp_path: Path) -> None:
    """The demo world's imports of RUS with a tariff file: bilateral rates first, then the
    market's rate for all partners; rows without a tariff are counted, not zero."""
    from tradegap.analysis.smart_warehouse import market_imports
    from tradegap.sources import demo, ingest
    from tradegap.warehouse import Warehouse

    wh = Warehouse(tmp_path / "wh")
    wh.write("demo", demo.generate(scale=20_000, years="2024"), source="demo",
             fingerprint="demo-20000", synthetic=True,
             provenance=demo.provenance(20_000, demo.DEFAULT_SEED, [2024]))
    con = wh.connect()
    top = con.sql("SELECT product, exporter, SUM(value_usd) v FROM flows WHERE importer = 'RUS' "
                  "GROUP BY 1, 2 ORDER BY v DESC LIMIT 1").df().iloc[0]
    con.close()
    product, supplier = top["product"], top["exporter"]
    tariff_file = tmp_path / "t.csv"
    tariff_file.write_text(
        "reporter,partner,product,year,duty_type,simple_average_pct\n"
        f"RUS,{supplier},{product},2024,applied,2.0\n"
        f"RUS,WLD,{product},2024,mfn,10.0\n", encoding="utf-8")
    ingest(wh, "tariffs", [tariff_file])
    table, prov = market_imports(wh, "RUS")
    assert prov.synthetic and set(table["product"]) == {product}
    rates = table.set_index("supplier")["tariff"]
    assert rates[supplier] == pytest.approx(0.02)
    assert np.allclose(rates.drop(supplier).to_numpy(), 0.10)
    assert any("without a tariff" in n for n in prov.notes)
    r = smart(apply_cut(table, supplier, 1.0), import_elasticity=-1.5)
    assert r.totals["creation"] > 0 and abs(r.totals["diversion"]) < 1e-6


def test_cli_smart_table_and_out(tmp_path: Path) -> None:
    """The printed effects by supplier and totals are the JSON's numbers; ``--out`` writes the
    rows (hand-worked case: creation 9.0909091, welfare 0.4545455)."""
    path, out = tmp_path / "m.csv", tmp_path / "rows.csv"
    CASE.drop(columns="new_tariff").to_csv(path, index=False)
    args = [TRADEGAP, "smart", str(path), "--partner", "A", "--tariff-cut", "1",
            "--import-elasticity", "-1", "--supply-elasticity", "inf"]
    env = {**os.environ, "COLUMNS": "160", "NO_COLOR": "1"}
    shown = subprocess.run([*args, "--out", str(out)], capture_output=True, text=True,
                           timeout=300, env=env)
    assert shown.returncode == 0, shown.stderr
    payload = json.loads(subprocess.run([*args, "--json"], capture_output=True, text=True,
                                        timeout=300, env=env).stdout)
    totals = payload["totals"]
    lines = {line.split()[0]: line.split()[-1] for line in shown.stdout.splitlines()
             if line.split() and line.split()[0] in totals}
    assert lines == {k: f"{v:,.2f}" for k, v in totals.items()}
    assert lines["welfare"] == "0.45" and lines["creation"] == "9.09"
    assert "effects by supplier" in shown.stdout
    rows = {line.split()[1]: line.split() for line in shown.stdout.splitlines()
            if line.startswith("│") and line.split()[1] in ("A", "B", "C")}
    assert set(rows) == {"A", "B", "C"}
    assert "9.09" in rows["A"] and "11.36" in rows["A"]  # creation and diversion to A
    assert "-4.55" in rows["B"] and "-6.82" in rows["C"]  # diverted from B and C
    written = pd.read_csv(out)
    assert len(written) == len(payload["rows"]) == 3


def _smart(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    from tests.subprocess_env import minimal_env

    return subprocess.run([TRADEGAP, "--home", str(home), "smart", *args], capture_output=True,
                          text=True, timeout=300,
                          env=minimal_env(COLUMNS="200", PATH="/usr/bin", NO_COLOR="1"))


HAND = ["--import-elasticity", "-1", "--supply-elasticity", "inf", "--json"]


def test_cli_smart_on_the_warehouse_reproduces_the_hand_worked_case(tmp_path: Path) -> None:
    """The case above as RUS's imports from ARG, BRA, CHL in a warehouse, with RUS's MFN rate
    of 10 % from a tariffs file: cutting ARG's tariff gives the same numbers."""
    home = tmp_path / "wh"
    flows, rates = tmp_path / "flows.csv", tmp_path / "tariffs.csv"
    flows.write_text("year,exporter,importer,product,value_usd\n2024,ARG,RUS,0101,100\n"
                     "2024,BRA,RUS,0101,200\n2024,CHL,RUS,0101,300\n")
    rates.write_text("reporter,partner,product,year,duty_type,simple_average_pct\n"
                     "RUS,WLD,0101,2024,mfn,10.0\n")
    maps = [a for f in ("year", "exporter", "importer", "product", "value_usd")
            for a in ("--map", f"{f}={f}")]
    for args in (["tidy", str(flows), *maps, "--set", "hs_revision=HS17",
                  "--set", "reporter=importer"], ["tariffs", str(rates)]):
        done = subprocess.run([TRADEGAP, "--home", str(home), "ingest", *args],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    run = _smart(home, "--market", "RUS", "--partner", "ARG", "--tariff-cut", "1", *HAND)
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout)
    assert payload["totals"]["creation"] == pytest.approx(100 / 11, abs=1e-9)
    assert payload["totals"]["revenue_after"] == pytest.approx(0.1 * (500 - 750 / 66), abs=1e-9)
    diversion = {r["supplier"]: r["diversion"] for r in payload["by_supplier"]}
    assert diversion == pytest.approx({"ARG": 750 / 66, "BRA": -300 / 66, "CHL": -450 / 66})


def test_cli_smart_new_tariff_column_and_product_filter(tmp_path: Path) -> None:
    given = tmp_path / "given.csv"
    CASE.to_csv(given, index=False)  # its own new_tariff column: no --partner needed
    run = _smart(tmp_path / "wh", str(given), *HAND)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["totals"]["creation"] == pytest.approx(100 / 11, abs=1e-9)
    # a second product, 3004, with the same suppliers: --products 01 cuts A's tariff on 0101
    # only, so the effects are those of the one-product case
    two = tmp_path / "two.csv"
    pd.concat([CASE, CASE.assign(product="3004")]).drop(columns="new_tariff").to_csv(
        two, index=False)
    run = _smart(tmp_path / "wh", str(two), "--partner", "A", "--tariff-cut", "1",
                 "--products", "01", *HAND)
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)["rows"]
    assert {(r["product"], r["supplier"]): r["new_tariff"] for r in rows} == {
        ("0101", "A"): 0.0, ("0101", "B"): 0.1, ("0101", "C"): 0.1,
        ("3004", "A"): 0.1, ("3004", "B"): 0.1, ("3004", "C"): 0.1}
    assert json.loads(run.stdout)["totals"]["creation"] == pytest.approx(100 / 11, abs=1e-9)


def test_cli_smart_refusals_name_the_file_or_option(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    CASE.drop(columns="new_tariff").to_csv(path, index=False)
    for args, message in [
        ([], "error: field '--market': give an imports file or --market"),
        ([str(path)], f"error: {path}: no tariff change: give --partner and --tariff-cut, or "
                      "a new_tariff column"),
        ([str(path), "--partner", "A", "--tariff-cut", "1", "--import-elasticity", "1"],
         f"error: {path}"),
    ]:
        run = _smart(tmp_path / "wh", *args)
        assert run.returncode == 2, (args, run.stdout)
        assert "Traceback" not in run.stderr
        assert message in " ".join(run.stderr.split()), run.stderr
    assert "import-demand elasticity 1.0 must be negative" in " ".join(run.stderr.split())
