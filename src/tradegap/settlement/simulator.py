"""``simulate``: run a settlement scenario on its central exchange-rate path and, optionally,
on Monte Carlo draws; ``compare``: what a purchase plan changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradegap.errors import InputError
from tradegap.provenance import Provenance
from tradegap.settlement.engine import LOCAL, USD, conservation_error, run_ledger
from tradegap.settlement.fx import central_path, fx_draws
from tradegap.settlement.scenario import Scenario
from tradegap.settlement.series import parse_month

PERCENTILES = (5, 50, 95)
MAX_DRAWS = 100_000
#: Upper bound of draws × months, to keep memory bounded (a few arrays of that size are kept).
MAX_CELLS = 3_000_000
CHUNK = 1_000


@dataclass
class SettlementResult:
    """``monthly``: the ledger on the central path, one row per month (local currency and USD);
    ``summary``: headline numbers; ``bands``: p5/p50/p95 per month over the draws, or None."""

    monthly: pd.DataFrame
    summary: dict[str, Any]
    bands: pd.DataFrame | None = None
    provenance: Provenance = field(default_factory=Provenance)

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "monthly": self.monthly.to_dict(orient="records"),
            "bands": None if self.bands is None else self.bands.to_dict(orient="records"),
            "provenance": self.provenance.to_dict(),
        }


@dataclass
class Comparison:
    """What a plan changes: ``summary`` maps each measure to baseline, with_plan, reduction and
    reduction_share; ``monthly`` puts both idle balances (USD) side by side."""

    summary: dict[str, dict[str, float | None]]
    monthly: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "monthly": self.monthly.to_dict(orient="records")}


def plan_array(scenario: Scenario, plan_path: pd.Series | None) -> np.ndarray:
    """Align a plan of extra purchases (USD per month) with the scenario's months.

    The index may be months (``"YYYY-MM"``, Periods, Timestamps): missing months are 0; or a
    plain 0..n−1 index with one value per month."""
    months = scenario.months
    if plan_path is None:
        return np.zeros(months)
    values = pd.to_numeric(plan_path, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(values).all() or (values < 0).any():
        raise InputError("plan values must be finite numbers ≥ 0 (US$ per month)", field="plan")
    index = plan_path.index
    if isinstance(index, pd.RangeIndex) or pd.api.types.is_integer_dtype(index):
        if len(values) != months or list(index) != list(range(months)):
            raise InputError(f"a plan indexed by position needs exactly {months} values "
                             f"(0..{months - 1})", field="plan",
                             hint="or index the plan by month, YYYY-MM")
        return values
    out = np.zeros(months)
    for label, value in zip(index, values, strict=True):
        if isinstance(label, pd.Timestamp):
            month = label.to_period("M")
        elif isinstance(label, pd.Period):
            month = label.asfreq("M")
        else:
            month = parse_month(str(label), file=None, field="plan")
        position = (month - scenario.start).n
        if not 0 <= position < months:
            raise InputError(f"month {month} is outside the scenario ({scenario.start} + "
                             f"{months} months)", field="plan")
        out[position] += value
    return out


def load_plan(path: str | Path) -> pd.Series:
    """Read a plan CSV: a ``month`` column (YYYY-MM) and an ``extra_usd`` column (or exactly one
    other numeric column)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    frame = pd.read_csv(path, dtype={"month": str})
    if "month" not in frame.columns:
        raise InputError("expected a column 'month' (YYYY-MM)", file=str(path), line=1)
    others = [c for c in frame.columns if c != "month"]
    column = "extra_usd" if "extra_usd" in others else (others[0] if len(others) == 1 else None)
    if column is None:
        raise InputError("expected a column 'extra_usd'", file=str(path), line=1,
                         field="extra_usd")
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().any():
        bad = int(values.isna().to_numpy().argmax())
        raise InputError(f"{frame[column].iloc[bad]!r} is not a number", file=str(path),
                         line=bad + 2, field=column)
    return pd.Series(values.to_numpy(), index=frame["month"].str.strip(), name="extra_usd")


