"""Where the warehouse lives and which query engine runs the relational work."""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "TRADEGAP_HOME"
DEFAULT_HOME = Path("~/.local/share/tradegap")


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse directory: ``home`` if given, else ``$TRADEGAP_HOME``, else the default."""
    if home is not None and str(home) != "":
        return Path(home).expanduser().resolve()
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser().resolve()
    return DEFAULT_HOME.expanduser().resolve()
