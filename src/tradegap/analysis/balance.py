"""The bilateral balance and what drives it (``tradegap balance A B``).

Seen from ``a``: exports = a→b, imports = b→a, balance = exports − imports, turnover =
exports + imports. A value that no dataset provides is missing (NaN) with the reason in the
``*_note`` column, never zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradegap.analysis.composition import composition, concentration, drivers, unit_values
from tradegap.analysis.mirror import mirror, mirror_totals
from tradegap.analysis.pair_data import FREQUENCY_NAMES, PRODUCT_WORDS, PairData, load_pair
from tradegap.errors import InputError
from tradegap.provenance import Provenance
from tradegap.warehouse.store import Warehouse

SIDES = ("exports", "imports")

#: Published headline figures that exist for a pair, as (metric for a's exports, for a's
#: imports, for a's balance), from the packaged reference facts (seen from India).
_OFFICIAL_METRICS = {
    ("IND", "RUS"): (
        "india_exports_to_russia",
        "india_imports_from_russia",
        "india_trade_balance_with_russia",
    ),
}


#: The tables of a balance that can be long, and the column that ranks their rows.
DETAIL_TABLES = {"composition": "value_usd", "drivers": "net", "unit_values": "value_usd",
                 "mirror": "gap"}
DETAIL_ROWS = 20


def _largest(frame: pd.DataFrame, column: str, top: int) -> pd.DataFrame:
    """The ``top`` rows of each side and period with the largest absolute ``column``."""
    if frame.empty or column not in frame:
        return frame
    keys = [k for k in ("side", "period_type", "period") if k in frame]
    order = frame[column].abs().sort_values(ascending=False, kind="stable").index
    ranked = frame.loc[order]
    return ranked.groupby(keys, sort=False).head(top).sort_index()


@dataclass
class BalanceResult:
    """Everything ``balance`` measured; each table is a DataFrame in US dollars."""

    a: str
    b: str
    summary: pd.DataFrame
    composition: pd.DataFrame
    drivers: pd.DataFrame
    concentration: pd.DataFrame
    unit_values: pd.DataFrame
    mirror: pd.DataFrame
    mirror_totals: pd.DataFrame
    sources: pd.DataFrame
    provenance: Provenance
    notes: list[str] = field(default_factory=list)
    frequency: str = "calendar_year"

    def to_dict(self, full: bool = False, top: int = DETAIL_ROWS) -> dict[str, Any]:
        """Plain values for JSON. By default each detail table keeps its ``top`` largest rows
        per side and period (one real pair stays well below 1 MB) and ``detail`` says how
        many rows each table has; ``full`` keeps every row."""
        tables = {name: getattr(self, name) for name in DETAIL_TABLES}
        kept = tables if full else {
            n: _largest(t, DETAIL_TABLES[n], top) for n, t in tables.items()
        }
        return {
            "a": self.a,
            "b": self.b,
            "summary": self.summary,
            **kept,
            "concentration": self.concentration,
            "mirror_totals": self.mirror_totals,
            "sources": self.sources,
            "provenance": self.provenance.to_dict(),
            "notes": self.notes,
            "frequency": self.frequency,
            "detail": {
                "full": full,
                "rows": {n: {"shown": len(kept[n]), "total": len(t)} for n, t in tables.items()},
                "more": "tradegap balance A B --json --full, or /api/balance?table=NAME&page=1",
            },
        }

    def table_page(self, name: str, page: int = 1, size: int = 1000) -> dict[str, Any]:
        """Rows ``(page-1)*size`` … of one table (``composition``, ``drivers``, ``unit_values``,
        ``mirror`` or ``sources``), for the paginated API."""
        if name not in (*DETAIL_TABLES, "sources"):
            raise InputError(f"unknown table {name!r}", field="table",
                             hint=f"one of {', '.join((*DETAIL_TABLES, 'sources'))}")
        frame = getattr(self, name)
        start = (page - 1) * size
        return {"a": self.a, "b": self.b, "table": name, "page": page, "size": size,
                "total": len(frame), "pages": max(1, -(-len(frame) // size)),
                "rows": frame.iloc[start : start + size]}


def _side_notes(pair: PairData, chosen: pd.Series) -> str:
    notes = []
    if int(chosen.get("months") or 12) < 12:
        notes.append(f"partial: {int(chosen['months'])} of 12 months")
    note = pair.dataset_notes.get(chosen["dataset"])
    if note:
        notes.append(note)
    return "; ".join(notes)


def _official(a: str, b: str) -> pd.DataFrame | None:
    """Published exports/imports/balance for the pair seen from ``a``, in dollars."""
    key = (a, b) if (a, b) in _OFFICIAL_METRICS else (b, a)
    if key not in _OFFICIAL_METRICS:
        return None
    from tradegap.reference.facts import official_figures

    facts = official_figures()
    exp_m, imp_m, bal_m = _OFFICIAL_METRICS[key]
    flip = key != (a, b)
    pick = {
        "official_exports": imp_m if flip else exp_m,
        "official_imports": exp_m if flip else imp_m,
    }
    out: pd.DataFrame | None = None
    for column, metric in {**pick, "official_balance": bal_m}.items():
        part = facts[facts["metric"] == metric][["period", "value_usd", "source_url"]]
        part = part.rename(columns={"value_usd": column, "source_url": f"{column}_source"})
        if column == "official_balance" and flip:
            part[column] = -part[column]
        out = part if out is None else out.merge(part, on="period", how="outer")
    assert out is not None
    out["period_type"] = np.where(
        out["period"].str.startswith("FY"), "fiscal_year_in", "calendar_year"
    )
    return out


def _sides(pair: PairData) -> pd.DataFrame:
    """One row per period: each side's value, dataset, note and coverage."""
    chosen = pair.chosen
    keys = ["period_type", "period"]
    if chosen.empty:
        return pd.DataFrame(columns=keys)
    frame = chosen[keys + ["year"]].drop_duplicates(keys).sort_values(["year", "period"])
    frame = frame.reset_index(drop=True)
    for side in SIDES:
        part = chosen[chosen["side"] == side].set_index(keys)
        idx = pd.MultiIndex.from_frame(frame[keys])
        got = part.reindex(idx)
        frame[side] = got["value_usd"].astype(float).to_numpy()
        frame[f"{side}_dataset"] = got["dataset"].to_numpy()
        frame[f"{side}_months"] = got["months"].to_numpy()
        frame[f"{side}_products"] = got["products"].to_numpy()
        src, dst = (pair.a, pair.b) if side == "exports" else (pair.b, pair.a)
        frame[f"{side}_note"] = [
            f"missing: no dataset reports {src}→{dst} for {period}"
            if pd.isna(ds)
            else _side_notes(pair, part.loc[(ptype, period)])
            for ptype, period, ds in zip(
                frame["period_type"], frame["period"], got["dataset"], strict=True
            )
        ]
    return frame.drop(columns="year")


