"""The flows between two economies, one consistent source per direction and period.

Several datasets may describe the same flow (India's own statistics, BACI, a partner's mirror);
summing them would double count. :func:`load_pair` picks, for each direction and period, one
dataset and records which one and why, so every number can say where it came from.

The rule (docs/data-choice.md):

1. Periods are of one kind only, calendar years or India's April–March fiscal years: monthly
   rows are summed into the chosen kind; yearly datasets of the other kind are passed over.
   By default the kind with more periods where both directions are complete wins (ties:
   calendar years).
2. For each direction and period, a dataset that covers all 12 months and all products beats
   one that does not; among incomplete ones, more months, then more of the products
   (all, most, some: :data:`PRODUCT_WORDS`).
3. Among equally complete datasets: the importer's declaration of the flow, then the
   exporter's, then reconciled data (BACI), then mirror rows, then the dataset name. The rule
   depends on the flow, not on which country the table is seen from, so ``A B`` and ``B A``
   use the same numbers.
4. The user's ``datasets`` (restrict and order) or ``prefer`` (order only) come before 2 and 3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from tradegap.errors import InputError, NotFound
from tradegap.warehouse.schema import fiscal_year_label
from tradegap.warehouse.store import Warehouse

#: Periods a result can be expressed in. Monthly rows are summed into the chosen kind of year.
FREQUENCIES = ("calendar_year", "fiscal_year_in")
FREQUENCY_NAMES = {
    "calendar_year": "calendar years",
    "fiscal_year_in": "Indian fiscal years",
    "fiscal_year_in_partial": "parts of Indian fiscal years",
}

_FY_MONTHS = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]

#: Who declared the flow, best first (rule 3 of the module docstring).
_REPORTER_RANK = {"importer": 0, "exporter": 1, "reconciled": 2, "mirror": 3}
#: How much of the product range a dataset covers (provenance ``product_coverage``, or
#: ``partial_products``): every product, most (a few chapters absent: a balance is still
#: computed, marked partial), or some only (e.g. crude oil alone: no balance is computed).
PRODUCT_WORDS = {"all": "all products", "most": "most products", "some": "some products only"}
_PRODUCT_RANK = {"all": 0, "most": 1, "some": 2}
_REPORTER_WORDS = {
    "importer": "the importer's declaration",
    "exporter": "the exporter's declaration",
    "reconciled": "reconciled data",
    "mirror": "mirror rows",
}


@dataclass
class PairData:
    """A DuckDB connection holding table ``pair`` (the chosen flows, with ``side`` =
    'exports' for a→b and 'imports' for b→a, seen from ``a``) and the choice made.

    ``available`` lists every dataset × side × period found, with its coverage (``months``,
    ``all_products``, ``complete``), whether it was ``chosen`` and the ``reason``; ``chosen``
    holds the chosen rows only."""

    con: duckdb.DuckDBPyConnection
    a: str
    b: str
    frequency: str
    available: pd.DataFrame
    chosen: pd.DataFrame
    synthetic_datasets: set[str] = field(default_factory=set)
    dataset_notes: dict[str, str] = field(default_factory=dict)
    partial_datasets: set[str] = field(default_factory=set)
    frequency_note: str = ""
    years: tuple[int | None, int | None] = (None, None)  # --from / --to, as start years


def _mapped_sql(frequency: str) -> str:
    """Columns of ``pair_raw`` re-expressed in ``frequency``: period label, period type, year,
    the months a yearly row spans, and whether the row can be shown in that frequency."""
    months = ", ".join(f"'{m}'" for m in _FY_MONTHS)
    span = (
        f"list_position([{months}], split_part(split_part(period, ' ', 2), '-', 2)) - "
        f"list_position([{months}], split_part(split_part(period, ' ', 2), '-', 1)) + 1"
    )
    if frequency == "fiscal_year_in":
        fy = "(CASE WHEN month >= 4 THEN year ELSE year - 1 END)"
        label = (
            f"CASE WHEN period_type = 'month' THEN 'FY' || CAST({fy} AS VARCHAR) || '-' || "
            f"lpad(CAST(({fy} + 1) % 100 AS VARCHAR), 2, '0') "
            "WHEN period_type = 'fiscal_year_in_partial' THEN split_part(period, ' ', 1) "
            "ELSE period END"
        )
        year = f"CASE WHEN period_type = 'month' THEN {fy} ELSE year END"
        ok = (
            "(period_type IN ('month', 'fiscal_year_in') OR "
            "(period_type = 'fiscal_year_in_partial' AND NOT shadowed))"
        )
        spans = f"CASE WHEN period_type = 'fiscal_year_in_partial' THEN {span} ELSE 12 END"
    else:
        label = "CASE WHEN period_type = 'month' THEN CAST(year AS VARCHAR) ELSE period END"
        year = "year"
        ok = "period_type IN ('month', 'calendar_year')"
        spans = "12"
    kind = f"CASE WHEN {ok} THEN '{frequency}' ELSE period_type END"
    return (
        f"{label} AS period, {kind} AS period_type, CAST({year} AS INTEGER) AS year, "
        f"{spans} AS span, ({ok}) AS comparable, period AS raw_period"
    )


def _candidates_by_frequency(
    con: duckdb.DuckDBPyConnection,
    products: dict[str, str],
    years: tuple[int | None, int | None],
    frequency: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Every dataset × side × period of ``pair_raw`` in each frequency (only ``frequency`` if
    given), with its coverage: one query for all."""
    lo, hi = years
    wanted = FREQUENCIES if frequency is None else (frequency,)
    parts = " UNION ALL ".join(
        f"""SELECT '{f}' AS frequency, side, period, period_type, min(year) AS year, dataset,
               min(source) AS source, min(reporter) AS reporter, sum(value_usd) AS value_usd,
               count(*) AS rows, bool_and(comparable) AS comparable,
               bool_or(shadowed) AS shadowed,
               CASE WHEN count(month) > 0 THEN count(DISTINCT month)
                    ELSE max(span) END AS months
        FROM (SELECT * EXCLUDE (period, period_type, year), {_mapped_sql(f)} FROM pair_raw)
        WHERE (? IS NULL OR year >= ?) AND (? IS NULL OR year <= ?)
        GROUP BY side, period, period_type, dataset"""
        for f in wanted)
    frame = con.execute(
        f"SELECT * FROM ({parts}) ORDER BY frequency, side, year, period, dataset",
        [lo, lo, hi, hi] * len(wanted),
    ).df()
    out = {}
    for f in wanted:
        part = frame[frame["frequency"] == f].drop(columns="frequency").reset_index(drop=True)
        part["months"] = part["months"].astype("int64")
        part["products"] = part["dataset"].map(products).fillna("all")
        part["all_products"] = part["products"] == "all"
        part["complete"] = (part["months"] >= 12) & part["all_products"]
        out[f] = part
    return out


