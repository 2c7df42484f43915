"""`tradegap smart FILE --partner IND --tariff-cut 1`: SMART partial equilibrium of a tariff
cut in one market (Jammes & Olarreaga 2005)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tradegap.cli.common import JSON_OPTION, OUT_OPTION, console, print_json, rich_table

if TYPE_CHECKING:
    pass



def register(app: typer.Typer) -> None:
    """Add ``smart`` to ``app``."""

    @app.command("smart")
    def smart_command(
        ctx: typer.Context,
        imports: Path = typer.Argument(None, help="The market's imports: product, supplier, "
                                       "imports (US$), tariff (fraction)[, new_tariff]; "
                                       "without it, --market's imports and tariffs are read "
                                       "from the warehouse."),
        partner: str = typer.Option(None, "--partner", help="Supplier whose tariff is cut."),
        tariff_cut: float = typer.Option(None, "--tariff-cut", help="Fraction of the "
                                         "partner's tariff removed (1 = free trade)."),
        products: str = typer.Option(None, "--products", help="Only products starting with "
                                     "these codes, comma-separated (e.g. 30,02)."),
        import_elasticity: float = typer.Option(-1.5, "--import-elasticity", help="Import-"
                                                "demand elasticity (negative; an assumption)."),
        substitution: float = typer.Option(1.5, "--substitution", help="Armington "
                                           "substitution elasticity (WITS default 1.5)."),
        supply_elasticity: float = typer.Option(99.0, "--supply-elasticity", help="Export "
                                                "supply elasticity (WITS default 99; inf)."),
        market: str = typer.Option(None, "--market", help="The importing market (ISO3)."),
        year: int = typer.Option(None, "--year", help="Warehouse: trade year (default latest)."),
        dataset: str = typer.Option(None, "--dataset", help="Warehouse: flows dataset."),
        tariffs: str = typer.Option(None, "--tariffs", help="Warehouse: tariffs dataset."),
        as_json: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
    ) -> None:
        """Trade creation, diversion by supplier, prices, tariff revenue and welfare."""
        import pandas as pd

        from tradegap.analysis.gravity import load_table
        from tradegap.analysis.smart import apply_cut, smart
        from tradegap.cli.common import state, write_table
        from tradegap.errors import InputError
        from tradegap.provenance import Provenance

        if imports is not None:
            table, prov = load_table(imports), Provenance(sources=[str(imports)])
        else:
            from tradegap.analysis.smart_warehouse import market_imports

            if not market:
                raise InputError("give an imports file or --market", field="--market")
            table, prov = market_imports(state(ctx).warehouse(), market, year=year,
                                         dataset=dataset, tariffs=tariffs)
        if partner is not None or tariff_cut is not None:
            if partner is None or tariff_cut is None:
                raise InputError("give --partner and --tariff-cut together", field="--partner")
            codes = [p.strip() for p in products.split(",")] if products else None
            table = apply_cut(table.assign(product=table["product"].astype(str)), partner,
                              tariff_cut, codes)
        elif "new_tariff" not in table.columns:
            raise InputError("no tariff change: give --partner and --tariff-cut, or a "
                             "new_tariff column", file=str(imports) if imports else None)
        try:
            result = smart(table, import_elasticity=import_elasticity,
                           substitution=substitution, supply_elasticity=supply_elasticity)
        except InputError as exc:
            if exc.file:
                raise
            raise InputError(exc.reason, file=str(imports) if imports else None,
                             field=exc.field, hint=exc.hint) from exc
        if out is not None:
            write_table(result.table, out, prov)
        if as_json:
            print_json({"market": market, "partner": partner, "totals": result.totals,
                        "by_supplier": result.by_supplier, "rows": result.table,
                        "assumptions": result.assumptions, "provenance": prov.to_dict()})
            return
        view = result.by_supplier.sort_values("change", ascending=False).copy()
        console.print(rich_table(view, title=f"SMART{' in ' + market if market else ''}: "
                                 "effects by supplier (US$)"))
        tot = result.totals
        console.print(pd.Series(tot).map(lambda v: f"{v:,.2f}").to_string())
        console.print(f"[dim]{prov.label}[/]")
        for note in [*result.assumptions, *prov.notes]:
            console.print(f"[dim]{note}[/]")
