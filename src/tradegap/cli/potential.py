"""`tradegap potential`: untapped export potential of one country in one market (ITC method)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tradegap.cli.common import JSON_OPTION, OUT_OPTION, console, print_json, state
from tradegap.cli.tables import FORMAT_OPTION, Kind, Output

if TYPE_CHECKING:
    import pandas as pd


def _view(table: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

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


def _demand_view(table: pd.DataFrame) -> pd.DataFrame:
    """The demand method's ranking at 80 columns: the estimate, the bounds beside it, what binds."""
    import pandas as pd

    from tradegap.report.format import money, share

    def usd(values: pd.Series) -> list[str]:
        return [money(v).replace("US$ ", "") for v in values]

    view = pd.DataFrame({
        "HS4": table["product"],
        "name": table["name"].fillna("").astype(str).str.slice(0, 18),
        "imports": usd(table["demand"]),
        "share": [share(v) for v in table["share_now"]],
        "bench": [share(v) for v in table["benchmark_share"]],
        "estimate": usd(table["extra"]),
        "headroom": usd(table["headroom"]),
        "gravity": usd(table["gravity_untapped"]),
        "binds": table["extra_basis"].replace({"share benchmark": "benchmark"}),
    })
    if table["gravity_untapped"].isna().all():
        view = view.drop(columns="gravity")
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
        dataset: str = typer.Option(None, "--dataset", help="World flows dataset for the ITC "
                                    "method (e.g. BACI); needed if there are several."),
        method: str = typer.Option(None, "--method", help="itc (world flows) or demand (the "
                                   "market's own demand); default: what the warehouse allows."),
        gravity: bool = typer.Option(True, "--gravity/--no-gravity", help="demand method: "
                                     "also fit the gravity benchmark column (slower)."),
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
        diversification: bool = typer.Option(
            False, "--diversification", help="Instead: products the exporter does not yet "
            "export competitively, ranked by density and the market's demand."),
        diagonal: str = typer.Option("growthlab", "--diagonal", help="With --diversification: "
                                     "proximity diagonal growthlab (1, as the Atlas) or zero."),
        as_json: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
        fmt: str = FORMAT_OPTION,
    ) -> None:
        """Export potential by product with the method the warehouse allows (ITC, Decreux &
        Spies 2016, on world flows; else the market's own demand), saying which and why."""
        import pandas as pd

        from tradegap.analysis.potential import PotentialParams
        from tradegap.analysis.potential_estimate import choose_method
        from tradegap.analysis.potential_warehouse import potential
        from tradegap.cli.common import write_table

        if diversification:
            from tradegap.cli.complexity import show_diversification

            show_diversification(ctx, exporter.upper(), market.upper(), year=year,
                                 dataset=dataset, window=window, diagonal=diagonal, top=top,
                                 as_json=as_json, out=out)
            return
        params = PotentialParams(
            window=window, horizon=horizon, rca_threshold=rca_threshold,
            income_elasticity=income_elasticity, distance_elasticity=distance_elasticity,
        )
        groups = [g.strip() for g in group.split(",") if g.strip()] if group else None
        wh = state(ctx).warehouse()
        exporter, market = exporter.upper(), market.upper()
        chosen = choose_method(wh, exporter, market, "itc" if dataset else method)[0]
        if chosen == "demand":
            if displaced or chart is not None:
                from tradegap.errors import InputError

                raise InputError(
                    "--displaced and --chart need the ITC method (world flows), which this "
                    "warehouse does not allow", field="--displaced" if displaced else "--chart",
                    hint="drop them, or ingest world flows (e.g. tradegap ingest baci …)")
            _demand(wh, exporter, market, groups, top, gravity, method, as_json, out)
            return
        result, flows = potential(wh, exporter, market, params, groups, top,
                                  year=year, dataset=dataset)
        displacement_table = None
        if displaced:
            from tradegap.analysis.displacement import displacement, displacement_summary

            displacement_table = displacement_summary(displacement(flows, result))
        if out is not None:
            write_table(result.table, out, result.provenance)
        if chart is not None:
            from tradegap.report.charts_potential import top_opportunities
            from tradegap.report.figures import write_html

            write_html(top_opportunities(result, top), chart)
        why = choose_method(wh, exporter, market, "itc")[1]
        if as_json:
            payload = {"method": "itc", "why": why, **result.to_dict()}
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
        printer.message(f"method: {why}")
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
            console.print(f"table written to {out}")


def _demand(wh: object, exporter: str, market: str, groups: list[str] | None, top: int,
            gravity: bool, method: str | None, as_json: bool, out: Path | None) -> None:
    """The demand method's output (see :mod:`tradegap.analysis.demand_potential`)."""
    from tradegap.analysis.potential_estimate import estimate_potential
    from tradegap.cli.common import write_table
    from tradegap.report.format import money

    est = estimate_potential(wh, exporter, market, groups, method=method, gravity=gravity)
    if out is not None:
        write_table(est.table, out, est.provenance)
    if as_json:
        payload = est.to_dict()
        payload["table"] = est.table.head(top) if top else est.table
        print_json(payload)
        return
    prov = est.provenance
    if prov.synthetic:
        console.print(f"[bold yellow]{prov.label}[/]")
    console.print(f"method: {est.why}")
    shown = est.table.head(top)
    groups_txt = ", ".join(est.groups) if est.groups else "all groups"
    Output("table", console).table(
        _demand_view(shown),
        f"{exporter} → {market}: realistic extra sales, US$ a year ({groups_txt}; "
        f"total {money(est.total)})")
    for r in shown.head(5).itertuples(index=False):
        console.print(f"[dim]{r.product}: {r.why}[/]")
    for note in prov.notes:
        console.print(f"[dim]{note}[/]")
    if out is not None:
        console.print(f"table written to {out}")


def _country(iso3: str) -> str:
    from tradegap.report.format import country_label

    name = country_label(iso3)
    return name if name == iso3 else f"{name} ({iso3})"
