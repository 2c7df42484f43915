"""`tradegap balance A B`: the bilateral balance, its composition and drivers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tradegap.cli.common import (
    CHARTS_OPTION,
    JSON_OPTION,
    OUT_OPTION,
    console,
    print_json,
    rich_table,
    state,
)
from tradegap.report.format import money, share

if TYPE_CHECKING:
    import pandas as pd


def _summary_view(s: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd
    view = pd.DataFrame({"period": s["period"]})
    for column in (
        "exports",
        "imports",
        "balance",
        "official_exports",
        "official_imports",
        "headline_balance",
    ):
        if column in s and s[column].notna().any():
            view[column] = [money(v) for v in s[column]]
    for column in (
        "exports_coverage",
        "imports_coverage",
        "imports_fuel_share",
        "exports_fuel_share",
    ):
        if column in s and s[column].notna().any():
            view[column.replace("_", " ")] = [share(v) for v in s[column]]
    notes = []
    for _, row in s.iterrows():
        parts = [
            str(row[c])
            for c in ("exports_note", "imports_note", "balance_note")
            if c in s and isinstance(row[c], str) and row[c]
        ]
        notes.append("; ".join(parts))
    view["notes"] = notes
    return view


def register(app: typer.Typer) -> None:
    @app.command("balance")
    def balance_command(
        ctx: typer.Context,
        a: str = typer.Argument(..., help="ISO3 of the economy seen from (e.g. RUS)."),
        b: str = typer.Argument(..., help="ISO3 of its partner (e.g. IND)."),
        frequency: str = typer.Option(
            "calendar_year",
            "--frequency",
            help="How monthly data are summed: calendar_year or fiscal_year_in.",
        ),
        dataset: list[str] = typer.Option(
            None,
            "--dataset",
            help="Use only these datasets, in this order of preference (repeatable).",
        ),
        level: str = typer.Option(
            "chapter", "--level", help="Composition level: section, chapter, hs4 or hs6."
        ),
        top: int = typer.Option(10, "--top", help="Drivers shown per period."),
        charts: Path = CHARTS_OPTION,
        as_json: bool = JSON_OPTION,
        out: Path = OUT_OPTION,
    ) -> None:
        """Exports, imports, balance and turnover by period; composition, drivers,
        concentration, unit values and the mirror gap."""
        from tradegap.analysis.balance import balance
        from tradegap.cli.common import write_table

        wh = state(ctx).warehouse()
        result = balance(
            wh, a, b, frequency=frequency, datasets=dataset or None, level=level, top=top
        )
        if out is not None:
            write_table(result.summary, out)
        written = _write_charts(result, charts) if charts is not None else []
        if as_json:
            payload = result.to_dict()
            payload["charts"] = [str(p) for p in written]
            print_json(payload)
            return
        _print(result, top)
        for path in written:
            console.print(f"chart: {path}")
        if out is not None:
            console.print(f"summary written to {out}")


def _clip(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _print(result, top: int) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd
    prov = result.provenance
    caption = prov.label
    if prov.synthetic:
        console.print(f"[bold yellow]{prov.label}[/]")
    console.print(
        rich_table(
            _summary_view(result.summary),
            title=f"{result.a}–{result.b} balance (seen from {result.a})",
            caption=caption,
        )
    )
    for note in result.notes:
        console.print(f"[yellow]{note}[/]")
    if not result.drivers.empty:
        latest = sorted(result.drivers["period"].unique())[-1]
        d = result.drivers[result.drivers["period"] == latest].head(top)
        view = pd.DataFrame(
            {
                "code": d["code"],
                "name": [_clip(n) for n in d["name"].fillna("")],
                "net": [money(v) for v in d["net"]],
                "contribution": [share(v) for v in d["contribution"]],
            }
        )
        console.print(rich_table(view, title=f"Top drivers of the balance, {latest}"))
    if not result.concentration.empty:
        c = result.concentration
        c = c[c["period"] == c["period"].iloc[-1]].copy()
        c["hhi_normalised"] = c["hhi_normalised"].round(3)
        c["top_share"] = [share(v) for v in c["top_share"]]
        c = c[["side", "period", "products", "hhi_normalised", "top_code", "top_share"]]
        console.print(rich_table(c, title="Concentration (normalised HHI over HS6), latest"))
    if not result.mirror_totals.empty:
        m = result.mirror_totals.copy()
        for col in ("exporter_declared", "importer_declared", "gap"):
            m[col] = [money(v) for v in m[col]]
        console.print(rich_table(m, title="Mirror: exporter- vs importer-declared"))


def _write_charts(result, directory: Path) -> list[Path]:  # type: ignore[no-untyped-def]
    from tradegap.cli.common import write_charts
    from tradegap.report.charts_balance import balance_over_time, composition_treemap, top_drivers

    return write_charts(
        {
            "balance": balance_over_time(result),
            "composition_imports": composition_treemap(result, "imports"),
            "composition_exports": composition_treemap(result, "exports"),
            "drivers": top_drivers(result),
        },
        directory,
    )
