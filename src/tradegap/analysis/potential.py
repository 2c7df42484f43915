"""Export potential by the ITC method (pair mode, pandas).

Source: Decreux, Y. & Spies, J. (2016), "Export Potential Assessments: A methodology to identify
export opportunities for developing countries", International Trade Centre, Geneva. The potential
value of exporter i's product k in market j is

    P_ijk = S_ik · D_ijk · E_ij          untapped U_ijk = max(P_ijk − X_ijk, 0)

How each term is computed here (every value is a multi-year average over ``params.window`` years
ending in ``year``; a year absent from the whole data set does not count in the average):

* **Supply** ``S_ik`` — i's projected world market share in k. The base share is
  ``S0_ik = X_ik / Σ_i' X_i'k``; it is projected by growing every exporter's exports of k with its
  own GDP growth over the horizon and re-normalising, so the shares of k still sum to one:
  ``S_ik = X_ik·G_i / Σ_i' X_i'k·G_i'`` with ``G_c = (1 + g_c/100)^H``, ``g_c`` the projected
  annual growth in percent (default: the Growth Lab's projections of GDP per capita growth,
  :func:`tradegap.reference.macro.growth_projections`, vintage ≤ ``year``).
  Kept only where i has a revealed comparative advantage, Balassa (1965)
  ``RCA_ik = (X_ik / X_i) / (W_k / W) ≥ params.rca_threshold``.
* **Demand** ``D_ijk`` — j's projected imports of k, ``M_jk · G_j^ε`` (ε = income elasticity),
  corrected for i's distance to j relative to the import-weighted average distance of j's
  suppliers of k: ``DF_ijk = (d_ij / d̄_jk)^(−δ)`` with ``d̄_jk = Σ_s M_sjk d_sj / Σ_s M_sjk``
  (δ = distance elasticity). Suppliers without a known distance are left out of ``d̄_jk``; a pair
  without a known distance gets ``DF = 1``.
* **Ease** ``E_ij`` — bilateral ease of trade, calibrated on the base period (unprojected terms,
  all products, before the RCA filter): ``E_ij = X_ij / Σ_k S0_ik · M_jk · DF_ijk``, so that the
  base-period hypothetical trade of the pair sums to its actual total trade. Projected potential
  therefore grows with supply and demand, and a pair that does not trade has ``E = 0``.

Flows with ``exporter == importer`` and non-positive values are ignored. Where this module departs
from the ITC's implementation, and why: no tariff (market-access) or trade-balance corrections
(the warehouse holds no tariff data); one income elasticity for all products instead of the
ITC's product-specific ones (not public); the default growth projections are of GDP per capita
(the Growth Lab's, bundled offline), not of GDP; the distance elasticity defaults to the
conventional unit value of gravity models. Each is a parameter or an input table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradegap.errors import InputError, NotFound
from tradegap.provenance import Provenance

FLOW_COLUMNS = ("exporter", "importer", "product", "year", "value_usd")
DISTANCE_MEASURES = ("distw_km", "dist_km")


@dataclass(frozen=True)
class PotentialParams:
    """Parameters of the ITC export-potential method, validated on creation.

    - ``window`` (3): years averaged for trade values; ITC averages several recent years to damp
      one-off shipments (Decreux & Spies 2016, sec. 3).
    - ``horizon`` (5): years over which supply and demand are projected with GDP growth (the ITC
      projects to about five years ahead, as far as the IMF WEO forecasts go).
    - ``rca_threshold`` (1.0): Balassa RCA needed for a product to count as supplied.
    - ``income_elasticity`` (1.0): elasticity of j's imports to its GDP growth (unit elasticity;
      ITC uses product-specific elasticities that are not public).
    - ``distance_elasticity`` (1.0): δ in ``(d_ij / d̄_jk)^(−δ)``; 1 is the conventional unit
      distance elasticity of gravity models (Head & Mayer 2014 report a mean near −1); 0 disables
      the distance correction (then no distance table is needed).
    - ``distance_measure`` ("distw_km"): CEPII population-weighted distance, else ``dist_km``.
    """

    window: int = 3
    horizon: int = 5
    rca_threshold: float = 1.0
    income_elasticity: float = 1.0
    distance_elasticity: float = 1.0
    distance_measure: str = "distw_km"

    def __post_init__(self) -> None:
        checks = [
            (isinstance(self.window, int) and 1 <= self.window <= 20, "window", "1 … 20 years"),
            (isinstance(self.horizon, int) and 0 <= self.horizon <= 30, "horizon", "0 … 30 years"),
            (np.isfinite(self.rca_threshold) and self.rca_threshold >= 0, "rca_threshold", "≥ 0"),
            (np.isfinite(self.income_elasticity), "income_elasticity", "a finite number"),
            (
                np.isfinite(self.distance_elasticity) and self.distance_elasticity >= 0,
                "distance_elasticity",
                "≥ 0 (the correction is (d_ij/d̄_jk)^(−δ))",
            ),
            (self.distance_measure in DISTANCE_MEASURES, "distance_measure",
             f"one of {DISTANCE_MEASURES}"),
        ]
        for ok, name, expected in checks:
            if not ok:
                raise InputError(
                    f"{name} = {getattr(self, name)!r} is not valid",
                    field=name,
                    hint=f"give {expected}",
                )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PotentialResult:
    """Pair-mode result: one row per product with every term of the method."""

    exporter: str
    market: str
    year: int
    table: pd.DataFrame
    params: PotentialParams
    ease: float
    provenance: Provenance = field(default_factory=Provenance)

    def to_dict(self) -> dict[str, Any]:
        return {
            "exporter": self.exporter,
            "market": self.market,
            "year": self.year,
            "ease": self.ease,
            "params": self.params.to_dict(),
            "provenance": self.provenance.to_dict(),
            "table": self.table,
        }


# -- shared helpers (also used by potential_sql and displacement) ------------------------------
def window_years(year: int, window: int) -> tuple[int, int]:
    """First and last year of the averaging window ending in ``year``."""
    return year - window + 1, year


def check_flows(flows: pd.DataFrame) -> pd.DataFrame:
    """The five columns the method needs, positive values only, no domestic flows."""
    missing = [c for c in FLOW_COLUMNS if c not in flows.columns]
    if missing:
        raise InputError(
            f"flows lack columns {missing}",
            hint="give a table with exporter, importer, product, year and value_usd",
        )
    out = flows.loc[:, list(FLOW_COLUMNS)]
    out = out[(out["value_usd"] > 0) & (out["exporter"] != out["importer"])]
    return out.astype({"year": "int64", "value_usd": "float64"})


def window_average(flows: pd.DataFrame, year: int, window: int) -> pd.DataFrame:
    """Flows averaged over the window: sum over its years / number of its years in the data."""
    y0, y1 = window_years(year, window)
    win = flows[(flows["year"] >= y0) & (flows["year"] <= y1)]
    n_years = win["year"].nunique()
    if n_years == 0:
        raise InputError(
            f"no flows in {y0}–{y1}",
            field="year",
            hint="choose a year the data covers (see `tradegap data list`)",
        )
    avg = win.groupby(["exporter", "importer", "product"], as_index=False)["value_usd"].sum()
    avg["value_usd"] /= n_years
    return avg


def growth_rates(growth: pd.DataFrame, year: int) -> pd.Series:
    """One annual growth rate (percent) per country: the projection made in the latest year
    ≤ ``year`` (else the earliest one after), as :func:`tradegap.reference.macro.growth_projections`
    publishes one projected rate per country and vintage year."""
    g = growth.dropna(subset=["growth"]).astype({"year": "int64"})
    g = g.assign(
        after=(g["year"] > year).astype(int),
        distance=(g["year"] - year).abs(),
    ).sort_values(["iso3", "after", "distance"])
    return g.drop_duplicates("iso3", keep="first").set_index("iso3")["growth"].astype(float)


def growth_factors(
    growth: pd.DataFrame | None, year: int, horizon: int, countries: pd.Series | list[str]
) -> tuple[pd.Series, list[str]]:
    """``G_c = (1 + g_c / 100)^horizon`` per country, ``g_c`` in percent a year (see
    :func:`growth_rates`). A country without a projection gets ``G = 1`` (no growth) and is
    listed in the returned notes."""
    countries = pd.Index(pd.unique(pd.Series(list(countries), dtype=object)))
    if horizon == 0:
        return pd.Series(1.0, index=countries), []
    if growth is None:
        growth = _reference_growth()
    rates = growth_rates(growth, year)
    if (rates <= -100).any():
        raise InputError("a growth rate is ≤ −100 %", field="growth",
                         hint="give growth in percent a year (4.8 = 4.8 %)")
    out = ((1.0 + rates / 100.0) ** horizon).reindex(countries)
    lacking = sorted(out.index[out.isna()])
    shown = ", ".join(lacking[:8]) + (f" and {len(lacking) - 8} more" if len(lacking) > 8 else "")
    notes = [f"{len(lacking)} markets have no GDP projection in the reference data ({shown}): "
             "their demand is held at its base-year level (to project none, use a horizon "
             "of 0; to supply projections, pass growth=…)"] if lacking else []
    return out.fillna(1.0), notes


def _reference_growth() -> pd.DataFrame:
    try:
        from tradegap.reference.macro import growth_projections
    except ImportError as exc:
        raise NotFound(
            "GDP growth projections are not available (tradegap.reference.macro)",
            hint="pass a growth table, or use --horizon 0 to skip the projection",
        ) from exc
    return growth_projections()


def distance_table(distances: pd.DataFrame | None, measure: str) -> pd.DataFrame:
    """``exporter, importer, d`` from a distances table, made symmetric (a missing direction
    takes the other's value); the chosen measure, else ``dist_km``."""
    if distances is None:
        try:
            from tradegap.reference.distances import distances as reference_distances
        except ImportError as exc:
            raise NotFound(
                "bilateral distances are not available (tradegap.reference.distances)",
                hint="pass a distances table, or use --distance-elasticity 0 to skip the "
                "distance correction",
            ) from exc
        distances = reference_distances()
    d = distances[measure] if measure in distances.columns else distances["dist_km"]
    if measure in distances.columns and "dist_km" in distances.columns:
        d = d.fillna(distances["dist_km"])
    table = pd.DataFrame(
        {"exporter": distances["exporter"], "importer": distances["importer"], "d": d}
    )
    table = table[table["d"] > 0]
    swapped = table.rename(columns={"exporter": "importer", "importer": "exporter"})
    both = pd.concat([table, swapped[["exporter", "importer", "d"]]], ignore_index=True)
    return both.drop_duplicates(["exporter", "importer"], keep="first")


# -- pair mode -------------------------------------------------------------------------------
def export_potential(
    flows: pd.DataFrame,
    exporter: str = "IND",
    market: str = "RUS",
    params: PotentialParams | None = None,
    groups: list[str] | None = None,
    top: int | None = 30,
    *,
    year: int | None = None,
    distances: pd.DataFrame | None = None,
    growth: pd.DataFrame | None = None,
    provenance: Provenance | None = None,
) -> PotentialResult:
    """Export potential of ``exporter`` in ``market`` for every product it has an RCA in
    (Decreux & Spies 2016; see the module docstring for each term).

    ``flows`` holds every exporter's flows to every market (world shares and the market's
    supplier mix need them). ``year`` is the last year of the averaging window (default: the
    latest in ``flows``). ``groups`` keeps products of any of these product groups
    (``tradegap.reference.groups``); ``top`` keeps the largest untapped potentials.
    """
    params = params or PotentialParams()
    if exporter == market:
        raise InputError("exporter and market are the same country", field="market")
    clean = check_flows(flows)
    if clean.empty:
        raise InputError("no positive flows between different countries", hint="check the data")
    year = int(clean["year"].max()) if year is None else int(year)
    avg = window_average(clean, year, params.window)
    if not (avg["exporter"] == exporter).any():
        raise InputError(f"{exporter} exports nothing in the window", field="exporter")

    # Supply: world exports of every exporter, shares, RCA, projection.
    x_ik = avg.groupby(["exporter", "product"], as_index=False)["value_usd"].sum()
    g_exp, notes = growth_factors(
        growth, year, params.horizon, pd.concat([x_ik["exporter"], pd.Series([market])])
    )
    x_ik["grown"] = x_ik["value_usd"] * x_ik["exporter"].map(g_exp)
    w_k = x_ik.groupby("product")["value_usd"].sum()
    w_k_grown = x_ik.groupby("product")["grown"].sum()
    world = x_ik["value_usd"].sum()
    sup = x_ik[x_ik["exporter"] == exporter].set_index("product")
    x_i = sup["value_usd"].sum()
    supply = pd.DataFrame(
        {
            "exports_world": sup["value_usd"],
            "supply_base": sup["value_usd"] / w_k.reindex(sup.index),
            "supply": sup["grown"] / w_k_grown.reindex(sup.index),
            "rca": (sup["value_usd"] / x_i) / (w_k.reindex(sup.index) / world),
        }
    )

    # Demand: the market's imports by supplier; distance correction.
    into_j = avg[avg["importer"] == market]
    m_jk = into_j.groupby("product")["value_usd"].sum().rename("market_imports")
    if params.distance_elasticity > 0:
        dist = distance_table(distances, params.distance_measure)
        d_to_j = dist[dist["importer"] == market].set_index("exporter")["d"]
        known = into_j.assign(d=into_j["exporter"].map(d_to_j)).dropna(subset=["d"])
        dbar = (known["value_usd"] * known["d"]).groupby(known["product"]).sum() / known.groupby(
            "product"
        )["value_usd"].sum()
        d_ij = d_to_j.get(exporter, np.nan)
        if pd.isna(d_ij):
            notes.append(f"no distance {exporter}–{market}: distance correction not applied")
            dfactor = pd.Series(1.0, index=m_jk.index)
        else:
            dfactor = (d_ij / dbar.reindex(m_jk.index)) ** (-params.distance_elasticity)
            dfactor = dfactor.fillna(1.0)
    else:
        dfactor = pd.Series(1.0, index=m_jk.index)
    g_j = float(g_exp.get(market, 1.0))
    demand = pd.DataFrame(
        {
            "market_imports": m_jk,
            "distance_factor": dfactor,
            "demand": m_jk * g_j**params.income_elasticity * dfactor,
        }
    )

    # Ease: base-period calibration over all products (before the RCA filter).
    actual = (
        into_j[into_j["exporter"] == exporter].set_index("product")["value_usd"].rename("actual")
    )
    both = supply.join(demand, how="inner")
    base_terms = both["supply_base"] * both["market_imports"] * both["distance_factor"]
    hypothetical = float(base_terms.sum())
    x_ij = float(actual.sum())
    ease = x_ij / hypothetical if hypothetical > 0 else 0.0
    if ease == 0:
        notes.append(f"{exporter} has no recorded exports to {market} in the window: the ease "
                     "of trade and so every potential is 0")

    table = both[both["rca"] >= params.rca_threshold].copy()
    table["ease"] = ease
    table["potential"] = table["supply"] * table["demand"] * ease
    table["actual"] = actual.reindex(table.index).fillna(0.0)
    table["untapped"] = (table["potential"] - table["actual"]).clip(lower=0.0)
    table["realised_share"] = np.where(
        table["potential"] > 0, table["actual"] / table["potential"].where(table["potential"] > 0),
        np.nan,
    )
    table = table.reset_index().rename(columns={"index": "product"})
    table.insert(0, "market", market)
    table.insert(0, "exporter", exporter)
    if groups:
        table = table[_in_groups(table["product"], groups)]
    table = table.sort_values(["untapped", "potential"], ascending=False, kind="stable")
    if top is not None:
        table = table.head(top)
    cols = [
        "exporter", "market", "product", "rca", "exports_world", "supply_base", "supply",
        "market_imports", "distance_factor", "demand", "ease", "potential", "actual",
        "untapped", "realised_share",
    ]
    y0, y1 = window_years(year, params.window)
    prov = _provenance(flows, y0, y1).merge(provenance or Provenance())
    prov.notes = list(dict.fromkeys([*prov.notes, *notes, _method_note(params, year)]))
    return PotentialResult(
        exporter=exporter,
        market=market,
        year=year,
        table=table[cols].reset_index(drop=True),
        params=params,
        ease=ease,
        provenance=prov,
    )


def _in_groups(products: pd.Series, groups: list[str]) -> pd.Series:
    try:
        from tradegap.reference.groups import in_group
    except ImportError as exc:
        raise NotFound(
            "product groups are not available (tradegap.reference.groups)",
            hint="leave out --group",
        ) from exc
    mask = pd.Series(False, index=products.index)
    for name in groups:
        mask |= in_group(products, name).to_numpy(dtype=bool)
    return mask


def _provenance(flows: pd.DataFrame, y0: int, y1: int) -> Provenance:
    def values(column: str) -> list[str]:
        if column not in flows.columns:
            return []
        return sorted(str(v) for v in flows[column].dropna().unique())

    synthetic = bool(flows["synthetic"].any()) if "synthetic" in flows.columns else False
    return Provenance(
        sources=values("source"),
        datasets=values("dataset"),
        periods=[str(y) for y in range(y0, y1 + 1)],
        revisions=values("hs_revision"),
        synthetic=synthetic,
    )


def _method_note(params: PotentialParams, year: int) -> str:
    y0, y1 = window_years(year, params.window)
    return (
        f"ITC export potential (Decreux & Spies 2016): averages {y0}–{y1}, projected to "
        f"{year + params.horizon}, RCA ≥ {params.rca_threshold:g}, income elasticity "
        f"{params.income_elasticity:g}, distance elasticity {params.distance_elasticity:g}; "
        "no tariff correction"
    )
