"""`tradegap complexity`: ECI, PCI, diversity, ubiquity, density, distance, COI and COG from a
world flows dataset (or a file), and the diversification table used by
`tradegap potential --diversification`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tradegap.cli.common import JSON_OPTION, OUT_OPTION, console, print_json, rich_table, state

if TYPE_CHECKING:
    import pandas as pd


DIAGONAL_OPTION = typer.Option(
    "growthlab", "--diagonal", help="Proximity diagonal in density: growthlab (1, as "
    "ecomplexity and the Atlas; default) or zero (a product is not its own neighbour)."
)


def _flows_from_file(path: Path) -> pd.DataFrame:
    from tradegap.analysis.gravity import load_table
    from tradegap.errors import InputError

    frame = load_table(path)
    need = {"exporter", "product", "value_usd"}
    if not need <= set(frame.columns):
        raise InputError(f"the file lacks columns {sorted(need - set(frame.columns))}",
                         file=str(path), hint="give exporter, product, value_usd "
                         "(and importer, year)")
    if "importer" not in frame.columns:
        frame["importer"] = "__WORLD__"
    if "year" not in frame.columns:
        frame["year"] = 0
    frame["product"] = frame["product"].astype(str)
    return frame


def show_diversification(ctx: typer.Context, exporter: str, market: str, *, year: int | None,
                         dataset: str | None, window: int, diagonal: str, top: int,
                         as_json: bool, out: Path | None) -> None:
    """Print the diversification candidates of ``exporter`` for ``market``."""
    from tradegap.analysis.diversification import diversification, world_exports
    from tradegap.cli.common import write_table

    flows, year, prov = world_exports(state(ctx).warehouse(), market, dataset=dataset,
                                      year=year, window=window)
    table = diversification(flows, exporter, market, diagonal=diagonal, top=top)
    if out is not None:
        write_table(table, out, prov)
    if as_json:
        print_json({"exporter": exporter, "market": market, "year": year, "diagonal": diagonal,
                    "candidates": table, "provenance": prov.to_dict()})
        return
    shown = table.copy()
    for col in ("market_demand", "exports_to_market"):
        shown[col] = shown[col] / 1e6
    console.print(rich_table(
        shown.rename(columns={"market_demand": f"{market} imports US$m",
                              "exports_to_market": "exports to it US$m"}),
        title=f"Diversification of {exporter} (RCA < 1), nearest first; market {market}, "
        f"{year}", caption=f"{prov.label}; density with diagonal = {diagonal}"))


def register(app: typer.Typer) -> None:
    """Add ``complexity`` to ``app``."""

    @app.command("complexity")
    def complexity_command(
        ctx: typer.Context,
        file: Path = typer.Option(None, "--file", help="Flows file (exporter, product, "
                                  "value_usd[, importer, year]) instead of the warehouse."),
        dataset: str = typer.Option(None, "--dataset", help="World flows dataset."),
        year: int = typer.Option(None, "--year", help="Last year of the window."),
        window: int = typer.Option(3, "--window", help="Years averaged."),
        country: str = typer.Option(None, "--country", help="Show this country's products "
                                    "(density, distance, COG) instead of the ranking."),
        diagonal: str = DIAGONAL_OPTION,
        top: int = typer.Option(30, "--top", help="Rows to print."),
        as_json: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
    ) -> None:
        """Economic complexity (Hidalgo & Hausmann 2009; Atlas of Economic Complexity 2014)."""
        from tradegap.analysis.complexity import complexity
        from tradegap.analysis.diversification import averaged, world_exports
        from tradegap.analysis.product_space import rca_matrix
        from tradegap.cli.common import write_table
        from tradegap.provenance import Provenance

        if file is not None:
            flows, prov = _flows_from_file(file), Provenance(sources=[str(file)])
        else:
            flows, year, prov = world_exports(state(ctx).warehouse(), "__NONE__",
                                              dataset=dataset, year=year, window=window)
        result = complexity(rca_matrix(averaged(flows)), diagonal=diagonal)
        if country:
            table = result.cells[result.cells["country"] == country.upper()].merge(
                result.products, on="product").sort_values("density", ascending=False)
        else:
            table = result.countries.sort_values("eci", ascending=False)
        if out is not None:
            write_table(table, out, prov)
        if as_json:
            print_json({"diagonal": diagonal, "label": result.label, "rows": table,
                        "provenance": prov.to_dict()})
            return
        title = (f"{country.upper()}: products by density" if country
                 else "Economic complexity index, countries")
        console.print(rich_table(table.head(top), title=title,
                                 caption=f"{prov.label}; {result.label}"))
