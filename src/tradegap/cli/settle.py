"""`tradegap settle run SCENARIO.toml`: simulate settlement in national currencies."""

from __future__ import annotations

from pathlib import Path

import typer

from tradegap.cli.common import (
    CHARTS_OPTION,
    JSON_OPTION,
    OUT_OPTION,
    RunByDefault,
    console,
    err_console,
    print_json,
    write_charts,
    write_table,
)
from tradegap.cli.tables import FORMAT_OPTION, Output
from tradegap.progress import task

#: The monthly columns shown, in order; the last ones give way in a narrow terminal.
SHOWN = ("month", "fx_local", "inflow_local", "imports_paid_local", "idle_local", "idle_usd",
         "cum_cost_usd", "securities_bought_local", "fund_paid_local", "converted_local")
OPTIONAL = ["converted_local", "fund_paid_local", "securities_bought_local", "inflow_local"]
LABELS = {"fx_local": "rate per US$", "inflow_local": "paid in", "imports_paid_local":
          "imports paid", "idle_local": "idle balance", "idle_usd": "idle, US$",
          "cum_cost_usd": "cost to date", "securities_bought_local": "securities bought",
          "fund_paid_local": "fund paid", "converted_local": "converted"}


def _kinds(currency: str) -> dict[str, str]:
    kinds = {c: f"money:{currency}" for c in SHOWN if c.endswith("_local")}
    return kinds | {"month": "text", "fx_local": "number", "idle_usd": "money",
                    "cum_cost_usd": "money"}


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
        fmt: str = FORMAT_OPTION,
    ) -> None:
        """Run SCENARIO month by month; with --plan, also show what the plan changes."""
        import pandas as pd

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
        from tradegap.report.format import money

        s = result.summary
        printer = Output(fmt, console)
        printer.synthetic(result.provenance)
        cur = str(s["currency"])
        monthly = result.monthly[[c for c in SHOWN if c in result.monthly]]
        printer.table(monthly, f"Settlement month by month: {s['scenario']}",
                      kinds=_kinds(cur), labels=LABELS, optional=list(OPTIONAL))
        printer.note(f"Amounts in {cur} unless marked US$. The idle balance peaks at "
                     f"{money(s['peak_idle_usd'])} in {s['peak_idle_month']} and averages "
                     f"{money(s['average_idle_usd'])}; holding it costs "
                     f"{money(s['total_cost_usd'])} in all.")
        if result.bands is not None:
            bands = result.bands
            printer.table(bands, f"Idle balance and cost, {draws} exchange-rate draws "
                          "(5th, 50th and 95th percentiles)",
                          kinds={c: "money" for c in bands.columns if c != "month"}
                          | {"month": "text"},
                          labels={c: c.replace("idle_usd_", "idle ").replace(
                              "cum_cost_usd_", "cost ") for c in bands.columns})
        if comparison is not None:
            rows = [{"measure": k, **v} for k, v in comparison.summary.items()]
            frame = pd.DataFrame(rows)
            printer.table(frame, "What the plan changes",
                          kinds={"measure": "name"} | {c: ("share" if "share" in c else "money")
                                                       for c in frame.columns
                                                       if c != "measure"})

    @settle_app.command("check")
    def check(scenario: Path = typer.Argument(..., help="Scenario TOML.")) -> None:
        """Validate SCENARIO without running it."""
        from tradegap.settlement import load_scenario

        sc = load_scenario(scenario)
        console.print(f"{scenario}: valid ({sc.months} months from {sc.start}, drains "
                      f"{', '.join(sc.order)})")

    app.add_typer(settle_app, name="settle")
