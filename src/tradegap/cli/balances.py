"""`tradegap balances`: balances and trade indicators of every pair of economies, on DuckDB or
Spark (one pair in depth: `tradegap balance A B`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tradegap.cli.common import JSON_OPTION, console, print_json, state
from tradegap.cli.engine_options import DATASET_OPTION, ENGINE_OPTION, MASTER_OPTION, MEMORY_OPTION
from tradegap.cli.tables import FORMAT_OPTION, Output, country_with_code

if TYPE_CHECKING:
    pass



def _years(text: str | None) -> tuple[int, int] | None:
    from tradegap.errors import InputError

    if not text:
        return None
    lo, _, hi = text.partition("-")
    try:
        return int(lo), int(hi or lo)
    except ValueError:
        raise InputError(f"cannot read years {text!r}", field="--years",
                         hint="write e.g. --years 2022-2024 or --years 2024") from None


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""

    @app.command("balances")
    def balances_command(
        ctx: typer.Context,
        countries: str = typer.Option(None, "--countries", help="Keep the pairs among these "
                                      "ISO3 codes, comma-separated (default: every pair)."),
        years: str = typer.Option(None, "--years", help="Calendar years, e.g. 2022-2024."),
        dataset: str = DATASET_OPTION,
        engine: str = ENGINE_OPTION,
        spark_master: str = MASTER_OPTION,
        memory_limit: str = MEMORY_OPTION,
        top: int = typer.Option(20, "--top", help="Pairs shown (largest imbalance first)."),
        as_json: bool = JSON_OPTION,
        out: Path = typer.Option(None, "--out", help="Write every row to FILE (.parquet or "
                                 ".csv, written by the engine; .json or .xlsx via pandas)."),
        fmt: str = FORMAT_OPTION,
    ) -> None:
        """Balance, turnover, trade intensity, Grubel–Lloyd and HHI of every pair that trades,
        per year, from one world dataset."""
        import pandas as pd

        from tradegap.analysis.many_pairs import balances
        from tradegap.cli.common import write_table

        keep = [c.strip().upper() for c in countries.split(",") if c.strip()] if countries \
            else None
        engine_out = (out if out is not None and out.suffix.lower() not in (".json", ".xlsx")
                      else None)
        result = balances(state(ctx).warehouse(), years=_years(years), countries=keep,
                          dataset=dataset, engine=engine, out=engine_out, master=spark_master,
                          memory_limit=memory_limit)
        if out is not None and engine_out is None:
            write_table(result.table, out, result.provenance)
        if as_json:
            print_json({"dataset": result.dataset, "engine": result.engine,
                        "out": str(out) if out else None,
                        "provenance": result.provenance.to_dict(),
                        "table": result.table if out is None else None})
            return
        printer = Output(fmt, console)
        printer.synthetic(result.provenance)
        if result.table is not None:
            t = result.table
            rows = t.loc[t["balance"].abs().nlargest(top).index]
            view = pd.DataFrame({
                "economy": [country_with_code(c) for c in rows["a"]],
                "partner": [country_with_code(c) for c in rows["b"]],
                "year": rows["year"].to_numpy(),
                "balance": rows["balance"].to_numpy(),
                "exports": rows["exports"].to_numpy(),
                "imports": rows["imports"].to_numpy(),
                "intensity": rows["intensity"].to_numpy(),
                "Grubel–Lloyd": rows["gl"].to_numpy(),
                "HHI of exports": rows["hhi_exports"].to_numpy(),
            })
            printer.table(view, f"Largest imbalances ({len(t):,} pair-years, {result.engine})",
                          kinds={"economy": "country", "partner": "country", "year": "year",
                                 "balance": "money", "exports": "money", "imports": "money",
                                 "intensity": "number", "Grubel–Lloyd": "ratio",
                                 "HHI of exports": "ratio"},
                          optional=["HHI of exports", "Grubel–Lloyd", "intensity"][::-1])
        if out is not None:
            printer.message(f"rows written to {out} ({result.engine})")
