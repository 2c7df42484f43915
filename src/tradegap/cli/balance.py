"""`tradegap balance A B`: the bilateral balance, its composition and drivers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
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


def _summary_view(s: pd.DataFrame) -> pd.DataFrame:
    partial = s["partial"].eq(True) if "partial" in s else pd.Series(False, index=s.index)
    periods = [f"{p} (partial)" if x else p for p, x in zip(s["period"], partial, strict=True)]
    view = pd.DataFrame({"period": periods})
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
        notes.append("; ".join(dict.fromkeys(p for part in parts for p in part.split("; "))))
    view["notes"] = notes
    return view


def register(app: typer.Typer) -> None:
    @app.command("balance")
    def balance_command(
        ctx: typer.Context,
        a: str = typer.Argument(..., help="ISO3 of the economy seen from (e.g. RUS)."),
        b: str = typer.Argument(..., help="ISO3 of its partner (e.g. IND)."),
        frequency: str = typer.Option(
            "auto",
            "--frequency",
            help="Periods: calendar_year, fiscal_year_in (India's April–March) or auto (the "
            "kind with more complete periods for this pair). Months are summed into them.",
        ),
        dataset: list[str] = typer.Option(
            None,
            "--dataset",
            help="Use only these datasets, in this order of preference (repeatable).",
        ),
        prefer: list[str] = typer.Option(
            None,
            "--prefer",
            help="Prefer these datasets, in this order, over the coverage rule; others still "
            "fill the periods they lack (repeatable).",
        ),
        start: str = typer.Option(None, "--from", help="First period, e.g. 2017 or FY2017-18."),
        end: str = typer.Option(None, "--to", help="Last period, e.g. 2024 or FY2023-24."),
        full: bool = typer.Option(
            False, "--full", help="--json: every row of every table (default: the largest)."
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
            wh,
            a,
            b,
            frequency=None if frequency == "auto" else frequency,
            datasets=dataset or None,
            prefer=prefer or None,
            start=start,
            end=end,
            level=level,
            top=top,
        )
        if out is not None:
            write_table(result.summary, out)
        written = _write_charts(result, charts) if charts is not None else []
        if as_json:
            payload = result.to_dict(full=full)
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


def _passed_over(sources: pd.DataFrame) -> pd.DataFrame:
    """Datasets passed over, one row per dataset, side and reason, with their periods."""
    if sources.empty or "chosen" not in sources:
        return pd.DataFrame()
    skipped = sources[~sources["chosen"].astype(bool)]
    rows = []
    for (dataset, side, reason), group in skipped.groupby(
        ["dataset", "side", "reason"], sort=False
    ):
        periods = list(group["period"])
        shown = periods[0] if len(periods) == 1 else f"{periods[0]} … {periods[-1]}"
        rows.append(
            {"dataset": dataset, "side": side, "periods": f"{shown} ({len(periods)})",
             "why": str(reason).removeprefix("passed over ")}
        )
    return pd.DataFrame(rows)


def _print(result, top: int) -> None:  # type: ignore[no-untyped-def]
    from tradegap.analysis.balance import latest_complete
    from tradegap.reference.countries import country_name

    prov = result.provenance
    caption = prov.label
    if prov.synthetic:
        console.print(f"[bold yellow]{prov.label}[/]")
    names = {c: _name(c, country_name) for c in (result.a, result.b)}
    console.print(
        rich_table(
            _summary_view(result.summary),
            title=f"{names[result.a]}–{names[result.b]} balance (seen from {result.a})",
            caption=caption,
        )
    )
    for note in result.notes:
        console.print(f"[yellow]{note}[/]")
    head = latest_complete(result.summary)
    if head is not None:
        console.print(
            f"Latest complete period {head['period']}: exports {money(head['exports'])}, "
            f"imports {money(head['imports'])}, balance {money(head['balance'])}"
        )
    else:
        console.print("[yellow]No complete period: every period above is partial.[/]")
    skipped = _passed_over(result.sources)
    if not skipped.empty:
        console.print(rich_table(skipped, title="Datasets passed over"))
    if not result.drivers.empty:
        periods = list(dict.fromkeys(result.drivers["period"]))
        latest = head["period"] if head is not None and head["period"] in periods else periods[-1]
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
        last = head["period"] if head is not None else c["period"].iloc[-1]
        c = c[c["period"] == last].copy()
        c["hhi_normalised"] = c["hhi_normalised"].round(3)
        c["top_share"] = [share(v) for v in c["top_share"]]
        c = c[["side", "period", "products", "hhi_normalised", "top_code", "top_share"]]
        console.print(rich_table(c, title=f"Concentration (normalised HHI over HS6), {last}"))
    if not result.mirror_totals.empty:
        m = result.mirror_totals.copy()
        for col in ("exporter_declared", "importer_declared", "gap"):
            m[col] = [money(v) for v in m[col]]
        console.print(rich_table(m, title="Mirror: exporter- vs importer-declared"))


def _name(code: str, lookup) -> str:  # type: ignore[no-untyped-def]
    """'RUS (Russia)', or the code alone for codes outside the reference list."""
    from tradegap.errors import NotFound

    try:
        return f"{code} ({lookup(code)})"
    except NotFound:
        return code


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
