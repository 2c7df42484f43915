"""Countries: ISO3 codes, UN M49 numeric codes and English names, with name matching.

From atlas-common-data's ``classification/location/country.csv`` (Harvard Growth Lab's country
classification; ``country_id`` is the UN M49 / ISO 3166-1 numeric code). The pseudo-country
``ANS`` (undeclared) is left out. :func:`match_country` also knows the spellings used by India's
Export Import Data Bank (DGCI&S), by Russia's customs and by CEPII BACI.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import pandas as pd

from tradegap.errors import InputError, NotFound
from tradegap.reference._atlas import read_atlas_csv

#: Spellings that normalised official names do not catch (normalised form → ISO3).
ALIASES: dict[str, str] = {
    # India's Export Import Data Bank (tradestat) spellings
    "U S A": "USA", "USA": "USA", "U K": "GBR", "UK": "GBR", "CHINA P RP": "CHN",
    "U ARAB EMTS": "ARE", "UAE": "ARE", "BANGLADESH PR": "BGD", "C AFRI REP": "CAF",
    "KOREA RP": "KOR", "KOREA DP RP": "PRK", "RUSSIA": "RUS", "HONG KONG": "HKG",
    "NETHERLAND": "NLD", "NETHERLANDS": "NLD", "SAUDI ARAB": "SAU", "IRAN": "IRN",
    "VIETNAM SOC REP": "VNM", "VIETNAM": "VNM", "VIET NAM": "VNM", "TAIWAN": "TWN",
    "CZECH REPUBLIC": "CZE", "DOMINIC REP": "DOM", "DOMINICAN REP": "DOM",
    "EQUTL GUINEA": "GNQ", "PAPUA N GNA": "PNG", "TRINIDAD": "TTO", "BOSNIA HRZGOVIN": "BIH",
    "CONGO D REP": "COD", "CONGO P REP": "COG", "COTE D IVOIRE": "CIV", "IVORY COAST": "CIV",
    "SYRIA": "SYR", "LAO PD RP": "LAO", "LAOS": "LAO", "MACEDONIA": "MKD",
    "NORTH MACEDONIA": "MKD", "MOLDOVA": "MDA", "TANZANIA REP": "TZA", "TANZANIA": "TZA",
    "BOLIVIA": "BOL", "VENEZUELA": "VEN", "BRUNEI": "BRN", "CAPE VERDE IS": "CPV",
    "CAPE VERDE": "CPV", "SWAZILAND": "SWZ", "ESWATINI": "SWZ", "TURKEY": "TUR",
    "TURKIYE": "TUR", "SRI LANKA DSR": "LKA", "MYANMAR": "MMR", "BURMA": "MMR",
    "ST KITT N A": "KNA", "ST LUCIA": "LCA", "ST VINCENT": "VCT", "SOLOMON IS": "SLB",
    "MARSHALL ISLAND": "MHL", "FAROE IS": "FRO", "FALKLAND IS": "FLK", "CAYMAN IS": "CYM",
    "TURKS C IS": "TCA", "VIRGIN IS US": "VIR", "VIRGIN IS UK": "VGB", "COOK IS": "COK",
    "GUINEA BISSAU": "GNB", "KYRGHYZSTAN": "KGZ", "KYRGYZSTAN": "KGZ",
    "MICRONESIA": "FSM", "PALESTINE": "PSE", "STATE OF PALESTINE": "PSE",
    "UNITED STATES": "USA", "UNITED KINGDOM": "GBR", "GREAT BRITAIN": "GBR",
    "SOUTH KOREA": "KOR", "REPUBLIC OF KOREA": "KOR", "NORTH KOREA": "PRK",
    "RUSSIAN FEDERATION": "RUS", "ROSSIYA": "RUS", "CHINA": "CHN", "INDIA": "IND",
    "BHARAT": "IND", "SURINAME": "SUR", "SURINAM": "SUR", "GAMBIA": "GMB",
    "BAHAMAS": "BHS", "SAO TOME": "STP", "TIMOR LESTE": "TLS", "EAST TIMOR": "TLS",
    "CZECHIA": "CZE", "SLOVAK REP": "SVK", "SLOVAKIA": "SVK",
    "BAHARAIN": "BHR", "EGYPT A RP": "EGY", "PAKISTAN IR": "PAK", "YEMEN REPUBLC": "YEM",
    "NETHERLANDANTIL": "ANT", "AMERI SAMOA": "ASM", "FR POLYNESIA": "PYF", "BR VIRGN IS": "VGB",
    "STATE OF PALEST": "PSE", "ANTIGUA": "ATG", "FR GUIANA": "GUF", "SAHARWI A DM RP": "ESH",
    "N MARIANA IS": "MNP", "WALLIS F IS": "WLF", "ST PIERRE": "SPM", "ST HELENA": "SHN",
    "SINT MAARTEN DUTCH PART": "SXM", "UNION SERBIA MONTENEGRO": "SCG", "SVALLBARD J": "SJM",
    "BRITISH INDIAN": "IOT", "CHRISTMAS IS": "CXR", "COCOS IS": "CCK", "NORFOLK IS": "NFK",
    "HEARD MACDONALD": "HMD", "PITCAIRN IS": "PCN", "ANTARTICA": "ATA", "ANTARCTICA": "ATA",
}

#: Trailing qualifiers dropped when a name does not match as written ('FIJI IS' → 'FIJI').
_QUALIFIERS = {"IS", "ISLAND", "ISLANDS", "REP", "REPUBLIC", "REPUBLC", "RP", "PR", "IR", "DSR"}

_DROP = {"THE", "OF", "AND"}


def normalise_name(name: str) -> str:
    """Upper case ASCII, punctuation to spaces, ``the``/``of``/``and`` dropped, spaces collapsed:
    ``"Côte d'Ivoire"`` → ``'COTE D IVOIRE'``."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9]+", " ", text).upper()
    return " ".join(w for w in text.split() if w not in _DROP)


