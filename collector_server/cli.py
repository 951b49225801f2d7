"""`minecheck-server`: set up, run and administer the collector from the command line."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
from pathlib import Path

from collector_server import runinfo

KINDS = ("province", "city", "county", "school", "cafe")
ROLES = ("bureau_admin", "bureau_staff", "school_staff", "viewer")


def setup_django(data: str | None) -> None:
    """Point the settings at the data folder, start Django, keep the folder owner-only."""
    if os.name == "posix":
        os.umask(0o077)  # before the settings write the secret key
    if data:
        os.environ["MINECHECK_DATA"] = str(Path(data).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collector_server.settings")
    import django

    django.setup()
    from django.conf import settings

    from collector_server.datafolder import secure_data_folder

    secure_data_folder(settings.DATA_DIR)


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


class CLIError(Exception):
    """A user error: printed without a traceback, exit code 2."""


def find_org(ref: str):
    """An organisation by id or by (unique) name."""
    from collector_server.ledger.models import Organisation

    if ref.isdigit():
        org = Organisation.objects.filter(pk=int(ref)).first()
        if org:
            return org
    matches = list(Organisation.objects.filter(name=ref))
    if not matches:
        raise CLIError(f"no organisation named {ref!r} (see `minecheck-server org list`)")
    if len(matches) > 1:
        ids = ", ".join(str(o.pk) for o in matches)
        raise CLIError(f"several organisations are named {ref!r}; use the id ({ids})")
    return matches[0]


def generate_password() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def create_user(username: str, role: str, org, *, superuser: bool = False,
                password: str | None = None) -> str:
    """Create a dashboard user with a profile; returns the (generated) password."""
    from django.contrib.auth.models import User

    from collector_server.accounts.models import Profile

    if User.objects.filter(username=username).exists():
        raise CLIError(f"user {username!r} already exists")
    password = password or generate_password()
    if superuser:
        user = User.objects.create_superuser(username=username, password=password)
    else:
        user = User.objects.create_user(username=username, password=password)
    Profile.objects.create(user=user, role=role, organisation=org)
    return password


# --- commands ----------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    data = Path(args.data).resolve()
    setup_django(str(data))
    migrate()
    from django.contrib.auth.models import User

    from collector_server.distribution.keys import key_path, signing_key
    from collector_server.ledger.models import Organisation

    print(f"data folder: {data}")
    signing_key()  # the signature-bundle signing key (created once, 0600)
    print(f"signing key: {key_path()}")
    if User.objects.filter(is_superuser=True).exists():
        print("already initialised: an administrator exists (password not shown again)")
        return 0
    root = Organisation.objects.filter(parent=None, name=args.bureau).first()
    if root is None:
        root = Organisation.objects.create(name=args.bureau, kind=args.kind)
    password = create_user(args.admin, "bureau_admin", root, superuser=True)
    print(f"organisation: {root.name} ({root.kind}, id {root.pk})")
    print(f"administrator: {args.admin}")
    print(f"password: {password}")
    print("The password is shown only this once: write it down now.")
    return 0


CONNECTION_LIMIT = 2000  # idle sockets cost waitress one file descriptor each, no thread
CHANNEL_TIMEOUT = 20  # seconds an idle or half-sent connection is kept


def server_limits() -> dict[str, int]:
    """Waitress connection options; raises the open-file limit so the connection limit fits.

    Waitress serves sockets from one event loop and hands only complete requests to its
    threads, so idle connections are cheap until the descriptor limit; a reverse proxy in
    front (docs/deployment.*.md) applies its own per-client limits.
    """
    limit = CONNECTION_LIMIT
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = limit + 100  # the database, log and static files
        if soft != resource.RLIM_INFINITY and soft < wanted:
            new_soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
            soft = new_soft
        if soft != resource.RLIM_INFINITY:
            limit = max(50, min(limit, soft - 100))
    except (ImportError, ValueError, OSError):  # Windows: no RLIMIT_NOFILE; select() caps
        limit = 500
    return {"connection_limit": limit, "channel_timeout": CHANNEL_TIMEOUT,
            "cleanup_interval": 5}


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def cmd_run(args: argparse.Namespace) -> int:
    setup_django(args.data)
    from django.conf import settings

    if not args.no_migrate:
        migrate()
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    from waitress import create_server

    from collector_server.wsgi import application

    server = create_server(
        application, host=args.host, port=args.port, threads=args.threads,
        # beyond this waitress answers 413 itself; below it the API answers with JSON
        max_request_body_size=2 * settings.MINECHECK_MAX_REPORT_BYTES + 1024 * 1024,
        **server_limits(),
        ident="minecheck",
    )
    from collector_server.jobs.worker import start_embedded_consumer

    consumer = start_embedded_consumer()
    host = args.host if ":" not in args.host else f"[{args.host}]"
    url = f"http://{host}:{server.effective_port}/"
    for other in runinfo.running(Path(settings.DATA_DIR)):
        print(f"note: another minecheck-server (pid {other['pid']}, {other['url']}) serves "
              "the same data folder", flush=True)
    runinfo.record(Path(settings.DATA_DIR), url)
    signal.signal(signal.SIGTERM, _interrupt)  # a service stop ends as cleanly as Ctrl-C
    print(f"minecheck collector listening on {url}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        print("stopped")
    finally:
        runinfo.forget(Path(settings.DATA_DIR))
        server.close()
        if consumer is not None:
            consumer.stop(graceful=True)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """A separate job worker (huey's consumer): several of them against Redis."""
    setup_django(args.data)
    from collector_server.jobs.worker import run_worker

    run_worker(args.workers)
    return 0


def cmd_org(args: argparse.Namespace) -> int:
    setup_django(args.data)
    from collector_server.ledger.models import Organisation

    if args.org_cmd == "add":
        parent = find_org(args.parent) if args.parent else None
        if Organisation.objects.filter(parent=parent, name=args.name).exists():
            raise CLIError(f"{args.name!r} already exists under {parent or 'the top level'}")
        org = Organisation.objects.create(name=args.name, kind=args.kind, parent=parent)
        print(f"added {org.name} ({org.kind}, id {org.pk})")
        return 0
    for org in Organisation.objects.order_by("path"):
        count = org.devices.count()
        print(f"{'  ' * org.depth}{org.name}  [{org.kind}, id {org.pk}, {count} devices]")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    setup_django(args.data)
    from collector_server.ledger.models import Device, EnrollmentToken
    from collector_server.ledger.services import revoke_device_tokens, revoke_enrollment_token

    if args.token_cmd == "create":
        org = find_org(args.org)
        token, plain = EnrollmentToken.issue(
            org, expires_days=args.expires_days, max_uses=args.max_uses, note=args.note or ""
        )
        print(f"enrollment token for {org.name} (id {token.pk}):")
        print(plain)
        print("Shown only this once; the server keeps only its hash.")
        return 0
    if args.token_cmd == "revoke":
        token = EnrollmentToken.objects.filter(pk=args.id).first()
        if token is None:
            raise CLIError(f"no enrollment token with id {args.id}")
        count = revoke_enrollment_token(token, with_devices=args.devices)
        print(f"revoked token {token.pk} ({token.prefix}…)")
        if args.devices:
            print(f"revoked {count} device token(s) it produced")
        return 0
    if args.token_cmd == "revoke-device":
        device = Device.objects.filter(pk=args.device).first()
        if device is None:
            raise CLIError(f"no device with id {args.device}")
        count = revoke_device_tokens(device, reason="revoked by CLI")
        print(f"revoked {count} device token(s) of {device} (id {device.pk}); its agent must "
              "enroll again")
        return 0
    for t in EnrollmentToken.objects.select_related("organisation"):
        state = "revoked" if t.revoked else ("usable" if t.usable() else "expired/used up")
        expires = t.expires_at.strftime("%Y-%m-%d") if t.expires_at else "never"
        limit = t.max_uses if t.max_uses is not None else "∞"
        print(f"{t.pk}\t{t.prefix}…\t{t.organisation.name}\tuses {t.uses}/{limit}\t"
              f"expires {expires}\t{state}")
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    setup_django(args.data)
    if args.user_cmd == "unlock":
        from axes.utils import reset

        count = reset(username=args.username)
        print(f"user {args.username}: {count} lock(s) cleared; sign-in allowed again")
        return 0
    password = create_user(args.username, args.role, find_org(args.org), password=None)
    print(f"user {args.username} ({args.role}) password: {password}")
    return 0


def _ledgerio():
    from collector_server.ledgerio import services

    return services


def cmd_ledger(args: argparse.Namespace) -> int:
    setup_django(args.data)
    services = _ledgerio()
    from collector_server.ledger.models import Device

    if args.ledger_cmd == "export":
        qs = Device.objects.select_related("organisation").order_by(
            "organisation__path", "hostname"
        )
        if args.org:
            org = find_org(args.org)
            qs = qs.filter(organisation__path__startswith=org.path)
        with open(args.output, "wb") as stream:
            count = services.export_ledger(qs, args.format, stream)
        print(f"wrote {count if count is not None else qs.count()} devices to {args.output}")
        return 0
    try:
        result = services.import_ledger(args.file, None, args.dry_run)
    except (OSError, ValueError) as exc:  # ImportFileError is a ValueError
        raise CLIError(f"cannot import {args.file}: {exc}") from exc
    print(describe_import(result))
    return 0 if not getattr(result, "errors", None) else 1


def describe_import(result) -> str:
    """A readable summary of an ImportResult (rows, changes, per-row errors)."""
    changes = getattr(result, "changes", []) or []
    errors = getattr(result, "errors", []) or []
    mode = "dry run, nothing changed" if getattr(result, "dry_run", False) else "applied"
    lines = [f"{getattr(result, 'rows', '?')} rows: {len(changes)} to change, "
             f"{getattr(result, 'unchanged', 0)} unchanged, {len(errors)} with errors ({mode})"]
    for change in changes:
        fields = ", ".join(f"{k}: {old!r} → {new!r}" for k, (old, new) in change.changes.items())
        lines.append(f"  row {change.row}: {change.hostname} ({change.organisation}): {fields}")
    lines += [f"  row {e.row}: ERROR {e.message}" for e in errors]
    return "\n".join(lines)


def cmd_report(args: argparse.Namespace) -> int:
    """Import report files written by agents without a network path (USB hand-carry)."""
    setup_django(args.data)
    from collector_server.ingest.services import ReportFileError, import_report_file

    org = find_org(args.org) if args.org else None
    failed = 0
    for path in args.files:
        try:
            result = import_report_file(path, org)
        except (OSError, ReportFileError) as exc:
            failed += 1
            print(f"{path}: NOT imported: {exc}", file=sys.stderr)
            continue
        body = result.body
        if result.status >= 400:
            failed += 1
            print(f"{path}: NOT imported: {body.get('detail')}", file=sys.stderr)
        elif result.duplicate:
            print(f"{path}: already imported (report {body['report_id']})")
        else:
            print(f"{path}: imported report {body['report_id']} for device {body['device_id']} "
                  f"(verdict {body['verdict']}, {body['findings']} findings)")
    return 1 if failed else 0


def cmd_demo(args: argparse.Namespace) -> int:
    setup_django(args.data)
    migrate()
    from django.contrib.auth.models import User

    from collector_server.ledger.models import (
        EgressLine,
        EnrollmentToken,
        ManagedRange,
        Organisation,
    )

    bureau, _ = Organisation.objects.get_or_create(
        parent=None, name=args.bureau, defaults={"kind": "county"})
    school, created = Organisation.objects.get_or_create(
        parent=bureau, name=args.school, defaults={"kind": "school"})
    if created:
        EgressLine.objects.create(organisation=school, isp="中国电信", addresses="203.0.113.8/29",
                                  bandwidth_mbps=500, note="demo")
        ManagedRange.objects.create(organisation=school, cidr="10.12.0.0/16", note="demo")
    lines = [f"bureau: {bureau.name} (id {bureau.pk})", f"school: {school.name} (id {school.pk})"]
    for username, role, org in (("bureau", "bureau_staff", bureau),
                                ("school", "school_staff", school)):
        user = User.objects.filter(username=username).first()
        if user is None:
            password = create_user(username, role, org)
        else:
            password = generate_password()
            user.set_password(password)
            user.save(update_fields=["password"])
        lines.append(f"user: {username} / {password}  ({role}, {org.name})")
    _, plain = EnrollmentToken.issue(school, expires_days=30, note="demo")
    lines.append(f"enrollment token: {plain}")
    print("\n".join(lines))
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    setup_django(args.data)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["minecheck-server manage", *args.rest])
    return 0


