"""`minecheck enroll`: register this computer with the collector and keep the device token."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agent.cli import EXIT_CLEAN, EXIT_ERROR, load_agent_state
from agent.i18n import N_, _, get_language

LEDGER_FLAGS = ("location", "department", "owner", "phone", "asset_tag")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", help=_("Collector address, e.g. https://collector.example"))
    parser.add_argument("--token", help=_("Enrollment token from the bureau or school"))
    parser.add_argument("--config", type=Path, help=_("Configuration file (minecheck.toml)"))
    parser.add_argument("--location", help=_("Deployment location, e.g. Lab 2, seat 14"))
    parser.add_argument("--department", help=_("Managing department"))
    parser.add_argument("--owner", help=_("Responsible person"))
    parser.add_argument("--phone", help=_("Responsible person's phone"))
    parser.add_argument("--asset-tag", dest="asset_tag", help=_("Asset tag"))
    parser.add_argument(
        "--insecure",
        action="store_true",
        help=_("Do not verify the TLS certificate (testing only)"),
    )


def run(args: argparse.Namespace) -> int:
    from agent.transport.enrollment import EnrollmentError, enroll_with_answer

    state = load_agent_state(args.config)
    if state is None:
        return EXIT_ERROR
    server = state.config.server
    updates = {"url": args.server} if args.server else {}
    if args.token:
        updates["enrollment_token"] = args.token
    if args.insecure:
        updates["verify_tls"] = False
    server = server.model_validate({**server.model_dump(), **updates})
    ledger = state.config.ledger.model_dump()
    ledger.update({k: getattr(args, k) for k in LEDGER_FLAGS if getattr(args, k)})
    try:
        creds, answer = enroll_with_answer(state.home, server, ledger)
    except EnrollmentError as exc:
        print(_("Enrollment failed: {error}").format(error=exc), file=sys.stderr)
        return EXIT_ERROR
    print(
        _("Enrolled with {server}; device token stored in {home}.").format(
            server=creds.server_url, home=state.home
        )
    )
    for line in answer_lines(answer):
        print(line)
    return EXIT_CLEAN


# the ledger fields' names as the ledger (and the dashboard) shows them
LEDGER_LABELS = {
    "location": N_("location"),
    "department": N_("managing department"),
    "responsible_person": N_("responsible person"),
    "responsible_phone": N_("responsible person's phone"),
    "asset_tag": N_("asset tag"),
}


def answer_lines(answer: dict) -> list[str]:
    """What the collector did with this enrollment, in words: a device already in the
    ledger, the ledger fields it kept (a person had set them) and the ones filled in."""
    lines = []
    organisation = (answer.get("organisation") or {}).get("name") or "?"
    if answer.get("created") is False:
        lines.append(
            _(
                "This computer was already in the ledger (device {id}, {organisation}): it "
                "keeps its entry and its history; its earlier device token no longer works."
            ).format(id=answer.get("device_id", "?"), organisation=organisation)
        )
    for item in answer.get("ledger_kept") or []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("field", ""))
        label = _(LEDGER_LABELS[name]) if name in LEDGER_LABELS else name
        lines.append(
            _(
                'The ledger keeps its {field} "{kept}" (already set, e.g. by a person); '
                '"{sent}" from this enrollment was not used. To change it, edit the device '
                "in the collector's ledger."
            ).format(field=label, kept=item.get("kept", ""), sent=item.get("sent", ""))
        )
    filled = [
        _(LEDGER_LABELS[n]) if n in LEDGER_LABELS else str(n)
        for n in answer.get("ledger_filled") or []
    ]
    if filled:
        sep = "、" if get_language() == "zh" else ", "
        lines.append(_("Filled in the ledger: {fields}.").format(fields=sep.join(filled)))
    return lines
