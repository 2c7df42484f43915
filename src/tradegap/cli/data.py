"""`tradegap data list`, `data info NAME` and `data verify`: what the warehouse holds, and
whether its files are still the bytes that were written."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from tradegap.cli.common import JSON_OPTION, console, print_json, state
from tradegap.cli.tables import FORMAT_OPTION, Output
from tradegap.errors import TradegapError

if TYPE_CHECKING:
    pass



def register(app: typer.Typer) -> None:
    data_app = typer.Typer(help="What the warehouse holds.", no_args_is_help=True)
    app.add_typer(data_app, name="data")

    @data_app.command("list")
    def list_command(ctx: typer.Context, as_json: bool = JSON_OPTION,
                     fmt: str = FORMAT_OPTION) -> None:
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
        view = frame.assign(synthetic=frame["synthetic"].map({True: "SYNTHETIC", False: "real"}))
        view = view.rename(columns={"synthetic": "data", "rows_set_aside": "set aside"})
        Output(fmt, console).table(view, f"Datasets in {wh.home}",
                                   kinds={"ingested_at": "text"},
                                   labels={"ingested_at": "ingested"},
                                   optional=["kind", "set aside", "ingested_at"][::-1])

    @data_app.command("info")
    def info_command(
        ctx: typer.Context,
        name: str = typer.Argument(..., help="Dataset name or source name."),
        as_json: bool = JSON_OPTION,
        fmt: str = FORMAT_OPTION,
    ) -> None:
        """Rows, periods, countries, products, value per period and coverage of a dataset."""
        import pandas as pd

        from tradegap.warehouse.inspect import dataset_summary

        wh = state(ctx).warehouse()
        summaries = dataset_summary(wh, name)
        if as_json:
            print_json(summaries)
            return
        printer = Output(fmt, console)
        for s in summaries:
            kind = "SYNTHETIC" if s["synthetic"] else "real"
            facts = [("source", s["source"]), ("data", kind), ("rows", f"{s['rows']:,}")]
            for key in ("exporters", "importers", "products", "digits", "revisions", "reporters"):
                if key in s:
                    value = s[key]
                    facts.append((key, f"{value:,}" if isinstance(value, int) else str(value)))
            if s.get("set_aside"):
                aside = "; ".join(f"{k}: {v:,}" for k, v in s["set_aside"].items())
                facts.append(("set aside at ingest", aside))
            printer.table(pd.DataFrame(facts, columns=["item", "value"]), f"Dataset {s['name']}",
                          kinds={"item": "text", "value": "name"})
            per = s["per_period"].rename(columns={"value_usd": "value",
                                                  "value_share_with_quantity": "with quantity"})
            printer.table(per, "Per period", kinds={"period": "year", "value": "money",
                                                    "with quantity": "share"},
                          labels={"period_type": "period type"},
                          optional=["period_type", "with quantity", "importers"][::-1])

    @data_app.command("verify")
    def verify_command(
        ctx: typer.Context,
        names: list[str] = typer.Argument(None, help="Datasets to check (default: all)."),
        as_json: bool = JSON_OPTION,
        fmt: str = FORMAT_OPTION,
    ) -> None:
        """Check every byte of each dataset against the checksums recorded when it was
        written; name the damaged ones (exit 2 if any). The others stay usable."""
        import pandas as pd

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
            Output(fmt, console).table(frame, "Checksums", kinds={"problem": "name"})
        damaged = [c for c in checks if c.status == "damaged"]
        if damaged:
            raise TradegapError(
                f"{len(damaged)} of {len(checks)} datasets are damaged: "
                + "; ".join(f"{c.name!r} ({c.problem})" for c in damaged),
                hint="ingest their input files again (the same input rewrites a damaged "
                "dataset); the datasets marked ok are intact and usable",
            )
