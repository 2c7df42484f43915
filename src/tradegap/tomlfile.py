"""Reading a TOML input file (scenarios, mappings) with errors that name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from tradegap.errors import InputError


def read_toml(path: str | Path, what: str = "scenario") -> dict[str, Any]:
    """The parsed TOML document at ``path``; a missing, unreadable or malformed file is an
    :class:`InputError` naming the file."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"{what} file not found", file=str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid TOML: {exc}", file=str(path),
                         hint=f"a {what} is a UTF-8 TOML file") from None
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror or exc}",
                         file=str(path)) from None
