"""`tradegap measures SCENARIO.toml`: devise the package of measures and write its brief."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tradegap.cli.common import JSON_OPTION, console, err_console, print_json, rich_table, state

if TYPE_CHECKING:
    import pandas as pd


BN = 1e9


def package_view(result) -> pd.DataFrame:
    """The package for the terminal: sizes in US$ bn, shares in %."""
    import pandas as pd
    pkg = result.package
    if pkg.empty:
        return pkg
    years = [c for c in pkg.columns if c.startswith("usd_")]
    out = pd.DataFrame({"#": pkg["rank"], "measure": pkg["measure"]})
    for c in years:
        out[f"{c[4:]} bn"] = pkg[c] / BN
    out["trade gap %"] = pkg["share_trade_gap"] * 100
    out["idle gap %"] = pkg["share_idle_gap"] * 100
    out["cost m"] = pkg["cost_usd"] / 1e6
    out["from"] = pkg["time_to_effect"]
    if "total_usd_p5" in pkg.columns:
        out["band bn"] = [f"{a / BN:,.2f}–{b / BN:,.2f}" for a, b in
                          zip(pkg["total_usd_p5"], pkg["total_usd_p95"], strict=True)]
    return out


def register(app: typer.Typer) -> None:
    """Add the ``measures`` command to ``app``."""

    @app.command("measures")
    def measures_command(
        ctx: typer.Context,
        scenario: Path = typer.Argument(..., help="Measures scenario TOML (see "
                                        "scenarios/measures-*.toml)."),
        candidates: Path = typer.Option(None, "--candidates", help="Candidates CSV/Parquet "
                                        "(overrides the scenario's)."),
        draws: int = typer.Option(None, "--draws", help="Monte Carlo exchange-rate draws "
                                  "(default: the scenario's)."),
        seed: int = typer.Option(None, "--seed", help="Seed of the draws."),
        no_check: bool = typer.Option(False, "--no-check", help="Skip the shadow prices "
                                      "(one re-solve per binding limit)."),
        json_: bool = JSON_OPTION,
        out: Path = typer.Option(None, "--out", help="Write the brief: .html, .pdf or .md."),
    ) -> None:
        """Devise measures that soften the pair's imbalance: purchases, market access,
        logistics and the drains of the idle balance, in one optimisation."""
        from tradegap.errors import InputError
        from tradegap.measures import load_scenario, measures

        if out is not None and out.suffix.lower() not in (".html", ".pdf", ".md"):
            raise InputError(f"unknown brief format {out.suffix or '(no extension)'!r}",
                             file=str(out), field="--out", hint="name it .html, .pdf or .md")
        sc = load_scenario(scenario)
        wh = state(ctx).warehouse() if sc.data is not None else None
        result = measures(sc, candidates, warehouse=wh, draws=draws, seed=seed,
                          check=not no_check)
        if out is not None:
            from tradegap.report.measures_brief import write_brief

            write_brief(result, out)
            err_console.print(f"brief: {out}")
        if json_:
            print_json(result.to_dict())
            return
        label = result.provenance.label
        if not result.feasible:
            console.print(f"[bold red]{result.scenario.name}: {result.status}[/] ({label})")
            if result.infeasibility is not None and len(result.infeasibility):
                for s in result.infeasibility["sentence"]:
                    console.print(f"  • {s}")
            return
        r = result.residual
        caption = (f"{label}. Final year {r['final_year']}: trade gap "
                   f"US$ {r['trade_gap_baseline_usd'] / BN:,.2f} bn, closed "
                   f"{r['trade_gap_closed_share']:.1%}, residual "
                   f"US$ {r['trade_gap_residual_usd'] / BN:,.2f} bn. Idle balance without "
                   f"measures US$ {r['idle_baseline_end_usd'] / BN:,.2f} bn, with them "
                   f"US$ {r['idle_end_usd'] / BN:,.2f} bn ({r['idle_gap_closed_share']:.1%} "
                   f"closed); peak US$ {r['idle_peak_usd'] / BN:,.2f} bn ({r['idle_peak_month']}).")
        console.print(rich_table(package_view(result),
                                 title=f"Measures: {result.scenario.name}", caption=caption))
        if len(result.shadow):
            console.print("[bold]What binds[/] (each checked by re-solving):")
            for s in result.shadow["sentence"]:
                console.print(f"  • {s}")

    return None
