"""Printed tables that read at any terminal width, or as CSV or Markdown (``--format``).

A command hands over its table with raw values and says what each column holds (money, a
share, a name…). In a terminal the columns with nothing in them are dropped, money and numbers
never wrap, names are cut at a word with "…" and optional columns give way, with a note, when
the terminal is too narrow for them. CSV keeps the raw values; Markdown the formatted ones.
The SYNTHETIC label is printed once, at the top.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from tradegap.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


#: What a column holds: money (US$; ``money:INR`` for another currency), share, number,
#: integer, year, ratio, text, name (cut at a word), code, country.
Kind = str
NUMERIC_KINDS = ("money", "share", "number", "integer", "ratio")
FORMATS = ("table", "csv", "markdown")
#: Names are never cut shorter than this (countries: their code and a word); optional
#: columns give way first.
MIN_WIDTH: dict[str, int] = {"name": 24, "country": 12}
FORMAT_OPTION = typer.Option(
    "table", "--format", help="How tables are printed: table (fitted to the terminal), csv or "
    "markdown.")

#: Headers in words for the keys results use.
LABELS: dict[str, str] = {
    "hhi_normalised": "HHI (normalised)", "hhi": "HHI", "top_code": "top product",
    "top_share": "top share", "rca": "RCA", "realised_share": "realised",
    "supply_base": "world share", "market_imports": "market imports",
    "exporter_declared": "exporter declared", "importer_declared": "importer declared",
    "gl": "Grubel–Lloyd", "ti": "trade intensity", "iso3": "ISO3", "n_markets": "markets",
}


def label(key: str) -> str:
    """A column key in words: ``'top_share'`` → ``'top share'``."""
    return LABELS.get(key, str(key).replace("_", " "))


def check_format(fmt: str) -> str:
    value = (fmt or "table").strip().lower()
    if value not in FORMATS:
        raise InputError(f"unknown table format {fmt!r}", field="--format",
                         hint="use table, csv or markdown")
    return value


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def cell(value: Any, kind: Kind) -> str:
    """One value as printed in a table or Markdown."""
    from tradegap.report.format import money, share

    if _missing(value):
        return "—"
    if kind == "money":
        return money(float(value))
    if kind.startswith("money:"):
        return money(float(value), currency=kind.split(":", 1)[1])
    if kind == "share":
        return share(float(value))
    if kind == "year":
        return str(int(value)) if isinstance(value, int | float) else str(value)
    if kind == "integer":
        return f"{int(value):,}"
    if kind == "ratio":
        return f"{float(value):,.3f}"
    if kind == "number":
        v = float(value)
        return f"{v:,.2f}" if abs(v) < 1e15 else f"{v:.4g}"
    if isinstance(value, float) and kind == "text":
        return f"{value:,.2f}"
    return str(value)


def guess_kind(column: str, series: pd.Series) -> Kind:
    import pandas as pd
    if column in {"year", "period"}:
        return "year"
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "text"


def cut_at_word(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, cut at a word boundary with "…"."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    head = text[: width - 1]
    space = head.rfind(" ")
    if space >= width // 2:
        head = head[:space]
    return head.rstrip(" ,;:(-") + "…"


@dataclass
class Output:
    """Where a command's tables go, in the format the user asked for."""

    fmt: str = "table"
    console: Console = field(default_factory=Console)
    labelled: bool = False

    def __post_init__(self) -> None:
        self.fmt = check_format(self.fmt)

    @property
    def is_table(self) -> bool:
        return self.fmt == "table"

    def synthetic(self, provenance: Any) -> None:
        """The SYNTHETIC label, once per command, before the first table."""
        if self.labelled or provenance is None or not getattr(provenance, "synthetic", False):
            return
        self.labelled = True
        text = str(provenance.label)
        if self.fmt == "table":
            self.console.print(f"[bold yellow]{text}[/]")
        elif self.fmt == "markdown":
            typer.echo(f"> **{text}**\n")
        else:
            typer.echo(f"# {text}")

    def note(self, text: str) -> None:
        """A line of explanation under a table (a comment in CSV)."""
        if self.fmt == "table":
            self.console.print(f"[dim]{text}[/]", highlight=False)
        elif self.fmt == "markdown":
            typer.echo(f"{text}\n")
        else:
            typer.echo(f"# {text}")

    def message(self, text: str) -> None:
        """Plain text that is not part of a table ("written to …")."""
        if self.fmt == "table":
            self.console.print(text, highlight=False)
        else:
            typer.echo(text, err=True)

    def table(self, frame: pd.DataFrame, title: str | None = None, *,
              kinds: Mapping[str, Kind] | None = None,
              labels: Mapping[str, str] | None = None,
              optional: Iterable[str] = ()) -> None:
        """Print ``frame``; ``optional`` columns (least needed last) give way when narrow."""
        kinds = {c: (kinds or {}).get(c) or guess_kind(c, frame[c]) for c in frame.columns}
        keep = [c for c in frame.columns if not frame[c].map(_missing).all()]
        frame = frame[keep]
        names = {c: (labels or {}).get(c) or label(c) for c in keep}
        if self.fmt == "csv":
            if title:
                typer.echo(f"# {title}")
            buffer = io.StringIO()
            frame.rename(columns=names).to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL)
            typer.echo(buffer.getvalue().rstrip("\n"))
            return
        texts = {c: [cell(v, kinds[c]) for v in frame[c]] for c in keep}
        if self.fmt == "markdown":
            typer.echo(_markdown(title, [names[c] for c in keep],
                                 [[texts[c][i] for c in keep] for i in range(len(frame))],
                                 [kinds[c] for c in keep]))
            return
        self._rich(title, keep, names, kinds, texts, [c for c in optional if c in keep])

    def _rich(self, title: str | None, keep: list[str], names: dict[str, str],
              kinds: dict[str, Kind], texts: dict[str, list[str]], optional: list[str]) -> None:
        width = self.console.width
        shown = list(keep)
        hidden: list[str] = []

        def natural(c: str) -> int:
            longest_word = max((len(w) for w in names[c].split()), default=1)
            two_lines = (len(names[c]) + 1) // 2  # a header wraps over two lines at most
            return max([longest_word, two_lines, *(len(t) for t in texts[c])])

        name_cols = [c for c in shown if kinds[c] in MIN_WIDTH]
        while True:
            fixed = sum(natural(c) for c in shown if c not in name_cols)
            overhead = 3 * len(shown) - 3  # padding 1 each side, a space between
            room = width - fixed - overhead
            need_names = sum(min(natural(c), MIN_WIDTH[kinds[c]])
                             for c in name_cols if c in shown)
            if room >= need_names:
                break
            if optional:
                drop = optional.pop()
            elif len(shown) > 2:  # still too wide: the rightmost columns give way too
                drop = shown[-1]
            else:
                break
            shown.remove(drop)
            hidden.append(drop)
        name_widths: dict[str, int] = {}
        live_names = [c for c in name_cols if c in shown]
        for c in live_names:
            name_widths[c] = min(natural(c), MIN_WIDTH[kinds[c]])
        spare = room - sum(name_widths.values())
        while spare > 0:  # the spare room, a character at a time, to names still cut
            cut = [c for c in live_names if name_widths[c] < natural(c)]
            if not cut:
                break
            for c in cut[:spare]:
                name_widths[c] += 1
            spare -= min(len(cut), spare)
        table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                      padding=(0, 1), title_justify="left", header_style="bold")
        for c in shown:
            w = name_widths.get(c, natural(c))
            right = kinds[c].split(":")[0] in NUMERIC_KINDS
            table.add_column(names[c], justify="right" if right else "left",
                             min_width=w, max_width=w, overflow="fold")
        for i in range(len(texts[keep[0]]) if keep else 0):
            row = []
            for c in shown:
                text = texts[c][i]
                if c in name_widths:
                    text = cut_at_word(text, name_widths[c])
                row.append(text)
            table.add_row(*row)
        self.console.print(table)
        if hidden:
            self.note(f"Not shown at {width} columns: {', '.join(names[c] for c in hidden)} "
                      "(widen the terminal, or use --format csv or --out FILE).")


def _markdown(title: str | None, header: list[str], rows: list[list[str]],
              kinds: list[Kind]) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    align = ["---:" if k.split(":")[0] in NUMERIC_KINDS else "---"
             for k in kinds]
    lines = [f"**{esc(title)}**", ""] if title else []
    lines.append("| " + " | ".join(esc(h) for h in header) + " |")
    lines.append("| " + " | ".join(align) + " |")
    lines.extend("| " + " | ".join(esc(v) for v in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def country_with_code(iso3: Any) -> str:
    """``'IND'`` → ``'IND India'`` (code first, so a cut name keeps it); unknown codes stay
    as they are."""
    from tradegap.report.format import country_label

    if not isinstance(iso3, str):
        return "—" if _missing(iso3) else str(iso3)
    name = country_label(iso3)
    return iso3 if name == iso3 else f"{iso3} {name}"
