"""`tradegap data list` and `tradegap data info NAME`: what the warehouse holds."""

from __future__ import annotations

import typer

from tradegap.cli.common import JSON_OPTION, console, print_json, rich_table, state


def register(app: typer.Typer) -> None:
    data_app = typer.Typer(help="What the warehouse holds.", no_args_is_help=True)
    app.add_typer(data_app, name="data")

    @data_app.command("list")
    def list_command(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
        """List the datasets: source, kind, rows, synthetic or real, when ingested."""
        from tradegap.warehouse.inspect import list_datasets

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
        from tradegap.warehouse.inspect import dataset_summary

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
