"""The monthly settlement ledger, run for many exchange-rate paths at once (arrays are
paths × months).

Each month ``m``, with ``x_m`` local units per US dollar:

1. interest = securities stock × yield / 12 is credited to the idle balance;
2. inflow = exports_usd × settled_share × x_m;
3. available = opening idle + inflow + interest;
4. the drains take, in ``scenario.order``, each at most ``max_share`` of what is still available:
   imports = min(due, ·) with due = (baseline × share + plan × plan_share) × x_m;
   securities = min(·, monthly_cap × x_m, stock_cap × x_m − stock);
   fund = min(·, (schedule × committed + arrears) × x_m);
   conversion = min(·, capacity × x_m), of which ``spread`` is lost;
5. closing idle = what is left.

Costs, in US dollars: opportunity cost = closing idle × idle_rate / 12 / x_m; FX loss on the
opening idle balance = idle_{m−1} × (1/x_{m−1} − 1/x_m) (negative when the local currency
appreciates); conversion cost = spread × converted / x_m.

Conservation (exact by construction, checked in tests): opening idle + opening stock + Σ inflow +
Σ interest = idle + stock + fund + Σ imports paid + Σ converted (spread included).
"""

from __future__ import annotations

import numpy as np

from tradegap.settlement.scenario import Scenario

#: Ledger columns in the deficit side's currency (local) and in US dollars.
LOCAL = ("inflow", "interest", "imports_due", "imports_paid", "securities_bought", "fund_paid",
         "converted", "conversion_cost", "idle", "securities_stock", "fund_stock")
USD = ("imports_unmet_usd", "fund_arrears_usd", "converted_net_usd", "opportunity_cost_usd",
       "fx_loss_usd", "conversion_cost_usd", "cost_usd")


def run_ledger(
    scenario: Scenario, fx_local: np.ndarray, plan_usd: np.ndarray
) -> dict[str, np.ndarray]:
    """Run the ledger for ``fx_local`` (paths × months); returns arrays of the same shape."""
    sc = scenario
    paths, months = fx_local.shape
    out = {name: np.zeros((paths, months)) for name in (*LOCAL, *USD)}
    idle = np.full(paths, float(sc.opening_balance))
    stock = np.full(paths, sc.securities.opening_stock if sc.securities else 0.0)
    fund_stock = np.zeros(paths)
    arrears_usd = np.zeros(paths)
    previous_fx = fx_local[:, 0]
    for m in range(months):
        x = fx_local[:, m]
        opening_idle = idle
        interest = stock * (sc.securities.yield_per_year / 12.0) if sc.securities else 0 * x
        inflow = sc.exports_usd[m] * sc.settled_share[m] * x
        avail = opening_idle + inflow + interest
        for drain in sc.order:
            if drain == "imports" and sc.imports is not None:
                imp = sc.imports
                due = (imp.baseline_usd[m] * imp.settled_share[m]
                       + plan_usd[m] * imp.plan_settled_share) * x
                paid = np.minimum(due, avail * imp.max_share)
                out["imports_due"][:, m] = due
                out["imports_paid"][:, m] = paid
                out["imports_unmet_usd"][:, m] = (due - paid) / x
                avail = avail - paid
            elif drain == "securities" and sc.securities is not None:
                sec = sc.securities
                room = np.minimum(avail * sec.max_share, sec.monthly_cap_usd[m] * x)
                if sec.stock_cap_usd is not None:
                    room = np.minimum(room, np.maximum(sec.stock_cap_usd * x - stock, 0.0))
                stock = stock + room
                out["securities_bought"][:, m] = room
                avail = avail - room
            elif drain == "fund" and sc.fund is not None:
                fund = sc.fund
                due_usd = fund.schedule[m] * fund.committed_usd + arrears_usd
                paid = np.minimum(due_usd * x, avail * fund.max_share)
                arrears_usd = due_usd - paid / x
                fund_stock = fund_stock + paid
                out["fund_paid"][:, m] = paid
                out["fund_arrears_usd"][:, m] = arrears_usd
                avail = avail - paid
            elif drain == "conversion" and sc.conversion is not None:
                conv = sc.conversion
                gross = np.minimum(avail * conv.max_share, conv.capacity_usd[m] * x)
                out["converted"][:, m] = gross
                out["conversion_cost"][:, m] = gross * conv.spread
                out["converted_net_usd"][:, m] = gross * (1.0 - conv.spread) / x
                out["conversion_cost_usd"][:, m] = gross * conv.spread / x
                avail = avail - gross
        idle = avail
        out["inflow"][:, m] = inflow
        out["interest"][:, m] = interest
        out["idle"][:, m] = idle
        out["securities_stock"][:, m] = stock
        out["fund_stock"][:, m] = fund_stock
        out["opportunity_cost_usd"][:, m] = idle * sc.idle_rate / 12.0 / x
        out["fx_loss_usd"][:, m] = opening_idle * (1.0 / previous_fx - 1.0 / x)
        previous_fx = x
    out["cost_usd"] = (out["opportunity_cost_usd"] + out["fx_loss_usd"]
                       + out["conversion_cost_usd"])
    return out


def conservation_error(scenario: Scenario, ledger: dict[str, np.ndarray]) -> np.ndarray:
    """Sources minus uses of local currency, per path and month (zero up to rounding)."""
    opening_stock = scenario.securities.opening_stock if scenario.securities else 0.0
    sources = (scenario.opening_balance + opening_stock
               + np.cumsum(ledger["inflow"], axis=1) + np.cumsum(ledger["interest"], axis=1))
    uses = (ledger["idle"] + ledger["securities_stock"] + ledger["fund_stock"]
            + np.cumsum(ledger["imports_paid"], axis=1) + np.cumsum(ledger["converted"], axis=1))
    return sources - uses
