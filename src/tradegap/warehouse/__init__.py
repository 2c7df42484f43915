"""Storage: canonical schemas, atomic Parquet datasets, the DuckDB catalogue and query views."""

from tradegap.warehouse.schema import DEMAND, FLOWS, PERIOD_TYPES, REPORTERS, fiscal_year_label
from tradegap.warehouse.store import (
    DatasetInfo,
    Warehouse,
    WriteOutcome,
    WriteRequest,
    open_warehouse,
)

__all__ = [
    "DEMAND",
    "FLOWS",
    "PERIOD_TYPES",
    "REPORTERS",
    "DatasetInfo",
    "Warehouse",
    "WriteOutcome",
    "WriteRequest",
    "fiscal_year_label",
    "open_warehouse",
]
