"""`tradegap potential`: untapped export potential of one country in one market (ITC method)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tradegap.cli.common import JSON_OPTION, OUT_OPTION, console, print_json, rich_table, state

if TYPE_CHECKING:
    import pandas as pd


def _view(table: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    from tradegap.report.format import money, share

    view = pd.DataFrame({"product": table["product"]})
    if "name" in table:
        view["name"] = table["name"].fillna("").astype(str).str.slice(0, 40)
    view["RCA"] = table["rca"].round(2)
    for column, label in (("potential", "potential"), ("actual", "actual"),
                          ("untapped", "untapped")):
        view[label] = [money(v) for v in table[column]]
    view["realised"] = [share(v) for v in table["realised_share"]]
    view["world share"] = [share(v) for v in table["supply_base"]]
    view["market imports"] = [money(v) for v in table["market_imports"]]
    return view


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""

    @app.command("potential")
    def potential_command(
        ctx: typer.Context,
        exporter: str = typer.Option("IND", "--exporter", help="ISO3 of the exporting country."),
        market: str = typer.Option("RUS", "--market", help="ISO3 of the market."),
        group: str = typer.Option(None, "--group", help="Keep these product groups, comma-"
                                  "separated (e.g. agri,pharma)."),
        top: int = typer.Option(30, "--top", help="Products shown (largest untapped first)."),
        year: int = typer.Option(None, "--year", help="Last year of the averaging window "
                                 "(default: the latest in the data)."),
        dataset: str = typer.Option(None, "--dataset", help="Flows dataset (world flows by "
                                    "calendar year, e.g. BACI); needed if there are several."),
        window: int = typer.Option(3, "--window", help="Years averaged."),
        horizon: int = typer.Option(5, "--horizon", help="Years of projected GDP growth "
                                    "(0: no projection)."),
        rca_threshold: float = typer.Option(1.0, "--rca-threshold", help="Balassa RCA needed "
                                            "for a product to count as supplied."),
        income_elasticity: float = typer.Option(1.0, "--income-elasticity",
                                                help="Elasticity of imports to GDP growth."),
        distance_elasticity: float = typer.Option(1.0, "--distance-elasticity",
                                                  help="δ in (d_ij / d̄_jk)^(−δ); 0: none."),
        displaced: bool = typer.Option(False, "--displaced", help="Also show which suppliers "
                                       "would lose (market imports held constant)."),
        chart: Path = typer.Option(None, "--chart", help="Write the top-opportunities bar "
                                   "chart to FILE.html."),
        as_json: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
    ) -> None:
        """Export potential, actual exports and untapped potential by product (ITC method:
        Decreux & Spies 2016), with the provenance of the data."""
        import pandas as pd

        from tradegap.analysis.potential import PotentialParams
        from tradegap.analysis.potential_warehouse import potential
        from tradegap.cli.common import write_table

        params = PotentialParams(
            window=window, horizon=horizon, rca_threshold=rca_threshold,
            income_elasticity=income_elasticity, distance_elasticity=distance_elasticity,
        )
        groups = [g.strip() for g in group.split(",") if g.strip()] if group else None
        result, flows = potential(state(ctx).warehouse(), exporter, market, params, groups, top,
                                  year=year, dataset=dataset)
        displacement_table = None
        if displaced:
            from tradegap.analysis.displacement import displacement, displacement_summary

            displacement_table = displacement_summary(displacement(flows, result))
        if out is not None:
            write_table(result.table, out)
        if chart is not None:
            from tradegap.report.charts_potential import top_opportunities
            from tradegap.report.figures import write_html

            write_html(top_opportunities(result, top), chart)
        if as_json:
            payload = result.to_dict()
            if displacement_table is not None:
                payload["displacement"] = displacement_table
            print_json(payload)
            return
        prov = result.provenance
        if prov.synthetic:
            console.print(f"[bold yellow]{prov.label}[/]")
        title = (f"{result.exporter} → {result.market}: export potential "
                 f"(base {result.year}, ease {result.ease:.3g})")
        console.print(rich_table(_view(result.table), title=title, caption=prov.label))
        for note in prov.notes:
            console.print(f"[dim]{note}[/]")
        if displacement_table is not None:
            from tradegap.report.format import money, share

            d = displacement_table
            view = pd.DataFrame({
                "product": d["product"],
                "share now": [share(v) for v in d["exporter_share_now"]],
                "share after": [share(v) for v in d["exporter_share_after"]],
                "most displaced": d["most_displaced"].fillna("—"),
                "its loss": [money(v) for v in d["most_displaced_loss_usd"]],
            })
            console.print(rich_table(view, title="Who would be displaced (imports constant)"))
        if chart is not None:
            console.print(f"chart: {chart}")
        if out is not None:
            console.print(f"table written to {out}")
