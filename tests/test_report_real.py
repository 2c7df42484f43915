"""A report and the dashboard on a warehouse of real data only (../shared/data): real scenarios
by default, no SYNTHETIC label anywhere but on a section that reads demo inputs (checked on the
HTML and on the PDF's text); the Potential, Plan and Settlement pages use the real data."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tradegap.report.html import SHIPPED_SCENARIOS, ReportOptions, build_context, render_html
from tradegap.warehouse import Warehouse
from tradegap.web import create_app

HTML = {"accept": "text/html"}


def _text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def context(real_home: Path) -> dict[str, Any]:
    return build_context(Warehouse(real_home), "RUS", "IND", ReportOptions(draws=0))


def test_real_report_uses_the_real_scenario_and_no_synthetic_label(
        context: dict[str, Any], tmp_path: Path) -> None:
    assert context["synthetic"] is False and context["demo_sections"] == []
    assert context["hr"] is not None and context["hr"]["plan"] is not None  # real-data plan
    assert context["pl"] is None  # the real scenario's plan is the real-data plan section
    page = render_html(context)
    assert "SYNTHETIC" not in page and "synthetic demo world" not in page
    assert "method: demand method" in _text(page)
    from tradegap.report.pdf import write_pdf

    pdf = write_pdf(context, tmp_path / "real.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Headroom" in text and "russia-demand" in text
    assert "SYNTHETIC" not in text


def test_a_demo_scenario_is_labelled_on_its_section_only(real_home: Path) -> None:
    """The demo candidates (scenarios/all-sectors.toml) on a real warehouse: the plan section
    says SYNTHETIC; the title, banner and the other sections do not."""
    ctx = build_context(Warehouse(real_home), "RUS", "IND", ReportOptions(
        scenario=SHIPPED_SCENARIOS / "all-sectors.toml", headroom=False, draws=0))
    assert ctx["synthetic"] is False and ctx["demo_sections"] == ["plan"]
    page = render_html(ctx)
    head, plan = page.split('id="plan-result"', 1)
    plan, after = plan.split("</section>", 1)
    assert "SYNTHETIC" not in head  # title, banner, summary, balance
    assert 'id="plan-synthetic"' in plan and "SYNTHETIC (demo world)" in plan
    # after the plan: only the assumptions' sentence on the plan's candidates names it
    for m in re.finditer("SYNTHETIC", after):
        assert "The plan is a linear programme" in after[max(0, m.start() - 400):m.start()]


@pytest.fixture(scope="module")
def client(real_home: Path) -> TestClient:
    return TestClient(create_app(real_home), raise_server_exceptions=False)


def test_potential_page_and_api_name_the_method(client: TestClient) -> None:
    r = client.get("/potential?exporter=IND&market=RUS&group=agri&group=pharma", headers=HTML)
    assert r.status_code == 200, r.text[:500]
    text = _text(r.text)
    assert "Method: demand method" in text and "SYNTHETIC" not in text
    assert "realistic extra" in text and "3004" in text
    body = client.get("/api/potential?exporter=IND&market=RUS&group=agri&group=pharma"
                      "&limit=3").json()
    assert body["method"] == "demand" and "no world flows" in body["why"]
    assert body["rows"][0]["product"] == "3004"
    assert body["rows"][0]["untapped"] == pytest.approx(760.33e6, rel=1e-4)
    assert body["provenance"]["synthetic"] is False


def test_plan_and_settlement_pages_offer_the_real_scenarios(client: TestClient) -> None:
    r = client.get("/plan", headers=HTML)
    assert r.status_code == 200, r.text[:500]
    options = re.findall(r"<option[^>]*>([^<]+)</option>", r.text)
    assert options[:3] == ["russia-india-real", "russia-india-real-all-sectors",
                           "russia-india-real-industry"]
    assert "Plan: scenario “russia-india-real”" in _text(r.text)
    assert 'class="banner-synthetic"' not in r.text
    r = client.get("/plan?scenario=russia-india-real-all-sectors", headers=HTML)
    assert r.status_code == 200 and "machinery" in r.text
    r = client.get("/settlement?draws=0", headers=HTML)
    assert r.status_code == 200, r.text[:500]
    assert re.search(r'<option value="settlement-historical" selected', r.text)
    assert '<option value="russia-india-real-all-sectors"' in r.text
    assert 'class="banner-synthetic"' not in r.text
