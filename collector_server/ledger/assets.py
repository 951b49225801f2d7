"""The asset facts of a device as the ledger shows and exports them.

A report's hardware block holds more than the ledger row: network cards, disks, cores. These
helpers read it once for the device page and the export, and clean what an agent sends as is:
loopback and link-local addresses are not IPs a person looks for, a disk mounted twice is one
disk, and an OS name that already holds its version does not get it appended again.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.utils.translation import gettext_lazy as _


def usable_ip(text: str) -> bool:
    """Not a loopback, link-local, unspecified or multicast address.

    Text that is no address at all is kept (shown as the agent sent it, formula-neutralised
    on export): dropping it would hide what a tampered agent claimed.
    """
    try:
        ip = ipaddress.ip_address(str(text).split("%")[0].split("/")[0].strip())
    except ValueError:
        return True
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


def clean_ips(ips) -> list[str]:
    """``ips`` without loopback / link-local ones, duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for ip in ips or []:
        if usable_ip(ip):
            seen.setdefault(str(ip), None)
    return list(seen)


def os_label(name: str | None, version: str | None) -> str:
    """The OS name with its version once ("Ubuntu 22.04.4 LTS", not "… LTS 22.04.4 LTS")."""
    name, version = (name or "").strip(), (version or "").strip()
    if not version:
        return name
    first = version.split()[0]
    if not name:
        return version
    if version in name or first in name:
        return name
    return f"{name} {version}"


def dedupe_os_name(text: str) -> str:
    """A stored os_name whose end repeats the words before it ("A B C B C" → "A B C")."""
    words = (text or "").split()
    for cut in range(1, len(words)):
        tail = words[cut:]
        if len(tail) <= cut and words[cut - len(tail) : cut] == tail:
            return " ".join(words[:cut])
    return text or ""


def _loopback(ip) -> bool:
    try:
        return ipaddress.ip_address(str(ip).split("%")[0]).is_loopback
    except ValueError:
        return False


def _is_loopback_nic(nic: dict[str, Any]) -> bool:
    name = str(nic.get("name") or "").lower()
    ips = [*(nic.get("ipv4") or []), *(nic.get("ipv6") or [])]
    return (
        name in {"lo", "loopback"}
        or name.startswith("loopback pseudo")
        or (bool(ips) and all(_loopback(ip) for ip in ips))
    )


def nic_kind(nic: dict[str, Any]) -> str:
    """A person's word for what a network card is."""
    if nic.get("physical") is True:
        return str(_("Physical"))
    if nic.get("physical") is False:
        return str(_("Virtual"))
    return str(_("Unknown"))


