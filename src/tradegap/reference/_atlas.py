"""Where atlas-common-data keeps its bundled files, and a guarded CSV/Parquet reader."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

from tradegap.errors import TradegapError

PACKAGE = "atlas_common_data"


def atlas_path(*parts: str) -> Path:
    """Path of a file under ``atlas_common_data/data``; a clear error if it is missing."""
    path = Path(str(files(PACKAGE).joinpath("data", *parts)))
    if not path.exists():
        raise TradegapError(
            f"atlas-common-data file {'/'.join(parts)} not found at {path}",
            hint="reinstall the reference data: pip install --force-reinstall atlas-common-data",
        )
    return path


def read_atlas_csv(*parts: str, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV bundled with atlas-common-data."""
    return pd.read_csv(atlas_path(*parts), **kwargs)


def read_atlas_parquet(*parts: str, **kwargs: Any) -> pd.DataFrame:
    """Read a Parquet file bundled with atlas-common-data."""
    return pd.read_parquet(atlas_path(*parts), **kwargs)


def own_data(name: str) -> Path:
    """Path of one of tradegap's own reference files (``tradegap/data/NAME``)."""
    return Path(str(files("tradegap").joinpath("data", name)))
