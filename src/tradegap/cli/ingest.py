"""`tradegap ingest SOURCE PATH…`: parse files and store them in the warehouse atomically."""

from __future__ import annotations

from pathlib import Path

import typer

from tradegap.cli.common import JSON_OPTION, console, print_json, state
from tradegap.errors import InputError
from tradegap.progress import task
from tradegap.sources import SOURCES, expand, ingest


def _parse_settings(settings: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in settings:
        if "=" not in item:
            raise InputError(
                f"expected KEY=VALUE, got {item!r}", field="--set", hint="e.g. --set revision=HS17"
            )
        key, value = item.split("=", 1)
        out[key.strip().replace("-", "_")] = value.strip()
    return out


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_command(
        ctx: typer.Context,
        source: str = typer.Argument(..., help=f"One of: {', '.join(SOURCES)}."),
        paths: list[Path] = typer.Argument(
            None,
            help="Input files, directories (every file of the source's layout in them) or "
            "quoted glob patterns; none for 'demo'.",
        ),
        name: str = typer.Option(None, "--name", help="Dataset name (default: from the source)."),
        max_bad_rows: float = typer.Option(
            0,
            "--max-bad-rows",
            help="Malformed rows to set aside before failing: a count, "
            "or a share below 1 (0.001 = 0.1%). Default 0: any malformed row fails the ingest.",
        ),
        scale: str = typer.Option(
            None, "--scale", help="demo: small, medium, large, baci, or a number of flows "
            "per year (every year generated gets that many: --scale 1000 over 6 years writes "
            "6,000 rows; --set years=2024 for one year)."
        ),
        seed: int = typer.Option(None, "--seed", help="demo: random seed."),
        mapping: Path = typer.Option(
            None, "--mapping", help="tidy: TOML file with the column mapping."
        ),
        map_: list[str] = typer.Option(None, "--map", help="tidy: FIELD=COLUMN, repeatable."),
        settings: list[str] = typer.Option(
            None, "--set", help="Source option KEY=VALUE, repeatable."
        ),
        replace: bool = typer.Option(
            False,
            "--replace",
            help="Replace a dataset that holds other files (default: new files are added to "
            "it, and an ingest that would replace stored files is refused).",
        ),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Load SOURCE files into the warehouse (atomic: a failed ingest changes nothing).
        Files ingested one after the other accumulate in the source's dataset."""
        options: dict[str, object] = _parse_settings(settings or [])
        for key, value in {"name": name, "scale": scale, "seed": seed, "mapping": mapping}.items():
            if value is not None:
                options[key] = value
        if map_:
            options["columns"] = _parse_settings(map_)
        options["max_bad_rows"] = max_bad_rows
        wh = state(ctx).warehouse()
        files, skipped = expand(source, list(paths or [])) if source in SOURCES else (paths, [])
        for path in skipped:
            console.print(f"skipped {path}: not the {source} layout (its columns differ)")
        with task(f"Ingesting {source}"):
            results = ingest(wh, source, list(files or []), replace=replace, **options)
        if as_json:
            print_json(
                [
                    {"changed": o.changed, "dataset": o.dataset.to_dict(), "set_aside": p.set_aside,
                     "added_to": p.accumulated, "replaced": p.replaced,
                     "skipped": [str(f) for f in skipped]}
                    for p, o in results
                ]
            )
            return
        for parsed, outcome in results:
            info = outcome.dataset
            verb = "stored" if outcome.changed else "unchanged (same input already stored)"
            console.print(f"[bold]{info.name}[/]: {info.rows:,} rows {verb} in {wh.home}")
            if outcome.changed and parsed.accumulated:
                held = [f["file"] for f in info.provenance.get("input_files", [])]
                console.print(f"  added to {', '.join(parsed.accumulated)}: it now holds "
                              f"{', '.join(held)}")
            if outcome.changed and parsed.replaced:
                console.print(f"  replaced the earlier version of {', '.join(parsed.replaced)}")
            if info.synthetic:
                console.print(
                    "[yellow]SYNTHETIC demo data: every result from it is labelled so.[/]"
                )
            if parsed.set_aside:
                console.print("Rows set aside (counted, not loaded):")
                for reason, count in parsed.set_aside.items():
                    console.print(f"  {count:>10,}  {reason}")
