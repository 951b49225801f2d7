"""Offline hand-carry: `minecheck scan --export` on a PC with no network path, then
`minecheck-server handcarry import` on the collector: once, idempotently, tampering refused."""

from __future__ import annotations

import base64
import json

import pytest

from tests.e2e.conftest import Agent, Collector, server_cli

pytestmark = pytest.mark.slow


@pytest.fixture()
def fresh_collector(tmp_path) -> Collector:
    """A collector data folder of its own (import is a CLI command: no server process). This
    machine's fingerprint is already bound to other agent homes' keys in the shared one."""
    data = tmp_path / "collector"
    data.mkdir()
    server_cli(data, "init")
    server_cli(data, "org", "add", "e2e-school", "--kind", "school")
    return Collector(data, proxy=None)  # type: ignore[arg-type]


def test_exported_file_imports_once_and_a_tampered_one_is_refused(fresh_collector, tmp_path):
    collector = fresh_collector
    token = collector.token()
    cafe = Agent(tmp_path / "cafe-pc")  # never enrolled: only the token from the config file
    cafe.home.mkdir()
    (cafe.home / "minecheck.toml").write_text(
        f'[server]\nenrollment_token = "{token}"\n', encoding="utf-8"
    )
    usb = tmp_path / "usb"
    usb.mkdir()
    cafe.scan("--export", str(usb), "--json", str(tmp_path / "report.json"))
    (exported,) = list(usb.glob("*.mcr"))
    report = json.loads((tmp_path / "report.json").read_text())
    rid = report["report_id"].replace("-", "")

    first = collector.cli("handcarry", "import", str(exported))
    assert ": imported:" in first.stdout, first.stdout
    again = collector.cli("handcarry", "import", str(exported))
    assert "already imported" in again.stdout
    rows = collector.query("SELECT source, device_id FROM ingest_report WHERE report_id = ?", rid)
    assert len(rows) == 1 and rows[0][0] == "handcarry"
    ((org,),) = collector.query(
        "SELECT o.name FROM ledger_device d JOIN ledger_organisation o "
        "ON o.id = d.organisation_id WHERE d.id = ?",
        rows[0][1],
    )
    assert org == "e2e-school"

    envelope = json.loads(exported.read_bytes())
    body = json.loads(base64.b64decode(envelope["report"]))
    body["verdict"]["status"] = "clean" if body["verdict"]["status"] != "clean" else "mining"
    body["report_id"] = "00000000-0000-4000-8000-000000000001"
    envelope["report"] = base64.b64encode(json.dumps(body).encode()).decode()
    tampered = tmp_path / "tampered.mcr"
    tampered.write_text(json.dumps(envelope))
    refused = collector.cli("handcarry", "import", str(tampered), check=False)
    assert refused.returncode == 1
    assert "not imported" in refused.stdout and "changed after it was written" in refused.stdout
    assert collector.query(
        "SELECT COUNT(*) FROM ingest_report WHERE report_id = ?", "00000000000040008000000000000001"
    ) == [(0,)]


def test_cafe_hand_carried_report_lands_in_the_cafes_ledger(tmp_path):
    """A café under the culture and tourism bureau: its USB-carried report is filed in the
    café's own ledger, where the culture bureau (not the education bureau) sees it."""
    data = tmp_path / "collector"
    data.mkdir()
    server_cli(data, "init")
    server_cli(data, "org", "add", "e2e-county", "--kind", "city")
    server_cli(data, "org", "add", "e2e-education", "--kind", "county", "--parent", "e2e-county")
    server_cli(data, "org", "add", "e2e-culture", "--kind", "culture", "--parent", "e2e-county")
    server_cli(data, "org", "add", "e2e-cafe", "--kind", "cafe", "--parent", "e2e-culture")
    collector = Collector(data, proxy=None)  # type: ignore[arg-type]
    cafe = Agent(tmp_path / "cafe-pc")
    cafe.home.mkdir()
    (cafe.home / "minecheck.toml").write_text(
        f'[server]\nenrollment_token = "{collector.token("e2e-cafe")}"\n', encoding="utf-8"
    )
    usb = tmp_path / "usb"
    usb.mkdir()
    cafe.scan("--export", str(usb), "--json", str(tmp_path / "report.json"))
    (exported,) = list(usb.glob("*.mcr"))
    assert ": imported:" in collector.cli("handcarry", "import", str(exported)).stdout
    rid = json.loads((tmp_path / "report.json").read_text())["report_id"].replace("-", "")
    ((org, kind, parent),) = collector.query(
        "SELECT o.name, o.kind, p.name FROM ingest_report r JOIN ledger_device d "
        "ON d.id = r.device_id JOIN ledger_organisation o ON o.id = d.organisation_id "
        "JOIN ledger_organisation p ON p.id = o.parent_id WHERE r.report_id = ?",
        rid,
    )
    assert (org, kind, parent) == ("e2e-cafe", "cafe", "e2e-culture")
