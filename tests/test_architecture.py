"""The dependency direction of ARCHITECTURE.md holds: a lower layer never imports a higher one."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "tradegap"

#: Layer of each top-level module or package, lowest first (ARCHITECTURE.md).
LAYERS = {
    "errors": 0, "provenance": 0, "config": 0, "jsonable": 0, "tomlfile": 0, "progress": 0,
    "bounds": 0, "atomicfile": 0,
    "warehouse": 1,
    "reference": 2,
    "sources": 3,
    "engine": 4,
    "analysis": 5,
    "planning": 6, "settlement": 6,
    "casestudy": 7,
    "report": 8,
    "web": 9,
    "cli": 10,
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "tradegap" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_every_package_has_a_layer() -> None:
    packages = {p.stem if p.is_file() else p.name for p in SRC.iterdir()
                if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}
    assert packages <= set(LAYERS), f"add {packages - set(LAYERS)} to LAYERS and ARCHITECTURE.md"


def test_no_import_goes_up_or_sideways_between_planning_and_settlement() -> None:
    violations = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if len(rel.parts) == 1 and rel.stem == "__init__":
            continue  # the public API re-exports lazily from every layer
        own = rel.parts[0].removesuffix(".py")
        for target in imported_packages(path):
            if target not in LAYERS or target == own:
                continue
            sideways = LAYERS[target] == LAYERS[own] and LAYERS[own] > 0
            if LAYERS[target] > LAYERS[own] or sideways:
                violations.append(f"{rel} imports tradegap.{target}")
    assert violations == []
