"""Gravity-based export potential: hand-worked formula, a simulated world with known
coefficients, input errors, and a real-data smoke test on India's DGCI&S exports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradegap.analysis.gravity_potential import expected_flow, gravity_potential
from tradegap.errors import InputError
from tradegap.provenance import Provenance

TRUE_BETA = {
    "01": np.array([1.0, -1.0, 0.5, 0.3]),
    "02": np.array([0.7, -1.5, 0.8, 0.6]),
}


def test_expected_flow_hand_worked() -> None:
    """y = (10, 30) in two markets with indices 0 and ln 3: exp(α) = 40 / (1 + 3) = 10; a
    target with index ln 2 expects 10 · 2 = 20."""
    assert expected_flow(np.array([10.0, 30.0]), np.array([0.0, np.log(3)]), np.log(2)) == (
        pytest.approx(20.0)
    )


def _world(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """Poisson exports from known slopes: two chapters × 12 products × 150 markets."""
    rng = np.random.default_rng(seed)
    n_markets = 150
    markets = [f"M{i:03d}" for i in range(n_markets)] + ["TGT"]
    cov = pd.DataFrame({
        "market": markets,
        "gdp_usd": np.exp(rng.normal(25, 1.5, n_markets + 1)),
        "dist_km": np.exp(rng.uniform(6, 9.5, n_markets + 1)),
        "contig": (rng.uniform(size=n_markets + 1) < 0.12).astype(int),
        "comlang_off": (rng.uniform(size=n_markets + 1) < 0.3).astype(int),
    })
    x = np.column_stack([np.log(cov.gdp_usd) - 25, np.log(cov.dist_km) - 8, cov.contig,
                         cov.comlang_off])
    rows, true_target = [], {}
    for chapter, beta in TRUE_BETA.items():
        for k in range(12):
            product = f"{chapter}{k:02d}"
            mu = np.exp(rng.normal(13, 1) + x @ beta)
            value = rng.poisson(mu).astype(float)
            true_target[product] = float(mu[-1])
            value[-1] = np.round(0.1 * mu[-1])  # the target buys a tenth of what gravity says
            rows += [(product, m, v) for m, v in zip(markets, value, strict=True) if v > 0]
    exports = pd.DataFrame(rows, columns=["product", "market", "value"])
    return exports, cov, true_target


def test_synthetic_world_recovers_slopes_and_flags_the_suppressed_market() -> None:
    exports, cov, true_target = _world()
    ranking = gravity_potential(exports, cov, "TGT")
    coefs = pd.DataFrame(ranking.attrs["coefficients"])
    for chapter, beta in TRUE_BETA.items():
        got = coefs[coefs.model == f"group {chapter}"].set_index("term")["estimate"]
        assert got[["ln_gdp", "ln_dist", "contig", "comlang"]].to_numpy() == pytest.approx(
            beta, abs=0.08
        ), chapter
    assert set(ranking["model"]) == {"group 01", "group 02"}
    assert len(ranking) == 24
    # Expected flows to the target are close to the true means; actual is a tenth of them.
    expected = ranking.set_index("product")["expected"]
    truth = pd.Series(true_target)
    assert (expected / truth.reindex(expected.index)).between(0.8, 1.25).all()
    assert (ranking["untapped"] > 0).all()
    assert ranking["ratio"].between(0.05, 0.15).all()
    assert ranking["untapped"].is_monotonic_decreasing
    prov = ranking.attrs["provenance"]
    assert not prov.synthetic and "TGT" in " ".join(prov.notes)
    labelled = gravity_potential(exports, cov, "TGT", provenance=Provenance(synthetic=True))
    assert labelled.attrs["provenance"].synthetic  # a synthetic input stays labelled


def test_small_groups_fall_back_to_pooled_and_thin_products_are_dropped() -> None:
    exports, cov, _ = _world(seed=11)
    # Chapter 03 has two products only (below min_group_products=3): pooled slopes.
    extra = exports[exports["product"].isin(["0100", "0101"])].assign(
        product=lambda f: "03" + f["product"].str[2:]
    )
    thin = pd.DataFrame({"product": ["0450"] * 3, "market": ["M001", "M002", "M003"],
                         "value": [5.0, 6.0, 7.0]})
    ranking = gravity_potential(pd.concat([exports, extra, thin]), cov, "TGT")
    assert set(ranking.loc[ranking["group"] == "03", "model"]) == {"pooled"}
    assert "0450" not in set(ranking["product"])
    assert ranking.attrs["excluded"]["products below min_markets"] == 1
    assert "pooled" in {c["model"] for c in ranking.attrs["coefficients"]}


def test_bad_inputs_raise_input_error() -> None:
    exports, cov, _ = _world()
    with pytest.raises(InputError, match="target market"):
        gravity_potential(exports, cov, "XXX")
    with pytest.raises(InputError, match="no value column"):
        gravity_potential(exports.rename(columns={"value": "v"}), cov, "TGT")
    with pytest.raises(InputError, match="lacks gdp_usd"):
        gravity_potential(exports, cov.drop(columns="gdp_usd"), "TGT")
    with pytest.raises(InputError, match="negative"):
        gravity_potential(exports.assign(value=-1.0), cov, "TGT")


def test_india_fy2023_hs4_food_and_pharma_to_russia(shared_data: Path) -> None:
    """India's FY2023-24 exports (DGCI&S), HS4 of chapters 01–24 and 30, target RUS.
    Check: a ranking is produced, and its top ten are products India exports substantially
    (≥ US$ 100 m in total to ≥ 30 markets) and that Russia buys less of than gravity predicts."""
    path = shared_data / "india_exports_eidb" / "india_exports_hs8_partner.parquet"
    assert path.is_file(), f"{path} is missing from the shared data"
    from tradegap.analysis.gravity_potential import market_covariates
    from tradegap.sources.india_dgcis import partner_iso3

    raw = pd.read_parquet(path, columns=["fy_start", "hs8", "partner", "value_usd_million"],
                          filters=[("fy_start", "==", 2023)])
    chapter = raw["hs8"].str[:2]
    raw = raw[(chapter <= "24") | (chapter == "30")]
    names = raw["partner"].drop_duplicates()
    iso = dict(zip(names, names.map(partner_iso3), strict=True))
    exports = pd.DataFrame({
        "product": raw["hs8"].str[:4],
        "market": raw["partner"].map(iso),
        "value": raw["value_usd_million"] * 1e6,
    }).dropna()
    ranking = gravity_potential(exports, market_covariates("IND", 2023), "RUS", min_markets=10)
    assert len(ranking) > 100
    top = ranking.head(10)
    assert (top["untapped"] > 0).all()
    assert (top["exports_total"] >= 100e6).all(), top
    assert (top["n_markets"] >= 30).all(), top
    assert (top["ratio"] < 1).all()
    # Medicaments (3004) are India's largest export here; gravity must give Russia a sizeable
    # expected value for them (India's FY2023-24 actual is a few hundred million US$).
    row = ranking.set_index("product").loc["3004"]
    assert row["expected"] > 1e8
    # pinned (PPML by chapter, FY2023-24): 146 headings; rice first; medicaments above gravity
    assert len(ranking) == 146
    assert list(ranking["product"].head(3)) == ["1006", "0202", "0904"]
    rice = ranking.iloc[0]
    assert rice["actual"] == pytest.approx(64.68e6, rel=1e-9)
    assert rice["expected"] == pytest.approx(173_024_700, rel=1e-5)
    assert rice["untapped"] == pytest.approx(rice["expected"] - rice["actual"], rel=1e-12)
    assert row["actual"] == pytest.approx(346.18e6, rel=1e-9)
    assert row["expected"] == pytest.approx(214_342_498, rel=1e-5) and row["untapped"] == 0.0
    assert ranking["untapped"].sum() == pytest.approx(701_362_870, rel=1e-5)


def test_cli_potential_json_and_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from typer.testing import CliRunner

    from tradegap.analysis import gravity_potential as module
    from tradegap.cli.main import app

    exports, cov, _ = _world()
    monkeypatch.setattr(module, "market_covariates", lambda exporter, year: cov)
    path = tmp_path / "x.csv"
    exports.assign(product=exports["product"] + "10").to_csv(path, index=False)  # 6 digits
    out = tmp_path / "rank.csv"
    res = CliRunner().invoke(app, ["gravity", "potential", str(path), "--exporter", "AAA",
                                   "--target", "TGT", "--year", "2023", "--digits", "4",
                                   "--json", "--out", str(out), "--top", "3"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert len(payload["ranking"]) == 3 and payload["ranking"][0]["untapped"] > 0
    written = pd.read_csv(out, dtype={"product": str})
    assert set(written["product"]) == set(exports["product"])  # leading zeros kept, 4 digits
    bad = CliRunner().invoke(app, ["gravity", "potential", str(path), "--exporter", "AAA",
                                   "--target", "TGT", "--year", "2023", "--value-col", "v"])
    assert isinstance(bad.exception, InputError) and bad.exception.file == str(path)


def test_cli_potential_from_the_real_warehouse(real_home: Path, tmp_path: Path) -> None:
    """``gravity potential`` reading India's exports from the warehouse (india-dgcis) gives
    the ranking computed from the raw file above (same 146 headings, rice first, same total),
    as a file and as the printed table."""
    import os
    import subprocess
    import sys

    tradegap = str(Path(sys.executable).with_name("tradegap"))
    args = [tradegap, "--home", str(real_home), "gravity", "potential", "--exporter", "IND",
            "--target", "RUS", "--year", "2023", "--period", "FY2023-24", "--where",
            "substr(product, 1, 2) <= '24' OR substr(product, 1, 2) = '30'",
            "--min-markets", "10"]
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    out = tmp_path / "ranking.csv"
    shown = subprocess.run([*args, "--out", str(out)], capture_output=True, text=True,
                           timeout=600, env=env)
    assert shown.returncode == 0, shown.stderr
    ranking = pd.read_csv(out, dtype={"product": str})
    assert len(ranking) == 146 and ranking["product"].iloc[0] == "1006"
    assert ranking["expected"].iloc[0] == pytest.approx(173_024_700, rel=1e-5)
    assert ranking["untapped"].sum() == pytest.approx(701_362_870, rel=1e-5)
    flat = " ".join(shown.stdout.split())
    assert "Gravity potential of India in Russia, largest untapped first" in flat, flat[:500]
    assert "1006 Rice US$ 108 m US$ 64.7 m US$ 173 m 0.37 155" in flat  # the first row
    assert "SYNTHETIC" not in flat
