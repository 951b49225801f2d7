"""`minecheck-server handcarry import|held|accept|reject`: hand-carried report files.

`import` verifies each .mcr file (hash, signature, enrollment token) before it reaches the
ledger: it is the collector's one command that imports report files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from collector_server.commandline import CLIError, CollectorCommand, find_org


class Command(CollectorCommand):
    help = "hand-carried report files"

    def add_arguments(self, parser) -> None:
        hsub = parser.add_subparsers(dest="hc_cmd", required=True)
        i = hsub.add_parser("import", help="verify and import .mcr files")
        i.add_argument("files", nargs="+", metavar="FILE")
        i.add_argument("--org", help="organisation for new devices when a file has no token")
        hsub.add_parser("held", help="files held for review (unknown signing key)")
        for name, text in (("accept", "apply a held file"), ("reject", "keep a held file out")):
            d = hsub.add_parser(name, help=text)
            d.add_argument("id", type=int)

    def run(self, **options) -> int:
        args = argparse.Namespace(**options)
        if args.hc_cmd == "held":
            return _list_held()
        if args.hc_cmd in ("accept", "reject"):
            return _decide_held(args.id, args.hc_cmd == "accept")
        from collector_server.reports.handcarry import HandcarryRefused, import_handcarry

        org = find_org(args.org) if args.org else None
        status = 0
        for name in args.files:
            path = Path(name)
            try:
                data = path.read_bytes()
                result = import_handcarry(data, org)
            except OSError as exc:
                print(f"{path}: cannot read ({exc.strerror or exc})")
                status = 1
                continue
            except HandcarryRefused as exc:
                print(f"{path}: not imported: {exc}")
                status = 1
                continue
            if result.held is not None:
                print(
                    f"{path}: held for review (id {result.held.pk}), not applied: "
                    f"{result.held.reason}; accept or reject it with `minecheck-server handcarry "
                    "accept|reject ID` or on the hand-carry page"
                )
                status = status or 2
                continue
            _print_applied(path, result)
        return status


def _print_applied(name, result) -> None:
    state = "already imported" if result.duplicate else "imported"
    created = " (new ledger entry)" if result.device_created else ""
    print(
        f"{name}: {state}: report {result.report_id}, device {result.device}{created} "
        f"in {result.device.organisation.name}, verdict {result.verdict}"
    )


def _list_held() -> int:
    from collector_server.reports.handcarry import held_for

    rows = list(held_for(None))
    for h in rows:
        where = (
            h.device.organisation.name
            if h.device
            else (h.organisation.name if h.organisation else "—")
        )
        print(
            f"{h.pk}	{h.received_at:%Y-%m-%d %H:%M}	{h.hostname}	{where}	"
            f"verdict {h.verdict}	{h.reason}"
        )
    print(f"{len(rows)} file(s) held for review")
    return 0


def _decide_held(pk: int, accept: bool) -> int:
    from collector_server.reports.handcarry import HandcarryRefused, decide_held
    from collector_server.reports.models import HeldHandcarry

    held = HeldHandcarry.objects.filter(pk=pk).first()
    if held is None:
        raise CLIError(f"no held hand-carry file with id {pk}")
    try:
        result = decide_held(held, accept=accept)
    except HandcarryRefused as exc:
        raise CLIError(f"held file {pk}: {exc}") from exc
    if result is None:
        print(f"held file {pk} rejected: it stays out of the ledger")
    else:
        _print_applied(f"held file {pk}", result)
    return 0
