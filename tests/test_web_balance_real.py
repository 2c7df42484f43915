"""The Balance page on the real warehouse (the session's ``real_home``): the dataset picker
(where several datasets hold the pair's numbers, one can be shown alone; the page, its downloads
and ``/api/balance?dataset=`` give what ``balance(..., datasets=[name])`` gives) and the
treemaps' drill-down to HS6."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tradegap.analysis.balance import balance
from tradegap.warehouse import Warehouse
from tradegap.web import create_app

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def client(real_home: Path) -> TestClient:
    return TestClient(create_app(real_home), raise_server_exceptions=False)


def test_picker_lists_the_datasets_of_the_pair(client: TestClient) -> None:
    page = client.get("/balance?a=RUS&b=IND", headers=HTML).text
    picker = re.search(r'<select name="dataset" id="dataset">(.*?)</select>', page, re.S)
    assert picker is not None
    offered = re.findall(r'<option value="([\w-]*)"', picker.group(1))
    assert offered[0] == "" and {"russia-customs-fts", "russia-customs-mirror"} <= set(offered)


def test_one_dataset_alone(client: TestClient, real_home: Path) -> None:
    want = balance(Warehouse(real_home), "RUS", "IND", datasets=["russia-customs-fts"])
    api = client.get("/api/balance?a=RUS&b=IND&dataset=russia-customs-fts").json()
    assert api["provenance"]["datasets"] == ["russia-customs-fts"]
    got = {r["period"]: r["exports"] for r in api["summary"]}
    assert got == pytest.approx(dict(zip(want.summary["period"], want.summary["exports"],
                                         strict=True)), nan_ok=True)
    default = client.get("/api/balance?a=RUS&b=IND").json()
    assert {r["period"] for r in default["summary"]} != set(got)  # the choice shows
    page = client.get("/balance?a=RUS&b=IND&dataset=russia-customs-fts", headers=HTML).text
    assert '<option value="russia-customs-fts" selected>' in page
    links = [html.unescape(u) for u in re.findall(r'href="(/api/balance[^"]*download=[^"]+)"',
                                                   page)]
    assert links and all("dataset=russia-customs-fts" in u for u in links)


def test_a_dataset_without_the_pair_is_refused(client: TestClient) -> None:
    r = client.get("/balance?a=RUS&b=IND&dataset=no-such-data", headers=HTML)
    assert r.status_code == 400 and "russia-customs-mirror" in r.text


def test_treemaps_drill_down_to_hs6(client: TestClient, real_home: Path) -> None:
    """The Balance page's treemaps hold sections, chapters, headings and HS6 lines (two levels
    shown at a time; a click drills down); each level adds up within its parent."""
    import json

    page = client.get("/balance?a=RUS&b=IND", headers=HTML).text
    figures = [json.loads(html.unescape(f)) for f in re.findall(r'data-figure="([^"]+)"', page)]
    maps = [f["data"][0] for f in figures if f["data"] and f["data"][0]["type"] == "treemap"]
    assert len(maps) == 2
    for tm in maps:
        assert tm["maxdepth"] == 2
        kinds = {i[0] for i in tm["ids"]}
        assert kinds == {"s", "c", "h", "p"}, kinds  # section, chapter, HS4, HS6
        value = dict(zip(tm["ids"], tm["values"], strict=True))
        below: dict[str, float] = {}
        for node, parent in zip(tm["ids"], tm["parents"], strict=True):
            if parent:
                below[parent] = below.get(parent, 0.0) + value[node]
        for parent, total in below.items():
            assert total <= value[parent] * (1 + 1e-9), parent
    want = balance(Warehouse(real_home), "RUS", "IND", level="hs6").composition
    imports = want[(want["side"] == "imports") & (want["period"] == "2024")]
    biggest = imports.sort_values("value_usd").iloc[-1]
    tm = next(m for m in maps if f"p{biggest['code']}" in m["ids"])
    assert dict(zip(tm["ids"], tm["values"], strict=True))[f"p{biggest['code']}"] == \
        pytest.approx(biggest["value_usd"])
