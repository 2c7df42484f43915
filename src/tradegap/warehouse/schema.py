"""The canonical tables of the warehouse.

``FLOWS`` is the one table every source is normalised to: one row per period × exporter ×
importer × product × reporter, value in US dollars (not thousands).
"""

from __future__ import annotations

import pyarrow as pa

from tradegap.errors import InputError

#: Version of the warehouse layout (canonical schemas and catalogue table); raised when either
#: changes in a way older readers cannot follow.
SCHEMA_VERSION = 1

#: Period kinds. ``fiscal_year_in`` is India's April–March year, named by its start
#: (``year`` = 2023 is FY2023-24, shown as ``FY2023-24``).
PERIOD_TYPES = ("calendar_year", "fiscal_year_in", "fiscal_year_in_partial", "month")

#: Who declared the flow: the exporter, the importer, or a partner's declaration used as a
#: mirror of a country that did not report (e.g. India's statistics in Russia's layout).
REPORTERS = ("exporter", "importer", "mirror", "reconciled")

FLOWS = pa.schema(
    [
        pa.field("period", pa.string(), nullable=False),
        pa.field("period_type", pa.string(), nullable=False),
        pa.field("year", pa.int16(), nullable=False),
        pa.field("month", pa.int8()),
        pa.field("exporter", pa.string(), nullable=False),
        pa.field("importer", pa.string(), nullable=False),
        pa.field("product", pa.string(), nullable=False),
        pa.field("hs_revision", pa.string(), nullable=False),
        pa.field("digits", pa.int8(), nullable=False),
        pa.field("value_usd", pa.float64(), nullable=False),
        pa.field("quantity", pa.float64()),
        pa.field("quantity_unit", pa.string()),
        pa.field("source", pa.string(), nullable=False),
        pa.field("reporter", pa.string(), nullable=False),
        pa.field("flag", pa.string()),
    ]
)

#: A demand profile: a market's imports (or exports) of a product over a window, without a
#: supplier breakdown (e.g. Russia's imports by HS4 rebuilt from partner data).
DEMAND = pa.schema(
    [
        pa.field("country", pa.string(), nullable=False),
        pa.field("flow", pa.string(), nullable=False),  # 'import' | 'export'
        pa.field("window", pa.string(), nullable=False),  # e.g. 'last12', 'year_before'
        pa.field("product", pa.string(), nullable=False),
        pa.field("hs_revision", pa.string(), nullable=False),
        pa.field("digits", pa.int8(), nullable=False),
        pa.field("value_usd", pa.float64()),
        pa.field("net_weight_kg", pa.float64()),
        pa.field("quantity", pa.float64()),
        pa.field("source", pa.string(), nullable=False),
        pa.field("flag", pa.string()),
    ]
)

#: Tariffs a market applies to a partner on a product (WITS/TRAINS aggregates by HS code):
#: rates in percent; ``duty_type`` is 'applied' (WITS AHS), 'mfn', 'bound' or 'preferential';
#: ``ave`` says whether specific duties were converted to ad valorem equivalents.
TARIFFS = pa.schema(
    [
        pa.field("reporter", pa.string(), nullable=False),  # importing market, ISO3
        pa.field("partner", pa.string(), nullable=False),  # ISO3, or 'WLD' for all partners
        pa.field("product", pa.string(), nullable=False),
        pa.field("nomenclature", pa.string()),
        pa.field("digits", pa.int8(), nullable=False),
        pa.field("year", pa.int16(), nullable=False),
        pa.field("duty_type", pa.string(), nullable=False),
        pa.field("simple_average_pct", pa.float64()),
        pa.field("weighted_average_pct", pa.float64()),
        pa.field("min_rate_pct", pa.float64()),
        pa.field("max_rate_pct", pa.float64()),
        pa.field("lines", pa.float64()),
        pa.field("imports_usd", pa.float64()),
        pa.field("ave", pa.bool_()),
        pa.field("source", pa.string(), nullable=False),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {"flows": FLOWS, "demand": DEMAND, "tariffs": TARIFFS}


def fiscal_year_label(start_year: int) -> str:
    """``2023`` → ``'FY2023-24'`` (India's April–March fiscal year)."""
    return f"FY{start_year}-{(start_year + 1) % 100:02d}"


def conform(table: pa.Table, kind: str = "flows") -> pa.Table:
    """Select and cast ``table`` to the canonical schema of ``kind``, or say what is wrong.
    Text columns already dictionary-encoded over strings are kept so (see
    :func:`_dictionary_of`)."""
    schema = SCHEMAS[kind]
    missing = [f.name for f in schema if f.name not in table.column_names]
    if missing:
        raise InputError(
            f"table for {kind!r} lacks columns {missing}",
            hint="this is a bug in the source module that produced it",
        )
    columns, fields = [], []
    for f in schema:
        col = table.column(f.name)
        if _dictionary_of(col.type, f.type):  # written as it is: the same Parquet column
            field = f.with_type(col.type)
        else:
            field = f
            try:
                col = col.cast(f.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise InputError(f"column {f.name!r} cannot be read as {f.type}: {exc}") from exc
        if not f.nullable and col.null_count:
            raise InputError(f"column {f.name!r} has {col.null_count} empty values")
        columns.append(col)
        fields.append(field)
    return pa.Table.from_arrays(columns, schema=pa.schema(fields, metadata=schema.metadata))


def _dictionary_of(kind: pa.DataType, value: pa.DataType) -> bool:
    """Whether ``kind`` is a dictionary of ``value`` text (how a source with few distinct
    strings per column hands them over: Parquet stores it exactly as plain text, dictionary
    encoded, and reads it back as ``value``)."""
    return (pa.types.is_dictionary(kind) and pa.types.is_string(value)
            and kind.value_type == value)
