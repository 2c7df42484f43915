"""`tradegap settle run SCENARIO.toml`: simulate settlement in national currencies."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from tradegap.cli.common import (
    CHARTS_OPTION,
    JSON_OPTION,
    OUT_OPTION,
    RunByDefault,
    console,
    err_console,
    print_json,
    rich_table,
    write_charts,
    write_table,
)
from tradegap.progress import task

BN = 1e9


def _in_billions(frame: pd.DataFrame, keep: tuple[str, ...] = ("month", "fx_local", "measure",
                                                              "reduction_share")) -> pd.DataFrame:
    """Money columns divided by 10⁹ and labelled "bn", for the terminal."""
    shown = frame.copy()
    for column in shown.columns:
        if column not in keep and pd.api.types.is_numeric_dtype(shown[column]):
            shown[column] = shown[column] / BN
            shown = shown.rename(columns={column: f"{column} bn"})
    return shown


SHOWN = ("month", "fx_local", "inflow_local", "imports_paid_local", "securities_bought_local",
         "fund_paid_local", "converted_local", "idle_local", "idle_usd", "cum_cost_usd")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    settle_app = typer.Typer(
        help="Simulate trade settled in national currencies: vostro balances, their drains and "
        "costs. `settle SCENARIO.toml` is short for `settle run SCENARIO.toml`.",
        no_args_is_help=True,
        cls=RunByDefault,
    )

    @settle_app.command("run")
    def run(
        scenario: Path = typer.Argument(..., help="Scenario TOML (see scenarios/settlement-*)."),
        draws: int = typer.Option(None, "--draws", help="Monte Carlo exchange-rate draws."),
        seed: int = typer.Option(0, "--seed", help="Seed of the Monte Carlo draws."),
        plan: Path = typer.Option(
            None, "--plan", help="CSV of extra purchases: month (YYYY-MM), extra_usd. "
            "The run is then compared with the scenario without the plan."),
        json_: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
        charts: Path = CHARTS_OPTION,
    ) -> None:
        """Run SCENARIO month by month; with --plan, also show what the plan changes."""
        from tradegap.settlement import compare, load_plan, load_scenario, simulate

        sc = load_scenario(scenario)
        plan_path = load_plan(plan) if plan is not None else None
        with task("Settlement" + (f", {draws:,} Monte Carlo draws" if draws else "")):
            result = simulate(sc, plan_path=plan_path, draws=draws, seed=seed)
        comparison = None
        if plan_path is not None:
            comparison = compare(simulate(sc, draws=draws, seed=seed), result)
        if out is not None:
            write_table(result.monthly, out)
        if charts is not None:
            from tradegap.report.charts_settlement import cumulative_cost, vostro_path

            figures = {"vostro": vostro_path(result), "cost": cumulative_cost(result)}
            for path in write_charts(figures, charts):
                err_console.print(f"chart: {path}")
        if json_:
            payload = result.to_dict()
            payload["comparison"] = None if comparison is None else comparison.to_dict()
            print_json(payload)
            return
        s = result.summary
        caption = (f"{result.provenance.label}. Amounts in {s['currency']} unless *_usd. "
                   f"Peak idle US$ {s['peak_idle_usd'] / 1e9:,.2f} bn ({s['peak_idle_month']}), "
                   f"average US$ {s['average_idle_usd'] / 1e9:,.2f} bn, total cost US$ "
                   f"{s['total_cost_usd'] / 1e9:,.3f} bn.")
        console.print(rich_table(_in_billions(result.monthly[list(SHOWN)]),
                                 title=f"Settlement: {s['scenario']}", caption=caption))
        if result.bands is not None:
            console.print(rich_table(_in_billions(result.bands),
                                     title=f"Idle balance and cost bands, {draws} draws"))
        if comparison is not None:
            rows = [{"measure": k, **v} for k, v in comparison.summary.items()]
            console.print(rich_table(_in_billions(pd.DataFrame(rows)),
                                     title="What the plan changes"))

    @settle_app.command("check")
    def check(scenario: Path = typer.Argument(..., help="Scenario TOML.")) -> None:
        """Validate SCENARIO without running it."""
        from tradegap.settlement import load_scenario

        sc = load_scenario(scenario)
        console.print(f"{scenario}: valid ({sc.months} months from {sc.start}, drains "
                      f"{', '.join(sc.order)})")

    app.add_typer(settle_app, name="settle")