def _rank(row: pd.Series, preferred: list[str]) -> tuple[object, ...]:
    """Sort key of a candidate: lower is better (rules 2–4 of the module docstring)."""
    pref = preferred.index(row["dataset"]) if row["dataset"] in preferred else len(preferred)
    return (
        pref,
        not row["complete"],
        -int(row["months"]),
        _PRODUCT_RANK[row["products"]],
        _REPORTER_RANK.get(row["reporter"], len(_REPORTER_RANK)),
        row["dataset"],
    )


def _coverage(row: pd.Series) -> str:
    return f"{int(row['months'])} of 12 months, {PRODUCT_WORDS[row['products']]}"


def _reason(row: pd.Series, best: pd.Series, preferred: list[str], frequency: str) -> str:
    """Why a candidate was chosen or passed over, in words."""
    if not row["comparable"] and row.get("shadowed") and frequency == "fiscal_year_in":
        return "passed over: part of a fiscal year that this dataset also holds in full"
    if not row["comparable"]:
        other = next(f for f in FREQUENCIES if f != frequency)
        return (
            f"passed over: its periods are {FREQUENCY_NAMES.get(row['period_type'], other)}, "
            f"this table is in {FREQUENCY_NAMES[frequency]} (use --frequency {other})"
        )
    if row["dataset"] == best["dataset"]:
        if row["dataset"] in preferred:
            return f"chosen: your order of datasets ({_coverage(row)})"
        if row["complete"]:
            who = _REPORTER_WORDS.get(row["reporter"], "declared")
            return f"chosen: complete ({_coverage(row)}); {who}"
        return f"chosen: the most complete available ({_coverage(row)})"
    why = f"passed over for {best['dataset']}: "
    if best["dataset"] in preferred:
        return why + "your order of datasets"
    if best["complete"] and not row["complete"]:
        return why + f"covers {_coverage(row)}"
    if int(best["months"]) > int(row["months"]) or (
        _PRODUCT_RANK[best["products"]] < _PRODUCT_RANK[row["products"]]
    ):
        return why + f"covers {_coverage(row)} against {_coverage(best)}"
    if best["reporter"] != row["reporter"]:
        return why + f"equally complete; {_REPORTER_WORDS.get(best['reporter'], 'declared')} first"
    return why + "equally complete; first by name"