def nic_rows(hardware: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per network card (loopback left out): name, MAC, usable IPs, kind, speed."""
    rows = []
    for nic in (hardware or {}).get("nics") or []:
        if not isinstance(nic, dict) or _is_loopback_nic(nic):
            continue
        rows.append(
            {
                "name": nic.get("name") or "",
                "mac": (nic.get("mac") or "").lower(),
                "ips": clean_ips([*(nic.get("ipv4") or []), *(nic.get("ipv6") or [])]),
                "kind": nic_kind(nic),
                "up": bool(nic.get("up")),
                "speed_mbps": nic.get("speed_mbps"),
            }
        )
    return rows


def nic_macs(hardware: dict[str, Any]) -> list[str]:
    """MACs of the physical network cards (else of all cards), for when the identity has none.

    The identity keeps only burned-in MACs of real hardware, so a virtual machine's card
    (QEMU's 52:54:00…) is not in ``Device.macs`` although the device has it.
    """
    rows = [r for r in nic_rows(hardware) if r["mac"] and r["mac"] != "00:00:00:00:00:00"]
    physical = [r for r in rows if r["kind"] == str(_("Physical"))]
    return list(dict.fromkeys(r["mac"] for r in physical or rows))


def device_macs(device) -> list[str]:
    """The MACs the ledger shows for ``device``: its identity MACs, else its cards' MACs."""
    return list(device.macs or []) or nic_macs(device.hardware or {})


def disk_rows(hardware: dict[str, Any]) -> list[dict[str, Any]]:
    """Disks, one per device path (an agent may list a disk once per mount point)."""
    by_device: dict[str, dict[str, Any]] = {}
    for disk in (hardware or {}).get("disks") or []:
        if not isinstance(disk, dict):
            continue
        key = str(disk.get("device") or disk.get("serial") or disk.get("model") or "")
        row = by_device.setdefault(
            key, {"device": key, "model": "", "serial": "", "size_gb": None, "mountpoints": []}
        )
        for name in ("model", "serial"):
            row[name] = row[name] or (disk.get(name) or "")
        if disk.get("size_gb") and not row["size_gb"]:
            row["size_gb"] = round(float(disk["size_gb"]), 1)
        if disk.get("mountpoint") and disk["mountpoint"] not in row["mountpoints"]:
            row["mountpoints"].append(disk["mountpoint"])
    return list(by_device.values())


def disk_summary(hardware: dict[str, Any]) -> str:
    """ "/dev/vda 64 GB (model)" per disk, for one spreadsheet cell."""
    parts = []
    for d in disk_rows(hardware):
        size = f" {d['size_gb']:g} GB" if d["size_gb"] else ""
        model = f" ({d['model']})" if d["model"] else ""
        parts.append(f"{d['device']}{size}{model}".strip())
    return "; ".join(parts)


def cores(hardware: dict[str, Any]) -> tuple[int | None, int | None]:
    """(physical, logical) core counts of the CPU, when reported."""
    cpu = (hardware or {}).get("cpu") or {}
    return cpu.get("physical_cores"), cpu.get("logical_cores")


def serial_text(device) -> str:
    """System serial, else board serial."""
    return device.system_serial or device.board_serial or ""


# Labels of a finding's subject fields (agent.wire.report.Subject), in that order.
SUBJECT_LABELS = {
    "pid": _("PID"),
    "process_name": _("Process name"),
    "exe": _("Program path"),
    "sha256": "SHA-256",
    "cmdline": _("Command line"),
    "user": _("User"),
    "file": _("File"),
    "remote": _("Remote address"),
    "domain": _("Domain"),
    "registry_key": _("Registry key"),
    "persistence": _("Start-up entry"),
}


def subject_rows(subject) -> list[tuple[str, str]]:
    """A raw finding subject as (label, value) pairs, known fields first, in a fixed order."""
    if not isinstance(subject, dict):
        return []
    rows = [
        (str(label), str(subject[key]))
        for key, label in SUBJECT_LABELS.items()
        if subject.get(key) not in (None, "", [])
    ]
    rows += [
        (str(k), str(v))
        for k, v in subject.items()
        if k not in SUBJECT_LABELS and v not in (None, "", [])
    ]
    return rows


# What the agent's rule ids (agent/detect: "kind:detail" or "kind") mean, for a person.
RULE_TITLES = {
    "pool_domain": _("Known mining-pool domain"),
    "pool_ip": _("Known mining-pool address"),
    "mining_port": _("Port typical of mining pools"),
    "miner_name": _("Known miner program name"),
    "hosts_pool_entry": _("Mining pool in the hosts file"),
    "defender_exclusion": _("Antivirus exclusion"),
    "persistence_hidden": _("Hidden start-up entry"),
    "hidden_location": _("Program in a hidden location"),
    "system_binary_path": _("System program name outside the system folder"),
    "deleted_executable": _("Program file deleted while running"),
    "cross_view_pid": _("Process hidden from the process list"),
    "cross_view_cpu": _("CPU load no visible process explains"),
    "sustained_load": _("Sustained high load"),
    "svchost_without_k": _("svchost without a service group"),
    "kernel_thread_name_with_exe": _("Program posing as a kernel thread"),
    "ld_so_preload": _("Library preloaded into every program"),
    "undecodable_name": _("Process name that cannot be read"),
    "benign_heavy": _("Known legitimate heavy program"),
    "minecheck_instance": _("Another minecheck instance"),
    "yara": _("YARA rule"),
}


def rule_title(rule) -> str:
    """The readable title of an agent rule id ("pool_domain:x" → "Known mining-pool domain
    (x)"), or "" when the rule is not one the collector knows."""
    if not rule:
        return ""
    kind, _sep, detail = str(rule).partition(":")
    title = RULE_TITLES.get(kind)
    if title is None:
        return ""
    return f"{title}（{detail}）" if detail else str(title)
