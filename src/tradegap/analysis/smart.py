"""SMART partial equilibrium: the effect of a tariff change in one market, product by product.

The WITS SMART model (Laird & Yeats 1986; Jammes & Olarreaga 2005, "Explaining SMART and
GSIM", World Bank): each product's imports come from several suppliers, imperfect substitutes
(Armington) with substitution elasticity σ (1.5 by default, as WITS); total imports respond to
their price with the import-demand elasticity ε_m < 0; each supplier's export supply has
elasticity ε_x (WITS default 99, i.e. nearly flat; ``inf`` gives fixed world prices).

For supplier k with imports M_k (US$, at world prices), tariff t_k → t'_k, t̂_k = (t'_k − t_k)
/ (1 + t_k) and shares s_k = M_k / Σ_l M_l, first-order changes:

* trade creation  TC_k = M_k ε_m t̂_k / (1 − ε_m/ε_x);
* trade diversion TD_k = −σ M_k (t̂_k − Σ_l s_l t̂_l) / (1 + σ/ε_x)  (Σ_k TD_k = 0: imports
  move from suppliers whose relative price rose to those whose price fell);
* world price change p̂_k = (TC_k + TD_k) / (M_k ε_x), and the importer's price t̂_k + p̂_k;
* tariff revenue R = Σ_k t_k M_k before and Σ_k t'_k (M_k + TC_k + TD_k) after;
* consumer surplus gain (Harberger triangle) W = ½ Σ_k (t_k − t'_k) TC_k.

A zero change gives zero effects. These are the standard SMART formulas written out for the
finite supply elasticity as one linear system would give them; see docs/smart.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tradegap.errors import InputError

SUBSTITUTION_DEFAULT = 1.5
SUPPLY_DEFAULT = 99.0


@dataclass
class SmartResult:
    """Per product × supplier effects and totals."""

    table: pd.DataFrame
    totals: dict[str, float]
    by_supplier: pd.DataFrame
    assumptions: list[str] = field(default_factory=list)


def smart(
    imports: pd.DataFrame, *, import_elasticity: float, substitution: float =
    SUBSTITUTION_DEFAULT, supply_elasticity: float = SUPPLY_DEFAULT,
) -> SmartResult:
    """Effects of moving from ``tariff`` to ``new_tariff`` (fractions, 0.1 = 10 %) for the rows
    of ``imports`` (columns product, supplier, imports, tariff, new_tariff)."""
    need = ["product", "supplier", "imports", "tariff", "new_tariff"]
    missing = [c for c in need if c not in imports.columns]
    if missing:
        raise InputError(f"the imports table lacks {missing}",
                         hint="columns: product, supplier, imports (US$), tariff, new_tariff")
    if import_elasticity >= 0:
        raise InputError(f"import-demand elasticity {import_elasticity} must be negative",
                         field="--import-elasticity", hint="e.g. -1.5")
    if substitution < 0 or supply_elasticity <= 0:
        raise InputError("the substitution elasticity must be ≥ 0 and the supply elasticity "
                         "> 0", field="--substitution")
    t = imports[need].copy()
    for col in ("imports", "tariff", "new_tariff"):
        t[col] = pd.to_numeric(t[col], errors="coerce")
    if t[["imports", "tariff", "new_tariff"]].isna().any().any() or (t["imports"] < 0).any() \
            or (t[["tariff", "new_tariff"]] <= -1).any().any():
        raise InputError("imports and tariffs must be numbers (imports ≥ 0, tariffs > −100 %)",
                         hint="tariffs are fractions: 0.1 for 10 %")
    inv_x = 0.0 if math.isinf(supply_elasticity) else 1.0 / supply_elasticity
    t["t_hat"] = (t["new_tariff"] - t["tariff"]) / (1.0 + t["tariff"])
    total = t.groupby("product")["imports"].transform("sum")
    share = np.where(total > 0, t["imports"] / total.where(total > 0, 1.0), 0.0)
    mean_hat = (pd.Series(share * t["t_hat"], index=t.index)
                .groupby(t["product"]).transform("sum"))
    t["creation"] = t["imports"] * import_elasticity * t["t_hat"] / (1.0 - import_elasticity
                                                                      * inv_x)
    t["diversion"] = -substitution * t["imports"] * (t["t_hat"] - mean_hat) / (
        1.0 + substitution * inv_x)
    t["change"] = t["creation"] + t["diversion"]
    t["new_imports"] = t["imports"] + t["change"]
    with np.errstate(divide="ignore", invalid="ignore"):
        t["world_price_change"] = np.where(t["imports"] > 0,
                                           t["change"] / t["imports"] * inv_x, 0.0)
    t["price_change"] = t["t_hat"] + t["world_price_change"]
    t["revenue_before"] = t["tariff"] * t["imports"]
    t["revenue_after"] = t["new_tariff"] * t["new_imports"]
    t["welfare"] = 0.5 * (t["tariff"] - t["new_tariff"]) * t["creation"]
    sums = ["imports", "creation", "diversion", "change", "new_imports", "revenue_before",
            "revenue_after", "welfare"]
    by_supplier = t.groupby("supplier", as_index=False)[sums].sum()
    totals = {k: float(t[k].sum()) for k in sums}
    totals["revenue_change"] = totals["revenue_after"] - totals["revenue_before"]
    assumptions = [
        f"import-demand elasticity {import_elasticity:g}, substitution elasticity "
        f"{substitution:g}, export-supply elasticity "
        f"{'infinite' if inv_x == 0 else f'{supply_elasticity:g}'}",
        "first-order effects of one market's tariff change, product by product (SMART, "
        "Jammes & Olarreaga 2005); other markets, incomes and exchange rates unchanged",
    ]
    return SmartResult(table=t.drop(columns=["t_hat"]), totals=totals,
                       by_supplier=by_supplier, assumptions=assumptions)


def apply_cut(imports: pd.DataFrame, partner: str, cut: float,
              products: list[str] | None = None) -> pd.DataFrame:
    """``new_tariff`` = tariff × (1 − cut) for ``partner`` (on ``products`` if given), the
    tariff unchanged for every other supplier."""
    if not 0 <= cut <= 1:
        raise InputError(f"tariff cut {cut} must be between 0 and 1 (0.5 = halve)",
                         field="--tariff-cut")
    out = imports.copy()
    mask = out["supplier"].astype(str) == partner
    if products:
        mask &= out["product"].astype(str).str.startswith(tuple(products))
    if not mask.any():
        raise InputError(f"no imports from {partner} in the table", field="--partner",
                         hint="check the supplier codes")
    out["new_tariff"] = np.where(mask, out["tariff"] * (1.0 - cut), out["tariff"])
    return out
