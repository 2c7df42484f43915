"""Mirror statistics: the same flow as declared by the exporter and by the importer.

Importers record imports CIF (cost, insurance, freight) and exporters record exports FOB, so
importer-declared values normally exceed exporter-declared ones by transport and insurance
costs (a CIF/FOB ratio of about 1.03–1.10; Gaulier & Zignago 2010, BACI). Larger gaps point to
misclassification, transit through third countries, or timing.
"""

from __future__ import annotations

import pandas as pd

from tradegap.analysis.pair_data import PairData

_COLUMNS = [
    "side",
    "period_type",
    "period",
    "code",
    "exporter_declared",
    "importer_declared",
    "gap",
    "cif_fob_ratio",
    "exporter_dataset",
    "importer_dataset",
]


def mirror(pair: PairData, digits: int = 6) -> pd.DataFrame:
    """Per side, period and product (cut to ``digits``): exporter- and importer-declared values,
    the gap (importer − exporter) and the CIF/FOB ratio, wherever both declarations exist.
    A product declared by one side only shows the other as missing (NaN), never as zero."""
    datasets = pair.con.execute(
        "SELECT side, period_type, period, reporter, dataset, count(*) AS n FROM pair_all "
        "WHERE reporter IN ('exporter', 'importer') GROUP BY ALL"
    ).df()
    if datasets.empty:
        return pd.DataFrame(columns=_COLUMNS)
    # one dataset per role: the one with most rows
    best = (
        datasets.sort_values("n", ascending=False)
        .groupby(["side", "period_type", "period", "reporter"], as_index=False)
        .first()
    )
    both = best.pivot_table(
        index=["side", "period_type", "period"],
        columns="reporter",
        values="dataset",
        aggfunc="first",
    )
    if not {"exporter", "importer"} <= set(both.columns):
        return pd.DataFrame(columns=_COLUMNS)
    both = both.dropna(subset=["exporter", "importer"]).reset_index()
    if both.empty:
        return pd.DataFrame(columns=_COLUMNS)
    both = both.rename(columns={"exporter": "exporter_dataset", "importer": "importer_dataset"})
    pair.con.register("_mirror_sets", both)
    frame = pair.con.execute(
        """
        SELECT p.side, p.period_type, p.period, substr(p.product, 1, ?) AS code,
               sum(value_usd) FILTER (WHERE p.reporter = 'exporter'
                                      AND p.dataset = m.exporter_dataset) AS exporter_declared,
               sum(value_usd) FILTER (WHERE p.reporter = 'importer'
                                      AND p.dataset = m.importer_dataset) AS importer_declared,
               any_value(m.exporter_dataset) AS exporter_dataset,
               any_value(m.importer_dataset) AS importer_dataset
        FROM pair_all p JOIN _mirror_sets m USING (side, period_type, period)
        WHERE p.dataset IN (m.exporter_dataset, m.importer_dataset)
        GROUP BY ALL
        """,
        [digits],
    ).df()
    pair.con.unregister("_mirror_sets")
    frame["gap"] = frame["importer_declared"] - frame["exporter_declared"]
    frame["cif_fob_ratio"] = frame["importer_declared"] / frame["exporter_declared"].where(
        frame["exporter_declared"] > 0
    )
    frame = frame.sort_values(
        ["side", "period", "gap"],
        key=lambda s: s.abs() if s.name == "gap" else s,
        ascending=[True, True, False],
    )
    return frame[_COLUMNS].reset_index(drop=True)


def mirror_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Totals of :func:`mirror` per side and period (products declared by both sides only,
    and all products)."""
    if table.empty:
        return pd.DataFrame(
            columns=[
                "side",
                "period_type",
                "period",
                "exporter_declared",
                "importer_declared",
                "gap",
                "cif_fob_ratio",
            ]
        )
    out = table.groupby(["side", "period_type", "period"], as_index=False)[
        ["exporter_declared", "importer_declared"]
    ].sum(min_count=1)
    out["gap"] = out["importer_declared"] - out["exporter_declared"]
    out["cif_fob_ratio"] = out["importer_declared"] / out["exporter_declared"]
    return out