# --- parser ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument("--data", default=os.environ.get("MINECHECK_DATA"),
                      help="data folder (default: $MINECHECK_DATA or ./data)")
    parser = argparse.ArgumentParser(prog="minecheck-server", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", parents=[data], help="create the data folder and administrator")
    p.add_argument("--bureau", default="县教育局", help="name of the top organisation")
    p.add_argument("--kind", default="county", choices=KINDS)
    p.add_argument("--admin", default="admin", help="administrator user name")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("run", parents=[data], help="serve the collector (waitress)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--no-migrate", action="store_true",
                   help="do not apply migrations at start (several workers)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("worker", parents=[data], help="run background jobs (huey consumer)")
    p.add_argument("--workers", type=int, default=2)
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("org", parents=[data], help="organisation tree")
    osub = p.add_subparsers(dest="org_cmd", required=True)
    a = osub.add_parser("add", parents=[data])
    a.add_argument("name")
    a.add_argument("--kind", required=True, choices=KINDS)
    a.add_argument("--parent", help="parent organisation (name or id)")
    osub.add_parser("list", parents=[data])
    p.set_defaults(func=cmd_org)

    p = sub.add_parser("token", parents=[data], help="enrollment tokens")
    tsub = p.add_subparsers(dest="token_cmd", required=True)
    c = tsub.add_parser("create", parents=[data])
    c.add_argument("--org", required=True, help="organisation (name or id)")
    c.add_argument("--expires-days", type=int)
    c.add_argument("--max-uses", type=int)
    c.add_argument("--note")
    tsub.add_parser("list", parents=[data])
    r = tsub.add_parser("revoke", parents=[data], help="revoke an enrollment token")
    r.add_argument("id", type=int)
    r.add_argument("--devices", action="store_true",
                   help="also revoke the device tokens enrolled with it")
    r = tsub.add_parser("revoke-device", parents=[data],
                        help="revoke a device's tokens (its agent must enroll again)")
    r.add_argument("device", type=int, metavar="DEVICE_ID")
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("user", parents=[data], help="dashboard users")
    usub = p.add_subparsers(dest="user_cmd", required=True)
    u = usub.add_parser("add", parents=[data])
    u.add_argument("username")
    u.add_argument("--role", required=True, choices=ROLES)
    u.add_argument("--org", required=True)
    u = usub.add_parser("unlock", parents=[data],
                        help="clear a user's sign-in lock after too many wrong passwords")
    u.add_argument("username")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("ledger", parents=[data], help="ledger export/import (XLSX, CSV)")
    lsub = p.add_subparsers(dest="ledger_cmd", required=True)
    e = lsub.add_parser("export", parents=[data])
    e.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    e.add_argument("--org")
    e.add_argument("-o", "--output", required=True)
    i = lsub.add_parser("import", parents=[data])
    i.add_argument("file")
    i.add_argument("--dry-run", action="store_true")
    p.set_defaults(func=cmd_ledger)

    p = sub.add_parser("report", parents=[data], help="import report files (USB hand-carry)")
    rsub = p.add_subparsers(dest="report_cmd", required=True)
    ri = rsub.add_parser("import", parents=[data])
    ri.add_argument("files", nargs="+", help="report JSON files (.json or .json.gz)")
    ri.add_argument("--org", help="organisation of devices not yet in the ledger")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("demo", parents=[data], help="demo bureau, school, users and token")
    p.add_argument("--bureau", default="示范县教育局")
    p.add_argument("--school", default="示范县第一中学")
    p.set_defaults(func=cmd_demo)

    from collector_server.distribution.commands import add_parsers

    add_parsers(sub, data)

    p = sub.add_parser("manage", parents=[data], help="Django management commands")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CLIError as exc:
        print(f"minecheck-server: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
