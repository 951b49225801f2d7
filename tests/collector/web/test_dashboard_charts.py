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


def test_bar_chart_with_no_data_draws_no_bars():
    root = ET.fromstring(str(bar_chart([], [], title="empty")))
    assert list(root.iter(f"{SVG}rect")) == []


def test_share_bar_widths_follow_values():
    svg = str(share_bar([("clean", "正常", 30), ("mining", "挖矿", 10), ("none", "x", 0)],
                        title="t", width=400))
    widths = [float(w) for w in re.findall(r'<rect x="[^"]+" y="4" width="([^"]+)"', svg)]
    assert widths == [300.0, 100.0]
    assert "#c62828" in svg and "正常 30" in svg
