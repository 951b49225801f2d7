"""The server-side SVG charts: well-formed, escaped, proportional."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from collector_server.web.charts import bar_chart, share_bar

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_is_valid_svg_with_escaped_labels():
    svg = bar_chart(["11-02", "<script>"], [4, 10], title='Reports "weekly" & more')
    root = ET.fromstring(str(svg))  # parses: well-formed XML
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    heights = [float(r.get("height")) for r in root.iter(f"{SVG}rect")]
    assert len(heights) == 2 and abs(heights[1] / heights[0] - 2.5) < 0.01
    assert root.find(f"{SVG}title").text == 'Reports "weekly" & more'


def test_bar_chart_with_no_data_draws_no_bars(server):  # server: settings for gettext
    root = ET.fromstring(str(bar_chart([], [], title="empty")))
    assert list(root.iter(f"{SVG}rect")) == []


def test_share_bar_widths_follow_values():
    svg = str(
        share_bar(
            [("clean", "正常", 30), ("mining", "挖矿", 10), ("none", "x", 0)], title="t", width=400
        )
    )
    widths = [float(w) for w in re.findall(r'<rect x="[^"]+" y="4" width="([^"]+)"', svg)]
    assert widths == [300.0, 100.0]
    assert "#c62828" in svg and "正常 30" in svg


def test_empty_charts_say_no_data_instead_of_bare_axes(server):
    from django.utils import translation

    with translation.override("zh-hans"):
        for svg in (
            bar_chart(["11-02", "11-09"], [0, 0], title="t"),
            share_bar([("clean", "正常", 0)], title="t"),
        ):
            root = ET.fromstring(str(svg))
            assert list(root.iter(f"{SVG}rect")) == [] and list(root.iter(f"{SVG}line")) == []
            assert "暂无数据" in str(svg)


def test_count_axes_have_whole_number_ticks(server):
    for top in (1, 3, 5, 7, 40):
        svg = str(bar_chart(["a", "b"], [top, 1], title="t"))
        ticks = re.findall(r'text-anchor="end" class="axis">([^<]+)</text>', svg)
        assert ticks and all(float(t).is_integer() for t in ticks), (top, ticks)


def test_bureau_overview_has_a_chart_by_school(server):
    from tests.collector.web.test_dashboard_seed import seed_county

    county = seed_county(server, per_school=2)
    page = county.sessions["bureau"].get(server.url("/"), timeout=30)
    assert page.status_code == 200
    section = page.text.split('id="school-chart"')[1].split("</svg>")[0]
    assert county.school_a.name[:11] in section and county.school_b.name[:11] in section
    bars = re.findall(r"<title>([^<]+) · ([^<]+): (\d+)</title>", section)
    by = {(school, series): int(n) for school, series, n in bars}
    assert by[(county.school_b.name, "挖矿")] == 2
    assert by[(county.school_a.name, "挖矿")] == 0
    assert by[(county.school_a.name, "设备数")] == 2
    assert "暂无数据" not in section
    # a school user sees one school: no chart by school
    mine = county.sessions["school_a"].get(server.url("/"), timeout=30).text
    assert 'id="school-chart"' not in mine


def test_api_docs_page_is_in_chinese(server):
    import requests

    page = requests.get(
        server.url("/api/v1/docs"), timeout=30, headers={"Accept-Language": "zh-CN"}
    )
    assert page.status_code == 200
    assert "<h1>汇总服务器的客户端接口" in page.text
    for summary in ("用登记令牌登记设备", "上传一份检查报告", "单台设备的台账字段和最新硬件信息"):
        assert f"<b>{summary}</b>" in page.text, summary
    assert "<th>状态码</th>" in page.text
    assert "<b>Upload one scan report</b>" not in page.text
