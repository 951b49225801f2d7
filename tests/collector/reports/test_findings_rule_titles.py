"""The findings page names a finding's rule by its title, with the rule id beside it."""

from __future__ import annotations

from tests.collector.factories import make_identity, make_report
from tests.collector.web.test_dashboard_seed import seed_county


def test_findings_page_shows_rule_titles(server):
    county = seed_county(server, per_school=1)
    identity = make_identity(f"rules-{server.alias}", hostname=f"RULES-{server.alias}")
    report = make_report(identity, findings=2)
    report.findings[0].rule = "pool_domain:pool.example"
    report.findings[1].rule = "some_future_rule:x"  # unknown to the collector: id as is
    token = server.enrolled(county.school_a, identity)
    assert server.upload(token, report).status_code == 201
    page = county.sessions["bureau"].get(server.url("/findings/"), timeout=30)
    assert page.status_code == 200
    assert '<b class="rule-title">已知矿池域名（pool.example）</b>' in page.text
    assert "some_future_rule:x" in page.text
