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
    state,
)
from tradegap.cli.tables import FORMAT_OPTION, Kind, Output

SUMMARY_MONEY = ("exports", "imports", "balance", "official_exports", "official_imports",
                 "headline_balance")
SUMMARY_SHARES = ("exports_coverage", "imports_coverage", "imports_fuel_share",
                  "exports_fuel_share")
SUMMARY_LABELS = {"official_exports": "official exports", "official_imports": "official imports",
                  "headline_balance": "headline balance", "exports_coverage": "exports coverage",
                  "imports_coverage": "imports coverage", "imports_fuel_share": "fuel in imports",
                  "exports_fuel_share": "fuel in exports"}


def _summary_view(s: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Kind], list[str]]:
    """The summary table (raw values), its column kinds and its notes, each note once."""
    view = pd.DataFrame({"period": s["period"].astype(str).to_numpy()})
    kinds: dict[str, Kind] = {"period": "year"}
    for column in SUMMARY_MONEY + SUMMARY_SHARES:
        if column in s and s[column].notna().any():
            view[column] = s[column].to_numpy()
            kinds[column] = "money" if column in SUMMARY_MONEY else "share"
    notes: list[str] = []
    for _, row in s.iterrows():
        for c in ("exports_note", "imports_note", "balance_note"):
            text = row[c] if c in s else None
            if isinstance(text, str) and text and text not in notes:
                notes.append(text)
    return view, kinds, notes


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
        fmt: str = FORMAT_OPTION,
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
        printer = Output(fmt, console)
        _print(result, top, printer)
        for path in written:
            printer.message(f"chart: {path}")
        if out is not None:
            printer.message(f"summary written to {out}")


def _print(result, top: int, printer: Output) -> None:  # type: ignore[no-untyped-def]
    from tradegap.report.format import product_label

    prov = result.provenance
    printer.synthetic(prov)
    view, kinds, notes = _summary_view(result.summary)
    optional = [c for c in ("exports_coverage", "imports_coverage", "official_imports",
                            "official_exports", "headline_balance", "exports_fuel_share",
                            "imports_fuel_share") if c in view][::-1]
    printer.table(view, f"{_named(result.a)} and {_named(result.b)}: trade balance seen from "
                  f"{_named(result.a)}", kinds=kinds, labels=SUMMARY_LABELS, optional=optional)
    for note in dict.fromkeys([*notes, *result.notes]):
        printer.note(note)
    if not result.drivers.empty:
        latest = sorted(result.drivers["period"].unique())[-1]
        d = result.drivers[result.drivers["period"] == latest].head(top)
        drivers = pd.DataFrame({
            "code": d["code"].to_numpy(),
            "name": [product_label(c, n) for c, n in zip(d["code"], d["name"], strict=True)],
            "net": d["net"].to_numpy(),
            "contribution": d["contribution"].to_numpy(),
        })
        printer.table(drivers, f"What drives the balance, {latest}",
                      kinds={"code": "code", "name": "name", "net": "money",
                             "contribution": "share"},
                      labels={"code": "product", "net": "net exports",
                              "contribution": "share of balance"})
    if not result.concentration.empty:
        c = result.concentration
        c = c[c["period"] == c["period"].iloc[-1]]
        conc = pd.DataFrame({
            "side": c["side"].to_numpy(), "period": c["period"].astype(str).to_numpy(),
            "products": c["products"].to_numpy(), "hhi": c["hhi_normalised"].to_numpy(),
            "top": [f"{code} {product_label(code)}" for code in c["top_code"]],
            "top_share": c["top_share"].to_numpy(),
        })
        printer.table(conc, "How concentrated each side is (HS6, latest period)",
                      kinds={"period": "year", "products": "integer", "hhi": "ratio",
                             "top": "name", "top_share": "share"},
                      labels={"hhi": "HHI (0–1)", "top": "largest product",
                              "top_share": "its share"})
    if not result.mirror_totals.empty:
        m = result.mirror_totals.copy()
        kinds_m: dict[str, Kind] = {col: "money" for col in
                                    ("exporter_declared", "importer_declared", "gap")}
        printer.table(m, "Mirror: what the exporter declared against what the importer did",
                      kinds=kinds_m)


def _named(iso3: str) -> str:
    from tradegap.report.format import country_label

    name = country_label(iso3)
    return iso3 if name == iso3 else f"{name} ({iso3})"


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
