"""Every table a page offers for download is the API's JSON, as CSV and as Excel."""

from __future__ import annotations

import html
import io
import re

import pandas as pd
import pytest

from tradegap.sources import ingest
from tradegap.warehouse import Warehouse


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from tradegap.web.app import create_app

    home = tmp_path_factory.mktemp("downloads") / "wh"
    ingest(Warehouse(home), "demo", [], scale="tiny", years="2023,2024", seed=1,
           max_bad_rows=0, name="demo")
    return TestClient(create_app(home))


def _links(page: str) -> list[str]:
    return [html.unescape(u) for u in re.findall(r'href="(/api/[^"]*download=[^"]+)"', page)]


def _api_url(link: str) -> tuple[str, str]:
    """The API URL without the download parameter, and the table's key."""
    match = re.match(r"(.*)[?&]download=([\w.]+)\.(?:csv|xlsx)$", link)
    assert match is not None, link
    return match.group(1), match.group(2)


#: Every page of the demo, with controls set away from their defaults where a page has them.
PAGES = ["/?a=RUS&b=IND", "/balance?a=RUS&b=IND&frequency=calendar_year",
         "/potential?exporter=IND&market=RUS",
         "/potential?exporter=IND&market=RUS&group=pharma&group=agri&min_untapped=1000000"
         "&sort=rca&order=asc",
         "/plan?scenario=agri-pharma-only&target_pct=12&groups=pharma",
         "/settlement?draws=50&seed=3", "/settlement?plan=agri-pharma-only&draws=20",
         "/measures?scenario=measures-demo&draws=5&seed=1", "/data?a=RUS&b=IND"]


def _table(payload: object, key: str) -> pd.DataFrame:
    """What the page promises to download: the JSON value at dotted ``key`` as a table (read
    here independently of web/downloads.py)."""
    value = payload
    for part in key.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]  # type: ignore[index]
    if isinstance(value, list):
        return pd.DataFrame.from_records(value)
    assert isinstance(value, dict), key
    if all(isinstance(v, dict) for v in value.values()):
        return pd.DataFrame.from_records([{"key": k, **v} for k, v in value.items()])
    return pd.DataFrame({"key": list(value), "value": list(value.values())})


def _same(have: str, want: object) -> bool:
    if want is None or (isinstance(want, float) and want != want):
        return have in ("", "nan", "None")
    if isinstance(want, bool):
        return have == str(want)
    if isinstance(want, int | float):
        try:
            return float(have) == pytest.approx(float(want), rel=1e-9)
        except ValueError:
            return False
    if isinstance(want, dict | list):
        import json

        return json.loads(have) == want
    return have == str(want)


def _check_download(client, link: str) -> None:  # type: ignore[no-untyped-def]
    base, table = _api_url(link)
    api = client.get(base)
    assert api.status_code == 200, base
    expected = _table(api.json(), table)
    got = client.get(link)
    assert got.status_code == 200, link
    assert "attachment" in got.headers["content-disposition"]
    synthetic = (api.json().get("provenance") or {}).get("synthetic")
    if link.endswith(".csv"):
        assert got.text.startswith("# SYNTHETIC") == bool(synthetic), link
        frame = pd.read_csv(io.StringIO(got.text), comment="#", dtype=str,
                            keep_default_na=False)
    else:
        frame = pd.read_excel(io.BytesIO(got.content), sheet_name="table", dtype=str,
                              keep_default_na=False)
    assert list(frame.columns) == [str(c) for c in expected.columns], link
    assert len(frame) == len(expected), link
    for column in expected.columns:
        for have, want in zip(frame[str(column)], expected[column].astype(object),
                              strict=True):
            assert _same(have, want), (link, column, have, want)


@pytest.mark.parametrize("page", PAGES)
def test_each_download_equals_the_api_json(client, page: str) -> None:  # type: ignore[no-untyped-def]
    text = client.get(page).text
    links = _links(text)
    assert any(link.endswith(".csv") for link in links) and any(
        link.endswith(".xlsx") for link in links), page
    for link in links:
        _check_download(client, link)


#: The marks that matter for "a link under every table and chart", in page order.
MARKS = re.compile(r'(<table\b|</table>|class="tg-chart"|data-for="table"|data-for="chart"|'
                   r"<h[1-3]\b)")


@pytest.mark.parametrize("page", PAGES)
def test_every_table_and_chart_has_its_download(client, page: str) -> None:  # type: ignore[no-untyped-def]
    """Each table is followed by its table's links, each chart by its data's links, before
    the next table, chart or heading."""
    text = client.get(page).text
    marks = [m.group(1) for m in MARKS.finditer(text)]
    assert "</table>" in marks or 'class="tg-chart"' in marks, page
    for i, mark in enumerate(marks):
        if mark not in ("</table>", 'class="tg-chart"'):
            continue
        wanted = 'data-for="table"' if mark == "</table>" else 'data-for="chart"'
        rest = marks[i + 1:]
        stop = next((j for j, m in enumerate(rest) if m.startswith(("<table", "<h")) or
                     (m == 'class="tg-chart"' and mark == "</table>")), len(rest))
        assert wanted in rest[:stop], (page, i, mark, marks[max(0, i - 3):i + 4])


def test_potential_download_follows_the_filters(client) -> None:  # type: ignore[no-untyped-def]
    """The potential table's link carries the page's filters, so the file is the rows shown."""
    text = client.get(PAGES[3]).text
    link = next(x for x in _links(text) if x.endswith("rows.csv"))
    for part in ("group=pharma", "group=agri", "min_untapped=1000000", "sort=rca",
                 "order=asc"):
        assert part in link, link
    rows = pd.read_csv(io.StringIO(client.get(link).text), comment="#", dtype={"product": str})
    assert set(rows["group"]) <= {"pharma", "agri"} and (rows["untapped"] >= 1e6).all()
    assert rows["rca"].is_monotonic_increasing


def test_plan_query_equals_the_form_post(client) -> None:  # type: ignore[no-untyped-def]
    """``GET /api/plan`` (the Plan page's downloads) answers what ``POST /api/plan`` does."""
    got = client.get("/api/plan?scenario=agri-pharma-only&target_share=0.12&groups=pharma")
    posted = client.post("/api/plan", json={"scenario": "agri-pharma-only",
                                            "target_share": 0.12, "groups": ["pharma"]})
    assert got.status_code == posted.status_code == 200
    assert got.json() == posted.json()
    assert got.json()["limits"]["target_share"] == pytest.approx(0.12)
    assert client.get("/api/plan?scenario=agri-pharma-only&target_share=3").status_code == 422


def test_unknown_table_and_bad_names_are_refused(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/balance?a=RUS&b=IND&download=nothing.csv").status_code == 404
    assert client.get("/api/balance?a=RUS&b=IND&download=../x.exe").status_code == 422


def test_plan_settings_in_the_url_give_the_same_view(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/plan?scenario=agri-pharma-only&target_pct=12&ramp_pct=30")
    assert page.status_code == 200
    assert re.search(r'id="target_pct"[^>]*value="12(\.0)?"', page.text)
    assert re.search(r'id="ramp_pct"[^>]*value="30(\.0)?"', page.text)
    plain = client.get("/plan?scenario=agri-pharma-only").text
    status = re.compile(r'id="plan-status"[^>]*>([^<]+)<')
    assert status.search(page.text).group(1) != status.search(plain).group(1)
    bad = client.get("/plan?scenario=agri-pharma-only&target_pct=250")
    assert bad.status_code == 422 and "0 to 100 %" in bad.text and "250 %" in bad.text
