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


@pytest.mark.parametrize("page", ["/balance?a=RUS&b=IND", "/potential?exporter=IND&market=RUS"])
def test_each_download_equals_the_api_json(client, page: str) -> None:  # type: ignore[no-untyped-def]
    text = client.get(page).text
    links = _links(text)
    assert any(link.endswith(".csv") for link in links), page
    for link in links:
        base, table = _api_url(link)
        api = client.get(base)
        assert api.status_code == 200, base
        expected = pd.DataFrame.from_records(api.json()[table])
        got = client.get(link)
        assert got.status_code == 200, link
        assert "attachment" in got.headers["content-disposition"]
        if link.endswith(".csv"):
            assert got.text.startswith("# SYNTHETIC")  # demo data say so in the file
            frame = pd.read_csv(io.StringIO(got.text), comment="#", dtype=str,
                                keep_default_na=False)
        else:
            frame = pd.read_excel(io.BytesIO(got.content), sheet_name="table", dtype=str,
                                  keep_default_na=False)
        assert list(frame.columns) == list(expected.columns), link
        assert len(frame) == len(expected), link
        for column in expected.columns:
            want = expected[column]
            if pd.api.types.is_bool_dtype(want):
                assert frame[column].tolist() == want.astype(str).tolist(), column
            elif pd.api.types.is_numeric_dtype(want):
                have = pd.to_numeric(frame[column].replace("", None))
                assert have.fillna(-1).to_numpy() == pytest.approx(
                    want.fillna(-1).to_numpy(), rel=1e-9), (link, column)
            else:
                assert frame[column].tolist() == want.fillna("").astype(str).tolist(), column


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
