"""Reference data from atlas-common-data: countries, distances, GDP, HS products, sections,
revision conversion and product groups."""

from __future__ import annotations

import pandas as pd
import pytest

from tradegap.errors import InputError, NotFound
from tradegap.reference.countries import countries, country_name, match_country
from tradegap.reference.distances import distance, distances
from tradegap.reference.groups import group_of, in_group, product_groups
from tradegap.reference.macro import gdp, gdp_of, growth_projections
from tradegap.reference.products import (
    conversion_path,
    convert,
    normalise_revision,
    product_name,
    products,
    section_of_chapter,
    sections,
)


# -- countries ---------------------------------------------------------------------------------
def test_countries_have_iso3_m49_and_names() -> None:
    frame = countries()
    assert {"iso3", "m49", "name"} <= set(frame.columns)
    assert frame["iso3"].is_unique and len(frame) > 200
    row = frame.set_index("iso3").loc["IND"]
    assert row["m49"] == 356 and row["name"] == "India"
    assert frame.set_index("iso3").loc["RUS", "m49"] == 643
    assert "ANS" not in set(frame["iso3"])


@pytest.mark.parametrize(
    ("name", "iso3"),
    [("RUSSIA", "RUS"), ("Russian Federation", "RUS"), ("U S A", "USA"), ("CHINA P RP", "CHN"),
     ("U ARAB EMTS", "ARE"), ("Côte d'Ivoire", "CIV"), ("cote d ivoire", "CIV"),
     ("BANGLADESH PR", "BGD"), ("FIJI IS", "FJI"), ("EGYPT A RP", "EGY"), ("ind", "IND"),
     ("IN", "IND"), ("the Netherlands", "NLD")],
)
def test_match_country(name: str, iso3: str) -> None:
    assert match_country(name) == iso3


def test_match_country_unknown_is_none() -> None:
    assert match_country("Atlantis") is None
    assert match_country("") is None


def test_country_name() -> None:
    assert country_name("RUS") == "Russia"
    assert country_name("ind") == "India"
    with pytest.raises(NotFound, match="XYZ"):
        country_name("XYZ")


def test_copies_are_returned() -> None:
    a = countries()
    a.loc[0, "name"] = "changed"
    assert countries().loc[0, "name"] != "changed"


def test_most_eidb_partner_names_match(shared_data) -> None:
    partners = pd.read_parquet(
        shared_data / "india_exports_eidb" / "india_exports_hs8_partner.parquet",
        columns=["partner"])["partner"].unique()
    missing = [p for p in partners if match_country(p) is None]
    # what remains are territories atlas does not list (Réunion, Guernsey, …) and 'UNSPECIFIED'
    assert len(missing) <= 25, missing
    assert match_country("RUSSIA") == "RUS"


# -- distances and macro ---------------------------------------------------------------------
def test_distance_india_russia_plausible() -> None:
    frame = distances()
    assert list(frame.columns) == ["exporter", "importer", "dist_km", "distw_km", "contig",
                                   "comlang_off", "colony"]
    km = distance("IND", "RUS")
    assert 4_000 < km < 5_500  # New Delhi–Moscow ≈ 4,350 km
    assert distance("RUS", "IND") == pytest.approx(km)
    pair = frame[(frame.exporter == "IND") & (frame.importer == "PAK")].iloc[0]
    assert pair["contig"] == 1
    assert frame[(frame.exporter == "IND") & (frame.importer == "RUS")].iloc[0]["contig"] == 0


def test_gdp_india_right_order() -> None:
    frame = gdp()
    assert {"iso3", "year", "gdp_usd", "population"} <= set(frame.columns)
    assert not frame.duplicated(["iso3", "year"]).any()
    assert 3.0e12 < gdp_of("IND", 2023) < 4.5e12
    assert 1.3e9 < frame.query("iso3 == 'IND' and year == 2023")["population"].iloc[0] < 1.6e9
    assert gdp_of("RUS", 2024) == pytest.approx(2.17e12, rel=0.05)
    # Taiwan is not in the World Bank's data: it comes from the IMF WEO
    assert frame.query("iso3 == 'TWN'")["source"].eq("IMF WEO").all()
    with pytest.raises(NotFound):
        gdp_of("IND", 1800)


def test_growth_projections() -> None:
    frame = growth_projections()
    assert list(frame.columns) == ["iso3", "year", "growth"]
    ind = frame[frame.iso3 == "IND"]
    assert not ind.empty and ind["growth"].between(-5, 15).all()


# -- products and sections --------------------------------------------------------------------
def test_product_names_for_known_codes() -> None:
    hs12 = products("HS12").set_index("code")
    assert "crude" in hs12.loc["270900", "name"].lower()
    assert "medicament" in hs12.loc["300490", "name"].lower()
    assert hs12.loc["270900", "chapter"] == "27" and hs12.loc["270900", "section"] == 5
    assert hs12.loc["010121", "chapter"] == "01"  # leading zeros kept
    assert (hs12.index.str.len() == 6).all()
    assert "XXXXXX" not in hs12.index
    assert 5_000 < len(hs12) < 5_400
    assert product_name("2709") == (
        "Petroleum oils and oils obtained from bituminous minerals; crude")
    assert product_name("27", "HS22") == ("Mineral fuels, mineral oils and products of their "
                                          "distillation; bituminous substances; mineral waxes")