def _choose(cands: pd.DataFrame, preferred: list[str], frequency: str) -> pd.DataFrame:
    """Mark the best candidate per side and period (``chosen``) and say why (``reason``)."""
    out = cands.copy()
    out["chosen"] = False
    out["reason"] = ""
    ok = out[out["comparable"]]
    for _, group in ok.groupby(["side", "period"], sort=False):
        ranked = sorted(group.index, key=lambda i: _rank(out.loc[i], preferred))
        best = out.loc[ranked[0]]
        out.loc[ranked[0], "chosen"] = True
        for i in ranked:
            out.loc[i, "reason"] = _reason(out.loc[i], best, preferred, frequency)
    for i in out.index[~out["comparable"]]:
        out.loc[i, "reason"] = _reason(out.loc[i], out.loc[i], preferred, frequency)
    return out


def _complete_periods(cands: pd.DataFrame) -> tuple[int, int]:
    """(periods where both sides have a complete dataset, periods with any data)."""
    ok = cands[cands["comparable"]]
    full = ok[ok["complete"]].groupby("period")["side"].nunique()
    return int((full == 2).sum()), int(ok["period"].nunique())


def _pick_frequency(by_frequency: dict[str, pd.DataFrame]) -> tuple[str, str]:
    """The frequency with more complete periods (ties: calendar years) and a note saying so."""
    scores = {f: _complete_periods(by_frequency[f]) for f in FREQUENCIES}
    best = max(FREQUENCIES, key=lambda f: (scores[f], f == "calendar_year"))
    other = next(f for f in FREQUENCIES if f != best)
    note = (
        f"periods: {FREQUENCY_NAMES[best]}, chosen because {scores[best][0]} of them are "
        f"complete on both sides against {scores[other][0]} in {FREQUENCY_NAMES[other]} "
        f"(the frequency option chooses {FREQUENCY_NAMES[other]} instead)"
    )
    return best, note


def product_coverage(provenance: dict[str, object]) -> str:
    """'all', 'most' or 'some' (see :data:`PRODUCT_WORDS`) from a dataset's provenance."""
    if provenance.get("partial_products"):
        return "some"
    value = str(provenance.get("product_coverage") or "all")
    return value if value in PRODUCT_WORDS else "all"


def parse_year(text: str | int | None, what: str) -> int | None:
    """``'2017'``, ``2017`` or ``'FY2017-18'`` → 2017 (a fiscal year by its start); None stays."""
    if text is None or text == "":
        return None
    match = re.fullmatch(r"(?:FY)?(\d{4})(?:-\d{2})?", str(text).strip(), flags=re.IGNORECASE)
    if not match:
        raise InputError(
            f"{what} must be a year such as 2017 or FY2017-18, not {text!r}", field=what
        )
    return int(match.group(1))


