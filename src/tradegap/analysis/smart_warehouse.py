"""The input of SMART (:mod:`tradegap.analysis.smart`) from the warehouse: a market's imports by
product and supplier (one year of a flows dataset) with the tariffs of a ``tariffs`` dataset.

For each supplier and product the tariff is, in order: the bilateral applied rate, the
bilateral preferential rate, the market's applied rate for all partners (WLD), its MFN rate;
products without any are set aside and counted (never assumed duty-free).
"""

from __future__ import annotations

import pandas as pd

from tradegap.errors import InputError
from tradegap.provenance import Provenance
from tradegap.warehouse import Warehouse

PREFERENCE = (("bilateral", "applied"), ("bilateral", "preferential"), ("WLD", "applied"),
              ("WLD", "mfn"))


def market_imports(
    wh: Warehouse, market: str, *, year: int | None = None, dataset: str | None = None,
    tariffs: str | None = None,
) -> tuple[pd.DataFrame, Provenance]:
    """Columns product, supplier, imports (US$), tariff (fraction), tariff_source."""
    from tradegap.analysis.potential_warehouse import pair_flows, pick_dataset

    market = market.upper()
    name = pick_dataset(wh, dataset)
    info = wh.dataset(name)
    flows, year, notes, revisions = pair_flows(wh, "", market, name, year, 1)
    flows = flows[(flows["importer"] == market) & (flows["year"] == year)]
    if flows.empty:
        raise InputError(f"{market} has no imports in {name} for {year}", field="--market")
    imports = (flows.groupby(["product", "exporter"], as_index=False)["value_usd"].sum()
               .rename(columns={"exporter": "supplier", "value_usd": "imports"}))
    tariff_sets = [d for d in wh.datasets(kind="tariffs") if tariffs in (None, d.name)]
    if not tariff_sets:
        raise InputError("the warehouse holds no tariffs dataset" if tariffs is None else
                         f"no tariffs dataset {tariffs!r}", field="--tariffs",
                         hint="load one with `tradegap ingest tariffs FILE`")
    if len(tariff_sets) > 1:
        raise InputError("several tariffs datasets", field="--tariffs",
                         hint="choose one with --tariffs NAME")
    tname = tariff_sets[0].name.replace("'", "''")
    con = wh.connect()
    try:
        rates = con.sql(
            f"SELECT partner, product, duty_type, simple_average_pct, year FROM tariffs "
            f"WHERE dataset = '{tname}' AND reporter = '{market}'").df()
    finally:
        con.close()
    if rates.empty:
        raise InputError(f"the tariffs dataset has no rates of {market}", field="--market")
    # the latest tariff year ≤ the trade year, else the earliest after
    rates = rates.assign(after=(rates["year"] > year).astype(int),
                         gap=(rates["year"] - year).abs())
    rates = rates.sort_values(["after", "gap"]).drop_duplicates(
        ["partner", "product", "duty_type"], keep="first")
    lookup = rates.set_index(["partner", "product", "duty_type"])["simple_average_pct"]
    tariff, source = [], []
    for product, supplier in zip(imports["product"], imports["supplier"], strict=True):
        found = None
        for who, duty in PREFERENCE:
            key = (supplier if who == "bilateral" else "WLD", product, duty)
            if key in lookup.index:
                found = (float(lookup[key]) / 100.0, f"{who} {duty}")
                break
        tariff.append(found[0] if found else float("nan"))
        source.append(found[1] if found else None)
    imports["tariff"] = tariff
    imports["tariff_source"] = source
    missing = imports["tariff"].isna()
    if missing.any():
        notes.append(f"{int(missing.sum())} product × supplier rows without a tariff left "
                     f"out (US$ {imports.loc[missing, 'imports'].sum():,.0f})")
    prov = Provenance(sources=[info.source], datasets=[name, tariff_sets[0].name],
                      periods=[str(year)], revisions=revisions,
                      synthetic=info.synthetic or tariff_sets[0].synthetic, notes=notes)
    return imports.loc[~missing].reset_index(drop=True), prov
