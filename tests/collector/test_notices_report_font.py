"""The written report's PDF needs a CJK font from the system: a clear error names the
package when none is there; MINECHECK_CJK_FONT points at another file."""

from __future__ import annotations

import pytest


def test_missing_cjk_font_names_the_package(django_dbs, monkeypatch, tmp_path):
    from collector_server.notices import report

    real = report.cjk_font()  # CI installs fonts-wqy-microhei (.ci/run)
    monkeypatch.setattr(report, "FONT_CANDIDATES", (str(tmp_path / "absent.ttc"),))
    monkeypatch.delenv("MINECHECK_CJK_FONT", raising=False)
    with pytest.raises(report.FontMissing, match="fonts-wqy-microhei"):
        report.cjk_font()
    monkeypatch.setenv("MINECHECK_CJK_FONT", str(real))
    assert report.cjk_font() == real
