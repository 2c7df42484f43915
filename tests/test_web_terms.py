"""Each indicator carries a short definition with its source, from one module
(``tradegap.report.glossary``): on the dashboard's pages as an ``<abbr>`` title on the
indicator's name and as a folded list under the section."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from tradegap.report.glossary import TERMS
from tradegap.sources import ingest
from tradegap.warehouse import Warehouse

#: The indicators issue 16 names, each with the reference its definition cites.
REQUIRED = {"rca": "Balassa (1965)", "hhi": "WITS", "untapped": "ITC", "realised": "ITC",
            "headroom": "tradegap", "gravity": "Santos Silva", "mirror_gap": "CIF"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    from tradegap.web.app import create_app

    home = tmp_path_factory.mktemp("terms") / "wh"
    ingest(Warehouse(home), "demo", [], scale="tiny", years="2023,2024", seed=1,
           max_bad_rows=0, name="demo")
    return TestClient(create_app(home))


def test_every_required_indicator_is_defined_with_a_source() -> None:
    for key, cited in REQUIRED.items():
        t = TERMS[key]
        assert len(t.definition) > 60 and t.source, key
        assert cited in t.definition + t.source, key
    # the sign of the mirror gap is stated
    assert "Importer-declared minus exporter-declared" in TERMS["mirror_gap"].definition


def _terms(page: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in
            re.findall(r'<abbr class="term" data-term="(\w+)" title="([^"]+)"', page)}


@pytest.mark.parametrize(("path", "keys", "listed"), [
    # the demo holds no mirror declarations: the gap's definition is listed, not in a table
    ("/balance?a=RUS&b=IND", {"hhi", "balance"}, {"mirror_gap"}),
    ("/potential?exporter=IND&market=RUS", {"rca", "potential", "untapped", "realised"}, set()),
])
def test_pages_explain_their_indicators(client: TestClient, path: str, keys: set[str],
                                        listed: set[str]) -> None:
    page = client.get(path).text
    found = _terms(page)
    assert keys <= set(found), (path, sorted(found))
    for key in keys:
        assert found[key].startswith(TERMS[key].definition), key
        assert TERMS[key].source in found[key], key
    for key in keys | listed:  # and in the section's folded list
        assert f'<dt data-term="{key}">' in page, key
