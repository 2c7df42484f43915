"""`tradegap plan run SCENARIO.toml` and `tradegap plan compare A.toml B.toml …`: thin wrappers
over :func:`tradegap.planning.plan` and :func:`tradegap.planning.compare`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    import pandas as pd

CANDIDATES_OPTION = typer.Option(
    None, "--candidates", help="Candidates CSV/Parquet (overrides candidates.path in the TOML)."
)


def _candidates(path: Path | None) -> pd.DataFrame | None:
    if path is None:
        return None
    from tradegap.planning.scenario import read_candidates

    return read_candidates(path)


def _money_frame(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    import pandas as pd
    shown = frame.copy()
    for c in cols:
        shown[c] = shown[c].map(lambda v: "—" if pd.isna(v) else f"{v / 1e6:,.1f}")
    return shown


def register(app: typer.Typer) -> None:
    """Add the ``plan`` command group to ``app``."""
    group = typer.Typer(help="Plan extra purchases that close a share of the trade gap "
                        "(`tradegap plan FILE.toml` runs one scenario).",
                        no_args_is_help=True, cls=RunByDefault)

    @group.command("run")
    def run(
        scenario: Path = typer.Argument(..., help="Scenario TOML file (see scenarios/)."),
        candidates: Path = CANDIDATES_OPTION,
        as_json: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
        charts: Path = CHARTS_OPTION,
    ) -> None:
        """Solve a scenario: the plan per product and year, the balance path, what binds."""
        import pandas as pd

        from tradegap.planning import plan

        result = plan(scenario, _candidates(candidates))
        if out is not None:
            write_table(result.table, out)
        if charts is not None:
            from tradegap.report.charts_plan import balance_path, binding_constraints, mix_bars

            figures = {"balance_path": balance_path(result)}
            if result.feasible:
                figures |= {"mix": mix_bars(result), "binding": binding_constraints(result)}
            for path in write_charts(figures, charts):
                err_console.print(f"chart: {path}")
        if as_json:
            print_json(result.to_dict())
            return
        sc = result.scenario
        label = result.provenance.label
        console.print(f"[bold]{sc.name}[/bold]: {sc.market} buys more from {sc.exporter} — "
                      f"status [bold]{result.status}[/bold]" + (" (MILP)" if result.is_mip else ""))
        console.print(rich_table(
            _money_frame(result.path, ["baseline_gap", "target_usd", "extra_purchases",
                                       "projected_gap"]).assign(
                year=result.path["year"].astype(str),
                share_closed=result.path["share_closed"].map(
                    lambda v: "—" if pd.isna(v) else f"{v:.1%}")),
            title="Balance path (US$ m)", caption=label))
        if result.feasible:
            final = result.table[result.table["year"] == result.table["year"].max()]
            top = final.sort_values("extra_usd", ascending=False).head(15)
            console.print(rich_table(
                _money_frame(top[["product", "name", "group", "route", "extra_usd"]],
                             ["extra_usd"]),
                title=f"Largest extra purchases in {int(result.path['year'].iloc[-1])} (US$ m)"))
            console.print(rich_table(
                _money_frame(result.mix, ["extra_usd"]).assign(
                    share=result.mix["share"].map(lambda v: f"{v:.1%}")),
                title="Mix by group, final year (US$ m)"))
            if len(result.binding):
                console.print("[bold]What binds[/bold]")
                for s in result.binding["sentence"]:
                    console.print(f"  • {s}")
        elif result.infeasibility is not None:
            console.print(f"[bold red]No plan meets every limit.[/bold red] "
                          f"{result.infeasibility.sentence}")
        for note in result.notes:
            console.print(f"[dim]note: {note}[/dim]")

    @group.command("compare")
    def compare_cmd(
        scenarios: list[Path] = typer.Argument(..., help="Two or more scenario TOML files."),
        candidates: Path = CANDIDATES_OPTION,
        as_json: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
    ) -> None:
        """Side by side: gap closed, mix by group, binding constraints."""
        import pandas as pd

        from tradegap.planning import compare, plan

        cands = _candidates(candidates)
        table = compare(*(plan(s, cands) for s in scenarios))
        if out is not None:
            write_table(table, out)
        if as_json:
            print_json(table)
            return
        shown = table.copy()
        shown["gap_closed_usd"] = shown["gap_closed_usd"].map(
            lambda v: "—" if pd.isna(v) else f"{v / 1e6:,.0f} m")
        for c in [c for c in shown.columns if c.startswith("mix_") or c == "share_closed"]:
            shown[c] = shown[c].map(lambda v: "—" if pd.isna(v) else f"{v:.1%}")
        shown["is_mip"] = shown["is_mip"].map(lambda v: "yes" if v else "no")
        shown["final_year"] = shown["final_year"].astype(str)
        shown = shown.astype(str).set_index("scenario").T.reset_index(names="")
        console.print(rich_table(shown, title="Scenarios compared"))

    app.add_typer(group, name="plan")
