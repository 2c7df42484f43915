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

if TYPE_CHECKING:
    import pandas as pd


def _summary_view(s: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Kind], list[str]]:
    """The summary table (raw values), its column kinds and its notes, each note once."""
    import pandas as pd
    partial = s["partial"].eq(True) if "partial" in s else pd.Series(False, index=s.index)
    periods = [f"{p} (partial)" if x else str(p)
               for p, x in zip(s["period"], partial, strict=True)]
    view = pd.DataFrame({"period": periods})
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
        fmt: str = FORMAT_OPTION,
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
            write_table(result.summary, out, result.provenance)
        written = _write_charts(result, charts) if charts is not None else []
        if as_json:
            payload = result.to_dict(full=full)
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
    import pandas as pd

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
    from tradegap.analysis.balance import latest_complete
    from tradegap.report.format import money

    head = latest_complete(result.summary)
    if head is not None:
        printer.message(
            f"Latest complete period {head['period']}: exports {money(head['exports'])}, "
            f"imports {money(head['imports'])}, balance {money(head['balance'])}")
    else:
        printer.note("No complete period: every period above is partial.")
    skipped = _passed_over(result.sources)
    if not skipped.empty:
        printer.table(skipped, "Datasets passed over", kinds={"why": "name"})
    if not result.drivers.empty:
        periods = list(dict.fromkeys(result.drivers["period"]))
        latest = head["period"] if head is not None and head["period"] in periods else periods[-1]
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
        last = head["period"] if head is not None else c["period"].iloc[-1]
        c = c[c["period"] == last]
        conc = pd.DataFrame({
            "side": c["side"].to_numpy(), "period": c["period"].astype(str).to_numpy(),
            "products": c["products"].to_numpy(), "hhi": c["hhi_normalised"].to_numpy(),
            "top": [f"{code} {product_label(code)}" for code in c["top_code"]],
            "top_share": c["top_share"].to_numpy(),
        })
        printer.table(conc, f"How concentrated each side is (HS6, {last})",
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


def _passed_over(sources: pd.DataFrame) -> pd.DataFrame:
    """Datasets passed over, one row per dataset, side and reason, with their periods."""
    import pandas as pd
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
