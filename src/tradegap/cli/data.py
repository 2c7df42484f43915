"""`tradegap data list`, `data info NAME` and `data verify`: what the warehouse holds, and
whether its files are still the bytes that were written."""

from __future__ import annotations

import pandas as pd
import typer

from tradegap.cli.common import JSON_OPTION, console, print_json, rich_table, state
from tradegap.errors import TradegapError
from tradegap.warehouse.inspect import dataset_summary, list_datasets


def register(app: typer.Typer) -> None:
    data_app = typer.Typer(help="What the warehouse holds.", no_args_is_help=True)
    app.add_typer(data_app, name="data")

    @data_app.command("list")
    def list_command(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
        """List the datasets: source, kind, rows, synthetic or real, when ingested."""
        wh = state(ctx).warehouse()
        frame = list_datasets(wh)
        if as_json:
            print_json({"home": str(wh.home), "datasets": frame})
            return
        if frame.empty:
            console.print(f"The warehouse {wh.home} is empty. Add data with `tradegap ingest`.")
            return
        console.print(rich_table(frame, title=f"Warehouse {wh.home}"))

    @data_app.command("info")
    def info_command(
        ctx: typer.Context,
        name: str = typer.Argument(..., help="Dataset name or source name."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Rows, periods, countries, products, value per period and coverage of a dataset."""
        wh = state(ctx).warehouse()
        summaries = dataset_summary(wh, name)
        if as_json:
            print_json(summaries)
            return
        for s in summaries:
            label = " [yellow](SYNTHETIC)[/]" if s["synthetic"] else ""
            console.print(f"[bold]{s['name']}[/]{label} — source {s['source']}, {s['rows']:,} rows")
            for key in ("exporters", "importers", "products", "digits", "revisions", "reporters"):
                if key in s:
                    console.print(f"  {key}: {s[key]}")
            if s.get("set_aside"):
                console.print(f"  set aside at ingest: {s['set_aside']}")
            console.print(rich_table(s["per_period"], title="Per period"))

    @data_app.command("verify")
    def verify_command(
        ctx: typer.Context,
        names: list[str] = typer.Argument(None, help="Datasets to check (default: all)."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Check every byte of each dataset against the checksums recorded when it was
        written; name the damaged ones (exit 2 if any). The others stay usable."""
        wh = state(ctx).warehouse()
        checks = wh.check(names or None)
        frame = pd.DataFrame(
            [{"name": c.name, "status": c.status, "files": c.files, "bytes": c.bytes,
              "problem": c.problem or ""} for c in checks],
            columns=["name", "status", "files", "bytes", "problem"],
        )
        if as_json:
            print_json({"datasets": frame})
        elif frame.empty:
            console.print("The warehouse is empty: nothing to verify.")
        else:
            console.print(rich_table(frame, title="Checksums"))
        damaged = [c for c in checks if c.status == "damaged"]
        if damaged:
            raise TradegapError(
                f"{len(damaged)} of {len(checks)} datasets are damaged: "
                + "; ".join(f"{c.name!r} ({c.problem})" for c in damaged),
                hint="ingest their input files again (the same input rewrites a damaged "
                "dataset); the datasets marked ok are intact and usable",
            )
