"""Product groups (agri, pharma, fuels, chemicals, machinery, …), defined once in
``tradegap/data/product_groups.toml`` (see that file for sources, order and overlaps).

A code of 2, 4, 6, 8 or 10 digits belongs to the first group, in file order, that includes a
prefix of it and excludes none; ``other`` takes the rest. Rules of 4 digits (headings) only
apply to codes of at least 4 digits.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from tradegap.errors import InputError, NotFound
from tradegap.reference._atlas import own_data

CATCH_ALL = "other"
GROUPS_FILE = "product_groups.toml"


@dataclass(frozen=True)
class ProductGroup:
    """One group: HS chapters/headings it includes and excludes, with its source note."""

    name: str
    label: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    source: str

    @property
    def chapters(self) -> tuple[str, ...]:
        return tuple(c for c in self.include if len(c) == 2)

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(c for c in self.include if len(c) == 4)


@lru_cache(maxsize=1)
def _groups() -> dict[str, ProductGroup]:
    path = own_data(GROUPS_FILE)
    with open(path, "rb") as fh:
        try:
            raw = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"cannot read product groups: {exc}", file=str(path),
                             hint="fix the TOML syntax") from exc
    out: dict[str, ProductGroup] = {}
    for name, spec in raw.get("groups", {}).items():
        for fld in ("include", "exclude"):
            for code in spec.get(fld, []):
                if not (isinstance(code, str) and code.isdigit() and len(code) in (2, 4, 6)):
                    raise InputError(f"group {name!r}: {code!r} is not a 2/4/6-digit HS code",
                                     file=str(path), field=f"groups.{name}.{fld}",
                                     hint="write codes as quoted strings with leading zeros")
        out[name] = ProductGroup(name, spec.get("label", name), tuple(spec.get("include", [])),
                                 tuple(spec.get("exclude", [])), spec.get("source", ""))
    if CATCH_ALL not in out:
        out[CATCH_ALL] = ProductGroup(CATCH_ALL, "Other products", (), (), "catch-all")
    return out


def product_groups() -> dict[str, ProductGroup]:
    """Group name → :class:`ProductGroup`, in matching order (``other`` last)."""
    return dict(_groups())


def _matches(codes: pd.Series, prefixes: tuple[str, ...]) -> np.ndarray:
    hit = np.zeros(len(codes), dtype=bool)
    lengths = codes.str.len().to_numpy()
    for p in prefixes:
        hit |= (codes.str.startswith(p).to_numpy(dtype=bool, na_value=False)
                & (lengths >= len(p)))
    return hit


def group_of(codes: pd.Series) -> pd.Series:
    """Name of the first group each HS code (2–10 digits, string) belongs to; ``'other'``
    for codes no group claims, ``None`` for missing or non-numeric codes."""
    codes = pd.Series(codes).astype("string")
    out = np.full(len(codes), None, dtype=object)
    valid = codes.str.fullmatch(r"\d{2,10}").to_numpy(dtype=bool, na_value=False)
    unassigned = valid.copy()
    for group in _groups().values():
        if group.name == CATCH_ALL:
            continue
        hit = unassigned & _matches(codes, group.include) & ~_matches(codes, group.exclude)
        out[hit] = group.name
        unassigned &= ~hit
    out[unassigned] = CATCH_ALL
    return pd.Series(out, index=codes.index, dtype=object, name="group")


def in_group(codes: pd.Series, name: str) -> pd.Series:
    """Whether each code belongs to group ``name`` (as decided by :func:`group_of`)."""
    if name not in _groups():
        raise NotFound(f"no product group {name!r}",
                       hint=f"groups: {', '.join(_groups())} (see {GROUPS_FILE})")
    return (group_of(codes) == name).rename(name)
