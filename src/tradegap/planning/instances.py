"""A random planning instance of any size (SYNTHETIC), shared by the tests and the benchmarks
that check the planner at scale (5,000 products × 10 years)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradegap.planning.scenario import Scenario, Sector


def random_candidates(k: int, seed: int = 0) -> pd.DataFrame:
    """``k`` random candidate products (log-normal market imports, shares of them for the
    current sales and untapped potential, random groups and routes)."""
    rng = np.random.default_rng(seed)
    imports = rng.lognormal(17, 1.5, k)
    groups = np.array(["agri", "pharma", "machinery", "chemicals", "other"])
    return pd.DataFrame({
        "product": [f"{i:06d}" for i in range(k)],
        "name": "random",
        "group": groups[rng.integers(0, 5, k)],
        "current": imports * rng.uniform(0, 0.05, k),
        "untapped": imports * rng.uniform(0, 0.3, k),
        "market_imports": imports,
        "exporter_capacity": imports * rng.uniform(0.5, 5, k),
        "unit_value": rng.lognormal(8, 1, k),
        "route": np.array(["sea-suez", "INSTC", "air"])[rng.integers(0, 3, k)],
    })


def large_instance(k: int = 5000, years: int = 10, seed: int = 0) -> tuple[Scenario, pd.DataFrame]:
    """A scenario closing 20 % of a US$ 59 bn gap with every kind of limit (market share,
    capacity, ramp-up, a 40 % agri + pharma floor, two logistics routes), and its candidates."""
    scenario = Scenario(
        exporter="IND", market="RUS", base_year=2024, horizon=years, gap=59e9,
        target_share=(0.2,), weights={"agri": 1.5, "pharma": 1.5, "other": 0.8},
        market_share_max=0.3, capacity_share_max=0.5, ramp_share=0.2,
        sectors=(Sector("agri+pharma", ("agri", "pharma"), 0.4, None),),
        logistics={"INSTC": (2e6,) * years, "sea-suez": (5e6,) * years},
        name="random-large",
    )
    return scenario, random_candidates(k, seed)
