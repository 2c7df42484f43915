"""The Russia–India case study as a document: ``case-study-russia-india.md`` and its charts
(PNG; HTML on request) in ``case-study/``. Every number in the text comes from
``result['facts']`` or the tables of :func:`tradegap.casestudy.case_study`, with its dataset
and period. :func:`run_case_study` computes and writes in one call (the CLI's function)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from tradegap.atomicfile import write_text
from tradegap.report.format import money, share


def run_case_study(
    data_dir: str | Path, out_dir: str | Path | None = None, home: str | Path | None = None,
    *, charts: bool = True, html: bool = False, draws: int = 200, reuse: bool = True,
) -> dict[str, Any]:
    """Run the case study on the real files in ``data_dir`` (../shared/data) with
    :func:`tradegap.casestudy.case_study` and, with ``out_dir``, write
    ``case-study-russia-india.md`` there and its charts in ``out_dir/case-study/`` (PNG when
    ``charts``; interactive HTML too with ``html``). ``home``: the warehouse directory (default:
    :func:`tradegap.casestudy.pipeline.default_home`, kept between runs). Returns the results;
    ``result['written']`` lists the files written."""
    from tradegap.casestudy import case_study

    result = case_study(data_dir, home, draws=draws, reuse=reuse)
    if out_dir is not None:
        written = write_case_study(result, Path(out_dir), charts=charts, html=html)
        result["written"] = [str(p) for p in written]
    return result

DOC_NAME = "case-study-russia-india.md"
CHART_DIR = "case-study"


def _charts(result: dict[str, Any]) -> dict[str, Any]:
    from tradegap.report.charts_balance import balance_over_time, top_drivers
    from tradegap.report.charts_headroom import demand_vs_share, headroom_ranking
    from tradegap.report.charts_plan import balance_path
    from tradegap.report.charts_settlement import vostro_path

    cal = result["balance"]["calendar"]
    return {
        "balance-calendar": balance_over_time(cal),
        "drivers-2024": top_drivers(cal, "2024"),
        "headroom-ranking": headroom_ranking(result["ranking"]),
        "demand-vs-share": demand_vs_share(result["ranking"]),
        "plan-path": balance_path(result["plans"]["extra"]),
        "plan-path-headroom-bound": balance_path(result["plans"]["headroom"]),
        "settlement-historical": vostro_path(result["settlement"]),
    }


def write_case_study(result: dict[str, Any], out_dir: Path, *, charts: bool = True,
                     html: bool = False) -> list[Path]:
    """Write the markdown and, with ``charts``, its PNG charts (``html``: also a
    self-contained interactive HTML file per chart, ~4.5 MB each); return the paths."""
    from tradegap.report.figures import write_html

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    names: list[str] = []
    if charts:
        figs = _charts(result)
        written += _write_pngs(figs, out_dir / CHART_DIR)
        names = list(figs)
        if html:
            for name, fig in figs.items():
                written.append(write_html(fig, out_dir / CHART_DIR / f"{name}.html"))
    doc = out_dir / DOC_NAME
    write_text(doc, render_markdown(result, names, html=html))
    written.append(doc)
    return written


def _write_pngs(figs: dict[str, Any], folder: Path) -> list[Path]:
    """All PNGs in one Kaleido session (one browser start instead of one per chart); the
    browser is found as :func:`tradegap.report.figures.write_png` finds it."""
    import os

    import plotly.io as pio

    from tradegap.report.figures import find_browser, write_png

    paths = [folder / f"{name}.png" for name in figs]
    browser = find_browser()
    if browser is None:  # write_png raises the explanatory error
        return [write_png(next(iter(figs.values())), paths[0])]
    os.environ.setdefault("BROWSER_PATH", browser)
    folder.mkdir(parents=True, exist_ok=True)
    pio.write_images(list(figs.values()), paths, width=1100, height=600)
    return paths


def usd(value: float | None) -> str:
    """US$ with two decimals in billions (``US$ 4.91 bn``), else :func:`money`."""
    if value is not None and not pd.isna(value) and abs(value) >= 1e9:
        return f"{'−' if value < 0 else ''}US$ {abs(value) / 1e9:,.2f} bn"
    return money(value)


def fact(result: dict[str, Any], key: str) -> dict[str, Any]:
    """One fact by key (value, dataset, period, note)."""
    for f in result["facts"]:
        if f["key"] == key:
            return f
    raise KeyError(key)


def _m(result: dict[str, Any], key: str) -> str:
    f = fact(result, key)
    return usd(f["value"])


def _bn(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else f"US$ {value / 1e9:,.2f} bn"


def _table(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |")
    return "\n".join(lines)


def _chart(names: list[str], name: str, caption: str, html: bool = False) -> str:
    if name not in names:
        return ""
    link = f" ([interactive]({CHART_DIR}/{name}.html))" if html else ""
    return f"![{caption}]({CHART_DIR}/{name}.png)\n\n*{caption}*{link}\n"


def _ranking_table(ranking: pd.DataFrame, top: int = 20) -> str:
    r = ranking.head(top)
    shown = pd.DataFrame({
        "#": r["rank"],
        "HS4": r["product"],
        "product": r["name"].fillna("").str.slice(0, 50),
        "group": r["group"],
        "Russia's imports": r["demand"].map(money),
        "India → Russia 2024": r["current"].map(money),
        "India's share": r["share_now"].map(share),
        "India → world FY24-25": r["capacity"].map(money),
        "headroom": r["headroom"].map(money),
        "gravity untapped": r["gravity_untapped"].map(money),
        "realistic extra": r["extra"].map(money),
        "set by": r["extra_basis"],
    })
    return _table(shown)


def _hs6_table(frame: pd.DataFrame) -> str:
    shown = pd.DataFrame({
        "HS4": frame["hs4"],
        "HS6": frame["product"],
        "product": frame["name"].fillna("").str.slice(0, 60),
        "India → Russia 2024": frame["current"].map(usd),
        "India → world FY24-25": frame["capacity"].map(usd),
        "share of the HS4's world sales": frame["share_of_capacity_in_hs4"].map(share),
    })
    return _table(shown)


def _facts_table(result: dict[str, Any]) -> str:
    rows = []
    for f in result["facts"]:
        value = f["value"]
        shown = (share(value) if "share" in f["key"] else usd(value))
        rows.append((f["key"], shown, f["dataset"], f["period"], f["note"]))
    return _table(pd.DataFrame(rows, columns=["number", "value", "dataset", "period", "note"]))


def _row(ranking: pd.DataFrame, product: str) -> dict[str, Any]:
    rows = ranking[ranking["product"] == product]
    return rows.iloc[0].to_dict() if len(rows) else {}


def _group_sum(ranking: pd.DataFrame, group: str) -> float:
    return float(ranking.loc[ranking["group"] == group, "extra"].sum())


def _sector_share(result: dict[str, Any], name: str) -> float | None:
    plan = result.get("sectors", {}).get(name)
    return plan.summary()["share_closed"] if plan is not None else None


def _bench_products(result: dict[str, Any]) -> int:
    bench = result.get("benchmarks")
    return int(bench["products"].sum()) if bench is not None else 0


def _bench_table(result: dict[str, Any]) -> str:
    bench = result.get("benchmarks")
    if bench is None:
        return ""
    return _table(pd.DataFrame({
        "India's world sales ÷ Russia's imports": [
            f"{lo:,.2f} – {hi:,.2f}" for lo, hi in zip(bench["ratio_low"], bench["ratio_high"],
                                                       strict=True)],
        "products": bench["products"],
        "benchmark share": bench["benchmark_share"].map(share),
    }))


def _why_list(ranking: pd.DataFrame, top: int = 5) -> str:
    return "\n".join(f"- {r['product']} ({str(r['name'] or '')[:40].strip()}): {r['why']} → "
                     f"{usd(r['extra'])}" for _, r in ranking.head(top).iterrows())


def _compare_table(result: dict[str, Any]) -> str:
    table = result.get("comparison")
    if table is None:
        return ""
    mix = [c for c in table.columns if c.startswith("mix_")]
    shown = pd.DataFrame({
        "scenario": table["scenario"],
        "extra purchases, final year": table["gap_closed_usd"].map(usd),
        "share of the gap closed": table["share_closed"].map(share),
        "largest groups": [", ".join(f"{c[4:]} {share(r[c])}" for c in sorted(
            mix, key=lambda c: -(r[c] if pd.notna(r[c]) else 0))[:3] if r[c] and r[c] > 0)
            for _, r in table.iterrows()],
    })
    return _table(shown)


def render_markdown(result: dict[str, Any], charts: list[str] | None = None, *,
                    html: bool = False) -> str:
    """The case study as Markdown; ``charts`` names the charts written beside it."""
    names = charts or []

    def chart(name: str, caption: str) -> str:
        return _chart(names, name, caption, html)

    ranking: pd.DataFrame = result["ranking"]
    params = result["params"]
    plans = result["plans"]
    real, bound = plans["extra"], plans["headroom"]
    rs, bs = real.summary(), bound.summary()
    settle = result["settlement"].summary
    years = settle["months"] / 12
    drain_per_year = settle["imports_paid_usd"] / years
    inflow_per_year = settle["inflow_usd"] / years
    gap = fact(result, "gap_2024")["value"]
    fuel_share = fact(result, "fuel_share_2024")["value"]
    no_demand = int((ranking["binding"] == "no demand").sum())
    net = ranking[ranking["binding"] == "net exporter"].sort_values("demand", ascending=False)
    net_exp = len(net)
    net_examples = ", ".join(
        f"{p} {str(n or '').split(';')[0][:35].strip().lower()}"
        for p, n in zip(net["product"].head(3), net["name"].head(3), strict=True))
    caps = ", ".join(f"{g} {v:.0%}" for g, v in params.get("share_cap_by_group", {}).items())
    drivers = result["balance"]["drivers_2024"].head(8)
    driver_rows = pd.DataFrame({
        "HS4": drivers["code"],
        "product": drivers["name"].fillna("").astype(str).str.slice(0, 60),
        "India's imports": drivers["imports"].map(money),
        "India's exports": drivers["exports"].map(money),
        "share of the imbalance": drivers["contribution"].map(share),
    })
    binding = "\n".join(f"- {s}" for s in real.binding["sentence"].head(4)) or "- (none)"
    binding_b = "\n".join(f"- {s}" for s in bound.binding["sentence"].head(4)) or "- (none)"
    mirror_2021 = next((f for f in result["facts"] if f["key"] == "mirror_2021_india_declared"),
                       None)
    out = f"""# Russia–India on real data: can agri and pharma purchases soften the imbalance?

