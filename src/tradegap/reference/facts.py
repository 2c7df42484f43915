"""Published headline figures on India–Russia trade, each with its source URL.

The figures live in ``tradegap/data/reference_facts.csv`` (a copy of the team's
``reference_facts/india_russia_official.csv``): India's exports to and imports from Russia and the
balance by Indian fiscal year, the crude share, rupee vostro balances. They are quoted as
published and never "corrected": e.g. the balance for FY2024-25 is reported as −58.9 bn although
4.88 − 63.84 = −58.96. Use them to check that computed figures match what analysts will compare
them with. Indian fiscal-year figures (``FY2023-24``) differ from Russian calendar-year ones.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pandas as pd

from tradegap.errors import InputError, NotFound

FACTS_FILE = Path(__file__).resolve().parents[1] / "data" / "reference_facts.csv"
COLUMNS = ("metric", "period", "value", "unit", "source_url", "note")
#: Units whose values convert to US dollars, and the factor.
USD_UNITS = {"USD billion": 1_000_000_000, "USD million": 1_000_000, "USD": 1}


@lru_cache(maxsize=1)
def _facts() -> pd.DataFrame:
    frame = pd.read_csv(FACTS_FILE, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"missing column(s) {missing}", file=str(FACTS_FILE),
                         hint=f"the facts file needs the columns {', '.join(COLUMNS)}")
    values = pd.to_numeric(frame["value"], errors="coerce")
    if values.isna().any():
        line = int(values.isna().to_numpy().argmax()) + 2
        raise InputError("value is not a number", file=str(FACTS_FILE), line=line, field="value")
    out = frame[list(COLUMNS)].copy()
    out["value"] = values.astype("float64")
    # exact decimal scaling, so 4.88 USD billion is 4_880_000_000.0 dollars, not 4879999999.99…
    out["value_usd"] = [
        float(Decimal(v) * USD_UNITS[u]) if u in USD_UNITS else float("nan")
        for v, u in zip(frame["value"], frame["unit"], strict=True)
    ]
    return out


def official_figures(metric: str | None = None) -> pd.DataFrame:
    """The published figures (columns metric, period, value, unit, source_url, note, value_usd),
    optionally of one ``metric``; ``value_usd`` is in dollars where the unit is money, else NaN."""
    facts = _facts()
    if metric is None:
        return facts.copy()
    chosen = facts[facts["metric"] == metric]
    if chosen.empty:
        raise NotFound(
            f"no published figure for metric {metric!r}",
            hint=f"metrics: {', '.join(sorted(facts['metric'].unique()))}",
        )
    return chosen.reset_index(drop=True).copy()


def official_value(metric: str, period: str) -> float:
    """The published value of ``metric`` for ``period`` in its own unit (e.g. USD billion)."""
    facts = _facts()
    row = facts[(facts["metric"] == metric) & (facts["period"] == period)]
    if row.empty:
        have = "; ".join(f"{m} {p}" for m, p in zip(facts["metric"], facts["period"], strict=True))
        raise NotFound(
            f"no published figure for {metric!r} in {period!r}",
            hint=f"published figures: {have}",
        )
    return float(row["value"].iloc[0])