def load_pair(
    wh: Warehouse,
    a: str,
    b: str,
    *,
    frequency: str | None = None,
    datasets: list[str] | None = None,
    prefer: list[str] | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
) -> PairData:
    """Load the flows between ``a`` and ``b`` (ISO3) into a DuckDB table ``pair``.

    ``frequency`` is ``calendar_year``, ``fiscal_year_in`` or None (chosen per pair, see the
    module docstring). ``datasets`` restricts and orders the datasets to use; ``prefer``
    orders without restricting. ``start``/``end`` keep the periods whose year (a fiscal year by
    its start) lies between them.
    """
    a, b = a.upper(), b.upper()
    if frequency is not None and frequency not in FREQUENCIES:
        raise InputError(f"unknown frequency {frequency!r}", field="--frequency",
                         hint="use one of: " + ", ".join(FREQUENCIES))
    years = (parse_year(start, "--from"), parse_year(end, "--to"))
    infos = {d.name: d for d in wh.datasets(kind="flows")}
    named = list(datasets or []) + list(prefer or [])
    unknown = [d for d in named if d not in infos]
    if unknown:
        raise NotFound(
            f"unknown datasets {unknown}; the warehouse holds {sorted(infos)}",
            hint="run `tradegap data list`",
        )
    products = {n: product_coverage(i.provenance) for n, i in infos.items()}
    con = wh.connect()
    only = "AND dataset IN (SELECT unnest(?))" if datasets else ""
    # the IN terms restate the pair's filter in a form DuckDB checks against each Parquet row
    # group's min and max, so only the groups that can hold the pair are read
    params: list[object] = [a, a, b, a, b, a, b, b, a]
    if datasets:
        params.append(datasets)
    # shadowed: part of a fiscal year that the same dataset also holds in full (never summed
    # with it), found in the same statement
    con.execute(
        f"""
        CREATE TEMP TABLE pair_raw AS
        WITH r AS (
            SELECT CASE WHEN exporter = ? THEN 'exports' ELSE 'imports' END AS side,
                   period, period_type, year, month, product, digits, hs_revision,
                   value_usd, quantity, quantity_unit, source, reporter, flag, dataset
            FROM flows
            WHERE exporter IN (?, ?) AND importer IN (?, ?)
              AND ((exporter = ? AND importer = ?) OR (exporter = ? AND importer = ?)) {only})
        SELECT r.*, (r.period_type = 'fiscal_year_in_partial' AND EXISTS (
            SELECT 1 FROM r f WHERE f.period_type = 'fiscal_year_in' AND f.dataset = r.dataset
            AND f.side = r.side AND f.year = r.year)) AS shadowed
        FROM r
        """,
        params,
    )
    note = ""
    by_frequency = _candidates_by_frequency(con, products, years, frequency)
    if frequency is None:
        frequency, note = _pick_frequency(by_frequency)
    preferred = list(datasets or []) + [p for p in prefer or [] if p not in (datasets or [])]
    available = _choose(by_frequency[frequency], preferred, frequency)
    chosen = available[available["chosen"]].reset_index(drop=True)
    lo, hi = years
    con.execute(
        f"""
        CREATE TEMP TABLE pair_all AS
        SELECT * EXCLUDE (comparable, span, raw_period, shadowed) FROM (
            SELECT * EXCLUDE (period, period_type, year), {_mapped_sql(frequency)}
            FROM pair_raw)
        WHERE comparable AND (? IS NULL OR year >= ?) AND (? IS NULL OR year <= ?)
        """,
        [lo, lo, hi, hi],
    )
    con.register("_chosen", chosen[["side", "period", "period_type", "dataset"]])
    con.execute(
        "CREATE TEMP TABLE pair AS SELECT p.* FROM pair_all p JOIN _chosen c "
        "USING (side, period, period_type, dataset)"
    )
    con.unregister("_chosen")
    notes = {
        name: str(info.provenance.get("coverage", ""))
        for name, info in infos.items()
        if info.provenance.get("coverage")
    }
    return PairData(
        con=con,
        a=a,
        b=b,
        frequency=frequency,
        available=available.drop(columns=["comparable", "shadowed"]),
        chosen=chosen,
        synthetic_datasets={n for n, i in infos.items() if i.synthetic},
        dataset_notes=notes,
        partial_datasets={n for n, p in products.items() if p == "some"},
        frequency_note=note or f"periods: {FREQUENCY_NAMES[frequency]} (as asked)",
        years=years,
    )


__all__ = ["FREQUENCIES", "PairData", "fiscal_year_label", "load_pair", "parse_year"]
