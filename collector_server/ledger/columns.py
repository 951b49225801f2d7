"""The columns of the 信息资产台账 (information-asset ledger) spreadsheet, in both languages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str  # internal name; for editable columns the Device field
    zh: str
    en: str
    editable: bool = False  # a person-entered field the import may change
    identifies: bool = False  # used to find the device a row belongs to
    width: int = 14

    def header(self, lang: str) -> str:
        return self.en if lang.startswith("en") else self.zh


COLUMNS: tuple[Column, ...] = (
    Column("organisation", "单位/组织", "Organisation", width=22),
    Column("asset_tag", "资产编号", "Asset tag", editable=True, identifies=True),
    Column("hostname", "主机名", "Hostname", identifies=True, width=18),
    Column("location", "部署位置", "Deployment location", editable=True, width=20),
    Column("department", "管理部门", "Managing department", editable=True, width=16),
    Column("responsible_person", "责任人", "Responsible person", editable=True),
    Column("responsible_phone", "联系电话", "Phone", editable=True),
    Column("ip_addresses", "IP地址", "IP addresses", width=20),
    Column("macs", "MAC地址", "MAC addresses", identifies=True, width=20),
    Column("public_ip", "出口公网地址", "Egress public address", width=16),
    Column("status", "设备状态", "Status", width=10),
    Column("high_performance", "高性能设备", "High-performance", width=10),
    Column("high_performance_reason", "高性能原因", "High-performance reason", width=28),
    Column("cpu_model", "CPU", "CPU", width=28),
    Column("gpu_models", "GPU", "GPU", width=28),
    Column("memory_gb", "内存(GB)", "Memory (GB)", width=10),
    Column("os_name", "操作系统", "Operating system", width=22),
    Column("disks", "硬盘", "Disks", width=30),
    Column("serial", "序列号", "Serial number", width=18),
    Column("system_uuid", "系统UUID", "System UUID", width=36),
    Column("device_id", "设备编号", "Device ID", width=10),
    Column("last_seen", "最近检查时间", "Last checked", width=18),
    Column("last_verdict", "检查结论", "Verdict", width=12),
    Column("signature_version", "特征库版本", "Signature version", width=14),
    Column("pledge_signed", "承诺书", "Pledge signed", width=8),
    Column("first_seen", "首次登记时间", "First seen", width=18),
    Column("notes", "备注", "Notes", width=20),
)

EDITABLE_KEYS = tuple(c.key for c in COLUMNS if c.editable)


def column_by_header() -> dict[str, Column]:
    """Both languages' headers (and the internal keys), case- and space-insensitive."""
    found: dict[str, Column] = {}
    for col in COLUMNS:
        for name in (col.zh, col.en, col.key):
            found[normalise_header(name)] = col
    # common spellings seen in schools' own spreadsheets
    aliases = {
        "单位": "organisation",
        "组织": "organisation",
        "学校": "organisation",
        "计算机名": "hostname",
        "位置": "location",
        "部门": "department",
        "电话": "responsible_phone",
        "手机": "responsible_phone",
        "mac": "macs",
        "ip": "ip_addresses",
        "资产编码": "asset_tag",
        "固定资产编号": "asset_tag",
    }
    by_key = {c.key: c for c in COLUMNS}
    for alias, key in aliases.items():
        found.setdefault(normalise_header(alias), by_key[key])
    return found


def normalise_header(text: str) -> str:
    return "".join(str(text).split()).lower().replace("（", "(").replace("）", ")")
