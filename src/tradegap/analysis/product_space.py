"""Product space: proximity between products, density ("feasibility") and distance of the
products a country does not yet export competitively, to rank diversification candidates.

Sources: Hidalgo, C., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007), "The Product Space
Conditions the Development of Nations", Science 317: 482–487; Hausmann, R., Hidalgo, C. et al.
(2014), "The Atlas of Economic Complexity", MIT Press (technical box on density and distance).

* ``M_cp = 1`` if Balassa ``RCA_cp ≥ threshold`` (1), else 0.
* Proximity ``φ_pp' = min(P(M_p | M_p'), P(M_p' | M_p)) = Σ_c M_cp M_cp' / max(k_p, k_p')``,
  ``k_p = Σ_c M_cp`` (ubiquity). The diagonal is 0 by default (a product is never its own
  neighbour); ``diagonal=1`` is the Growth Lab's convention (``ecomplexity``, the Atlas of
  Economic Complexity: φ_pp = P(M_p | M_p) = 1), which raises the density of products a
  country already exports; use it to compare with the Atlas.
* Density ``ω_cp = Σ_p' M_cp' φ_pp' / Σ_p' φ_pp'``; distance ``d_cp = 1 − ω_cp``. A product with
  no neighbour (``Σ_p' φ_pp' = 0``) has an undefined (NaN) density.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradegap.errors import InputError, NotFound


def rca_matrix(
    flows: pd.DataFrame, country: str = "exporter", product: str = "product",
    value: str = "value_usd",
) -> pd.DataFrame:
    """Balassa RCA, countries × products, ``(X_cp / X_c) / (X_p / X)``, from long export
    flows (summed over importers and years given)."""
    missing = [c for c in (country, product, value) if c not in flows.columns]
    if missing:
        raise InputError(f"flows lack columns {missing}", hint="give exporter, product, value_usd")
    x = flows.pivot_table(index=country, columns=product, values=value, aggfunc="sum",
                          fill_value=0.0)
    x = x.astype(float)
    share_c = x.div(x.sum(axis=1).replace(0, np.nan), axis=0)
    share_w = x.sum(axis=0) / float(x.to_numpy().sum())
    return share_c.div(share_w, axis=1).fillna(0.0)


def presence(rca: pd.DataFrame, threshold: float = 1.0) -> pd.DataFrame:
    """``M_cp``: 1 where RCA ≥ ``threshold``, else 0."""
    return (rca >= threshold).astype(int)


def proximity(m: pd.DataFrame, diagonal: float = 0.0) -> pd.DataFrame:
    """``φ_pp'`` (products × products) from a 0/1 countries × products matrix; ``diagonal``
    is φ_pp (0, or 1 as the Growth Lab)."""
    values = m.to_numpy(dtype=float)
    if not np.isin(values, (0.0, 1.0)).all():
        raise InputError("the presence matrix must hold only 0 and 1",
                         hint="build it with presence(rca_matrix(flows))")
    co = values.T @ values
    ubiquity = np.diag(co).copy()
    denom = np.maximum.outer(ubiquity, ubiquity)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(denom > 0, co / denom, 0.0)
    np.fill_diagonal(phi, float(diagonal))
    return pd.DataFrame(phi, index=m.columns, columns=m.columns)


def density(m: pd.DataFrame, phi: pd.DataFrame | None = None,
            diagonal: float = 0.0) -> pd.DataFrame:
    """``ω_cp`` (countries × products); NaN where a product has no neighbour."""
    phi = proximity(m, diagonal) if phi is None else phi.reindex(index=m.columns, columns=m.columns,
                                                       fill_value=0.0)
    p = phi.to_numpy(dtype=float)
    total = p.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        omega = (m.to_numpy(dtype=float) @ p) / np.where(total > 0, total, np.nan)
    return pd.DataFrame(omega, index=m.index, columns=m.columns)


def diversification_candidates(
    rca: pd.DataFrame,
    country: str,
    top: int | None = 30,
    threshold: float = 1.0,
    phi: pd.DataFrame | None = None,
    diagonal: float = 0.0,
) -> pd.DataFrame:
    """Products ``country`` does not export competitively (RCA < threshold), nearest first:
    ``product, rca, density, distance, ubiquity``, sorted by density (then RCA)."""
    if country not in rca.index:
        raise NotFound(f"{country} is not in the RCA matrix", hint="check the ISO3 code")
    m = presence(rca, threshold)
    omega = density(m, phi, diagonal).loc[country]
    out = pd.DataFrame({
        "product": rca.columns,
        "rca": rca.loc[country].to_numpy(),
        "density": omega.to_numpy(),
        "ubiquity": m.sum(axis=0).to_numpy(),
    })
    out["distance"] = 1.0 - out["density"]
    out = out[out["rca"] < threshold].sort_values(["density", "rca"], ascending=False,
                                                  kind="stable", na_position="last")
    if top is not None:
        out = out.head(top)
    return out[["product", "rca", "density", "distance", "ubiquity"]].reset_index(drop=True)


def candidates_from_flows(
    flows: pd.DataFrame,
    country: str,
    year: int | None = None,
    window: int = 3,
    top: int | None = 30,
    threshold: float = 1.0,
) -> pd.DataFrame:
    """:func:`diversification_candidates` from long flows (``exporter, importer, product, year,
    value_usd``), with RCA from exports averaged over ``window`` years ending in ``year``
    (default the latest), as in the export-potential module."""
    from tradegap.analysis.potential import check_flows, window_average

    clean = check_flows(flows)
    year = int(clean["year"].max()) if year is None else int(year)
    return diversification_candidates(
        rca_matrix(window_average(clean, year, window)), country, top, threshold
    )
