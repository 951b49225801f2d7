"""`minecheck inventory`: this computer's identity and hardware, as a table or JSON."""

from __future__ import annotations

import argparse
import json
import sys

from agent.i18n import N_, _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help=_("Print the inventory as JSON instead of a table")
    )


def run(args: argparse.Namespace) -> int:
    from agent import platform as agent_platform
    from agent.cli import EXIT_CLEAN
    from agent.collectors.base import ScanContext, ScanOptions
    from agent.i18n import get_language
    from agent.scan import _inventory

    lang = get_language()
    ctx = ScanContext(
        options=ScanOptions(sample_seconds=0, lang=lang), privileged=agent_platform.is_privileged()
    )
    identity, hardware = _inventory(ctx)
    if args.json:
        data = {
            "device": identity.model_dump(mode="json"),
            "hardware": hardware.model_dump(mode="json"),
            "errors": [e.model_dump(mode="json") for e in ctx.errors],
        }
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return EXIT_CLEAN
    sys.stdout.write(inventory_table(identity, hardware, ctx.errors, lang))
    return EXIT_CLEAN


def _rows(pairs: list[tuple[str, object]]) -> list[str]:
    shown = [(k, v) for k, v in pairs if v not in (None, "", [])]
    if not shown:
        return []
    width = max(_width(k) for k, _v in shown)
    return [f"  {k}{' ' * (width - _width(k))}  {v}" for k, v in shown]


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def inventory_table(identity, hardware, errors, lang: str) -> str:
    """Plain-text tables of the inventory (terminal output)."""
    from agent.i18n import gettext_in

    def t(msgid: str) -> str:
        return gettext_in(lang, msgid)

    out: list[str] = []

    def block(title: str, pairs: list[tuple[str, object]]) -> None:
        rows = _rows(pairs)
        if rows:
            out.append(f"{title}\n" + "\n".join(rows) + "\n")

    block(
        t(N_("Device identity")),
        [
            (t(N_("Computer name")), identity.hostname),
            (t(N_("Manufacturer")), identity.manufacturer),
            (t(N_("Model")), identity.product),
            (t(N_("Device fingerprint")), identity.fingerprint),
            (t(N_("System UUID")), identity.parts.system_uuid),
            (t(N_("System serial number")), identity.parts.system_serial),
            (t(N_("Board serial number")), identity.parts.board_serial),
            (t(N_("Physical MAC addresses")), ", ".join(identity.parts.macs)),
        ],
    )
    if hardware.os is not None:
        o = hardware.os
        block(
            t(N_("Operating system")),
            [
                (t(N_("Name")), o.name),
                (t(N_("Version")), o.version),
                (t(N_("Architecture")), o.architecture),
                (t(N_("Domain / workgroup")), o.domain),
                (t(N_("Logged-in users")), ", ".join(o.users)),
            ],
        )
    if hardware.cpu is not None:
        c = hardware.cpu
        block(
            t(N_("Processor")),
            [
                (t(N_("Model")), c.brand),
                (t(N_("Physical cores")), c.physical_cores),
                (t(N_("Logical cores")), c.logical_cores),
                (t(N_("Maximum frequency (MHz)")), f"{c.max_mhz:.0f}" if c.max_mhz else None),
                (
                    t(N_("Instruction sets")),
                    ", ".join(k for k, v in sorted(c.flags.items()) if v),
                ),
            ],
        )
    if hardware.memory is not None:
        block(t(N_("Memory")), [(t(N_("Total (MB)")), f"{hardware.memory.total_mb:.0f}")])
    for i, g in enumerate(hardware.gpus):
        mem = f"{g.memory_total_mb:.0f} MB" if g.memory_total_mb else None
        block(
            f"{t(N_('Graphics cards'))} #{i}",
            [(t(N_("Name")), g.name), (t(N_("Vendor")), g.vendor), (t(N_("Memory (MB)")), mem)],
        )
    for d in hardware.disks:
        size = f"{d.size_gb:.1f} GB" if d.size_gb else None
        block(
            f"{t(N_('Disks'))}: {d.device}",
            [(t(N_("Model")), d.model), (t(N_("Serial number")), d.serial), ("", size)],
        )
    for n in hardware.nics:
        block(
            f"{t(N_('Network interfaces'))}: {n.name}",
            [("MAC", n.mac), ("IPv4", ", ".join(n.ipv4)), ("IPv6", ", ".join(n.ipv6))],
        )
    hp = hardware.high_performance
    block(
        t(N_("High-performance device")),
        [("", t(N_("yes")) if hp.is_high_performance else t(N_("no")))]
        + [("-", r.get(lang)) for r in hp.reasons],
    )
    if errors:
        block(
            t(N_("Checks that could not be completed")),
            [("-", e.message.get(lang)) for e in errors],
        )
    return "\n".join(out)
