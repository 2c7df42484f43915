"""'Apply this fix' on an infeasible plan: the Plan page links to its own address with the
least relaxation applied (the target lowered to 24.9 %, rounded to the form's 0.1 % in the
direction that keeps the plan feasible), and that address solves."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient

from tradegap.web.app import create_app


def _fixes(text: str) -> list[tuple[str, str]]:
    return [(html.unescape(h), label) for h, label in
            re.findall(r'class="apply-fix" href="([^"]+)">([^<]+)<', text)]


def test_apply_this_fix_solves(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path / "wh"))
    page = client.get("/plan", params={"scenario": "logistics-bottleneck"})
    assert page.status_code == 200 and 'id="plan-infeasible"' in page.text
    fixes = _fixes(page.text)
    assert fixes == [("/plan?scenario=logistics-bottleneck&target_pct=24.9",
                      "Apply this fix: the target is lowered to 24.9%")]
    fixed = client.get(fixes[0][0])
    assert fixed.status_code == 200 and 'id="plan-infeasible"' not in fixed.text
    assert 'value="24.9"' in fixed.text  # the form shows the applied setting
    # the re-solve from the form (HTMX) offers the same link, keeping the form's settings
    again = client.post("/plan/results", data={"scenario": "logistics-bottleneck",
                                               "ramp_pct": "100"})
    assert _fixes(again.text) == [("/plan?scenario=logistics-bottleneck&ramp_pct=100&"
                                   "target_pct=24.9",
                                   "Apply this fix: the target is lowered to 24.9%")]
    assert 'class="apply-fix"' not in client.get(
        "/plan", params={"scenario": "all-sectors"}).text  # a feasible plan offers none
