"""GDP, population and growth projections from atlas-common-data's bundled caches (offline).

Choice of source: ``gdp()`` takes the World Bank's World Development Indicators
(``data/cache/wdi_data.parquet``: NY.GDP.MKTP.CD, GDP in current US$, and SP.POP.TOTL) first,
because WDI is the usual input of gravity work and covers more economies (~200 a year, back to
1960), and fills the (iso3, year) cells WDI lacks from the IMF World Economic Outlook
(``data/cache/imf_data.parquet``: NGDPD × 1e9 and LP, already in US$ and persons there) — notably
Taiwan, which the World Bank does not publish, and economies whose latest WDI year is missing.
The ``source`` column says which one each row came from.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from tradegap.errors import NotFound
from tradegap.reference._atlas import read_atlas_csv, read_atlas_parquet


@lru_cache(maxsize=1)
def _gdp() -> pd.DataFrame:
    cols = ["iso3_code", "year", "gdp", "population"]
    wdi = read_atlas_parquet("cache", "wdi_data.parquet", columns=cols).assign(source="WDI")
    imf = read_atlas_parquet("cache", "imf_data.parquet", columns=cols).assign(source="IMF WEO")
    wdi = wdi[wdi["gdp"].notna()]
    imf = imf[imf["gdp"].notna()]
    both = pd.concat([wdi, imf], ignore_index=True)
    both = both.drop_duplicates(["iso3_code", "year"], keep="first")  # WDI wins
    frame = both.rename(columns={"iso3_code": "iso3", "gdp": "gdp_usd"})
    frame["year"] = frame["year"].astype("int64")
    frame = frame[frame["iso3"] != "ANS"]
    return frame.sort_values(["iso3", "year"]).reset_index(drop=True)


def gdp() -> pd.DataFrame:
    """``iso3, year, gdp_usd, population, source``: GDP in current US dollars (WDI, gaps from
    the IMF WEO; see the module docstring)."""
    return _gdp().copy()


def gdp_of(iso3: str, year: int) -> float:
    """GDP of ``iso3`` in ``year`` in current US dollars."""
    frame = _gdp()
    hit = frame.loc[(frame["iso3"] == iso3.upper()) & (frame["year"] == int(year)), "gdp_usd"]
    if hit.empty:
        raise NotFound(f"no GDP for {iso3} in {year} in the WDI/IMF caches of atlas-common-data",
                       hint=f"years available: {_gdp()['year'].min()}–{_gdp()['year'].max()}")
    return float(hit.iloc[0])


@lru_cache(maxsize=1)
def _growth() -> pd.DataFrame:
    raw = read_atlas_csv("growth_projections", "2024_growth_projections.csv")
    frame = raw.rename(columns={"iso3_code": "iso3", "growth_proj": "growth"})
    frame = frame[frame["growth"].notna()][["iso3", "year", "growth"]]
    frame["year"] = frame["year"].astype("int64")
    return frame.sort_values(["iso3", "year"]).reset_index(drop=True)


def growth_projections() -> pd.DataFrame:
    """``iso3, year, growth``: the Growth Lab's projected annual growth of GDP per capita over
    the following decade, in percent per year (as published with the Atlas of Economic
    Complexity, 2024 release; ``4.8`` means 4.8 % a year), by the year of projection."""
    return _growth().copy()
