"""Export potential from what the warehouse holds: the share benchmark (hand-worked), the
method choice, and on the real warehouse (../shared/data) the CLI through the console script,
the Python API and the plausibility of the demand method's figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.subprocess_env import minimal_env
from tradegap.analysis.demand_potential import (
    BenchmarkParams,
    benchmark_of,
    demand_potential,
    share_benchmarks,
)
from tradegap.analysis.headroom import HeadroomParams, headroom_table
from tradegap.analysis.potential_estimate import choose_method, estimate_potential
from tradegap.errors import InputError
from tradegap.warehouse import Warehouse

TRADEGAP = str(Path(sys.executable).with_name("tradegap"))
M = 1e6


def test_share_benchmarks_hand_worked() -> None:
    """Two bins of log(capacity / demand): {A, B} (ratios 0.1, 0.2) and {C, D} (10, 20); the
    median share in each: (0.01 + 0.03) / 2 = 0.02 and (0.2 + 0.4) / 2 = 0.3."""
    every = pd.DataFrame({
        "product": ["000A", "000B", "000C", "000D", "000Z"],
        "demand": [100 * M, 100 * M, 100 * M, 100 * M, 0.5 * M],  # Z: under min_demand
        "current": [1 * M, 3 * M, 20 * M, 40 * M, 0.4 * M],
        "capacity": [10 * M, 20 * M, 1000 * M, 2000 * M, 900 * M],
    })
    bench = share_benchmarks(every, BenchmarkParams(quantile=0.5, bins=2))
    assert list(bench["products"]) == [2, 2]
    assert list(bench["ratio_low"]) == pytest.approx([0.1, 10.0])
    assert list(bench["benchmark_share"]) == pytest.approx([0.02, 0.3])
    got = benchmark_of(pd.Series([0.05, 5.0, 15.0, float("nan")]), bench)
    assert list(got[:3]) == pytest.approx([0.02, 0.02, 0.3]) and pd.isna(got[3])
    # the benchmark never falls as the supply ratio rises (cummax)
    every.loc[2:3, "current"] = [0.0, 1 * M]
    assert share_benchmarks(every, BenchmarkParams(quantile=0.5, bins=2))[
        "benchmark_share"].is_monotonic_increasing
    with pytest.raises(InputError, match="at least 10"):
        share_benchmarks(every)


def test_demand_potential_hand_worked() -> None:
    """Benchmarks 2 % (ratio < 10) and 30 % (ratio ≥ 10); share cap 30 %."""
    bench = pd.DataFrame({"bin": [0, 1], "ratio_low": [0.1, 10.0], "ratio_high": [0.2, 20.0],
                          "products": [2, 2], "benchmark_share": [0.02, 0.30]})
    head = headroom_table(pd.DataFrame({
        "product": ["000E", "000F", "000G", "000H", "000J"],
        "group": ["other"] * 5,
        "demand": [1000 * M, 1000 * M, 1000 * M, 1000 * M, 0.5 * M],
        "current": [10 * M, 5 * M, 50 * M, 0.0, 0.0],
        "capacity": [15000 * M, 5000 * M, 5000 * M, 12 * M, 100 * M],
    }), HeadroomParams(share_cap=0.30))
    r = demand_potential(head, bench).set_index("product")
    # E: ratio 15 → 30 % = the cap: 300 − 10 = 290
    assert r.loc["000E", "realistic"] == pytest.approx(290 * M)
    assert r.loc["000E", "binds"] == "share cap"
    # F: ratio 5 → 2 %: 20 − 5 = 15
    assert r.loc["000F", "realistic"] == pytest.approx(15 * M)
    assert r.loc["000F", "binds"] == "share benchmark"
    assert "up to 2.0%" in r.loc["000F", "why"]
    # G: already holds 5 % > 2 %: nothing
    assert r.loc["000G", "realistic"] == 0.0 and "already holds more" in r.loc["000G", "why"]
    # H: the room is 20 but its world sales are 12
    assert r.loc["000H", "realistic"] == pytest.approx(12 * M)
    assert r.loc["000H", "binds"] == "capacity"
    # J: the market imports under US$ 1 m
    assert r.loc["000J", "realistic"] == 0.0 and r.loc["000J", "binds"] == "no demand"
    assert (r["realistic"] <= r["headroom"] + 1e-6).all()


def test_no_method_without_data_says_what_is_missing(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "wh")
    with pytest.raises(InputError, match="import demand") as err:
        choose_method(wh, "IND", "RUS")
    assert "no world flows" in str(err.value)
    with pytest.raises(InputError, match="world flows"):
        choose_method(wh, "IND", "RUS", "itc")
    with pytest.raises(InputError, match="unknown method"):
        choose_method(wh, "IND", "RUS", "gravity")


# -- the real warehouse --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def estimate(real_home: Path):  # noqa: ANN201 - a PotentialEstimate
    return estimate_potential(Warehouse(real_home), "IND", "RUS", ["agri", "pharma"],
                              gravity=False)


def test_real_potential_picks_the_demand_method(estimate) -> None:  # noqa: ANN001
    assert estimate.method == "demand"
    assert "no world flows for the ITC method" in estimate.why
    inputs = estimate.inputs
    assert (inputs.current_dataset, inputs.current_year) == ("russia-customs-mirror", 2024)
    assert (inputs.capacity_dataset, inputs.capacity_period) == ("india-dgcis", "FY2024-25")
    assert not estimate.provenance.synthetic
    assert set(estimate.table["group"]) == {"agri", "pharma"}


def test_real_potential_is_plausible(estimate) -> None:  # noqa: ANN001
    """Large demand with a low share comes near the top; dominated products are out; every
    product says what binds it; the estimate never exceeds the headroom."""
    r = estimate.table.set_index("product")
    # medicaments: Russia imports US$ 8.10 bn, India holds 4.8 % and sells US$ 21.1 bn to the
    # world; in the products where India's world sales are 2.0–3.2× Russia's imports India
    # reaches 14.2 % in the best tenth: (0.141564 − 0.047665) × 8.097 bn = US$ 760 m
    med = r.loc["3004"]
    assert med["demand"] == pytest.approx(8.097295e9, rel=1e-6)
    assert med["share_now"] == pytest.approx(0.047665, abs=1e-6)
    assert med["benchmark_share"] == pytest.approx(0.141564, abs=1e-6)
    assert med["extra"] == pytest.approx(760.33e6, rel=1e-4)
    assert med["extra_basis"] == "share benchmark" and med["rank"] == 1
    big = estimate.table[(estimate.table["demand"] >= 1e9) & (estimate.table["share_now"] < 0.1)
                         & (estimate.table["capacity"] >= estimate.table["demand"])]
    assert len(big) >= 1 and (big["extra"] > 0).all() and (big["rank"] <= 5).all()
    # dominated: rice (India holds 97 % of a US$ 73 m market), tea: nothing more
    dominated = estimate.table[estimate.table["share_now"] >= 0.5]
    assert {"1006", "0902"} <= set(dominated["product"])
    assert (dominated["extra"] == 0).all()
    assert (estimate.table["extra"] <= estimate.table["headroom"] + 1e-6).all()
    assert set(estimate.table["extra_basis"]) <= {"share benchmark", "share cap", "capacity",
                                                 "no demand", "net exporter"}
    assert estimate.table["why"].notna().all()
    # the totals (US$ m): pharma 845.6, agri 735.9, out of 6,898.8 of headroom
    by_group = estimate.table.groupby("group")["extra"].sum() / 1e6
    assert by_group["pharma"] == pytest.approx(845.61, abs=0.01)
    assert by_group["agri"] == pytest.approx(735.92, abs=0.01)
    assert estimate.table["headroom"].sum() / 1e6 == pytest.approx(6898.81, abs=0.01)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TRADEGAP, *args], capture_output=True, text=True, timeout=900,
                          env=minimal_env(COLUMNS="80", PATH="/usr/bin:/bin", HOME="/tmp"))


def test_potential_cli_on_the_real_warehouse(real_home: Path, estimate) -> None:  # noqa: ANN001
    proc = _cli("--home", str(real_home), "potential", "--exporter", "IND", "--market", "RUS",
                "--group", "agri,pharma", "--no-gravity", "--top", "5")
    assert proc.returncode == 0, proc.stderr
    assert "method: demand method" in proc.stdout and "SYNTHETIC" not in proc.stdout
    assert "3004" in proc.stdout and "760 m" in proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80
    proc = _cli("--home", str(real_home), "potential", "--exporter", "IND", "--market", "RUS",
                "--group", "agri,pharma", "--no-gravity", "--json", "--top", "3")
    body = json.loads(proc.stdout)
    assert body["method"] == "demand" and body["total"] == pytest.approx(estimate.total)
    assert [row["product"] for row in body["table"]] == list(estimate.table["product"][:3])
    # the ITC method needs world flows: a clear error, exit 2, no traceback
    proc = _cli("--home", str(real_home), "potential", "--method", "itc")
    assert proc.returncode == 2 and "world flows" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = _cli("--home", str(real_home), "potential", "--displaced")  # not silently ignored
    assert proc.returncode == 2 and "need the ITC method" in proc.stderr


def test_plan_builds_its_candidates_from_the_warehouse(real_home: Path, tmp_path: Path) -> None:
    """`tradegap --home WH plan scenarios/russia-india-real.toml` solves; the candidates are the
    potential's (agri + pharma: US$ 1,581.5 m a year at the end of the ramp, 2.65 % of the
    scenario's US$ 59.61 bn gap)."""
    root = Path(__file__).resolve().parents[1] / "scenarios"
    proc = _cli("--home", str(real_home), "plan", str(root / "russia-india-real.toml"),
                "--json")
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert body["status"] == "optimal" and not body["provenance"]["synthetic"]
    final = body["path"][-1]
    assert final["extra_purchases"] == pytest.approx(1581.53e6, rel=1e-4)
    assert final["share_closed"] == pytest.approx(1581.53e6 / 59.61e9, rel=1e-4)
    proc = _cli("--home", str(real_home), "plan", "compare",
                str(root / "russia-india-real.toml"),
                str(root / "russia-india-real-all-sectors.toml"),
                str(root / "russia-india-real-industry.toml"), "--json")
    assert proc.returncode == 0, proc.stderr
    rows = {r["scenario"]: r for r in json.loads(proc.stdout)}
    assert rows["russia-india-real"]["share_closed"] < \
        rows["russia-india-real-industry"]["share_closed"] < \
        rows["russia-india-real-all-sectors"]["share_closed"]
    # without the data: a clear error naming what the warehouse lacks
    proc = _cli("--home", str(tmp_path / "empty"), "plan", str(root / "russia-india-real.toml"))
    assert proc.returncode == 2 and "import demand" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_scenario_candidates_options_are_validated(tmp_path: Path) -> None:
    from tradegap.planning import load_scenario, plan
    from tradegap.tomlfile import read_toml

    root = Path(__file__).resolve().parents[1] / "scenarios"
    sc = load_scenario(root / "russia-india-real.toml")
    assert sc.candidates_path is None and sc.potential_options.basis == "extra"
    text = (root / "russia-india-real.toml").read_text()
    cases = {"candidates.basis": text.replace('basis = "extra"', 'basis = "bogus"'),
             "candidates.method": text.replace("synthetic = false",
                                               'synthetic = false\nmethod = "ols"')}
    for field, bad in cases.items():
        path = tmp_path / "bad.toml"
        path.write_text(bad)
        with pytest.raises(InputError) as err:
            load_scenario(path)
        assert err.value.field == field and err.value.file == str(path)
    assert read_toml(root / "russia-india-real-all-sectors.toml")["candidates"]["path"] == \
        "from potential"
    # candidates from the potential need a warehouse
    with pytest.raises(InputError, match="needs a warehouse") as err:
        plan(sc)
    assert "--home" in (err.value.hint or "")