def test_levels_and_revisions() -> None:
    assert len(products("HS12", 2)) >= 96 and (products("HS12", 2)["code"].str.len() == 2).all()
    assert (products("HS92", 4)["code"].str.len() == 4).all()
    assert len(products("HS22")) > len(products("HS12"))
    hs17 = products("HS17")
    assert 5_300 < len(hs17) < 5_500 and hs17["name"].notna().mean() > 0.99
    with pytest.raises(InputError, match="sectors"):
        products("HS12", level=1)
    with pytest.raises(InputError, match="revision"):
        products("HS99")
    assert normalise_revision("H4") == "HS12" and normalise_revision("hs2017") == "HS17"


def test_sections() -> None:
    sec = sections()
    assert len(sec) == 21 and list(sec["roman"].iloc[[0, 20]]) == ["I", "XXI"]
    got = section_of_chapter(pd.Series(["27", "30", "01", "84", "97", "99", "77"]))
    assert got.iloc[:5].tolist() == [5, 6, 1, 16, 21]
    assert got.iloc[5:].isna().all()
    assert sec.set_index("roman").loc["V", "name"] == "Mineral products"
    # the sections tile chapters 1–97 without gaps or overlaps
    spans = sorted(zip(sec.chapter_from, sec.chapter_to, strict=True))
    assert spans[0][0] == 1 and spans[-1][1] == 97
    assert all(b[0] == a[1] + 1 for a, b in zip(spans, spans[1:], strict=False))


# -- conversion --------------------------------------------------------------------------------
def test_conversion_path_chains_steps() -> None:
    assert conversion_path("HS12", "HS22") == [("H4", "H5"), ("H5", "H6")]
    assert conversion_path("HS17", "HS92")[0] == ("H5", "H4")
    assert len(conversion_path("HS17", "HS92")) == 5
    assert conversion_path("HS12", "HS12") == []


@pytest.mark.parametrize(("src", "dst"), [("HS12", "HS17"), ("HS12", "HS92"), ("HS92", "HS22")])
def test_conversion_preserves_totals(src: str, dst: str) -> None:
    codes = products(src)["code"].iloc[::50].tolist()
    frame = pd.DataFrame({
        "exporter": ["IND", "RUS"] * (len(codes) // 2) + ["IND"] * (len(codes) % 2),
        "product": codes,
        "hs_revision": src,
        "value_usd": [1000.0 + i for i in range(len(codes))],
    })
    out = convert(frame, src, dst)
    assert out["value_usd"].sum() == pytest.approx(frame["value_usd"].sum(), rel=1e-9)
    by_exp = out.groupby("exporter")["value_usd"].sum()
    assert by_exp.to_dict() == pytest.approx(frame.groupby("exporter")["value_usd"].sum().to_dict())
    assert (out["hs_revision"] == dst).all()
    assert out["product"].isin(set(products(dst)["code"]) | {"999999"}).mean() > 0.99


def test_conversion_splits_by_weight() -> None:
    frame = pd.DataFrame({"product": ["851712"], "value_usd": [100.0]})
    out = convert(frame, "HS12", "HS22")
    assert len(out) > 1  # smartphones' HS12 code splits in HS22
    assert out["value_usd"].sum() == pytest.approx(100.0)
    assert convert(pd.DataFrame({"product": ["270900"], "value_usd": [5.0]}), "HS12", "HS22")[
        "product"].tolist() == ["270900"]


def test_conversion_rejects_non_hs6() -> None:
    with pytest.raises(InputError, match="6-digit") as info:
        convert(pd.DataFrame({"product": ["270900", "27090000"], "value_usd": [1.0, 2.0]}),
                "HS12", "HS17")
    assert info.value.line == 2 and info.value.field == "product"


# -- groups ------------------------------------------------------------------------------------
def test_groups_defined() -> None:
    groups = product_groups()
    for name in ("agri", "pharma", "fuels", "chemicals", "machinery", "vehicles", "metals",
                 "textiles", "other"):
        assert name in groups
    assert list(groups)[-1] == "other"
    assert "2936" in groups["pharma"].headings and "30" in groups["pharma"].chapters


@pytest.mark.parametrize(
    ("code", "group"),
    [("2936", "pharma"), ("2937", "pharma"), ("2941", "pharma"), ("294110", "pharma"),
     ("3004", "pharma"), ("30049099", "pharma"), ("30", "pharma"), ("0101", "agri"),
     ("010121", "agri"), ("24", "agri"), ("2709", "fuels"), ("2709000010", "fuels"),
     ("2935", "chemicals"), ("2942", "chemicals"), ("29", "chemicals"), ("3102", "chemicals"),
     ("8471", "machinery"), ("870323", "vehicles"), ("7208", "metals"), ("5208", "textiles"),
     ("7102", "other"), ("25", "other"), ("3901", "other")],
)
def test_group_of(code: str, group: str) -> None:
    assert group_of(pd.Series([code])).iloc[0] == group


def test_group_of_invalid_and_in_group() -> None:
    codes = pd.Series(["2936", "3004", "2909", None, "ab"])
    assert group_of(codes).tolist()[3:] == [None, None]
    assert in_group(codes, "pharma").tolist() == [True, True, False, False, False]
    assert in_group(codes, "chemicals").tolist() == [False, False, True, False, False]
    with pytest.raises(NotFound):
        in_group(codes, "weapons")


def test_groups_partition_hs12() -> None:
    codes = products("HS12")["code"]
    groups = group_of(codes)
    assert groups.notna().all()
    share = groups.value_counts(normalize=True)
    assert share["machinery"] > 0.1 and share["agri"] > 0.15
    assert (groups[codes.str[:2] == "27"] == "fuels").all()
