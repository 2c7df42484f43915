"""PPML gravity on the published AGTPA panels (Yotov et al. 2016; ../shared/data/agtpa):
``tradegap.analysis.gravity.fit_ppml`` against the plain pyfixest call it wraps (our overhead:
checks, drop accounting, small-sample convention) and against the ``gme`` package (USITC's
gravity estimator: statsmodels GLM with explicit dummies), where gme installs. Each timing is
the median of three after one warm-up call (pyfixest compiles with numba on first use)."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from _common import PYTHON, SHARED, WORK, load, record, run, say

YEARS = "year IN (1986, 1990, 1994, 1998, 2002, 2006) AND exporter <> importer"
FORMULA = "trade ~ ln_DIST + CNTG + LANG + CLNY | exporter^year + importer^year"
GME_LIB = WORK / "gme-lib"  # pip install --no-deps --target this gme statsmodels patsy

GME_CODE = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd
import gme
data = pd.read_parquet(sys.argv[1])
data["year"] = data["year"].astype(int)
t = time.perf_counter()
est = gme.EstimationData(data, imp_var_name="importer", exp_var_name="exporter",
                         trade_var_name="trade", year_var_name="year")
model = gme.EstimationModel(est, lhs_var="trade", rhs_var=["ln_DIST", "CNTG", "LANG", "CLNY"],
                            fixed_effects=[["exporter", "year"], ["importer", "year"]],
                            cluster_on="pair_id")
res = model.estimate()
seconds = time.perf_counter() - t
r = list(res.values())[0]
print(json.dumps({"seconds": seconds, "ln_DIST": float(r.params["ln_DIST"]),
                  "se_ln_DIST": float(r.bse["ln_DIST"])}))
"""


def _median_time(fn, n: int = 3) -> tuple[float, object]:
    fn()
    times, out = [], None
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    path = SHARED / "agtpa" / "Chapter1Application1.dta"
    if not path.is_file():
        say(f"skipped: {path} not found")
        return
    import pyfixest as pf

    from tradegap.analysis.gravity import fit_ppml, load_table

    load_before = load()
    data = load_table(path, where=YEARS, derive=["ln_DIST = ln(DIST)"])
    ours_s, ours = _median_time(lambda: fit_ppml(data, FORMULA, cluster="pair_id"))
    plain_s, plain = _median_time(
        lambda: pf.fepois(FORMULA, data, vcov={"CRV1": "pair_id"}))
    say(f"fit_ppml: {ours_s:.3f} s; plain pyfixest.fepois: {plain_s:.3f} s; overhead "
        f"{ours_s / plain_s:.2f}× (ln DIST {ours.coef('ln_DIST'):.4f} vs "
        f"{float(plain.coef()['ln_DIST']):.4f}; published -0.8409)")

    border = load_table(SHARED / "agtpa" / "1_TradeWithoutBorder.dta")
    f2 = "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer"
    ours2_s, _ = _median_time(lambda: fit_ppml(border, f2))
    plain2_s, _ = _median_time(lambda: pf.fepois(f2, border, vcov="hetero"))
    say(f"trade without border: fit_ppml {ours2_s:.3f} s, pyfixest {plain2_s:.3f} s")

    gme: dict[str, object] = {}
    if (GME_LIB / "gme").is_dir():
        tmp = WORK / "chapter1.parquet"
        data.to_parquet(tmp)
        script = WORK / "gme_run.py"
        script.write_text(GME_CODE)
        done = run([PYTHON, str(script), str(tmp)],
                   env={"PYTHONPATH": str(GME_LIB)}, timeout=1800)
        if done.returncode == 0:
            gme = json.loads(done.stdout.strip().splitlines()[-1])
            say(f"gme: {gme['seconds']:.2f} s (ln DIST {gme['ln_DIST']:.4f}); "
                f"fit_ppml is {gme['seconds'] / ours_s:.1f}× faster")
        else:
            gme = {"error": done.stderr.strip().splitlines()[-1][:300]}
            say(f"gme failed: {gme['error']}")
    else:
        gme = {"error": f"gme not installed at {GME_LIB}"}
    record("ppml", {
        "n_obs": int(ours.n_obs), "load_before": load_before,
        "fit_ppml_s": round(ours_s, 4), "pyfixest_s": round(plain_s, 4),
        "overhead": round(ours_s / plain_s, 3),
        "estimate_ln_dist": round(ours.coef("ln_DIST"), 6),
        "border_fit_ppml_s": round(ours2_s, 4), "border_pyfixest_s": round(plain2_s, 4),
        "border_overhead": round(ours2_s / plain2_s, 3),
        "gme": gme,
        "gme_over_fit_ppml": round(gme["seconds"] / ours_s, 2) if "seconds" in gme else None,
        "command": "python benchmarks/bench_ppml.py (gme: pip install --no-deps --target "
                   f"{GME_LIB} gme statsmodels patsy)",
    })


if __name__ == "__main__":
    Path(WORK).mkdir(parents=True, exist_ok=True)
    main()
