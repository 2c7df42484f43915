"""``tradegap version``: the versions a result depends on (for bug reports and reproducibility)."""

from __future__ import annotations

import platform
from importlib import metadata

import typer

from tradegap.cli.common import JSON_OPTION, console, print_json

#: Libraries whose release changes results or their format.
LIBRARIES = ("duckdb", "pyarrow", "pandas", "pyfixest", "highspy", "typer")


def versions() -> dict[str, str]:
    """tradegap, Python, the key libraries and the warehouse schema, each as a string."""
    from tradegap import __version__
    from tradegap.warehouse.schema import SCHEMA_VERSION

    out = {"tradegap": __version__, "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    out["warehouse_schema"] = str(SCHEMA_VERSION)
    return out


def register(app: typer.Typer) -> None:
    @app.command("version")
    def version_command(as_json: bool = JSON_OPTION) -> None:
        """Versions of tradegap, Python, its key libraries and the warehouse schema."""
        found = versions()
        if as_json:
            print_json(found)
            return
        width = max(len(k) for k in found)
        for name, value in found.items():
            console.print(f"{name.replace('_', ' '):<{width}}  {value}", highlight=False)