def simulate(
    scenario: Scenario,
    plan_path: pd.Series | None = None,
    draws: int | None = None,
    seed: int = 0,
) -> SettlementResult:
    """Run ``scenario`` on its central exchange-rate path; with ``draws``, also on that many
    seeded GBM draws and report p5/p50/p95 bands of the idle balance in US dollars."""
    plan = plan_array(scenario, plan_path)
    fx_local = central_path(scenario.fx_deficit)[None, :]
    fx_surplus = central_path(scenario.fx_surplus)[None, :]
    ledger = run_ledger(scenario, fx_local, plan)
    error = float(np.abs(conservation_error(scenario, ledger)).max())
    monthly = _monthly_frame(scenario, ledger, fx_local[0], fx_surplus[0], plan)
    summary = _summary(scenario, monthly)
    summary["conservation_error_local"] = error
    bands = None
    if draws is not None:
        if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
            raise InputError(f"draws must be a whole number from 1 to {MAX_DRAWS}",
                             field="draws")
        if draws * scenario.months > MAX_CELLS:
            raise InputError(f"{draws} draws × {scenario.months} months is too many",
                             field="draws",
                             hint=f"keep draws × months at most {MAX_CELLS:,}")
        bands, extra = _monte_carlo(scenario, plan, draws, seed)
        summary.update(extra)
    summary.update({"draws": draws, "seed": seed if draws is not None else None})
    return SettlementResult(monthly=monthly, summary=summary, bands=bands,
                            provenance=_provenance(scenario))


def _monthly_frame(
    sc: Scenario, ledger: dict[str, np.ndarray], fx_local: np.ndarray, fx_surplus: np.ndarray,
    plan: np.ndarray,
) -> pd.DataFrame:
    frame = pd.DataFrame({"month": sc.month_labels, "fx_local": fx_local,
                          "fx_surplus": fx_surplus, "exports_usd": sc.exports_usd,
                          "plan_usd": plan})
    for name in LOCAL:
        frame[f"{name}_local"] = ledger[name][0]
    for name in USD:
        frame[name] = ledger[name][0]
    frame["idle_usd"] = frame["idle_local"] / fx_local
    frame["idle_surplus_ccy"] = frame["idle_usd"] * fx_surplus
    frame["securities_stock_usd"] = frame["securities_stock_local"] / fx_local
    frame["fund_stock_usd"] = frame["fund_stock_local"] / fx_local
    frame["cum_cost_usd"] = frame["cost_usd"].cumsum()
    return frame


def _summary(sc: Scenario, m: pd.DataFrame) -> dict[str, Any]:
    peak = int(m["idle_usd"].to_numpy().argmax())
    fx = m["fx_local"]
    return {
        "scenario": sc.name,
        "surplus": sc.surplus,
        "deficit": sc.deficit,
        "currency": sc.fx_deficit.currency,
        "surplus_currency": sc.fx_surplus.currency,
        "start": sc.month_labels[0],
        "end": sc.month_labels[-1],
        "months": sc.months,
        "peak_idle_usd": float(m["idle_usd"].iloc[peak]),
        "peak_idle_month": m["month"].iloc[peak],
        "average_idle_usd": float(m["idle_usd"].mean()),
        "final_idle_usd": float(m["idle_usd"].iloc[-1]),
        "inflow_usd": float((m["inflow_local"] / fx).sum()),
        "interest_usd": float((m["interest_local"] / fx).sum()),
        "imports_paid_usd": float((m["imports_paid_local"] / fx).sum()),
        "imports_unmet_usd": float(m["imports_unmet_usd"].sum()),
        "securities_bought_usd": float((m["securities_bought_local"] / fx).sum()),
        "fund_paid_usd": float((m["fund_paid_local"] / fx).sum()),
        "fund_arrears_usd": float(m["fund_arrears_usd"].iloc[-1]),
        "converted_usd": float((m["converted_local"] / fx).sum()),
        "opportunity_cost_usd": float(m["opportunity_cost_usd"].sum()),
        "fx_loss_usd": float(m["fx_loss_usd"].sum()),
        "conversion_cost_usd": float(m["conversion_cost_usd"].sum()),
        "total_cost_usd": float(m["cost_usd"].sum()),
    }


