"""Economic complexity: diversity, ubiquity, ECI, PCI, density, distance, COI and COG.

Sources: Hidalgo & Hausmann (2009), "The building blocks of economic complexity", PNAS 106(26);
Hausmann, Hidalgo et al. (2014), *The Atlas of Economic Complexity*, MIT Press, technical
boxes. With M_cp = 1 when Balassa RCA ≥ 1 (:mod:`tradegap.analysis.product_space`):

* diversity k_c = Σ_p M_cp, ubiquity k_p = Σ_c M_cp;
* PCI: the eigenvector of M̃_pp' = Σ_c M_cp M_cp' / (k_c k_p) for its second-largest
  eigenvalue (computed from the symmetric matrix D_p^{-1/2} Mᵀ D_c^{-1} M D_p^{-1/2}, which has
  the same eigenvalues); ECI_c = Σ_p M_cp PCI_p / k_c (a country's average product
  complexity); the sign makes ECI increase with diversity;
* normalisation as the Growth Lab's packages: ECI standardised (mean 0, population sd 1),
  PCI with ECI's mean and sd (so ECI stays the mean PCI of a country's products), COG divided
  by ECI's sd, COI standardised;
* proximity φ and density ω_cp = Σ_p' M_cp' φ_pp' / Σ_p' φ_pp' with the diagonal φ_pp = 1
  (Growth Lab, Atlas; ``diagonal=0`` gives this project's earlier convention), distance
  d_cp = 1 − ω_cp;
* COI_c = Σ_p ω_cp (1 − M_cp) PCI_p;
  COG_cp = (1 − M_cp) Σ_p' (1 − M_cp') PCI_p' φ_pp' / Σ_p'' φ_p'p''.

Countries with no RCA product and products no country has are left out of ECI/PCI (NaN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tradegap.analysis.product_space import presence, proximity
from tradegap.errors import InputError

DIAGONALS = {"growthlab": 1.0, "zero": 0.0}


@dataclass
class Complexity:
    """Country and country × product measures, and the proximity matrix."""

    countries: pd.DataFrame   # country, diversity, eci, coi
    products: pd.DataFrame    # product, ubiquity, pci
    cells: pd.DataFrame       # country, product, rca, mcp, density, distance, cog
    proximity: pd.DataFrame
    diagonal: str

    @property
    def label(self) -> str:
        return ("proximity diagonal 1 (Growth Lab / Atlas convention)" if self.diagonal ==
                "growthlab" else "proximity diagonal 0 (a product is not its own neighbour)")


def complexity(rca: pd.DataFrame, *, threshold: float = 1.0,
               diagonal: str = "growthlab") -> Complexity:
    """All measures from an RCA matrix (countries × products), see the module docstring."""
    if diagonal not in DIAGONALS:
        raise InputError(f"unknown proximity diagonal {diagonal!r}", field="--diagonal",
                         hint="growthlab (1, as the Atlas) or zero")
    if rca.empty:
        raise InputError("no exports to compute complexity from")
    m_frame = presence(rca.fillna(0.0), threshold)
    m = m_frame.to_numpy(dtype=float)
    kc = m.sum(axis=1)
    kp = m.sum(axis=0)
    rows, cols = kc > 0, kp > 0
    mv = m[np.ix_(rows, cols)]
    if mv.shape[0] < 2 or mv.shape[1] < 2:
        raise InputError("complexity needs at least two countries and two products with RCA ≥ "
                         f"{threshold:g}")
    kc_v, kp_v = mv.sum(axis=1), mv.sum(axis=0)
    scale = 1.0 / np.sqrt(kp_v)
    sym = (mv * scale).T @ ((mv * scale) / kc_v[:, None])
    values, vectors = np.linalg.eigh(sym)
    pci_raw = vectors[:, np.argsort(values)[-2]] * scale
    eci_raw = (mv @ pci_raw) / kc_v
    if np.corrcoef(kc_v, eci_raw)[0, 1] < 0:
        pci_raw, eci_raw = -pci_raw, -eci_raw
    mean, sd = eci_raw.mean(), eci_raw.std()

    phi = proximity(m_frame, DIAGONALS[diagonal])
    p = phi.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        omega = (m @ p) / p.sum(axis=0)
    pci_full = np.full(len(kp), np.nan)
    pci_full[cols] = pci_raw
    pci0 = np.nan_to_num(pci_full)
    coi_raw = ((omega * (1 - m)) * pci0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cog_raw = (1 - m) * ((1 - m) @ (p * (pci0 / p.sum(axis=1))[:, None]))
    eci_full = np.full(len(kc), np.nan)
    eci_full[rows] = (eci_raw - mean) / sd

    countries = pd.DataFrame({"country": rca.index, "diversity": kc.astype(int),
                              "eci": eci_full,
                              "coi": (coi_raw - coi_raw.mean()) / coi_raw.std()})
    products = pd.DataFrame({"product": rca.columns, "ubiquity": kp.astype(int),
                             "pci": (pci_full - mean) / sd})
    cells = pd.DataFrame({
        "country": np.repeat(rca.index.to_numpy(), len(rca.columns)),
        "product": np.tile(rca.columns.to_numpy(), len(rca.index)),
        "rca": rca.to_numpy(dtype=float).ravel(), "mcp": m.astype(int).ravel(),
        "density": omega.ravel(), "distance": 1.0 - omega.ravel(),
        "cog": (cog_raw / sd).ravel(),
    })
    return Complexity(countries=countries, products=products, cells=cells, proximity=phi,
                      diagonal=diagonal)
