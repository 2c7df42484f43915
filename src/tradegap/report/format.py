"""Number formats that read naturally: US$ 63.8 bn, US$ 412 m, US$ 5.3 k."""

from __future__ import annotations

import math


def money(value: float | None, currency: str = "US$") -> str:
    """``63_840_000_000`` → ``'US$ 63.8 bn'``; missing → ``'—'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sign = "−" if value < 0 else ""
    v = abs(float(value))
    for threshold, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if v >= threshold:
            scaled = v / threshold
            digits = 1 if scaled < 100 else 0
            return f"{sign}{currency} {scaled:,.{digits}f} {suffix}"
    return f"{sign}{currency} {v:,.0f}"


def share(value: float | None) -> str:
    """``0.8812`` → ``'88.1%'``; missing → ``'—'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.1%}"


def product_label(code: str, name: str | None = None) -> str:
    """A product's name for a table: its HS name, or what a special code stands for
    (``'XXXXXX'`` → confidential, chapter 98 → national special codes)."""
    text = "" if name is None or (isinstance(name, float) and math.isnan(name)) else str(name)
    if text.strip():
        return text
    code = str(code or "").strip()
    if code and set(code.upper()) == {"X"}:
        return "confidential (not disclosed by customs)"
    if code.startswith("98"):
        return "national special codes (project goods, special uses)"
    if code.startswith("99"):
        return "commodities not specified according to kind"
    from tradegap.reference.products import product_name

    found = product_name(code) if code.isdigit() else None
    return found or "unknown code"


def country_label(iso3: str) -> str:
    """``'IND'`` → ``'India'`` (the code itself when unknown)."""
    from tradegap.reference.countries import country_name

    try:
        return country_name(str(iso3))
    except Exception:  # noqa: BLE001 - a label must never fail a table
        return str(iso3)


def short(text: str, width: int = 36) -> str:
    """``text`` in at most ``width`` characters, cut at a word with "…"."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    head = text[: width - 1]
    space = head.rfind(" ")
    return (head[:space] if space >= width // 2 else head).rstrip(" ,;:(-") + "…"