def _coverage_text(row: pd.Series) -> str:
    parts = []
    for side in SIDES:
        if pd.isna(row[f"{side}_dataset"]):
            parts.append(f"{side}: missing")
            continue
        products = PRODUCT_WORDS[row[f"{side}_products"]]
        parts.append(f"{side}: {int(row[f'{side}_months'])} of 12 months, {products}")
    return "; ".join(parts)


def _balance_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Balance and turnover where both sides cover the same months and all products; the
    ``partial`` flag and ``coverage`` text of every period."""
    both = frame["exports_dataset"].notna() & frame["imports_dataset"].notna()
    products = (frame["exports_products"] != "some") & (frame["imports_products"] != "some")
    same = frame["exports_months"] == frame["imports_months"]
    frame["balance"] = frame["exports"] - frame["imports"]
    frame["turnover"] = frame["exports"] + frame["imports"]
    frame["balance_note"] = None
    no_products = both & ~products
    no_months = both & products & ~same
    frame.loc[no_products | no_months, ["balance", "turnover"]] = np.nan
    frame.loc[no_products, "balance_note"] = (
        "not computed: one side covers only some products (see its note)"
    )
    frame.loc[no_months, "balance_note"] = [
        f"not computed: the sides cover different months (exports {int(e)}, imports {int(i)})"
        for e, i in zip(
            frame.loc[no_months, "exports_months"], frame.loc[no_months, "imports_months"],
            strict=True,
        )
    ]
    months = frame[["exports_months", "imports_months"]].astype(float)
    incomplete = (months < 12).any(axis=1) | (
        frame[["exports_products", "imports_products"]].isin(["most", "some"]).any(axis=1)
    )
    frame["partial"] = incomplete
    frame["complete"] = both & ~incomplete
    frame["coverage"] = [_coverage_text(r) for _, r in frame.iterrows()]
    return frame


def _summary(pair: PairData) -> pd.DataFrame:
    chosen = pair.chosen
    keys = ["period_type", "period"]
    frame = _sides(pair)
    if not frame.empty:
        frame = _balance_columns(frame)
        shares = pair.con.execute(
            "SELECT side, period_type, period, "
            "sum(value_usd) FILTER (WHERE product LIKE '27%') AS fuels, "
            "sum(value_usd) FILTER (WHERE product LIKE '2709%') AS crude "
            "FROM pair GROUP BY ALL"
        ).df()
        for side in SIDES:
            part = shares[shares["side"] == side].drop(columns="side")
            part = part.rename(columns={"fuels": f"{side}_fuels", "crude": f"{side}_crude"})
            frame = frame.merge(part, on=keys, how="left")
            frame[f"{side}_fuel_share"] = frame[f"{side}_fuels"].fillna(0) / frame[side]
    used = set(chosen["dataset"]) if not chosen.empty else set()
    real = not (used & pair.synthetic_datasets)
    # published figures describe the real economies: never merged into a synthetic world
    official = _official(pair.a, pair.b) if real else None
    if official is not None:
        # published figures of the other kind of year stay out: one kind of period per table
        official = official[official["period_type"] == pair.frequency]
        start = official["period"].str.extract(r"(\d{4})")[0].astype(int)
        lo, hi = pair.years
        keep = pd.Series(True, index=official.index)
        if lo is not None:
            keep &= start >= lo
        if hi is not None:
            keep &= start <= hi
        official = official[keep]
    if official is not None and not official.empty and not frame.empty:
        frame = frame.merge(official, on=keys, how="outer")
        frame["partial"] = frame["partial"].eq(True)
        frame["complete"] = frame["complete"].eq(True)
        frame["exports_coverage"] = frame["exports"] / frame["official_exports"]
        frame["imports_coverage"] = frame["imports"] / frame["official_imports"]
        # the balance implied by the published exports and imports (may differ from the
        # published balance by rounding: FY2024-25 4.88 − 63.84 = −58.96 against −58.9)
        frame["headline_balance"] = frame["official_exports"] - frame["official_imports"]
        for side in SIDES:
            frame[f"{side}_crude_share_of_official"] = (
                frame[f"{side}_crude"] / frame[f"official_{side}"]
            )
        frame["_order"] = frame["period"].str.extract(r"(\d{4})")[0].astype(float)
        frame = frame.sort_values(["period_type", "_order"]).drop(columns="_order")
        for side in SIDES:
            missing = frame[side].isna() & frame[f"{side}_note"].isna()
            frame.loc[missing, f"{side}_note"] = "missing: no product-level data for this period"
        frame["coverage"] = frame["coverage"].fillna("no product-level data")
    return frame.reset_index(drop=True)


def latest_complete(summary: pd.DataFrame) -> pd.Series | None:
    """The latest period whose both sides cover all months and products and that has a
    balance: the one a headline may show (None when no period is complete)."""
    if summary.empty or "complete" not in summary:
        return None
    full = summary[summary["complete"].eq(True) & summary["balance"].notna()]
    return None if full.empty else full.iloc[-1]


def _in_warehouse(wh: Warehouse) -> Callable[[str], bool]:
    """Whether the warehouse holds flows of a code outside the reference list (e.g. a BACI
    area); pseudo codes of the ISO user-assigned ranges (``XXX``: destination unspecified) are
    not countries and stay refused."""

    def known(code: str) -> bool:
        if re.fullmatch(r"AA[A-Z]|Q[M-Z][A-Z]|X[A-Z]{2}|ZZ[A-Z]", code):
            return False
        con = wh.connect()
        try:
            hit = con.execute(
                "SELECT 1 FROM flows WHERE exporter = ? OR importer = ? LIMIT 1", [code, code]
            ).fetchone()
        finally:
            con.close()
        return hit is not None

    return known


def _balanced_drivers(drivers_table: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Drivers of the periods that have a balance only: where one side is missing or covers
    other months or products, ranking products 'by the imbalance' would mislead."""
    if drivers_table.empty or summary.empty:
        return drivers_table
    ok = summary.loc[summary["balance"].notna(), ["period_type", "period"]]
    return drivers_table.merge(ok, on=["period_type", "period"]).reset_index(drop=True)


