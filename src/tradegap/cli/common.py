"""What every command shares: the warehouse option, JSON and file output, Rich tables."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import typer
from rich.console import Console
from typer.core import TyperGroup

from tradegap.atomicfile import written_aside
from tradegap.errors import InputError

if TYPE_CHECKING:  # imported where used, so that `tradegap --help` starts fast
    import pandas as pd
    from rich.table import Table

    from tradegap.warehouse import Warehouse

console = Console()
err_console = Console(stderr=True)

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON instead of tables.")
CHARTS_OPTION = typer.Option(
    None, "--charts", help="Write the charts (HTML and PNG) into this directory."
)
OUT_OPTION = typer.Option(
    None, "--out", help="Also write the main table to FILE (.csv, .xlsx, .parquet or .json)."
)


class RunByDefault(TyperGroup):
    """A command group where ``tradegap GROUP FILE`` means ``tradegap GROUP run FILE``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


#: Third-party loggers that speak at INFO on every run (Kaleido's and the PDF printer's browser
#: driver, Spark); shown only with ``--verbose``.
CHATTY_LOGGERS = ("choreographer", "kaleido", "logistro", "pyspark", "py4j")


def quiet_libraries(verbose: bool) -> None:
    """Keep third-party INFO lines and banners off the terminal unless ``--verbose``."""
    import logging
    import os

    level = logging.INFO if verbose else logging.ERROR
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(level)
    from tradegap.config import ENV_VERBOSE

    if verbose:
        os.environ[ENV_VERBOSE] = "1"


@dataclass
class State:
    home: str | None = None
    verbose: bool = False

    def warehouse(self) -> Warehouse:
        from tradegap.warehouse import Warehouse

        return Warehouse(self.home)


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = State()
    return root.obj


def print_json(payload: Any) -> None:
    from tradegap.jsonable import to_jsonable

    typer.echo(json.dumps(to_jsonable(payload), indent=2, ensure_ascii=False))


def write_charts(figures: dict[str, Any], directory: Path) -> list[Path]:
    """Write each figure as NAME.html and NAME.png in ``directory``; the HTML files share one
    plotly.min.js beside them. PNG is skipped with a warning when no Chromium is available."""
    from tradegap.errors import TradegapError
    from tradegap.report.figures import write_figure

    written: list[Path] = []
    for name, fig in figures.items():
        written.append(write_figure(fig, directory / f"{name}.html", shared=True))
        try:
            written.append(write_figure(fig, directory / f"{name}.png"))
        except TradegapError as exc:
            err_console.print(f"PNG skipped: {exc.message}")
    return written


def write_table(frame: pd.DataFrame, path: Path, provenance: Any = None) -> Path:
    """Write ``frame`` to ``path`` as CSV, Excel, Parquet or JSON, chosen by the extension.
    A table computed from the synthetic demo world (``provenance.synthetic``) says so in the
    file, as the dashboard's downloads do: a ``# SYNTHETIC …`` first line in CSV, an "about"
    sheet in Excel, the key ``tradegap.label`` in Parquet's metadata; JSON stays plain records
    (``--json`` carries the provenance)."""
    from tradegap.jsonable import to_jsonable
    from tradegap.provenance import SYNTHETIC_LABEL

    label = SYNTHETIC_LABEL if getattr(provenance, "synthetic", False) else None

    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".parquet", ".json"):
        raise InputError(
            f"unknown output format {suffix or '(no extension)'!r}",
            file=str(path),
            field="--out",
            hint="name the file .csv, .xlsx, .parquet or .json",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with written_aside(path) as tmp:  # a reader sees the old file or the whole new one
        if suffix == ".csv":
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                if label:
                    handle.write(f"# {label}\n")
                frame.to_csv(handle, index=False)
        elif suffix == ".xlsx":
            write_excel(frame, tmp, label)
        elif suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if label:
                meta = {**(table.schema.metadata or {}), b"tradegap.label": label.encode()}
                table = table.replace_schema_metadata(meta)
            pq.write_table(table, tmp)
        else:
            tmp.write_text(json.dumps(to_jsonable(frame), indent=2, ensure_ascii=False) + "\n")
    return path


def write_excel(frame: pd.DataFrame, path: Path, label: str | None = None) -> Path:
    """One sheet, raw values (no number formats lost to text), timezone-free dates; with
    ``label``, a second sheet "about" holding it."""
    import pandas as pd

    from tradegap.jsonable import to_jsonable

    plain = frame.copy()
    for column in plain.columns:
        if isinstance(plain[column].dtype, pd.DatetimeTZDtype):
            plain[column] = plain[column].dt.tz_localize(None)
        elif plain[column].dtype == object:
            plain[column] = plain[column].map(
                lambda v: json.dumps(to_jsonable(v)) if isinstance(v, dict | list) else v)
    if label is None:
        plain.to_excel(path, index=False, sheet_name="table", engine="openpyxl")
        return path
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        plain.to_excel(writer, index=False, sheet_name="table")
        pd.DataFrame({"note": [label]}).to_excel(writer, index=False, sheet_name="about")
    return path


def rich_table(frame: pd.DataFrame, title: str | None = None, caption: str | None = None) -> Table:
    """A Rich table of ``frame``; numbers right-aligned, missing values shown as '—'."""
    import pandas as pd
    from rich.table import Table

    table = Table(title=title, caption=caption, show_lines=False)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    return table


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1e15 else f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
