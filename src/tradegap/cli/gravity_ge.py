"""`tradegap gravity ge SCENARIO.toml`: a general-equilibrium counterfactual (structural
gravity, Yotov et al. 2016 ch. 2)."""

from __future__ import annotations

from pathlib import Path

import typer

from tradegap.cli.common import (
    CHARTS_OPTION,
    JSON_OPTION,
    OUT_OPTION,
    console,
    print_json,
    rich_table,
    write_charts,
    write_table,
)

_SHOWN = ["country", "exports_cdl_pct", "exports_full_pct", "imr_full_pct", "omr_full_pct",
          "price_full_pct", "rgdp_cdl_pct", "rgdp_full_pct"]

_HEADERS = {"exports_cdl_pct": "exports cdl", "exports_full_pct": "exports full",
            "imr_full_pct": "P full", "omr_full_pct": "Π full", "price_full_pct": "p full",
            "rgdp_cdl_pct": "rGDP cdl", "rgdp_full_pct": "rGDP full"}


def register_ge(group: typer.Typer) -> None:
    """Add ``ge`` to the ``gravity`` group."""

    @group.command("ge")
    def ge(
        scenario: Path = typer.Argument(..., help="Scenario TOML ([data], [estimate], "
                                        "[change], [model]; see docs/gravity.md)."),
        pairs: Path = typer.Option(None, "--pairs", help="Also write the per-pair trade "
                                   "(baseline, conditional, full) to FILE."),
        top: int = typer.Option(0, "--top", help="Rows to print (0 = all countries)."),
        as_json: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
        charts: Path = CHARTS_OPTION,
    ) -> None:
        """Solve the baseline, conditional and full-endowment equilibria of SCENARIO and print
        each country's % change in exports, resistances, factory-gate price and real GDP."""
        from tradegap.analysis.gravity_ge import run_scenario
        from tradegap.analysis.gravity_ge_scenario import load_scenario

        result = run_scenario(load_scenario(scenario))
        if out is not None:
            write_table(result.countries, out)
        if pairs is not None:
            write_table(result.pairs, pairs)
        if charts is not None:
            from tradegap.report.charts_ge import real_gdp_changes

            write_charts({"ge_real_gdp": real_gdp_changes(
                result.countries, f"Real GDP: {scenario.stem}",
                synthetic=result.provenance.synthetic)}, charts)
        if as_json:
            print_json({"scenario": str(scenario), **result.to_dict()})
            return
        shown = result.countries.sort_values("rgdp_full_pct", ascending=False)[_SHOWN]
        if top:
            shown = shown.head(top)
        shown = shown.copy()
        for col in _SHOWN[1:]:
            shown[col] = shown[col].map(lambda v: f"{v:.4f}")
        console.print(rich_table(
            shown.rename(columns=_HEADERS),
            title=f"General equilibrium: {scenario.name} (% change from the baseline)",
            caption=result.provenance.label,
        ))
        est = result.estimate
        console.print("estimate: " + ", ".join(
            f"{t} {b:.7g} ({s:.7g})" for t, b, s in
            zip(est.coefficients["term"], est.coefficients["estimate"],
                est.coefficients["std_error"], strict=True)) + f"; N = {est.n_obs:,}")
        for note in result.notes:
            console.print(f"[dim]{note}[/]")
