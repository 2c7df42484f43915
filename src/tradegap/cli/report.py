"""`tradegap report A B --out report.html|pdf`: one file with every section."""

from __future__ import annotations

from pathlib import Path

import typer

from tradegap.cli.common import console, state
from tradegap.progress import task


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report_command(
        ctx: typer.Context,
        a: str = typer.Argument(..., help="ISO3 of the economy seen from (e.g. RUS)."),
        b: str = typer.Argument(..., help="ISO3 of its partner (e.g. IND)."),
        out: Path = typer.Option(..., "--out", help="report.html (self-contained, opens "
                                 "offline) or report.pdf."),
        scenario: Path = typer.Option(None, "--scenario", help="Plan scenario TOML (default: "
                                      "the shipped scenarios/all-sectors.toml when it is "
                                      "about this pair; scenarios/russia-india-real.toml "
                                      "uses the real-data plan of the headroom section)."),
        no_plan: bool = typer.Option(False, "--no-plan", help="Leave the plan section out."),
        no_headroom: bool = typer.Option(False, "--no-headroom", help="Leave the headroom "
                                         "ranking and real-data plan out (they need the real "
                                         "datasets: tradegap case-study russia-india --home)."),
        settlement: Path = typer.Option(None, "--settlement", help="Settlement scenario TOML "
                                        "(adds the settlement section)."),
        draws: int = typer.Option(200, "--draws", min=0, max=2000, help="Monte Carlo draws "
                                  "for the settlement bands (0: none)."),
        dataset: list[str] = typer.Option(None, "--dataset", help="Use only these datasets "
                                          "for the balance (repeatable)."),
        frequency: str = typer.Option("calendar_year", "--frequency",
                                      help="calendar_year or fiscal_year_in."),
        top: int = typer.Option(25, "--top", min=1, max=500, help="Products listed in the "
                                "potential section."),
    ) -> None:
        """Summary, balance, export potential, headroom and real-data plan (when the warehouse
        holds the real datasets), plan, settlement (with and without the plan), data &
        provenance and assumptions in one HTML or PDF file, from the same templates as the
        dashboard."""
        from tradegap.report.html import ReportOptions, write_report

        options = ReportOptions(scenario=scenario, settlement=settlement, draws=draws,
                                datasets=dataset or None, frequency=frequency, top=top,
                                plan=not no_plan, headroom=not no_headroom)
        with task(f"Writing the report {out.name}"):
            path = write_report(state(ctx).warehouse(), a, b, out, options)
        console.print(f"report written to {path}")