@lru_cache(maxsize=1)
def _countries() -> pd.DataFrame:
    raw = read_atlas_csv("classification", "location", "country.csv", keep_default_na=False,
                         na_values=[""])
    raw = raw[raw["iso3_code"] != "ANS"]
    frame = pd.DataFrame(
        {
            "iso3": raw["iso3_code"].astype(str),
            "m49": raw["country_id"].astype("int64"),
            "name": raw["name_short_en"].fillna(raw["name_en"]).astype(str),
            "name_official": raw["name_en"].astype(str),
            "iso2": raw["iso2_code"].astype("string"),
        }
    )
    return frame.sort_values("iso3").reset_index(drop=True)


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    frame = _countries()
    for row in frame.itertuples(index=False):
        for key in (row.iso3, row.name, row.name_official):
            table.setdefault(normalise_name(key), row.iso3)
        if isinstance(row.iso2, str) and len(row.iso2) == 2:
            table.setdefault(row.iso2.upper(), row.iso3)
    known = set(frame["iso3"])
    for alias, iso3 in ALIASES.items():
        if iso3 in known:
            table[normalise_name(alias)] = iso3
    return table


def countries() -> pd.DataFrame:
    """All countries: ``iso3, m49, name`` (short English name) plus ``name_official, iso2``."""
    return _countries().copy()


def match_country(name: str) -> str | None:
    """ISO3 code for a country name, alias (``'U S A'``, ``'CHINA P RP'``), ISO3 or ISO2 code;
    ``None`` when nothing matches."""
    if name is None:
        return None
    key = normalise_name(name)
    if not key:
        return None
    table = _lookup()
    if key in table:
        return table[key]
    words = key.split()
    while words and words[-1] in _QUALIFIERS:
        words.pop()
        if " ".join(words) in table:
            return table[" ".join(words)]
    return None


def country_name(iso3: str) -> str:
    """Short English name of ISO3 ``iso3`` (``'RUS'`` → ``'Russia'``)."""
    frame = _countries()
    hit = frame.loc[frame["iso3"] == str(iso3).upper(), "name"]
    if hit.empty:
        raise NotFound(f"unknown ISO3 country code {iso3!r}",
                       hint="use tradegap.reference.countries.match_country to find the code")
    return str(hit.iloc[0])


def m49_to_iso3() -> dict[int, str]:
    """UN M49 numeric code → ISO3."""
    frame = _countries()
    return dict(zip(frame["m49"].astype(int), frame["iso3"], strict=True))


def closest_countries(text: str, n: int = 5) -> list[str]:
    """Up to ``n`` 'ISO3 (name)' strings closest to ``text`` by code and by name: an exact
    name or alias first, then similar codes, then names containing or resembling it."""
    import difflib

    frame = _countries()
    key = normalise_name(text)
    found: list[str] = []
    hit = match_country(text)
    if hit:
        found.append(hit)
    codes = list(frame["iso3"])
    found += difflib.get_close_matches(key.replace(" ", "")[:3], codes, n=n, cutoff=0.6)
    names = {normalise_name(nm): iso for iso, nm in zip(frame["iso3"], frame["name"], strict=True)}
    if key:
        found += [iso for nm, iso in names.items() if key in nm or nm in key.split()]
        found += [names[nm] for nm in difflib.get_close_matches(key, list(names), n=n)]
    out: list[str] = []
    for iso in found:
        if iso not in out:
            out.append(iso)
    return [f"{iso} ({country_name(iso)})" for iso in out[:n]]


def check_country(
    code: str, what: str = "country", known: Callable[[str], bool] | None = None
) -> str:
    """``code`` upper-cased if it is an ISO3 code of the reference data (or ``known(code)`` is
    true, e.g. a code the warehouse holds); else an :class:`InputError` listing the closest
    countries by code and name."""
    text = str(code or "").strip()
    upper = text.upper()
    if upper in set(_countries()["iso3"]) or (known is not None and known(upper)):
        return upper
    matches = closest_countries(text)
    hint = (
        f"closest matches: {', '.join(matches)}" if matches else "no similar country found"
    ) + "; countries are ISO3 codes such as RUS or IND"
    raise InputError(f"unknown country code {text!r}", field=what, hint=hint)
