"""`tradegap fetch baci`: download a CEPII BACI release zip (resumable, checked)."""

from __future__ import annotations

from pathlib import Path

import typer

from tradegap.cli.common import JSON_OPTION, console, err_console, print_json, state
from tradegap.sources.fetch import DEFAULT_BASE_URL, fetch_baci


def register(app: typer.Typer) -> None:
    """Add ``fetch`` and its subcommands to ``app``."""
    fetch_app = typer.Typer(help="Download source data (resumable, size- and zip-checked).",
                            no_args_is_help=True)
    app.add_typer(fetch_app, name="fetch")

    @fetch_app.command("baci")
    def baci_command(
        ctx: typer.Context,
        revision: str = typer.Option("HS17", "--revision", help="HS92, HS96, … HS22."),
        release: str = typer.Option("V202501", "--release", help="CEPII release, e.g. V202501."),
        dest: Path = typer.Option(
            None, "--dest", help="Folder to save into (default: the warehouse's downloads/)."
        ),
        base_url: str = typer.Option(
            DEFAULT_BASE_URL, "--base-url", help="Host and path prefix (a mirror, or tests)."
        ),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Download BACI_<REVISION>_<RELEASE>.zip; run again to resume a cut-off download."""
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        folder = dest if dest is not None else state(ctx).warehouse().home / "downloads"
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
            TransferSpeedColumn(), TimeRemainingColumn(), console=err_console,
            transient=as_json,
        ) as bar:
            task = bar.add_task(f"BACI {revision.upper()} {release}", total=None)

            def progress(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            result = fetch_baci(revision, release, folder, base_url=base_url, progress=progress)
        if as_json:
            print_json(result.to_dict())
            return
        if result.already_present:
            console.print(f"{result.path} is already here ({result.bytes:,} bytes, zip checked)")
        else:
            resumed = f", resumed at byte {result.resumed_from:,}" if result.resumed_from else ""
            console.print(f"saved {result.path} ({result.bytes:,} bytes{resumed}; zip checked)")
        console.print(f"next: tradegap ingest baci {result.path}")
