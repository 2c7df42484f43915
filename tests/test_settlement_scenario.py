"""Settlement scenarios: TOML validation names the key and what is allowed; FX paths; the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tradegap.cli.main import app
from tradegap.errors import InputError
from tradegap.settlement import load_plan, load_scenario, simulate
from tradegap.settlement.fx import FxSpec, central_path, fx_draws, gbm_draws

GOOD = """
[scenario]
name = "small"
surplus = "RUS"
deficit = "IND"
start = "2023-11"
months = 4
synthetic = true

[inflows]
exports_usd = [10.0, 10.0, 20.0, 20.0]
settled_share = { "2023-11" = 0.5, "2024-01" = 0.25 }

[costs]
idle_rate = 0.12

[drains]
order = ["conversion", "imports"]

[drains.imports]
baseline_usd = 1.0

[drains.conversion]
capacity_usd = { "2023-11" = 1.0, "2024-02" = 3.0 }
spread = 0.1

[fx.deficit]
currency = "INR"
per_usd = 80.0

[fx.surplus]
currency = "RUB"
csv = "rub.csv"
"""

RUB_CSV = "month,per_usd\n2023-11,90\n2023-12,91\n2024-01,92\n2024-02,93\n2024-03,94\n"


def write(tmp_path: Path, text: str = GOOD) -> Path:
    (tmp_path / "rub.csv").write_text(RUB_CSV)
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


def test_good_scenario_loads_and_runs(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path))
    # Tables hold each value from their month on; 2024-01 starts the 0.25 share.
    np.testing.assert_allclose(sc.settled_share, [0.5, 0.5, 0.25, 0.25])
    np.testing.assert_allclose(sc.conversion.capacity_usd, [1, 1, 1, 3])
    np.testing.assert_allclose(sc.fx_surplus.path, [90, 91, 92, 93])
    assert sc.order == ("conversion", "imports")
    m = simulate(sc).monthly
    # Inflow 10·0.5·80 = 400, 400, 20·0.25·80 = 400, 400; conversion takes 80, 80, 80, 240 first.
    np.testing.assert_allclose(m["converted_local"], [80, 80, 80, 240])
    np.testing.assert_allclose(m["imports_paid_local"], [80, 80, 80, 80])
    np.testing.assert_allclose(m["idle_local"], [240, 480, 720, 800])
    np.testing.assert_allclose(m["idle_surplus_ccy"], m["idle_usd"] * [90, 91, 92, 93])


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ('name = "small"', 'name = "small"\ncolour = "red"', "scenario.colour", "allowed:"),
        ("months = 4", "months = 0", "scenario.months", "1 to 600"),
        ('start = "2023-11"', 'start = "November"', "scenario.start", "YYYY-MM"),
        ("exports_usd = [10.0, 10.0, 20.0, 20.0]", "exports_usd = [10.0, 10.0]",
         "inflows.exports_usd", "one number per month"),
        ("exports_usd = [10.0, 10.0, 20.0, 20.0]", "exports_usd = -1.0",
         "inflows.exports_usd", "allowed: 0.0"),
        ('settled_share = { "2023-11" = 0.5, "2024-01" = 0.25 }', "settled_share = 1.5",
         "inflows.settled_share", "1.0"),
        ('settled_share = { "2023-11" = 0.5, "2024-01" = 0.25 }',
         'settled_share = { "2024-01" = 0.25 }', "inflows.settled_share", "2023-11"),
        ("spread = 0.1", "spread = 0.9", "drains.conversion.spread", "0.5"),
        ("spread = 0.1", 'spread = "low"', "drains.conversion.spread", "expected a number"),
        ('order = ["conversion", "imports"]', 'order = ["conversion", "imports", "taxes"]',
         "drains.order", "securities"),
        ('order = ["conversion", "imports"]', 'order = ["conversion"]', "drains.order",
         "configured"),
        ("baseline_usd = 1.0", "baseline = 1.0", "drains.imports.baseline", "baseline_usd"),
        ('currency = "INR"\nper_usd = 80.0', 'currency = "INR"', "fx.deficit.per_usd",
         "exactly one"),
        ("per_usd = 80.0", "per_usd = 80.0\nvolatility = 3.0", "fx.deficit.volatility", "2.0"),
        ("idle_rate = 0.12", "idle_rat = 0.12", "costs.idle_rat", "idle_rate"),
    ],
)
def test_validation_names_the_key(tmp_path: Path, old: str, new: str, field: str,
                                  message: str) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.field == field
    assert info.value.file == str(path)
    assert message in str(info.value)


def test_missing_sections_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_scenario(write(tmp_path, GOOD.replace("[inflows]", "[inflow]")))
    assert info.value.field == "inflow"
    with pytest.raises(InputError, match="not valid TOML"):
        load_scenario(write(tmp_path, "[scenario\n"))
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "absent.toml")


def test_fund_schedule_over_commitment(tmp_path: Path) -> None:
    text = GOOD.replace('order = ["conversion", "imports"]',
                        'order = ["conversion", "imports", "fund"]')
    text = text.replace("[fx.deficit]",
                        "[drains.fund]\ncommitted_usd = 5.0\nschedule = 0.3\n\n[fx.deficit]")
    with pytest.raises(InputError) as info:
        load_scenario(write(tmp_path, text))
    assert info.value.field == "drains.fund.schedule"
    assert "at most 1" in str(info.value)


def test_fx_csv_missing_month(tmp_path: Path) -> None:
    path = write(tmp_path)
    (tmp_path / "rub.csv").write_text("month,per_usd\n2023-11,90\n")
    with pytest.raises(InputError, match="no rate for 2023-12"):
        load_scenario(path)


def test_gbm_mean_and_median() -> None:
    # E[S_t] = S_0 e^{μt}; median = S_0 e^{(μ−σ²/2)t}. 20,000 draws at t = 1 year.
    spec = FxSpec("INR", np.full(13, 80.0), drift=0.05, volatility=0.2)
    paths = gbm_draws(spec, np.random.default_rng(1).standard_normal((20_000, 13)))
    assert paths[:, 0] == pytest.approx(80.0)
    assert paths[:, 12].mean() == pytest.approx(80 * np.exp(0.05), rel=0.01)
    assert np.median(paths[:, 12]) == pytest.approx(80 * np.exp(0.05 - 0.02), rel=0.01)
    assert central_path(spec)[12] == pytest.approx(80 * np.exp(0.05))
    # Correlation of monthly log returns follows ρ.
    a, b = fx_draws(spec, FxSpec("RUB", np.full(13, 90.0), volatility=0.3), 0.6, 5000, seed=2)
    ra, rb = np.diff(np.log(a), axis=1).ravel(), np.diff(np.log(b), axis=1).ravel()
    assert np.corrcoef(ra, rb)[0, 1] == pytest.approx(0.6, abs=0.02)


def test_load_plan(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("month,extra_usd\n2023-12,2.0\n2024-01,1.0\n")
    plan = load_plan(path)
    assert plan.to_dict() == {"2023-12": 2.0, "2024-01": 1.0}
    path.write_text("month,extra_usd\n2023-12,lots\n")
    with pytest.raises(InputError) as info:
        load_plan(path)
    assert (info.value.line, info.value.field) == (2, "extra_usd")


def test_cli_run_json_out_and_plan(tmp_path: Path) -> None:
    scenario = write(tmp_path)
    plan = tmp_path / "plan.csv"
    plan.write_text("month,extra_usd\n2023-12,2.0\n2024-01,2.0\n")
    out = tmp_path / "monthly.csv"
    runner = CliRunner()
    result = runner.invoke(app, ["settle", "run", str(scenario), "--draws", "20", "--seed", "3",
                                 "--plan", str(plan), "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["summary"]["draws"] == 20 and len(payload["bands"]) == 4
    assert payload["comparison"]["summary"]["final_idle_usd"]["reduction"] == pytest.approx(4.0)
    assert out.read_text().startswith("month,")
    table = runner.invoke(app, ["settle", "run", str(scenario)])
    assert table.exit_code == 0 and "Settlement month by month: small" in table.output


def test_cli_check_reports_bad_key(tmp_path: Path) -> None:
    scenario = write(tmp_path, GOOD.replace("spread = 0.1", "spread = 0.9"))
    result = CliRunner().invoke(app, ["settle", "check", str(scenario)])
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "drains.conversion.spread"


def test_cli_shorthand_runs_the_scenario(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["settle", str(write(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["summary"]["final_idle_usd"] == pytest.approx(10.0)


def test_draws_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        simulate(load_scenario(write(tmp_path)), draws=0)
    assert info.value.field == "draws"


def test_shipped_fund_scenario_pays_the_commitment() -> None:
    root = Path(__file__).resolve().parents[1]
    result = simulate(load_scenario(root / "scenarios" / "settlement-fund.toml"))
    # 2 bn committed, 4 % a month for 25 months: all paid, none in arrears.
    assert result.summary["fund_paid_usd"] == pytest.approx(2.0e9, rel=1e-9)
    assert result.summary["fund_arrears_usd"] == pytest.approx(0.0, abs=1e-3)
    assert result.monthly["fund_paid_local"].gt(0).sum() == 25