def _monte_carlo(
    sc: Scenario, plan: np.ndarray, draws: int, seed: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    fx_local, _ = fx_draws(sc.fx_deficit, sc.fx_surplus, sc.fx_correlation, draws, seed)
    idle_parts, cost_parts, error = [], [], 0.0
    for first in range(0, draws, CHUNK):
        fx = fx_local[first:first + CHUNK]
        ledger = run_ledger(sc, fx, plan)
        idle_parts.append(ledger["idle"] / fx)
        cost_parts.append(np.cumsum(ledger["cost_usd"], axis=1))
        error = max(error, float(np.abs(conservation_error(sc, ledger)).max()))
    idle_usd = np.concatenate(idle_parts)
    cum_cost = np.concatenate(cost_parts)
    bands = pd.DataFrame({"month": sc.month_labels})
    for p in PERCENTILES:
        bands[f"idle_usd_p{p}"] = np.percentile(idle_usd, p, axis=0)
    for p in PERCENTILES:
        bands[f"cum_cost_usd_p{p}"] = np.percentile(cum_cost, p, axis=0)
    extra: dict[str, Any] = {"mc_conservation_error_local": error}
    for p in PERCENTILES:
        extra[f"peak_idle_usd_p{p}"] = float(np.percentile(idle_usd.max(axis=1), p))
        extra[f"total_cost_usd_p{p}"] = float(np.percentile(cum_cost[:, -1], p))
    return bands, extra


def _provenance(sc: Scenario) -> Provenance:
    return Provenance(
        sources=list(sc.sources),
        datasets=[Path(sc.file).name] if sc.file else [f"scenario {sc.name}"],
        periods=[f"{sc.month_labels[0]}..{sc.month_labels[-1]}"],
        synthetic=sc.synthetic,
        notes=["settlement simulation: assumptions are stated in the scenario file"],
    )


def compare(baseline: SettlementResult, with_plan: SettlementResult) -> Comparison:
    """How much a plan lowers idle balances and costs: baseline minus with_plan (Monte Carlo
    percentiles too when both results have them; simulate both with the same seed)."""
    keys = ["peak_idle_usd", "average_idle_usd", "final_idle_usd", "total_cost_usd",
            "opportunity_cost_usd", "fx_loss_usd", "conversion_cost_usd"]
    keys += [f"{k}_p{p}" for k in ("peak_idle_usd", "total_cost_usd") for p in PERCENTILES
             if f"{k}_p{p}" in baseline.summary and f"{k}_p{p}" in with_plan.summary]
    summary: dict[str, dict[str, float | None]] = {}
    for key in keys:
        b, w = float(baseline.summary[key]), float(with_plan.summary[key])
        summary[key] = {"baseline": b, "with_plan": w, "reduction": b - w,
                        "reduction_share": (b - w) / b if b else None}
    if list(baseline.monthly["month"]) != list(with_plan.monthly["month"]):
        raise InputError("the two results cover different months", field="with_plan",
                         hint="simulate both from the same scenario")
    monthly = pd.DataFrame({
        "month": baseline.monthly["month"],
        "idle_usd_baseline": baseline.monthly["idle_usd"],
        "idle_usd_with_plan": with_plan.monthly["idle_usd"],
    })
    monthly["reduction_usd"] = monthly["idle_usd_baseline"] - monthly["idle_usd_with_plan"]
    return Comparison(summary=summary, monthly=monthly)
