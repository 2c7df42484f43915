"""Summaries of what the warehouse holds (for `tradegap data list|info` and the Data page)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from tradegap.errors import NotFound
from tradegap.warehouse.store import DatasetInfo, Warehouse


def list_datasets(wh: Warehouse) -> pd.DataFrame:
    """One row per dataset: name, source, kind, rows, synthetic, ingested_at, set-aside rows."""
    rows = [
        {
            "name": d.name,
            "source": d.source,
            "kind": d.kind,
            "rows": d.rows,
            "synthetic": d.synthetic,
            "ingested_at": d.ingested_at.isoformat(timespec="seconds"),
            "rows_set_aside": sum(d.report.get("set_aside", {}).values()),
        }
        for d in wh.datasets()
    ]
    columns = ["name", "source", "kind", "rows", "synthetic", "ingested_at", "rows_set_aside"]
    return pd.DataFrame(rows, columns=columns)


def _matching(wh: Warehouse, name: str) -> list[DatasetInfo]:
    found = [d for d in wh.datasets() if name in (d.name, d.source)]
    if not found:
        wh.dataset(name)  # raises NotFound listing what is there
        raise NotFound(name)
    return found


def dataset_summary(wh: Warehouse, name: str) -> list[dict[str, Any]]:
    """Summaries of the dataset called ``name``, or of every dataset of source ``name``."""
    matching = _matching(wh, name)
    con = wh.connect(names=[d.name for d in matching])  # damage elsewhere does not matter
    out = []
    try:
        for d in matching:
            base: dict[str, Any] = {
                "name": d.name,
                "source": d.source,
                "kind": d.kind,
                "rows": d.rows,
                "synthetic": d.synthetic,
                "ingested_at": d.ingested_at.isoformat(timespec="seconds"),
                "provenance": d.provenance,
                "set_aside": d.report.get("set_aside", {}),
            }
            if d.kind == "flows":
                base.update(_flows_summary(con, d.name))
            else:
                base.update(_demand_summary(con, d.name))
            out.append(base)
    finally:
        con.close()
    return out


def _flows_summary(con: Any, name: str) -> dict[str, Any]:
    params = [name]
    head = con.execute(
        "SELECT count(DISTINCT exporter), count(DISTINCT importer), count(DISTINCT product), "
        "string_agg(DISTINCT CAST(digits AS VARCHAR), ','), string_agg(DISTINCT hs_revision, ','), "
        "string_agg(DISTINCT reporter, ',') FROM flows WHERE dataset = ?",
        params,
    ).fetchall()[0]
    per_period = con.execute(
        "SELECT period, period_type, count(*) AS rows, sum(value_usd) AS value_usd, "
        "count(DISTINCT exporter) AS exporters, count(DISTINCT importer) AS importers, "
        "count(DISTINCT product) AS products, "
        "sum(CASE WHEN quantity IS NOT NULL THEN value_usd ELSE 0 END) / "
        "nullif(sum(value_usd), 0) AS value_share_with_quantity "
        "FROM flows WHERE dataset = ? GROUP BY ALL ORDER BY period",
        params,
    ).df()
    return {
        "exporters": head[0],
        "importers": head[1],
        "products": head[2],
        "digits": head[3],
        "revisions": head[4],
        "reporters": head[5],
        "per_period": per_period,
    }


def _demand_summary(con: Any, name: str) -> dict[str, Any]:
    per_period = con.execute(
        'SELECT country, flow, "window" AS period, count(*) AS rows, sum(value_usd) AS value_usd, '
        "count(DISTINCT product) AS products FROM demand WHERE dataset = ? GROUP BY ALL "
        "ORDER BY ALL",
        [name],
    ).df()
    return {"per_period": per_period}
