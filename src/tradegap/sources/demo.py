"""The demo world: a SYNTHETIC world trade table, deterministic, from a structural gravity model.

Nothing here is real trade data. What is real is what feeds it: GDP (World Bank WDI, gaps from
the IMF WEO), distances and gravity dummies (CEPII GeoDist) and the HS 2012 six-digit product
list, all from atlas-common-data through :mod:`tradegap.reference`; and the India–Russia
headline totals it is calibrated to (see :data:`INDIA_RUSSIA_TARGETS`).

The model, one year at a time (``i`` exporter, ``j`` importer, ``k`` HS6 product)::

    V_ij  = T · M_ij / Σ M          M_ij = Y_i · Y_j^0.9 · d_ij^-1 · e^(0.6·contig + 0.4·comlang)
    X_ijk = V_ij · s_ijk            s_ijk ∝ A_ik · g_k · B_jk · e^(0.3·ε), normalised within ij

Elasticities are rounded from the meta-analysis of Head & Mayer (2014), "Gravity Equations:
Workhorse, Toolkit, and Cookbook", Handbook of International Economics vol. 4, table 4
(structural estimates: distance ≈ -1, contiguity ≈ 0.6, common language ≈ 0.4); ``T`` is 22 %
of world GDP (world merchandise exports ≈ US$24 tn against GDP ≈ US$110 tn in 2024, WTO/World
Bank). ``g_k`` spreads rough chapter shares of world trade over each chapter's products
(lognormal dispersion), ``A_ik`` and ``B_jk`` are lognormal exporter capabilities and importer
tastes. Sparsity: pair ij ships ``n_ij = min(K, α·M_ij^0.5)`` products (α set so that the
counts add up to the requested flows per year, then rounded systematically so the total is
exact), drawn from a window of the exporter's ranked list (size-weighted: a nested extensive margin)
with a stable per-pair hash, so a pair's product set barely changes from year to year. Small
worlds trade about one product per 100 flows so that products have dozens of exporters; the
statistics and their target ranges are in docs/demo-world.md.

Calibration: the pairs IND→RUS and RUS→IND are generated from product templates and scaled to
the official totals, spread within each template part as their world shares imply; crude oil
(HS 270900) is 84 % of Russia's sales to India in 2024.
Quantities are in tonnes, from a synthetic unit value per product (crude oil: the Brent price).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from tradegap.errors import InputError
from tradegap.provenance import SYNTHETIC_LABEL, Provenance
from tradegap.sources.base import Parsed
from tradegap.warehouse.schema import FLOWS

SOURCE = "demo"
REVISION = "HS12"
QUANTITY_UNIT = "t"
#: Flows per year for the named scales.
SCALES: dict[str, int] = {"tiny": 5_000, "small": 50_000, "medium": 1_000_000,
                          "large": 3_000_000, "baci": 11_000_000}
DEFAULT_SEED = 2024
BATCH_ROWS = 1 << 20
LATEST_YEAR = 2024

#: India's exports to Russia and imports from Russia, US$, by the demo's calendar year, taken
#: from India's fiscal year starting in that year (DGCI&S, Ministry of Commerce and Industry).
#: 2021-2024: ../shared/data/reference_facts/india_russia_official.csv (FY2021-22 … FY2024-25:
#: 3.30/9.79, 3.15/46.21, 4.26/61.43, 4.88/63.84 bn). 2019-2020: FY2019-20 3.02/7.09 bn and
#: FY2020-21 2.66/5.48 bn as published by the Department of Commerce (approximate). Other years
#: are scaled from the nearest one by the product of the two GDPs.
INDIA_RUSSIA_TARGETS: dict[int, tuple[float, float]] = {
    2019: (3.02e9, 7.09e9),
    2020: (2.66e9, 5.48e9),
    2021: (3.30e9, 9.79e9),
    2022: (3.15e9, 46.21e9),
    2023: (4.26e9, 61.43e9),
    2024: (4.88e9, 63.84e9),
}

#: Share of crude oil (270900) and of other mineral fuels (rest of ch. 27) in Russia's sales to
#: India. 2022-2024 follow the published figures (crude 31.02 of 46.21 bn in FY2022-23, RBI;
#: crude and products 88 % in FY2023-24; ch. 27 = 57.46 of 64.53 bn in calendar 2024 from
#: India's statistics); 2019-2021 crude ≈ 2.2 of 9.79 bn (FY2021-22).
RUS_IND_FUEL_SHARES: dict[int, tuple[float, float]] = {
    2019: (0.25, 0.20), 2020: (0.20, 0.20), 2021: (0.22, 0.22),
    2022: (0.67, 0.17), 2023: (0.82, 0.07), 2024: (0.84, 0.06),
}

#: Composition of India's exports to Russia (prefix → share of the pair's value): led by
#: pharmaceuticals (ch. 30), machinery and electrical equipment (84, 85), chemicals and
#: agricultural products, as in India's export statistics; the rest goes to other products.
IND_RUS_TEMPLATE: dict[str, float] = {
    "30": 0.22, "2941": 0.02, "2937": 0.01, "85": 0.12, "84": 0.11, "29": 0.05, "38": 0.02,
    "32": 0.015, "33": 0.015,
    "28": 0.01, "03": 0.04, "09": 0.03, "02": 0.02, "08": 0.02, "24": 0.01, "10": 0.01,
    "72": 0.03, "73": 0.03, "87": 0.03, "61": 0.01, "62": 0.01, "52": 0.01, "39": 0.02,
    "40": 0.01, "90": 0.02,
}

#: Non-fuel part of Russia's sales to India (relative weights): fertilisers, rough diamonds,
#: sunflower oil, metals, wood, machinery.
RUS_IND_NONFUEL: dict[str, float] = {
    "31": 0.30, "7102": 0.15, "1512": 0.15, "72": 0.05, "74": 0.04, "76": 0.03, "28": 0.03,
    "44": 0.03, "84": 0.04, "88": 0.02,
}

#: Rough chapter shares of world merchandise trade (the rest share what is left equally).
CHAPTER_SHARES: dict[int, float] = {
    85: 0.15, 84: 0.12, 27: 0.12, 87: 0.07, 30: 0.04, 71: 0.04, 39: 0.03, 90: 0.03,
    29: 0.025, 72: 0.02, 26: 0.02, 88: 0.015, 73: 0.015, 40: 0.01, 44: 0.01, 61: 0.01,
    62: 0.01, 94: 0.01, 76: 0.01, 74: 0.01, 38: 0.01, 89: 0.01,
}

#: Median unit values, US$ per tonne, by chapter (synthetic; others 3,000).
CHAPTER_UNIT_VALUES: dict[int, float] = {
    25: 80, 26: 150, 27: 550, 10: 300, 12: 500, 31: 350, 72: 800, 44: 400, 47: 600, 15: 1000,
    30: 30_000, 29: 3_000, 84: 20_000, 85: 30_000, 90: 60_000, 88: 300_000, 71: 500_000,
    61: 20_000, 62: 20_000, 87: 12_000,
}

#: Brent crude, annual average spot price, US$ per barrel (US EIA, series RBRTE), and barrels
#: per tonne of crude (BP Statistical Review conversion factor 7.33).
BRENT_USD_BBL = {2019: 64.30, 2020: 41.96, 2021: 70.86, 2022: 100.93, 2023: 82.49, 2024: 80.53}
BARRELS_PER_TONNE = 7.33

WORLD_TRADE_TO_GDP = 0.22
#: Crude oil is the largest HS6 product, about 5–6 % of world merchandise trade (UN Comtrade).
CRUDE_WORLD_SHARE = 0.055
#: Log dispersion of HS6 product sizes within a chapter (a long tail like real HS6 trade).
PRODUCT_SIZE_SD = 1.5
DIST_ELASTICITY, EXP_ELASTICITY, IMP_ELASTICITY = -1.0, 1.0, 0.9
CONTIG_EFFECT, COMLANG_EFFECT = 0.6, 0.4
EXTENSIVE_ELASTICITY = 0.5
#: The extensive margin is nested (Hausmann & Hidalgo 2011): a country exporting few products
#: exports the widely traded ones, so the product ranking leans on product size more than on
#: the exporter's own capability.
RANKING_CAPABILITY_WEIGHT, RANKING_SIZE_WEIGHT = 0.5, 1.5
#: A small world trades fewer products, each with dozens of exporters, instead of every HS6
#: product with one or two: about this many flows per traded product (all products from
#: ~200k flows a year).
FLOWS_PER_PRODUCT = 100
MIN_PRODUCTS = 150
#: Each pair draws its products from the exporter's top ``1.6·n + this`` products, so an
#: exporter with many small partners ships different products to each.
PAIR_WINDOW_EXTRA = 150
ACTIVE_SIZE_NOISE = 1.5
#: Log scatter of a calibrated pair's products around what world shares imply.
PAIR_SCATTER = 1.0
#: Log capability added where India and Russia lead in world markets (their real revealed
#: comparative advantages: India in medicines, rice, shrimp, spices, sugar, cotton, jewellery,
#: refined fuels, organic chemicals; Russia in fuels, fertilisers, diamonds, wheat, sunflower
#: oil, metals and wood), so that the world, and not only their calibrated trade with each
#: other, shows it and the potential model finds room to grow.
WORLD_SPECIALISATIONS: dict[str, dict[str, float]] = {
    "IND": {"30": 3.0, "29": 1.5, "03": 2.5, "09": 2.5, "10": 2.5, "02": 2.0, "08": 1.5,
            "17": 2.0, "24": 1.5, "52": 2.0, "71": 1.5, "2710": 1.5, "61": 1.0, "62": 1.0,
            "72": 1.0, "73": 1.0, "87": 0.5, "85": 0.5, "84": 0.5},
    "RUS": {"27": 3.0, "31": 3.0, "7102": 3.0, "1001": 2.5, "1512": 2.5, "72": 1.5,
            "74": 1.5, "76": 2.0, "44": 2.0, "28": 1.0, "88": 0.5},
}
MISSING_QUANTITY_SHARE = 0.05

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


# -- options ---------------------------------------------------------------------------------
def flows_per_year(scale: str | int) -> int:
    """Flows per year for a named scale (small ≈ 50k, medium ≈ 1 M, baci ≈ 11 M) or a count."""
    if isinstance(scale, int | np.integer) and not isinstance(scale, bool):
        count = int(scale)
    else:
        text = str(scale).strip().lower().replace("_", "").replace(",", "")
        if text in SCALES:
            return SCALES[text]
        if not text.isdigit():
            raise InputError(f"unknown demo scale {scale!r}", field="scale",
                             hint=f"use {', '.join(SCALES)} or a number of flows per year")
        count = int(text)
    if count < 100:
        raise InputError(f"demo scale {count} is too small", field="scale",
                         hint="ask for at least 100 flows per year")
    return count


def default_years(count: int) -> list[int]:
    """2019–2024 up to 200k flows a year, 2022–2024 up to 2 M, else 2024 only."""
    if count <= 200_000:
        return list(range(2019, LATEST_YEAR + 1))
    if count <= 2_000_000:
        return list(range(2022, LATEST_YEAR + 1))
    return [LATEST_YEAR]


def parse_years(years: str | int | list[int] | None, count: int) -> list[int]:
    """``'2022-2024'``, ``'2019,2021'``, ``2024`` or a list → sorted years (2000–2024)."""
    if years is None or years == "":
        return default_years(count)
    if isinstance(years, int | np.integer):
        out = [int(years)]
    elif isinstance(years, list | tuple):
        out = [int(y) for y in years]
    else:
        out = []
        for part in str(years).split(","):
            m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", part)
            if not m:
                raise InputError(f"cannot read years {years!r}", field="years",
                                 hint="write e.g. years=2022-2024 or years=2019,2021")
            lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
            out.extend(range(lo, hi + 1))
    out = sorted(set(out))
    if not out or out[0] < 2000 or out[-1] > LATEST_YEAR:
        raise InputError(f"demo years {years!r} are outside 2000–{LATEST_YEAR}", field="years",
                         hint=f"the reference GDP data end in {LATEST_YEAR}")
    return out


# -- deterministic randomness ----------------------------------------------------------------
def _rng(seed: int, *tags: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), *[int(t) for t in tags]])


def _hash_uniform(seed: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Uniform [0, 1) from a SplitMix64 hash of (seed, a, b) (Steele, Lea & Flood 2014)."""
    with np.errstate(over="ignore"):
        x = (a.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
             + b.astype(np.uint64) * np.uint64(0xD1B54A32D192ED03)
             + np.uint64(int(seed) & 0xFFFFFFFF) * np.uint64(0x94D049BB133111EB))
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


