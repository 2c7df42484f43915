"""`tradegap potential`: untapped export potential of one country in one market (ITC method)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from tradegap.cli.common import JSON_OPTION, OUT_OPTION, console, print_json, state
from tradegap.cli.tables import FORMAT_OPTION, Kind, Output


def _view(table: pd.DataFrame) -> pd.DataFrame:
    from tradegap.report.format import product_label

    names = table["name"] if "name" in table else pd.Series([None] * len(table))
    return pd.DataFrame({
        "product": table["product"].to_numpy(),
        "name": [product_label(c, n) for c, n in zip(table["product"], names, strict=True)],
        "untapped": table["untapped"].to_numpy(),
        "potential": table["potential"].to_numpy(),
        "actual": table["actual"].to_numpy(),
        "realised": table["realised_share"].to_numpy(),
        "RCA": table["rca"].to_numpy(),
        "world share": table["supply_base"].to_numpy(),
        "market imports": table["market_imports"].to_numpy(),
    })


VIEW_KINDS: dict[str, Kind] = {
    "product": "code", "name": "name", "untapped": "money", "potential": "money",
    "actual": "money", "realised": "share", "RCA": "number", "world share": "share",
    "market imports": "money"}
#: Columns that give way, last first, in a narrow terminal.
VIEW_OPTIONAL = ["actual", "RCA", "world share", "market imports"]
REALISED_NOTE = ("realised = actual ÷ potential. Above 100 %, the exporter already sells this "
                 "market more of the product than its world share and the market's imports "
                 "predict, so nothing is left untapped; the ease of trade is calibrated over "
                 "all products, so some are always above and some below.")


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
        fmt: str = FORMAT_OPTION,
    ) -> None:
        """Export potential, actual exports and untapped potential by product (ITC method:
        Decreux & Spies 2016), with the provenance of the data."""
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
        printer = Output(fmt, console)
        prov = result.provenance
        printer.synthetic(prov)
        title = (f"{_country(result.exporter)} in {_country(result.market)}: export potential "
                 f"by product, largest untapped first (base {result.year})")
        view = _view(result.table)
        printer.table(view, title, kinds=VIEW_KINDS, optional=list(VIEW_OPTIONAL))
        if (view["realised"] > 1).any():
            printer.note(REALISED_NOTE)
        printer.note(f"ease of trade {result.ease:.3g}")
        for note in prov.notes:
            if note != prov.label:
                printer.note(note)
        if displacement_table is not None:
            d = displacement_table
            moved = pd.DataFrame({
                "product": d["product"],
                "share now": d["exporter_share_now"],
                "share after": d["exporter_share_after"],
                "most displaced": [_country(c) if isinstance(c, str) else None
                                   for c in d["most_displaced"]],
                "its loss": d["most_displaced_loss_usd"],
            })
            printer.table(moved, "Who would be displaced (market imports held constant)",
                          kinds={"product": "code", "share now": "share",
                                 "share after": "share", "most displaced": "name",
                                 "its loss": "money"})
        if chart is not None:
            printer.message(f"chart: {chart}")
        if out is not None:
            printer.message(f"table written to {out}")


def _country(iso3: str) -> str:
    from tradegap.report.format import country_label

    name = country_label(iso3)
    return name if name == iso3 else f"{name} ({iso3})"
