"""The scenario file of ``tradegap gravity ge``: which data, which estimate, which change.

Keys (all documented in docs/gravity.md, so scenarios are portable)::

    [data]
    path = "1_TradeWithoutBorder.dta"   # relative to the scenario file
    year = 2006                         # the year of the equilibrium (rows with this year)
    where = "…"                         # optional SQL row filter
    derive = { ln_DIST = "ln(DIST)" }   # optional derived columns (SQL), replace or add
    exporter = "exporter"               # column names (these are the defaults)
    importer = "importer"
    [estimate]
    formula = "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer"
    cluster = "pair_id"                 # optional; else heteroskedasticity-robust
    [change]
    set = "INTL_BRDR = 0"               # SQL assignment(s) on the equilibrium year's rows
    where = "exporter <> importer"      # optional: which rows change (default all)
    [model]
    sigma = 7                           # elasticity of substitution
    reference = "DEU"                   # inward resistance normalised to 1 for this country
    tolerance = 0.01                    # the book's stopping rule (see gravity_ge)
    max_iterations = 50
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tradegap.errors import InputError
from tradegap.tomlfile import read_toml

_ASSIGN = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+?)\s*$", re.S)
_KNOWN = {
    "data": {"path", "dataset", "year", "where", "derive", "exporter", "importer"},
    "estimate": {"formula", "cluster", "vcov"},
    "costs": {"fill"},
    "change": {"set", "where"},
    "model": {"sigma", "reference", "tolerance", "max_iterations"},
}


@dataclass
class GEScenario:
    """A validated ``gravity ge`` scenario."""

    path: Path | None
    year: int | None
    formula: str
    sigma: float
    reference: str
    changes: list[tuple[str, str]]
    change_where: str | None = None
    where: str | None = None
    derive: dict[str, str] = field(default_factory=dict)
    exporter: str = "exporter"
    importer: str = "importer"
    cluster: str | None = None
    vcov: str | None = None
    fill: str | None = None
    tolerance: float = 0.01
    max_iterations: int = 50
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path) if self.path else None, "year": self.year,
            "formula": self.formula, "cluster": self.cluster, "sigma": self.sigma,
            "reference": self.reference,
            "change": {"set": [f"{c} = {e}" for c, e in self.changes],
                       "where": self.change_where},
            "where": self.where, "derive": dict(self.derive), "tolerance": self.tolerance,
        }


def parse_assignments(text: str | list[str], *, file: str | None = None) -> list[tuple[str, str]]:
    """``"RTA = 0"`` or a list of such strings → [(column, SQL expression)]."""
    items = [text] if isinstance(text, str) else list(text)
    out = []
    for item in items:
        match = _ASSIGN.match(str(item)) if isinstance(item, str) else None
        if not match:
            raise InputError(f"cannot read assignment {item!r}", file=file, field="change.set",
                             hint='write COLUMN = SQL expression, e.g. set = "RTA = 0"; '
                             "several: set = [\"A = 0\", \"B = 1\"]")
        out.append((match.group(1), match.group(2)))
    return out


def load_scenario(path: str | Path) -> GEScenario:
    """Read and validate a scenario TOML; every problem is an :class:`InputError` naming it."""
    path = Path(path)
    doc = read_toml(path)
    return scenario_from_dict(doc, base=path.parent, file=str(path))


def scenario_from_dict(doc: dict[str, Any], *, base: Path = Path("."),
                       file: str | None = None) -> GEScenario:
    """Validate a parsed scenario (``base`` resolves a relative data path)."""
    for section, value in doc.items():
        if section not in _KNOWN:
            raise InputError(f"unknown section [{section}]", file=file, field=section,
                             hint=f"sections: {', '.join(sorted(_KNOWN))}")
        if not isinstance(value, dict):
            raise InputError(f"[{section}] must be a table", file=file, field=section)
        unknown = set(value) - _KNOWN[section]
        if unknown:
            raise InputError(f"unknown key {section}.{sorted(unknown)[0]}", file=file,
                             field=f"{section}.{sorted(unknown)[0]}",
                             hint=f"keys of [{section}]: {', '.join(sorted(_KNOWN[section]))}")
    data = doc.get("data", {})
    estimate = doc.get("estimate", {})
    change = doc.get("change", {})
    model = doc.get("model", {})
    if "dataset" in data:
        raise InputError("[data] dataset: general equilibrium on a warehouse dataset is not "
                         "available yet", file=file, field="data.dataset",
                         hint="export the flows with domestic rows to a file and give "
                         "[data] path")
    if "path" not in data:
        raise InputError("[data] path is required", file=file, field="data.path",
                         hint='e.g. path = "1_TradeWithoutBorder.dta"')
    data_path = Path(str(data["path"]))
    if not data_path.is_absolute():
        data_path = base / data_path
    for key, table in (("formula", estimate), ("set", change)):
        if key not in table:
            section = "estimate" if table is estimate else "change"
            raise InputError(f"[{section}] {key} is required", file=file,
                             field=f"{section}.{key}")
    if not isinstance(estimate["formula"], str):
        raise InputError("estimate.formula must be a string", file=file,
                         field="estimate.formula")
    for key in ("sigma", "reference"):
        if key not in model:
            raise InputError(f"[model] {key} is required", file=file, field=f"model.{key}",
                             hint="e.g. sigma = 7, reference = \"DEU\"")
    sigma = _number(model["sigma"], "model.sigma", file)
    if sigma <= 1:
        raise InputError(f"sigma = {sigma} must be greater than 1", file=file,
                         field="model.sigma", hint="the literature uses 5–8; the book uses 7")
    tolerance = _number(model.get("tolerance", 0.01), "model.tolerance", file)
    max_iter = model.get("max_iterations", 50)
    if tolerance <= 0 or not isinstance(max_iter, int) or max_iter < 1:
        raise InputError("tolerance must be > 0 and max_iterations a positive integer",
                         file=file, field="model.tolerance")
    derive = data.get("derive", {})
    if not isinstance(derive, dict) or not all(isinstance(v, str) for v in derive.values()):
        raise InputError("data.derive must be a table of NAME = \"SQL expression\"", file=file,
                         field="data.derive", hint='derive = { ln_DIST = "ln(DIST)" }')
    year = data.get("year")
    if year is not None and not isinstance(year, int):
        raise InputError("data.year must be an integer", file=file, field="data.year")
    for name, table, key, required in (
            ("change.set", change, "set", True), ("change.where", change, "where", False),
            ("data.where", data, "where", False), ("estimate.cluster", estimate, "cluster", False),
            ("estimate.vcov", estimate, "vcov", False),
            ("model.reference", model, "reference", True),
            ("data.exporter", data, "exporter", False), ("data.importer", data, "importer", False),
            ("data.path", data, "path", True)):
        value = table.get(key)
        if (value is not None or required) and not isinstance(value, str):
            raise InputError(f"{name} must be a string", file=file, field=name)
    if "fill" in doc.get("costs", {}):
        raise InputError("[costs] fill (pair fixed effects with a second stage) is not "
                         "available yet", file=file, field="costs.fill",
                         hint="use a formula with gravity covariates and exporter and "
                         "importer effects, and no [costs] section")
    return GEScenario(
        path=data_path, year=year, formula=estimate["formula"], sigma=sigma,
        reference=str(model["reference"]),
        changes=parse_assignments(change["set"], file=file),
        change_where=change.get("where"), where=data.get("where"), derive=dict(derive),
        exporter=str(data.get("exporter", "exporter")),
        importer=str(data.get("importer", "importer")),
        cluster=estimate.get("cluster"), vcov=estimate.get("vcov"),
        tolerance=tolerance, max_iterations=max_iter, source=file,
    )


def _number(value: Any, name: str, file: str | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{name} must be a number", file=file, field=name)
    try:
        out = float(value)
    except OverflowError:
        out = float("inf")
    if out != out or out in (float("inf"), float("-inf")):
        raise InputError(f"{name} must be a finite number", file=file, field=name)
    return out