# -- the fixed parts of the world --------------------------------------------------------------
@dataclass(frozen=True)
class World:
    """Countries, products and their seeded traits (independent of scale and year)."""

    iso3: np.ndarray  # (n,) object
    gdp: pd.DataFrame  # iso3 × year, US$
    dist: np.ndarray  # (n, n) km
    border: np.ndarray  # (n, n) exp(contig and language effects)
    codes: np.ndarray  # (K,) object, HS12 six-digit
    chapter: np.ndarray  # (K,) int
    log_g: np.ndarray  # (K,) product size
    log_a: np.ndarray  # (n, K) exporter capability (float32)
    log_b: np.ndarray  # (n, K) importer taste (float32)
    score: np.ndarray  # (n, K) float32: how readily each exporter ships each product
    log_uv: np.ndarray  # (K,) base unit value, US$/t
    quality: np.ndarray  # (n,) exporter unit-value premium (log)


@lru_cache(maxsize=2)
def world(seed: int = DEFAULT_SEED) -> World:
    """The seeded traits of the demo world, from the real reference data."""
    from tradegap.reference.distances import distances
    from tradegap.reference.macro import gdp
    from tradegap.reference.products import products

    prods = products(REVISION, 6)
    prods = prods[prods["code"].str.fullmatch(r"\d{6}") & (prods["chapter"] != "99")]
    codes = prods["code"].to_numpy(dtype=object)
    chapter = prods["chapter"].astype(int).to_numpy()
    K = len(codes)

    macro = gdp()
    macro = macro[(macro["year"] >= 1999) & (macro["year"] <= LATEST_YEAR)]
    table = macro.pivot(index="iso3", columns="year", values="gdp_usd").sort_index()
    table = table.ffill(axis=1).bfill(axis=1).dropna()
    dist = distances()
    dist = dist[dist["exporter"].isin(table.index) & dist["importer"].isin(table.index)]
    km = dist.pivot(index="exporter", columns="importer", values="distw_km")
    km = km.fillna(dist.pivot(index="exporter", columns="importer", values="dist_km"))
    keep = sorted(set(km.index) & set(km.columns))
    km = km.loc[keep, keep]
    complete = km.notna().sum(axis=1) == len(keep)
    keep = [c for c, ok in zip(keep, complete, strict=True) if ok]
    km = km.loc[keep, keep].to_numpy(dtype=float)
    np.fill_diagonal(km, np.inf)
    km = np.maximum(km, 1.0)
    dummies = dist.set_index(["exporter", "importer"])
    contig = dummies["contig"].unstack().reindex(index=keep, columns=keep).fillna(0).to_numpy()
    comlang = dummies["comlang_off"].unstack().reindex(index=keep, columns=keep).fillna(0)
    border = np.exp(CONTIG_EFFECT * contig + COMLANG_EFFECT * comlang.to_numpy())
    n = len(keep)

    rng = _rng(seed, 1)
    share = np.array([CHAPTER_SHARES.get(c, 0.0) for c in range(100)])
    rest = [c for c in np.unique(chapter) if c not in CHAPTER_SHARES]
    share[rest] = max(1.0 - share.sum(), 0.05) / max(len(rest), 1)
    per_chapter = np.bincount(chapter, minlength=100)
    log_g = np.log(share[chapter] / per_chapter[chapter]) + rng.normal(0, PRODUCT_SIZE_SD, K)
    log_g[codes == "270900"] = np.log(CRUDE_WORLD_SHARE)
    log_a = rng.normal(0.0, 1.6, (n, K)).astype(np.float32)
    log_b = rng.normal(0.0, 0.8, (n, K)).astype(np.float32)
    special = np.zeros((n, K), dtype=np.float32)
    prefix_codes = pd.Series(codes)
    for iso3, boosts in WORLD_SPECIALISATIONS.items():
        if iso3 in keep:
            row = keep.index(iso3)
            for prefix, boost in boosts.items():
                special[row, prefix_codes.str.startswith(prefix).to_numpy()] += boost
    log_a += special
    gumbel = -np.log(-np.log(rng.uniform(1e-12, 1.0, (n, K))))
    score = (RANKING_CAPABILITY_WEIGHT * log_a + RANKING_SIZE_WEIGHT * log_g[None, :]
             + special + gumbel).astype(np.float32)  # a specialist ships its range widely
    uv = np.array([CHAPTER_UNIT_VALUES.get(c, 3000.0) for c in range(100)])
    log_uv = np.log(uv[chapter]) + rng.normal(0, 0.6, K)
    log_uv[codes == "270900"] = np.log(70.0 * BARRELS_PER_TONNE)
    quality = rng.normal(0, 0.2, n)
    return World(np.array(keep, dtype=object), table.loc[keep], km, border, codes, chapter,
                 log_g, log_a, log_b, score, log_uv, quality)