*Generated by `tradegap case-study russia-india --data {result['data_dir']} --out docs/`
(`tradegap.report.case_study.run_case_study`). Do not edit by hand: rerun the command. Every number
below names its dataset and period; the table at the end lists them all.*

## Summary

- In calendar 2024, by India's own statistics (dataset `russia-customs-mirror`), India bought
  **{_m(result, 'india_imports_2024')}** from Russia and sold it **{_m(result, 'india_exports_2024')}**:
  a gap of **{usd(gap)}**. Mineral fuels (HS 27) were {_m(result, 'india_imports_fuels_2024')},
  **{share(fuel_share)}** of India's imports from Russia; crude oil (2709) alone is the first
  driver of the imbalance.
- On Russia's demand (its imports from the world, a lower bound) and India's capacity (its
  exports to the world), Russia could buy at most **{usd(ranking['headroom'].sum())}** a year
  more Indian agricultural and pharmaceutical products under the share caps of this study
  (the *headroom*). The **realistic extra** lets India's share of Russia's imports of each
  product rise to the share India already reaches in Russia in comparable products (those in
  which India's world sales are as large relative to Russia's imports): **{usd(ranking['extra'].sum())}**
  a year, of which medicaments (3004) {usd(_row(ranking, '3004').get('extra'))}. A gravity
  model of India's exports to some 200 markets, blind to Russia's demand for each product,
  expects {usd(ranking['gravity_untapped'].sum())}; it is shown beside, not used.
