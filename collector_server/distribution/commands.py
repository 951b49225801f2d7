"""`minecheck-server signatures|handcarry|devices` subcommands (registered by cli.py)."""

from __future__ import annotations

import argparse
from pathlib import Path


def _setup(args: argparse.Namespace) -> None:
    from collector_server.cli import setup_django

    setup_django(args.data)


def cmd_signatures(args: argparse.Namespace) -> int:
    _setup(args)
    from collector_server.cli import CLIError
    from collector_server.distribution.bundles import ImportRefused, import_file
    from collector_server.distribution.keys import key_path, public_key_b64
    from collector_server.distribution.models import SignatureBundle

    if args.sig_cmd == "import":
        status = 0
        for name in args.files:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CLIError(f"{path}: cannot read ({exc.strerror or exc})") from exc
            try:
                outcome = import_file(path.name, data, args.note or "")
            except ImportRefused as exc:
                print(f"{path}: import refused: {exc}")
                status = 1
                continue
            added = ", ".join(f"{k} +{v}" for k, v in outcome.added.items() if v)
            print(f"{path}: bundle {outcome.bundle.version} published ({added}; "
                  f"{outcome.duplicates} already known; {len(outcome.problems)} bad lines "
                  f"skipped)")
            for problem in outcome.problems[:50]:
                print(f"  skipped {problem}")
        return status
    if args.sig_cmd == "pubkey":
        print(public_key_b64())
        print(f"(private key: {key_path()})")
        return 0
    bundles = SignatureBundle.objects.defer("archive")
    if not bundles:
        print("no bundle published yet: agents use the bundle they shipped with")
    for b in bundles:
        print(f"{b.version}\t{b.created_at:%Y-%m-%d %H:%M}\t{b.size} bytes\t"
              f"sha256 {b.sha256[:16]}…\t{b.notes}")
    return 0


def cmd_handcarry(args: argparse.Namespace) -> int:
    _setup(args)
    if args.hc_cmd == "held":
        return _list_held()
    if args.hc_cmd in ("accept", "reject"):
        return _decide_held(args.id, args.hc_cmd == "accept")
    from collector_server.cli import find_org
    from collector_server.distribution.handcarry import HandcarryRefused, import_handcarry

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
            print(f"{path}: held for review (id {result.held.pk}), not applied: "
                  f"{result.held.reason}; accept or reject it with `minecheck-server handcarry "
                  "accept|reject ID` or on the hand-carry page")
            status = status or 2
            continue
        _print_applied(path, result)
    return status


def _print_applied(name, result) -> None:
    state = "already imported" if result.duplicate else "imported"
    created = " (new ledger entry)" if result.device_created else ""
    print(f"{name}: {state}: report {result.report_id}, device {result.device}{created} "
          f"in {result.device.organisation.name}, verdict {result.verdict}")


def _list_held() -> int:
    from collector_server.distribution.handcarry import held_for

    rows = list(held_for(None))
    for h in rows:
        where = h.device.organisation.name if h.device else (
            h.organisation.name if h.organisation else "—")
        print(f"{h.pk}	{h.received_at:%Y-%m-%d %H:%M}	{h.hostname}	{where}	"
              f"verdict {h.verdict}	{h.reason}")
    print(f"{len(rows)} file(s) held for review")
    return 0


def _decide_held(pk: int, accept: bool) -> int:
    from collector_server.cli import CLIError
    from collector_server.distribution.handcarry import HandcarryRefused, decide_held
    from collector_server.distribution.models import HeldHandcarry

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


def cmd_devices(args: argparse.Namespace) -> int:
    _setup(args)
    from django.utils import timezone

    from collector_server.cli import find_org
    from collector_server.distribution.stale import silent_for, stale_devices
    from collector_server.ledger.models import Device

    qs = Device.objects.select_related("organisation")
    if args.org:
        qs = qs.filter(organisation__path__startswith=find_org(args.org).path)
    now = timezone.now()
    rows = list(stale_devices(qs, now).order_by("last_seen"))
    for d in rows:
        last = f"{d.last_seen:%Y-%m-%d %H:%M}" if d.last_seen else "never reported"
        hours = silent_for(d, now).total_seconds() / 3600
        print(f"{d.pk}\t{d}\t{d.organisation.name}\tlast report {last}\tsilent {hours:.0f} h")
    print(f"{len(rows)} device(s) stopped reporting")
    return 0


def add_parsers(sub, data: argparse.ArgumentParser) -> None:
    p = sub.add_parser("signatures", parents=[data], help="signature bundles for the agents")
    ssub = p.add_subparsers(dest="sig_cmd", required=True)
    i = ssub.add_parser("import", parents=[data],
                        help="import a list (txt/hosts/CSV) or a .yar file; publish a bundle")
    i.add_argument("files", nargs="+", metavar="FILE")
    i.add_argument("--note", help="e.g. the notice number")
    ssub.add_parser("list", parents=[data], help="published bundles")
    ssub.add_parser("pubkey", parents=[data], help="the public key agents verify with")
    p.set_defaults(func=cmd_signatures)

    p = sub.add_parser("handcarry", parents=[data], help="hand-carried report files")
    hsub = p.add_subparsers(dest="hc_cmd", required=True)
    i = hsub.add_parser("import", parents=[data], help="verify and import .mcr files")
    i.add_argument("files", nargs="+", metavar="FILE")
    i.add_argument("--org", help="organisation for new devices when a file has no token")
    hsub.add_parser("held", parents=[data], help="files held for review (unknown signing key)")
    for name, text in (("accept", "apply a held file"), ("reject", "keep a held file out")):
        d = hsub.add_parser(name, parents=[data], help=text)
        d.add_argument("id", type=int)
    p.set_defaults(func=cmd_handcarry)

    p = sub.add_parser("devices", parents=[data], help="devices of the ledger")
    dsub = p.add_subparsers(dest="dev_cmd", required=True)
    s = dsub.add_parser("stale", parents=[data],
                        help="devices with no report for max(2 x interval, 48 h)")
    s.add_argument("--org", help="only below this organisation")
    p.set_defaults(func=cmd_devices)