def balance(
    wh: Warehouse,
    a: str,
    b: str,
    *,
    frequency: str | None = None,
    datasets: list[str] | None = None,
    prefer: list[str] | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
    level: str = "chapter",
    driver_level: str = "hs4",
    top: int = 15,
) -> BalanceResult:
    """Measure the imbalance between ``a`` and ``b`` (ISO3) and what drives it.

    ``frequency`` says how monthly rows are summed (``calendar_year`` or ``fiscal_year_in``;
    None: the kind with more complete periods for this pair); periods are of that one kind.
    ``datasets`` restricts and orders the datasets to use, ``prefer`` orders them;
    ``start``/``end`` bound the periods (see :func:`~tradegap.analysis.pair_data.load_pair`).
    """
    from tradegap.reference.countries import check_country

    known = _in_warehouse(wh)
    a, b = check_country(a, "A", known), check_country(b, "B", known)
    pair = load_pair(
        wh, a, b, frequency=frequency, datasets=datasets, prefer=prefer, start=start, end=end
    )
    try:
        used = sorted(set(pair.chosen["dataset"])) if not pair.chosen.empty else []
        infos = {d.name: d for d in wh.datasets()}
        provenance = Provenance(
            sources=sorted({infos[d].source for d in used}),
            datasets=used,
            periods=sorted(set(pair.chosen.get("period", pd.Series(dtype=str)))),
            synthetic=any(d in pair.synthetic_datasets for d in used),
        )
        notes = [pair.frequency_note]
        if pair.chosen.empty and not pair.available.empty:
            notes.append(
                f"no dataset holds {pair.a}–{pair.b} flows in {FREQUENCY_NAMES[pair.frequency]} "
                "(see sources: the datasets found and why they were passed over)"
            )
        elif pair.chosen.empty:
            notes.append(f"no dataset in {wh.home} holds flows between {pair.a} and {pair.b}")
        summary = _summary(pair)
        mirror_table = mirror(pair)
        return BalanceResult(
            a=pair.a,
            b=pair.b,
            summary=summary,
            composition=composition(pair, level),
            drivers=_balanced_drivers(drivers(pair, driver_level, top), summary),
            concentration=concentration(pair),
            unit_values=unit_values(pair),
            mirror=mirror_table,
            mirror_totals=mirror_totals(mirror_table),
            sources=pair.available,
            provenance=provenance,
            notes=notes,
            frequency=pair.frequency,
        )
    finally:
        pair.con.close()