- The planner, ramping these purchases up over five years, closes
  **{share(rs['share_closed'])}** of the 2024 gap by {rs['final_year']}
  ({usd(rs['gap_closed_usd'])} a year) on the realistic estimate, and at most
  **{share(bs['share_closed'])}** ({usd(bs['gap_closed_usd'])}) if every product filled its
  headroom. **Agriculture and pharmaceuticals alone cannot close a ~US$ 60 bn gap**: even the
  upper bound leaves about nine-tenths of it. The same limits over **every sector** close
  **{share(_sector_share(result, 'russia-india-real-all-sectors'))}** (industry alone:
  {share(_sector_share(result, 'russia-india-real-industry'))}); softening the gap needs other
  measures too (investment of rupee balances; settlement arrangements).

## 1. The balance and what drives it

Data: India's own declarations of its trade with Russia in Russia's customs layout
(`russia-customs-mirror`, monthly, 2010-01 … 2025-01; values rounded to US$10,000 per row)
and, for 2021 only, Russia's Federal Customs Service (`russia-customs-fts`, 2021-01 … 2022-01).
2025 holds one month (January: India's exports {_m(result, 'india_exports_2025_partial')}) and is
a partial year everywhere below.

{chart('balance-calendar', 'India–Russia trade by calendar year, India-reported (russia-customs-mirror); 2025 = January only')}

Calendar 2024 (India-reported): exports to Russia {_m(result, 'india_exports_2024')}, imports
from Russia {_m(result, 'india_imports_2024')}, of which mineral fuels {_m(result, 'india_imports_fuels_2024')}
({share(fuel_share)}).

By India's fiscal year (April–March; the same monthly rows summed): FY2023-24 exports
{_m(result, 'india_exports_FY2023-24')} and imports {_m(result, 'india_imports_FY2023-24')}
(published: {_m(result, 'official_exports_FY2023-24')} and {_m(result, 'official_imports_FY2023-24')}).
FY2024-25 is **partial** here ({fact(result, 'india_exports_FY2024-25')['note'].split('PARTIAL: ')[-1]}):
exports {_m(result, 'india_exports_FY2024-25')}, imports {_m(result, 'india_imports_FY2024-25')},
against the published full-year {_m(result, 'official_exports_FY2024-25')} and
{_m(result, 'official_imports_FY2024-25')}.

The drivers of the 2024 imbalance (HS4, India-reported):

{_table(driver_rows)}

{chart('drivers-2024', 'Top drivers of the balance, 2024 (russia-customs-mirror)')}

**The mirror gap.** The two sides do not agree. For 2021, Russia's customs record imports from
India of {_m(result, 'russia_customs_2021_imports_from_india')} and exports to India of
{_m(result, 'russia_customs_2021_exports_to_india')} (`russia-customs-fts`), while India declares
exports to Russia of {usd(mirror_2021['value']) if mirror_2021 else '—'} (`russia-customs-mirror`,
calendar 2021). Importers value goods CIF and exporters FOB, goods transit third countries, and
the two customs services classify and time shipments differently; this study uses India's side
throughout (the only one that covers 2022–2024) and never adds the two.

## 2. Where India could sell more: the market's own demand

Computed by `tradegap potential --exporter IND --market RUS --group agri,pharma` (function
`tradegap.analysis.potential_estimate.estimate_potential`), which chose its method from what the
warehouse holds: {result.get('method', '')}.

Scope: agriculture and food (HS 01–24) and pharmaceuticals (HS 30 and the active ingredients
2936–2941), at HS4 — the level of Russia's demand data. For each product:

| term | meaning | dataset | period |
|---|---|---|---|
| demand | Russia's imports from the world | `russia-demand` | last 12 months of the file (most likely 2025-06 … 2026-05; recent months partly nowcast) |
| current | India's sales to Russia | `russia-customs-mirror` | calendar 2024 (the latest complete year) |
| share now | current / demand | — | mixed periods |
| capacity | India's exports to the world | `india-dgcis` (DGCI&S, HS8 summed to HS4) | FY2024-25 (April 2024 – March 2025) |
| supply ratio | capacity / demand | — | — |
| benchmark share | the share India reaches in Russia in the best tenth of products with a similar supply ratio | all {_bench_products(result)} HS4 products Russia imports (every sector) | as above |
| gravity untapped | max(expected − actual, 0), PPML on India's exports to ~200 markets | `india-dgcis` + CEPII GeoDist + WDI/IMF GDP 2024 | FY2024-25 |

Formulas (`tradegap.analysis.demand_potential`, `tradegap.analysis.headroom`; method in
docs/export-potential.md):

    headroom = max(0, min(s_g × demand, c × capacity) − current)          (upper bound)
    target   = min(benchmark share, s_g)
    extra    = max(0, min(target × demand, c × capacity) − current)      (realistic)

with the share cap s_g = {params.get('share_cap', 0):.0%} of Russia's imports of a product
({caps or 'no group exceptions'}: India's generics already lead many markets), c =
{params.get('capacity_share', 1):.0%} of India's world sales. Two rules give a product nothing
whatever India makes: Russia imports less than US$ {params.get('min_demand', 0) / 1e6:g} m
of it (*no demand*: {no_demand} products here), or Russia exports at least
{params.get('net_exporter_ratio') or 0:g} times what it imports (*net exporter*: {net_exp}
products, e.g. {net_examples}). The share caps are read from
`scenarios/russia-india-real.toml`, so the ranking and the plan use the same limits.

Why this method: structural gravity and the ITC method both make an exporter's share of a
market's spending on a product rise with its supply of it (Anderson & van Wincoop 2003;
Decreux & Spies 2016). The warehouse has no world flows, so India's world market share is
unknown; its world sales *relative to Russia's own imports* are known for every product, and
so is the share India already holds. Across the {_bench_products(result)} products Russia
imports, India's share rises steadily with that ratio; the benchmark is the share India reaches
in the best tenth of products with a similar ratio (a frontier, as in the trade-potential
literature, Armstrong 2007). The benchmarks:

{_bench_table(result)}

The gravity benchmark is kept as a column: it says what Russia *should* buy from India for
its size and distance, but knows nothing of what Russia imports of each product. An earlier
version of this study took min(headroom, gravity) and so gave medicaments (3004) nothing,
although Russia imports {usd(_row(ranking, '3004').get('demand'))} of them a year and India
holds {share(_row(ranking, '3004').get('share_now'))}: India already sells Russia more than
gravity expects for Russia's GDP. Refined petroleum (2710), which a gravity-only ranking put
high for Russia, is a product Russia exports (Russia imports {_m(result, 'russia_imports_2710')}
of 2710 and exports {_m(result, 'russia_exports_2710')}, `russia-demand`, last 12 months): the
net-exporter rule gives it nothing.

{chart('headroom-ranking', 'Top products by realistic extra sales (share benchmark), with the headroom')}

The top 20 (US$ a year; "set by" is what binds each figure):

{_ranking_table(ranking)}

Why these numbers, for the top five:

{_why_list(ranking)}

Totals over {len(ranking)} agri and pharma HS4 products: Russia's imports
{usd(ranking['demand'].sum())}, India's current sales {usd(ranking['current'].sum())},
India's world sales {usd(ranking['capacity'].sum())}, headroom {usd(ranking['headroom'].sum())},
realistic extra {usd(ranking['extra'].sum())} (agri {usd(_group_sum(ranking, 'agri'))},
pharma {usd(_group_sum(ranking, 'pharma'))}), gravity untapped
{usd(ranking['gravity_untapped'].sum())}.

Plausibility check (also a test, `tests/test_potential_real.py`): medicaments (3004), Russia's
largest agri-pharma import, where India holds a few percent and is a leading world supplier,
come first; products India already dominates (rice 1006: {share(_row(ranking, '1006').get('share_now'))}
of Russia's imports; tea 0902: {share(_row(ranking, '0902').get('share_now'))}) get nothing; no
product without Russian demand has any extra.

{chart('demand-vs-share', "Russia's imports and India's share of them, by HS4")}

**Inside the top headings (HS6).** Russia's demand exists at HS4 only, so there is no headroom
at HS6; the bilateral rows and India's statistics show which goods inside each of the top five
headings India makes and already sells to Russia (`russia-customs-mirror` calendar 2024,
`india-dgcis` FY2024-25 summed from HS8):

{_hs6_table(result["hs6"])}

## 3. The plan: five years of extra purchases

Scenario `scenarios/russia-india-real.toml`, solved by `tradegap --home WH plan
scenarios/russia-india-real.toml` (its candidates are built from the potential above,
`tradegap.planning.candidates.candidates_from_potential`; never committed): pair IND → RUS, base 2024, plan years 2025–2029, baseline gap =
the 2024 gap measured above ({usd(gap)}), India's share of Russia's imports of each product
at most {params.get('share_cap', 0):.0%} ({caps}), yearly growth at most 20 % of each
product's ceiling (five years to reach it), target a floor of 0.1 % with `stop_at_target =
false` so the solver buys as much as the limits allow. Unit values (for tonnage) come from the
bilateral rows' NETTO (India → Russia 2024) where present, else from Russia's imports (value /
net weight); NB the mirror rows' NETTO is in **tonnes**, not kg (rice 1006 reads ≈ US$ 580 per
unit, frozen bovine meat ≈ US$ 3,700: tonnes).

| plan | extra purchases {rs['final_year']} | share of the gap closed |
|---|---|---|
| realistic (untapped = realistic extra) | {usd(rs['gap_closed_usd'])} | **{share(rs['share_closed'])}** |
| upper bound (untapped = headroom) | {usd(bs['gap_closed_usd'])} | **{share(bs['share_closed'])}** |

{chart('plan-path', 'The gap under the realistic plan, 2025–2029')}

What binds the realistic plan (HiGHS duals, `Plan.binding`):

{binding}

What binds the upper-bound plan:

{binding_b}

{chart('plan-path-headroom-bound', 'The gap under the upper-bound plan (every product fills its headroom)')}

**Every sector.** The same limits, with candidates from the potential of every product group
(`scenarios/russia-india-real-all-sectors.toml`) or of industry only (machinery, chemicals,
metals, textiles, vehicles: `scenarios/russia-india-real-industry.toml`), compared by `tradegap
--home WH plan compare scenarios/russia-india-real*.toml`:

{_compare_table(result)}

## 4. Settlement: where the rupees went (historical scenario)

The documented scenario `scenarios/settlement-historical.toml` (see
docs/settlement-historical.md; calibrated to the published vostro balances, not estimated)
replays April 2022 – September 2024: rupee inflows of {usd(settle['inflow_usd'])}, a peak idle
balance of {usd(settle['peak_idle_usd'])} in {settle['peak_idle_month']}, {usd(settle['final_idle_usd'])}
left idle at the end, {usd(settle['securities_bought_usd'])} put into Indian government
securities, {usd(settle['converted_usd'])} converted to third currencies and a total cost of
{usd(settle['total_cost_usd'])}. India's exports to Russia drained only
{usd(settle['imports_paid_usd'])} ({usd(drain_per_year)} a year). Extra agri and pharma
purchases of {usd(rs['gap_closed_usd'])} a year by 2029 would add
{share(rs['gap_closed_usd'] / drain_per_year)} to that drain (the upper bound,
{usd(bs['gap_closed_usd'])}, {share(bs['gap_closed_usd'] / drain_per_year)}) — against rupee
inflows of {usd(inflow_per_year)} a year over the period.

{chart('settlement-historical', 'Idle rupee balance, historical scenario')}

## Caveats

- **Demand is a lower bound.** Russia's imports are rebuilt from what partners report: trade
  through non-reporting partners is missing, so the headroom is understated where those matter.
  There is **no supplier breakdown**: India's share is its own declaration over the partners'
  total, and competitors (China, Belarus, Turkey …) are not seen.
- **Rounding.** India-reported rows are rounded to US$ 10,000 each; small flows read as zero.
- **Periods do not match.** Demand: the last 12 months of the file (most likely 2025-06 …
  2026-05, partly nowcast); current sales: calendar 2024; capacity and gravity: FY2024-25
  (April 2024 – March 2025); GDP: 2024. 2025 holds January only; FY2024-25 from the mirror rows
  holds 10 of 12 months.
- **Two customs services disagree** (the mirror gap above); the study uses India's side only.
- **India's product data lack chapters 98–99**, so sums stay below published totals.
- The plan is an optimisation under stated limits, not a forecast; financing, logistics
  (no route capacity is imposed here) and payments are the hurdles the limits stand for.

## Where every number comes from

{_facts_table(result)}
"""  # noqa: E501 - a Markdown template: its table rows and chart captions are long
    return out
