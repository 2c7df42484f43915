"""The statistics an economist checks on a world trade table, used to keep the SYNTHETIC demo
world believable (targets and real reference values in docs/demo-world.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class WorldStats:
    """One year of flows summarised (``exporter, importer, product, value_usd``)."""

    products: int  # HS6 products traded at all
    median_exporters: float  # distinct exporters per product
    share_products_dozen_exporters: float  # products with at least 12 exporters
    share_products_one_exporter: float
    top10_product_share: float  # of world trade
    largest_product_share: float
    median_to_mean_product: float  # a long tail: the median product is far below the mean
    median_top_exporter_share: float  # the largest exporter's share of a product's trade
    share_products_dominated: float  # products where one exporter has ≥ 99 %
    share_rca_above_one: float  # among exporter-product cells with positive exports
    median_rca: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def world_stats(flows: pd.DataFrame) -> WorldStats:
    """Summarise one year of flows (any integer or string codes)."""
    by_ek = flows.groupby(["exporter", "product"], observed=True)["value_usd"].sum()
    product_total = by_ek.groupby(level="product").sum()
    exporters = by_ek.groupby(level="product").size()
    top_share = by_ek.groupby(level="product").max() / product_total
    world = float(product_total.sum())
    sizes = product_total.sort_values(ascending=False)
    exporter_total = by_ek.groupby(level="exporter").sum()
    e = by_ek.index.get_level_values("exporter")
    k = by_ek.index.get_level_values("product")
    rca = (by_ek.to_numpy() / exporter_total.reindex(e).to_numpy()) / (
        product_total.reindex(k).to_numpy() / world)
    return WorldStats(
        products=int(len(product_total)),
        median_exporters=float(exporters.median()),
        share_products_dozen_exporters=float((exporters >= 12).mean()),
        share_products_one_exporter=float((exporters == 1).mean()),
        top10_product_share=float(sizes.head(10).sum() / world),
        largest_product_share=float(sizes.iloc[0] / world),
        median_to_mean_product=float(sizes.median() / sizes.mean()),
        median_top_exporter_share=float(top_share.median()),
        share_products_dominated=float((top_share >= 0.99).mean()),
        share_rca_above_one=float((rca >= 1).mean()),
        median_rca=float(np.median(rca)),
    )
