"""Product diversification: products an exporter does not yet export competitively, ranked by
how close they are to what it already makes (density) and by the market's demand — the idea of
ITC's product diversification indicator (Decreux & Spies 2016, §5), with the product space of
Hidalgo et al. (2007) as the measure of closeness, and complexity from
:mod:`tradegap.analysis.complexity`.

Inputs are world flows averaged over a window (as the export-potential module); RCA is
computed on each exporter's exports to all markets; the market's demand is its imports of the
product from the world. Ranking: density (descending), then demand.
"""

from __future__ import annotations

import pandas as pd

from tradegap.analysis.complexity import Complexity, complexity
from tradegap.analysis.product_space import rca_matrix
from tradegap.errors import NotFound
from tradegap.provenance import Provenance
from tradegap.warehouse import Warehouse


def world_exports(
    wh: Warehouse, market: str, *, dataset: str | None = None, year: int | None = None,
    window: int = 3,
) -> tuple[pd.DataFrame, int, Provenance]:
    """World flows of the window, the market's imports in detail and all other flows summed per
    exporter × product × year (the reduced table of the export-potential module)."""
    from tradegap.analysis.potential_warehouse import pair_flows, pick_dataset

    name = pick_dataset(wh, dataset)
    info = wh.dataset(name)
    flows, year, notes, revisions = pair_flows(wh, "", market.upper(), name, year, window)
    prov = Provenance(sources=[info.source], datasets=[name], revisions=revisions,
                      periods=[str(year)], synthetic=info.synthetic, notes=notes)
    return flows, int(year), prov


def averaged(flows: pd.DataFrame) -> pd.DataFrame:
    """Sum over importers, mean over the window's years: exporter, product, value_usd."""
    n_years = max(int(flows["year"].nunique()), 1)
    out = flows.groupby(["exporter", "product"], as_index=False)["value_usd"].sum()
    out["value_usd"] /= n_years
    return out


def diversification(
    flows: pd.DataFrame, exporter: str, market: str, *, diagonal: str = "growthlab",
    top: int | None = 30, result: Complexity | None = None,
) -> pd.DataFrame:
    """Candidates for ``exporter`` (RCA < 1): product, rca, density, distance, pci, cog, the
    market's demand (US$ per year) and the exporter's current exports to it."""
    exporter, market = exporter.upper(), market.upper()
    result = result or complexity(rca_matrix(averaged(flows)), diagonal=diagonal)
    cells = result.cells[result.cells["country"] == exporter]
    if cells.empty:
        raise NotFound(f"{exporter} has no exports in these flows", hint="check the ISO3 code")
    n_years = max(int(flows["year"].nunique()), 1)
    into = flows[flows["importer"] == market]
    demand = into.groupby("product")["value_usd"].sum() / n_years
    current = into[into["exporter"] == exporter].groupby("product")["value_usd"].sum() / n_years
    out = cells[cells["mcp"] == 0].merge(result.products[["product", "pci"]], on="product")
    out["market_demand"] = out["product"].map(demand).fillna(0.0)
    out["exports_to_market"] = out["product"].map(current).fillna(0.0)
    out = out.sort_values(["density", "market_demand"], ascending=False, kind="stable")
    cols = ["product", "rca", "density", "distance", "pci", "cog", "market_demand",
            "exports_to_market"]
    out = out[cols].reset_index(drop=True)
    return out.head(top) if top else out