# -- one year --------------------------------------------------------------------------------
def active_products(w: World, count: int, templates: list[dict[str, float]]) -> np.ndarray:
    """Positions of the products a world of ``count`` flows a year trades: the largest by
    size, plus the three largest of each calibration-template prefix."""
    K = len(w.codes)
    k_active = int(np.clip(count // FLOWS_PER_PRODUCT, MIN_PRODUCTS, K))
    keep = np.zeros(K, dtype=bool)
    size = w.log_g + _rng(0, 5).gumbel(0, ACTIVE_SIZE_NOISE, K)  # some small products too
    keep[np.argsort(-size, kind="stable")[:k_active]] = True
    for prefix in sorted({p for t in templates for p in t}):
        pool = np.flatnonzero(_prefix_mask(w, prefix))
        keep[pool[np.argsort(-w.log_g[pool], kind="stable")[:3]]] = True
    return np.flatnonzero(keep)


def _ranked(w: World, active: np.ndarray) -> np.ndarray:
    """(n, len(active)) product positions, each exporter's most readily shipped first."""
    local = np.argsort(-w.score[:, active], axis=1, kind="stable")
    return active[local]


def _targets(w: World, year: int) -> tuple[float, float]:
    if year in INDIA_RUSSIA_TARGETS:
        return INDIA_RUSSIA_TARGETS[year]
    anchor = min(INDIA_RUSSIA_TARGETS, key=lambda y: abs(y - year))
    ratio = (w.gdp.loc["IND", year] * w.gdp.loc["RUS", year]) / (
        w.gdp.loc["IND", anchor] * w.gdp.loc["RUS", anchor])
    exp, imp = INDIA_RUSSIA_TARGETS[anchor]
    return exp * ratio, imp * ratio


def _template_rus_ind(year: int) -> dict[str, float]:
    crude, fuels = RUS_IND_FUEL_SHARES[min(RUS_IND_FUEL_SHARES, key=lambda y: abs(y - year))]
    nonfuel = 1.0 - crude - fuels
    total = sum(RUS_IND_NONFUEL.values()) / 0.84  # 16 % of the non-fuel part is 'other'
    out = {"270900": crude, "27": fuels}
    out.update({k: v / total * nonfuel for k, v in RUS_IND_NONFUEL.items()})
    return out


def _special_pair(w: World, n: int, total: float, template: dict[str, float],
                  rng: np.random.Generator, active: np.ndarray,
                  expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Products and values of a calibrated pair: each template prefix gets its share of
    ``total`` spread over products of that prefix; the rest goes to other products. Only
    products the world trades (``active``) are chosen, and within a prefix the pair follows
    ``expected`` (US$ by product: the seller's exports to others times the buyer's imports
    from others over world trade) with lognormal scatter, so the calibrated seller holds a
    believable share of each market, above its average in some products and below in
    others.
    """
    K = len(w.codes)
    entry = np.full(K, -1)
    prefixes = sorted(template, key=len)  # longer prefixes assigned last, so they win
    masks = {p: _prefix_mask(w, p) for p in prefixes}
    for e, p in enumerate(prefixes):
        entry[masks[p]] = e
    shares = np.array([template[p] for p in prefixes] + [max(1.0 - sum(template.values()), 0)])
    entry[entry < 0] = len(prefixes)
    inactive = np.ones(K, dtype=bool)
    inactive[active] = False
    entry[inactive] = -1
    floor = max(float(expected[expected > 0].min(initial=1.0)), 1.0) * 1e-3
    log_expected = np.log(np.maximum(expected, floor))
    score = log_expected + rng.gumbel(0, 1, K)
    other = len(prefixes)
    traded = expected > 0  # both trade it with others
    pools = [np.flatnonzero((entry == e) & traded) for e in range(other + 1)]
    group = _groups(w)
    for e, p in enumerate(prefixes):  # a prefix nobody else trades: its group's main prefix
        if pools[e].size == 0 and len(p) == 6:  # one named product (crude oil): by design
            pools[e] = np.flatnonzero(entry == e)
        if pools[e].size > 0:
            continue
        mine = set(group[masks[p]]) - {"other"}
        kin = [f for f, q in enumerate(prefixes) if pools[f].size > 0
               and mine & set(group[masks[q]])]
        target = max(kin, key=lambda f: shares[f]) if kin else other
        shares[target] += shares[e]
        shares[e] = 0.0
    # 'other' takes what is left: other products traded with others first, then the rest
    rest = np.flatnonzero(entry >= 0)
    rest = rest[np.lexsort((-score[rest], ~traded[rest], entry[rest] != other))]
    pools[other] = rest
    slots = np.maximum(1, np.floor(n * shares)).astype(int)
    chosen, values = [], []
    taken = 0
    used = np.zeros(K, dtype=bool)
    for e in [*range(other), other]:  # 'other' last: it takes what is left
        pool = pools[e][~used[pools[e]]]
        if pool.size == 0 and e < other:  # all taken by an earlier prefix: to 'other'
            shares[other] += shares[e]
            shares[e] = 0.0
        if shares[e] <= 0 or pool.size == 0:
            continue
        want = slots[e] if e < other else max(1, n - taken)
        order = np.arange(pool.size) if e == other else np.argsort(-score[pool])
        take = pool[order[: min(want, pool.size)]]
        used[take] = True
        taken += take.size
        tilt = 1.0 if e < other else 0.5  # the rest: many products, none dominant
        weight = np.exp(tilt * (log_expected[take] - log_expected[take].max())
                        + rng.normal(0, PAIR_SCATTER, take.size))
        chosen.append(take)
        values.append(total * shares[e] / shares.sum() * weight / weight.sum())
    return np.concatenate(chosen), np.concatenate(values)


_CACHE: dict[tuple[int, str], np.ndarray] = {}


def _groups(w: World) -> np.ndarray:
    """Product group of every product (cached per world)."""
    from tradegap.reference.groups import group_of

    key = (id(w.codes), "")
    if key not in _CACHE:
        _CACHE[key] = np.asarray(group_of(pd.Series(w.codes)).values, dtype=object)
    return _CACHE[key]


def _prefix_mask(w: World, prefix: str) -> np.ndarray:
    """Which products start with ``prefix`` (cached per world)."""
    key = (id(w.codes), prefix)
    if key not in _CACHE:
        _CACHE[key] = pd.Series(w.codes).str.startswith(prefix).to_numpy()
    return _CACHE[key]


def _expected(exporter: np.ndarray, importer: np.ndarray, product: np.ndarray,
              value: np.ndarray, i: int, j: int, K: int) -> np.ndarray:
    """What ``i`` would sell ``j`` of each product if it held its world share of ``j``'s
    imports: ``x_ik · m_jk / w_k`` over the generated (uncalibrated) flows."""
    world_k = np.bincount(product, weights=value, minlength=K)
    x_ik = np.bincount(product[exporter == i], weights=value[exporter == i], minlength=K)
    m_jk = np.bincount(product[importer == j], weights=value[importer == j], minlength=K)
    return np.where(world_k > 0, x_ik * m_jk / np.where(world_k > 0, world_k, 1.0), 0.0)


def generate_year(year: int, count: int, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The demo world's flows of one year as integer indices: ``exporter, importer, product``
    (positions in :func:`world`), ``value_usd``, ``quantity`` (tonnes, NaN when missing)."""
    w = world(seed)
    n = len(w.iso3)
    rng = _rng(seed, 2, year)
    templates = [IND_RUS_TEMPLATE, _template_rus_ind(year)]
    active = active_products(w, count, templates)
    K = len(active)
    y = w.gdp[year].to_numpy(dtype=float)
    mass = (y[:, None] ** EXP_ELASTICITY) * (y[None, :] ** IMP_ELASTICITY)
    mass = mass * w.dist ** DIST_ELASTICITY * w.border
    np.fill_diagonal(mass, 0.0)
    total_trade = WORLD_TRADE_TO_GDP * y.sum()
    value_ij = total_trade * mass / mass.sum()

    ind, rus = int(np.flatnonzero(w.iso3 == "IND")[0]), int(np.flatnonzero(w.iso3 == "RUS")[0])
    n_ir = int(np.clip(round(count / 400), 40, 2500))
    n_ri = int(np.clip(round(count / 800), 20, 1200))
    special = np.zeros((n, n), dtype=bool)
    special[ind, rus] = special[rus, ind] = True
    general = count - n_ir - n_ri
    if general < 0:
        raise InputError(f"demo scale {count} is too small", field="scale",
                         hint="ask for at least 100 flows per year")

    # products per pair: t = min(K, α·M^β) with Σ t = general, then systematic rounding
    flat_mass = np.where(special, 0.0, mass).ravel()
    base = np.where(flat_mass > 0, flat_mass, 0.0) ** EXTENSIVE_ELASTICITY
    lo, hi = -60.0, 60.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if np.minimum(K, np.exp(mid) * base).sum() < general:
            lo = mid
        else:
            hi = mid
    t = np.minimum(K, np.exp(hi) * base)
    t *= general / t.sum()
    cum = np.floor(np.cumsum(t) + rng.uniform())
    counts = np.diff(cum, prepend=0.0).astype(np.int64)
    counts = np.minimum(counts, K)
    shortfall = general - counts.sum()
    if shortfall > 0:  # rounding at the cap: give the rest to the largest uncapped pairs
        room = np.flatnonzero((counts < K) & (base > 0))
        top = room[np.argsort(-t[room])][:shortfall]
        counts[top] += 1
    elif shortfall < 0:
        top = np.flatnonzero(counts > 0)[np.argsort(-t[counts > 0])][: -shortfall]
        counts[top] -= 1

    pairs = np.flatnonzero(counts)
    n_pair = counts[pairs]
    window = np.minimum(K, np.ceil(n_pair * 1.6).astype(np.int64) + PAIR_WINDOW_EXTRA)
    starts = np.cumsum(window) - window
    pair_of = np.repeat(np.arange(pairs.size), window)
    rank = np.arange(pair_of.size) - starts[pair_of]
    key = _hash_uniform(seed, pairs[pair_of], rank)
    order = np.argsort(pair_of + key * 0.999, kind="stable")
    rank = rank[order]
    pos = np.arange(order.size) - starts[pair_of]  # pair_of is unchanged by the sort
    keep = pos < n_pair[pair_of]
    sel_pair = pair_of[keep]
    exporter = (pairs[sel_pair] // n).astype(np.int64)
    importer = (pairs[sel_pair] % n).astype(np.int64)
    product = _ranked(w, active)[exporter, rank[keep]].astype(np.int64)
    del pair_of, order, key, keep, pos

    log_s = (w.log_a[exporter, product] + w.log_g[product] + w.log_b[importer, product]
             + rng.normal(0, 0.3, product.size))
    s = np.exp(log_s - log_s.max())
    denom = np.bincount(sel_pair, weights=s, minlength=pairs.size)
    value = value_ij.ravel()[pairs[sel_pair]] * s / denom[sel_pair]
    del s, log_s, denom

    exp_ir, imp_ri = _targets(w, year)
    K_all = len(w.codes)
    p1, v1 = _special_pair(w, n_ir, exp_ir, templates[0], _rng(seed, 3, year), active,
                           _expected(exporter, importer, product, value, ind, rus, K_all))
    p2, v2 = _special_pair(w, n_ri, imp_ri, templates[1], _rng(seed, 4, year), active,
                           _expected(exporter, importer, product, value, rus, ind, K_all))
    exporter = np.concatenate([exporter, np.full(p1.size, ind), np.full(p2.size, rus)])
    importer = np.concatenate([importer, np.full(p1.size, rus), np.full(p2.size, ind)])
    product = np.concatenate([product, p1, p2])
    value = np.concatenate([value, v1, v2])

    log_uv = w.log_uv[product] + w.quality[exporter] + rng.normal(0, 0.3, product.size)
    crude = product == _code_index(seed, "270900")
    brent = BRENT_USD_BBL.get(year, 70.0) * BARRELS_PER_TONNE
    log_uv[crude] = np.log(brent) + rng.normal(0, 0.05, int(crude.sum()))
    quantity = value / np.exp(log_uv)
    quantity[rng.uniform(size=product.size) < MISSING_QUANTITY_SHARE] = np.nan

    sort = np.lexsort((product, importer, exporter))
    return pd.DataFrame({"exporter": exporter[sort], "importer": importer[sort],
                         "product": product[sort], "value_usd": value[sort],
                         "quantity": quantity[sort]})


@lru_cache(maxsize=4)
def _code_index(seed: int, code: str) -> int:
    return int(np.flatnonzero(world(seed).codes == code)[0])


# -- Arrow output ----------------------------------------------------------------------------
def _strings(indices: np.ndarray, dictionary: np.ndarray) -> pa.Array:
    arr = pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)),
                                         pa.array(dictionary, pa.string()))
    return arr.cast(pa.string())


def _batches(frame: pd.DataFrame, year: int, w: World) -> Iterator[pa.RecordBatch]:
    iso3, codes = w.iso3.astype(str), w.codes.astype(str)
    for start in range(0, len(frame), BATCH_ROWS):
        part = frame.iloc[start: start + BATCH_ROWS]
        m = len(part)
        zeros = np.zeros(m, dtype=np.int32)
        qty = part["quantity"].to_numpy()
        columns = {
            "period": _strings(zeros, np.array([str(year)])),
            "period_type": _strings(zeros, np.array(["calendar_year"])),
            "year": pa.array(np.full(m, year, dtype=np.int16)),
            "exporter": _strings(part["exporter"].to_numpy(), iso3),
            "importer": _strings(part["importer"].to_numpy(), iso3),
            "product": _strings(part["product"].to_numpy(), codes),
            "hs_revision": _strings(zeros, np.array([REVISION])),
            "digits": pa.array(np.full(m, 6, dtype=np.int8)),
            "value_usd": pa.array(part["value_usd"].to_numpy()),
            "quantity": pa.array(qty, mask=np.isnan(qty)),
            "quantity_unit": pa.array(np.where(np.isnan(qty), None, QUANTITY_UNIT), pa.string()),
            "source": _strings(zeros, np.array([SOURCE])),
            "reporter": _strings(zeros, np.array(["reconciled"])),
            "flag": _strings(zeros, np.array(["synthetic"])),
        }
        arrays = [columns[f.name].cast(f.type) if f.name in columns else pa.nulls(m, f.type)
                  for f in FLOWS]
        yield pa.RecordBatch.from_arrays(arrays, schema=FLOWS)


def generate(scale: str | int = "small", seed: int = DEFAULT_SEED,
             years: str | list[int] | None = None) -> pa.RecordBatchReader:
    """The demo world as a stream of FLOWS record batches (one year in memory at a time)."""
    count = flows_per_year(scale)
    year_list = parse_years(years, count)
    w = world(int(seed))

    def stream() -> Iterator[pa.RecordBatch]:
        for year in year_list:
            yield from _batches(generate_year(year, count, int(seed)), year, w)

    return pa.RecordBatchReader.from_batches(FLOWS, stream())


def provenance(scale: str | int, seed: int, years: list[int]) -> dict[str, Any]:
    """Provenance of a demo dataset: synthetic, and which real reference data fed it."""
    prov = Provenance(
        sources=[SOURCE],
        datasets=["demo world (synthetic)"],
        periods=[str(y) for y in years],
        revisions=[REVISION],
        synthetic=True,
        notes=[
            SYNTHETIC_LABEL,
            f"structural gravity model, scale {scale}, seed {seed}",
            "fed by real reference data from atlas-common-data: GDP (World Bank WDI, gaps from "
            "IMF WEO), CEPII GeoDist distances, the HS 2012 six-digit product list",
            "India–Russia totals calibrated to DGCI&S headline figures (India's exports to "
            "Russia US$4.88 bn, imports US$63.84 bn in the latest year); crude oil (270900) "
            "84 % of Russia's sales to India",
        ],
    )
    return prov.to_dict()


def parse(paths: list[Path], **options: Any) -> Parsed:
    """Generate the demo world (no input files). Options: ``scale`` (small, medium, baci or a
    flow count per year), ``seed``, ``years`` (``'2022-2024'``), ``name`` (default ``demo``),
    ``max_bad_rows`` (ignored: generated rows are never malformed)."""
    if paths:
        raise InputError("the demo source takes no input files", file=str(paths[0]),
                         hint="run `tradegap ingest demo --scale small` without paths")
    known = {"scale", "seed", "years", "name", "max_bad_rows"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise InputError(f"unknown demo option(s) {unknown}", field=unknown[0],
                         hint=f"demo options: {', '.join(sorted(known))}")
    scale = options.get("scale") or "small"
    seed_opt = options.get("seed")
    try:
        seed = DEFAULT_SEED if seed_opt in (None, "") else int(seed_opt)
    except (TypeError, ValueError):
        raise InputError(f"seed {seed_opt!r} is not an integer", field="seed",
                         hint="pass --seed 42") from None
    count = flows_per_year(scale)
    years = parse_years(options.get("years"), count)
    name = options.get("name") or SOURCE
    shape = {"generator": "tradegap.sources.demo", "version": 1, "flows_per_year": count,
             "seed": seed, "years": years, "revision": REVISION}
    digest = hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()
    return Parsed(
        dataset=str(name),
        source=SOURCE,
        data=generate(count, seed, years),
        fingerprint=digest,
        rows_read=count * len(years),
        provenance=provenance(scale, seed, years),
        synthetic=True,
    )


# -- BACI layout -----------------------------------------------------------------------------
def _fixed3(values: np.ndarray) -> pa.Array:
    """Non-negative numbers as text with three decimals ('27.820'), vectorised in Arrow."""
    milli = np.round(values * 1000).astype(np.int64)
    whole = pc.cast(pa.array(milli // 1000), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(milli % 1000), pa.string()), width=3, padding="0")
    return pc.binary_join_element_wise(whole, frac, ".")


def write_baci_csv(directory: str | Path, scale: str | int = "small", seed: int = DEFAULT_SEED,
                   year: int = LATEST_YEAR) -> Path:
    """Write one year of the demo world in CEPII BACI's release layout and return the data file.

    ``BACI_HS12_Y{year}_V0_demo.csv``: ``t,i,j,k,v,q`` with BACI numeric country codes (here the
    ISO/UN M49 numeric codes: the real BACI uses a few others, e.g. 699 for India), ``k`` HS6
    with leading zeros, ``v`` thousand US$ with 3 decimals, ``q`` tonnes right-aligned in 13
    characters with 3 decimals, missing as ``NA``. Beside it, ``country_codes_V0.csv``
    (Latin-1, the pre-2024 header). Version ``V0`` marks it as synthetic.
    """
    from tradegap.reference.countries import countries

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    year = parse_years(int(year), flows_per_year(scale))[0]
    w = world(int(seed))
    frame = generate_year(year, flows_per_year(scale), int(seed))
    ref = countries().set_index("iso3")
    numeric = ref.loc[w.iso3.astype(str), "m49"].to_numpy(dtype=np.int64)
    frame = frame.iloc[np.lexsort((frame["product"].to_numpy(),
                                   numeric[frame["importer"].to_numpy()],
                                   numeric[frame["exporter"].to_numpy()]))]  # BACI's order

    table_path = directory / "country_codes_V0.csv"
    with open(table_path, "w", encoding="latin-1", errors="replace", newline="") as fh:
        out = csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        out.writerow(["country_code", "country_name_abbreviation", "country_name_full",
                      "iso_2digit_alpha", "iso_3digit_alpha"])
        for code in sorted(set(numeric.tolist())):
            iso3 = w.iso3[numeric == code][0]
            row = ref.loc[iso3]
            iso2 = row["iso2"] if isinstance(row["iso2"], str) else "N/A"
            out.writerow([int(code), row["name"], row["name_official"], iso2, iso3])

    value_k = np.maximum(frame["value_usd"].to_numpy() / 1000.0, 0.001)
    qty = frame["quantity"].to_numpy()
    q_text = _fixed3(np.nan_to_num(qty))
    q_text = pc.if_else(pa.array(np.isnan(qty)), pa.scalar("NA"), q_text)
    q_text = pc.utf8_lpad(q_text, width=13, padding=" ")
    data = pa.table({
        "t": pa.array(np.full(len(frame), year, dtype=np.int32)),
        "i": pa.array(numeric[frame["exporter"].to_numpy()]),
        "j": pa.array(numeric[frame["importer"].to_numpy()]),
        "k": _strings(frame["product"].to_numpy(), w.codes.astype(str)),
        "v": _fixed3(value_k),
        "q": q_text,
    })
    path = directory / f"BACI_{REVISION}_Y{year}_V0_demo.csv"
    with open(path, "wb") as fh:
        fh.write(b"t,i,j,k,v,q\n")
        pacsv.write_csv(data, fh, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return path
