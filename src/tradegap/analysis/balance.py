"""The bilateral balance and what drives it (``tradegap balance A B``).

Seen from ``a``: exports = a→b, imports = b→a, balance = exports − imports, turnover =
exports + imports. A value that no dataset provides is missing (NaN) with the reason in the
``*_note`` column, never zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradegap.analysis.composition import composition, concentration, drivers, unit_values
from tradegap.analysis.mirror import mirror, mirror_totals
from tradegap.analysis.pair_data import PairData, load_pair
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "summary": self.summary,
            "composition": self.composition,
            "drivers": self.drivers,
            "concentration": self.concentration,
            "unit_values": self.unit_values,
            "mirror": self.mirror,
            "mirror_totals": self.mirror_totals,
            "sources": self.sources,
            "provenance": self.provenance.to_dict(),
            "notes": self.notes,
        }


def _side_notes(pair: PairData, chosen: pd.Series) -> str:
    notes = []
    if chosen.get("period_type") == "calendar_year" and 0 < (chosen.get("months") or 0) < 12:
        notes.append(f"partial year: {int(chosen['months'])} of 12 months")
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


def _summary(pair: PairData) -> pd.DataFrame:
    chosen = pair.chosen
    keys = ["period_type", "period"]
    if chosen.empty:
        frame = pd.DataFrame(columns=keys)
    else:
        frame = chosen[keys + ["year"]].drop_duplicates(keys).sort_values(["year", "period"])
        frame = frame.drop(columns="year").reset_index(drop=True)
    for side in SIDES:
        part = chosen[chosen["side"] == side] if not chosen.empty else chosen
        values, datasets, notes = [], [], []
        for _, row in frame.iterrows():
            match = (
                part[
                    (part["period_type"] == row["period_type"]) & (part["period"] == row["period"])
                ]
                if not part.empty
                else part
            )
            if match.empty:
                src, dst = (pair.a, pair.b) if side == "exports" else (pair.b, pair.a)
                values.append(np.nan)
                datasets.append(None)
                notes.append(f"missing: no dataset reports {src}→{dst} for {row['period']}")
            else:
                m = match.iloc[0]
                values.append(float(m["value_usd"]))
                datasets.append(m["dataset"])
                notes.append(_side_notes(pair, m))
        frame[side] = values
        frame[f"{side}_dataset"] = datasets
        frame[f"{side}_note"] = notes
    if not frame.empty:
        frame["balance"] = frame["exports"] - frame["imports"]
        frame["turnover"] = frame["exports"] + frame["imports"]
        partial = frame["exports_dataset"].isin(pair.partial_datasets) | frame[
            "imports_dataset"
        ].isin(pair.partial_datasets)
        frame["balance_note"] = None
        frame.loc[partial, ["balance", "turnover"]] = np.nan
        frame.loc[partial, "balance_note"] = (
            "not computed: one side covers only some products (see its note)"
        )
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
    if official is not None and not frame.empty:
        frame = frame.merge(official, on=keys, how="outer")
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
    return frame.reset_index(drop=True)


def balance(
    wh: Warehouse,
    a: str,
    b: str,
    *,
    frequency: str = "calendar_year",
    datasets: list[str] | None = None,
    level: str = "chapter",
    driver_level: str = "hs4",
    top: int = 15,
) -> BalanceResult:
    """Measure the imbalance between ``a`` and ``b`` (ISO3) and what drives it.

    ``frequency`` says how monthly rows are summed (calendar or Indian fiscal years); yearly
    rows keep their own period. ``datasets`` restricts and orders the datasets to use.
    """
    pair = load_pair(wh, a, b, frequency=frequency, datasets=datasets)
    try:
        used = sorted(set(pair.chosen["dataset"])) if not pair.chosen.empty else []
        infos = {d.name: d for d in wh.datasets()}
        provenance = Provenance(
            sources=sorted({infos[d].source for d in used}),
            datasets=used,
            periods=sorted(set(pair.chosen.get("period", pd.Series(dtype=str)))),
            synthetic=any(d in pair.synthetic_datasets for d in used),
        )
        notes = []
        if pair.chosen.empty:
            notes.append(f"no dataset in {wh.home} holds flows between {pair.a} and {pair.b}")
        mirror_table = mirror(pair)
        return BalanceResult(
            a=pair.a,
            b=pair.b,
            summary=_summary(pair),
            composition=composition(pair, level),
            drivers=drivers(pair, driver_level, top),
            concentration=concentration(pair),
            unit_values=unit_values(pair),
            mirror=mirror_table,
            mirror_totals=mirror_totals(mirror_table),
            sources=pair.available,
            provenance=provenance,
            notes=notes,
        )
    finally:
        pair.con.close()
