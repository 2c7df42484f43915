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
    "measures": 7,
    "casestudy": 8,
    "report": 9,
    "web": 10,
    "cli": 11,
}


def _lazy_api() -> dict[str, str]:
    """``tradegap.NAME`` of the public API → the top-level package it comes from."""
    import tradegap

    return {name: module.split(".")[1] for name, (module, _) in tradegap._LAZY.items()}


def imported_packages(path: Path, root: Path = SRC) -> set[str]:
    """Top-level packages of tradegap that the module at ``path`` imports, in every form:
    ``import tradegap.x``, ``from tradegap.x import y``, ``from tradegap import x`` (a package,
    or a name of the lazy public API), relative imports (``from ..x import y``, ``from .. import
    x``), and ``import_module("tradegap.x…")`` with a literal name."""
    tree = ast.parse(path.read_text())
    package = list(path.relative_to(root).parts[:-1])  # e.g. ["analysis"]
    lazy = _lazy_api()
    found = set()

    def add(dotted: str) -> None:
        parts = dotted.split(".")
        if parts[0] == "tradegap" and len(parts) > 1:
            found.add(lazy.get(parts[1], parts[1]))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                add(a.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["tradegap", *package[: len(package) - (node.level - 1)]]
                if node.level - 1 > len(package):
                    continue
                dotted = ".".join([*base, *(node.module.split(".") if node.module else [])])
            else:
                dotted = node.module or ""
            if dotted == "tradegap":  # from tradegap import x, y (or from .. import x)
                for a in node.names:
                    add(f"tradegap.{a.name}")
            else:
                add(dotted)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            arg = node.args[0]
            if name == "import_module" and isinstance(arg, ast.Constant) and isinstance(
                    arg.value, str):
                add(arg.value)
    return found


def test_every_import_form_is_seen(tmp_path: Path) -> None:
    """The scanner above finds each way a module can import another (so the layer check
    below cannot be dodged by an import it does not read)."""
    module = tmp_path / "analysis" / "sub" / "mod.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "import tradegap.warehouse.store\n"
        "from tradegap.reference import countries\n"
        "from tradegap import web, balance\n"  # a package, and a name of the lazy API
        "from ... import report\n"  # tradegap.report, relative
        "from ...cli import main\n"
        "from . import helper\n"  # tradegap.analysis.sub.helper: its own package
        "from importlib import import_module\n"
        "import_module('tradegap.planning.model')\n"
        "importlib.import_module('tradegap.settlement')\n"
        "import_module(name_in_a_variable)\n"
    )
    assert imported_packages(module, root=tmp_path) == {
        "warehouse", "reference", "web", "analysis", "report", "cli", "planning", "settlement"}


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
