"""`tradegap potential-global`: export potential of every exporter × market × product of one
year (ITC method), on DuckDB or Spark."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tradegap.cli.common import JSON_OPTION, console, print_json, state
from tradegap.cli.engine_options import DATASET_OPTION, ENGINE_OPTION, MASTER_OPTION, MEMORY_OPTION
from tradegap.cli.tables import FORMAT_OPTION, Output
from tradegap.progress import task

if TYPE_CHECKING:
    pass



def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""

    @app.command("potential-global")
    def potential_global_command(
        ctx: typer.Context,
        year: int = typer.Option(None, "--year", help="Last year of the averaging window "
                                 "(default: the latest in the data)."),
        dataset: str = DATASET_OPTION,
        window: int = typer.Option(3, "--window", help="Years averaged."),
        horizon: int = typer.Option(5, "--horizon", help="Years of projected GDP growth."),
        rca_threshold: float = typer.Option(1.0, "--rca-threshold"),
        distance_elasticity: float = typer.Option(1.0, "--distance-elasticity"),
        engine: str = ENGINE_OPTION,
        spark_master: str = MASTER_OPTION,
        memory_limit: str = MEMORY_OPTION,
        top: int = typer.Option(20, "--top", help="Rows shown (largest untapped first)."),
        as_json: bool = JSON_OPTION,
        out: Path = typer.Option(None, "--out", help="Write every row to FILE (.parquet or "
                                 ".csv, written by the engine; .json via pandas)."),
        fmt: str = FORMAT_OPTION,
    ) -> None:
        """Export potential of every exporter in every market and product (Decreux & Spies
        2016) in one query: tens of millions of rows at BACI size, so write them with --out."""
        import pandas as pd

        from tradegap.analysis.potential import PotentialParams
        from tradegap.analysis.potential_warehouse import potential_global
        from tradegap.cli.common import write_table

        params = PotentialParams(window=window, horizon=horizon, rca_threshold=rca_threshold,
                                 distance_elasticity=distance_elasticity)
        engine_out = (out if out is not None and out.suffix.lower() not in (".json", ".xlsx")
                      else None)
        with task(f"Export potential of every pair, {year}"):
            result = potential_global(state(ctx).warehouse(), year, params, dataset=dataset,
                                      engine=engine, out=engine_out, master=spark_master,
                                      memory_limit=memory_limit)
        if out is not None and engine_out is None:
            write_table(result.table, out, result.provenance)
        summary = {"year": result.year, "dataset": result.dataset, "engine": result.engine,
                   "reporter": result.reporter, "digits": result.digits,
                   "rows": None if result.table is None else len(result.table),
                   "out": str(out) if out else None, "provenance": result.provenance.to_dict()}
        if as_json:
            payload = dict(summary)
            if result.table is not None and out is None:
                payload["table"] = result.table
            print_json(payload)
            return
        printer = Output(fmt, console)
        printer.synthetic(result.provenance)
        if result.table is not None:
            from tradegap.cli.tables import country_with_code

            rows = result.table.nlargest(top, "untapped")
            view = pd.DataFrame({
                "exporter": [country_with_code(c) for c in rows["exporter"]],
                "market": [country_with_code(c) for c in rows["importer"]],
                "product": rows["product"].to_numpy(),
                "untapped": rows["untapped"].to_numpy(),
                "potential": rows["potential"].to_numpy(),
                "actual": rows["actual"].to_numpy(), "RCA": rows["rca"].to_numpy()})
            printer.table(view, f"Largest untapped potential, {result.year} "
                          f"({len(result.table):,} rows, {result.engine})",
                          kinds={"exporter": "country", "market": "country", "product": "code",
                                 "untapped": "money", "potential": "money", "actual": "money",
                                 "RCA": "number"}, optional=["actual", "RCA"][::-1])
        if out is not None:
            printer.message(f"rows written to {out} ({result.engine})")
