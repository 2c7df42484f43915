"""Reading a TOML input file (scenarios, mappings) with errors that name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from tradegap.bounds import read_bounded
from tradegap.errors import InputError


def read_toml(path: str | Path, what: str = "scenario") -> dict[str, Any]:
    """The parsed TOML document at ``path``; a missing, unreadable, oversized, malformed or
    absurdly nested file is an :class:`InputError` naming the file."""
    path = Path(path)
    raw = read_bounded(path, f"a {what} file")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid TOML: {exc}", file=str(path),
                         hint=f"a {what} is a UTF-8 TOML file") from None
    except RecursionError:
        raise InputError("arrays or tables are nested too deeply to read", file=str(path),
                         hint=f"a {what} nests tables a few levels at most") from None
