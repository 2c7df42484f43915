"""What each indicator means, in one place: the short definitions behind the dashboard's and the
report's indicator names (``term``: an ``<abbr>`` whose title is the definition; ``glossary``:
a ``<details>`` list, printed open in the PDF), each citing where the definition comes from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class Term:
    """An indicator: its name as shown, a definition in two or three sentences, the source."""

    name: str
    definition: str
    source: str


TERMS: dict[str, Term] = {
    "balance": Term(
        "balance", "Exports minus imports, seen from the first economy of the pair: positive "
        "is a surplus, negative a deficit.", "UN IMTS 2010 concepts"),
    "rca": Term(
        "RCA", "Revealed comparative advantage: the product's share in the exporter's exports "
        "divided by its share in world exports. Above 1 the exporter is specialised in the "
        "product; below 1 it is not.",
        "Balassa (1965), “Trade liberalisation and revealed comparative advantage”; WITS "
        "indicator definitions"),
    "hhi": Term(
        "HHI", "Normalised Herfindahl–Hirschman index of the products' shares, (Σ s² − 1/N) / "
        "(1 − 1/N): 0 when trade is spread evenly over its N products, 1 when it is a single "
        "product.",
        "WITS manual, “Hirschman Herfindahl index”"),
    "potential": Term(
        "potential", "Export potential: the value the exporter could sell to this market given "
        "its supply (world market share, projected), the market's demand (imports, projected) "
        "and the ease of trade between the two. A benchmark, not a forecast.",
        "ITC Export Potential Map methodology (Decreux & Spies 2016)"),
    "untapped": Term(
        "untapped", "Untapped potential: export potential minus actual exports, where "
        "positive; zero where the exporter already sells its potential or more.",
        "ITC Export Potential Map methodology (Decreux & Spies 2016)"),
    "realised": Term(
        "realised", "Realised potential: actual exports as a share of the export potential. "
        "Above 100% the exporter already sells more than the benchmark (untapped is then "
        "zero); the potential is not a ceiling.",
        "ITC Export Potential Map methodology (Decreux & Spies 2016)"),
    "share_now": Term(
        "share now", "The exporter's current share of the market's imports of the product "
        "(its sales to the market divided by the market's imports).",
        "tradegap demand method (docs/export-potential.md)"),
    "benchmark_share": Term(
        "benchmark share", "The share of the market's imports the exporter reaches in the best "
        "tenth of comparable products (those where its world sales are as large relative to "
        "the market's imports): what a realistic target share looks like.",
        "tradegap demand method (docs/export-potential.md)"),
    "realistic_extra": Term(
        "realistic extra", "Extra sales a year if the exporter's share rose to the benchmark "
        "share, within the share cap and its world sales of the product: the realistic "
        "estimate of untapped sales from the market's own demand.",
        "tradegap demand method (docs/export-potential.md)"),
    "headroom": Term(
        "headroom", "How much more the market could buy from the exporter before either limit "
        "binds: the share cap times the market's imports, or the exporter's world sales of the "
        "product; minus what it sells now. An upper bound beside the realistic extra.",
        "tradegap headroom (docs/export-potential.md)"),
    "gravity": Term(
        "gravity benchmark", "The trade a structural gravity model (PPML with exporter and "
        "importer fixed effects) predicts for the pair from economic size, distance, borders "
        "and language; gravity untapped is that prediction minus actual trade, where positive.",
        "Santos Silva & Tenreyro (2006); Yotov et al. (2016), “An Advanced Guide to Trade "
        "Policy Analysis”, WTO/UNCTAD"),
    "mirror_gap": Term(
        "mirror gap", "Importer-declared minus exporter-declared value of the same flow. "
        "Importers value goods CIF (with freight and insurance), exporters FOB, so a positive "
        "gap of about 3–10% is normal; a negative or much larger gap points to "
        "misclassification, transit via third countries, timing or under-recording.",
        "WITS / UN Comtrade mirror statistics; Gaulier & Zignago (2010), BACI"),
}


def term(key: str, label: str | None = None) -> Markup:
    """The indicator's name (or ``label``) with its definition and source on hover."""
    t = TERMS[key]
    return Markup('<abbr class="term" data-term="{k}" title="{d} Source: {s}.">{n}</abbr>'
                  ).format(k=key, d=t.definition, s=t.source, n=label or t.name)


def glossary(keys: Iterable[str], printed: bool = False) -> Markup:
    """The definitions of ``keys`` as a folded list (``printed``: open, for the PDF)."""
    items = Markup("").join(
        Markup('<dt data-term="{k}">{n}</dt><dd>{d} <span class="source">Source: {s}.</span>'
               '</dd>').format(k=k, n=TERMS[k].name, d=TERMS[k].definition, s=TERMS[k].source)
        for k in dict.fromkeys(keys))
    return Markup('<details class="glossary"{o}><summary>What these indicators mean</summary>'
                  '<dl>{i}</dl></details>').format(o=Markup(" open") if printed else "",
                                                   i=items)
