"""Complexity (ECI, PCI, density, COI, COG) equals the Growth Lab's ``ecomplexity`` package on
the same matrix (the demo world at HS 2 digits), and diversification candidates."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradegap.analysis.complexity import complexity
from tradegap.analysis.diversification import diversification
from tradegap.analysis.product_space import rca_matrix
from tradegap.errors import InputError

TRADEGAP = str(Path(sys.executable).with_name("tradegap"))


@pytest.fixture(scope="module")
def demo_exports() -> pd.DataFrame:
    """One year of the demo world (synthetic), products cut to HS chapters."""
    from tradegap.sources.demo import generate_year, world

    w = world()
    f = generate_year(2023, 20_000)
    return pd.DataFrame({
        "exporter": np.asarray(w.iso3)[f["exporter"]],
        "importer": np.asarray(w.iso3)[f["importer"]],
        "product": pd.Series(np.asarray(w.codes)[f["product"]]).astype(str).str[:2].to_numpy(),
        "year": 2023, "value_usd": f["value_usd"].to_numpy(),
    })


def test_equals_ecomplexity(demo_exports: pd.DataFrame) -> None:
    ecomplexity = pytest.importorskip("ecomplexity").ecomplexity
    long = demo_exports.groupby(["exporter", "product"], as_index=False)["value_usd"].sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ecomplexity(long.assign(year=2023), {"time": "year", "loc": "exporter",
                                                      "prod": "product", "val": "value_usd"},
                             verbose=False)
    ours = complexity(rca_matrix(long))
    merged = (ours.cells.merge(ours.countries, on="country").merge(ours.products, on="product")
              .merge(theirs, left_on=["country", "product"], right_on=["exporter", "product"],
                     suffixes=("", "_ec")))
    assert len(merged) == len(theirs) > 1000
    for col in ("rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog"):
        a, b = merged[col].to_numpy(dtype=float), merged[f"{col}_ec"].to_numpy(dtype=float)
        assert np.array_equal(np.isnan(a), np.isnan(b)), col
        assert np.nanmax(np.abs(a - b)) < 1e-6, col
    # the other convention (diagonal 0) differs, as the issue measured
    zero = complexity(rca_matrix(long), diagonal="zero")
    assert np.nanmax(np.abs(zero.cells["density"] - ours.cells["density"])) > 0.05


def test_eci_is_mean_pci_of_a_countrys_products() -> None:
    rca = pd.DataFrame([[2, 2, 0, 0], [2, 2, 2, 0], [0, 2, 2, 0], [2, 0, 0, 2], [2, 2, 2, 2]],
                       index=list("abcde"), columns=["p1", "p2", "p3", "p4"], dtype=float)
    c = complexity(rca)
    pci = c.products.set_index("product")["pci"]
    eci = c.countries.set_index("country")["eci"]
    m = (rca >= 1).astype(float)
    assert np.allclose((m @ pci) / m.sum(axis=1), eci, atol=1e-12)
    assert eci.mean() == pytest.approx(0, abs=1e-12) and eci.std(ddof=0) == pytest.approx(1)
    assert np.corrcoef(m.sum(axis=1), eci)[0, 1] > 0
    assert (c.proximity.to_numpy().diagonal() == 1).all()


def test_diversification_ranks_by_density(demo_exports: pd.DataFrame) -> None:
    table = diversification(demo_exports, "IND", "RUS", top=None)
    assert (table["rca"] < 1).all() and table["density"].is_monotonic_decreasing
    assert {"market_demand", "pci", "cog"} <= set(table.columns)


def test_bad_diagonal() -> None:
    with pytest.raises(InputError, match="diagonal"):
        complexity(pd.DataFrame([[1.0, 0.0], [0.0, 1.0]]), diagonal="one")


def test_cli_complexity_from_file(tmp_path: Path, demo_exports: pd.DataFrame) -> None:
    path = tmp_path / "x.csv"
    demo_exports.to_csv(path, index=False)
    run = subprocess.run([TRADEGAP, "complexity", "--file", str(path), "--top", "5"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Growth Lab" in run.stdout and "complexity" in run.stdout.lower()
    run = subprocess.run([TRADEGAP, "complexity", "--file", str(path), "--diagonal", "x"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_cli_potential_diversification_on_demo_warehouse(tmp_path: Path) -> None:
    from tradegap.sources import demo
    from tradegap.warehouse import Warehouse

    wh = Warehouse(tmp_path / "wh")
    wh.write("demo", demo.generate(scale=20_000, years="2023-2024"), source="demo",
             fingerprint="demo-20000", synthetic=True,
             provenance=demo.provenance(20_000, demo.DEFAULT_SEED, [2023, 2024]))
    run = subprocess.run([TRADEGAP, "--home", str(wh.home), "potential", "--exporter", "IND",
                          "--market", "RUS", "--diversification", "--top", "5", "--json"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    import json

    payload = json.loads(run.stdout)
    assert payload["provenance"]["synthetic"] and "SYNTHETIC" in payload["provenance"]["label"]
    rows = payload["candidates"]
    assert len(rows) == 5 and all(r["rca"] < 1 for r in rows)
    assert [r["density"] for r in rows] == sorted((r["density"] for r in rows), reverse=True)
