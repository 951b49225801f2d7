"""`manage.py notice import FILE [--dry-run]`, `notice list`, `notice token USER`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from collector_server.notices.models import NoticeSource


class Command(BaseCommand):
    help = "Notices of mining IPs/domains: import a notice list, list notices and cases."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import an XLSX/CSV notice list")
        imp.add_argument("file")
        imp.add_argument(
            "--org",
            help="receiving bureau: id or unique name (default: the "
            "top organisation, when there is exactly one)",
        )
        imp.add_argument("--source", default="other", choices=NoticeSource.values)
        imp.add_argument("--number", default="", help="for files without a number column")
        imp.add_argument("--dry-run", action="store_true", help="check only, change nothing")
        sub.add_parser("list", help="notices with their cases, states and due dates")
        tok = sub.add_parser("token", help="issue an API bearer token for a bureau user")
        tok.add_argument("username")
        tok.add_argument("--label", default="")

    def handle(self, *args, **options) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _import(self, options) -> None:
        from collector_server.commandline import CLIError, find_org
        from collector_server.ledger.models import Organisation
        from collector_server.notices.importing import import_notices

        if options["org"]:
            try:
                org = find_org(options["org"])
            except CLIError as exc:
                raise CommandError(str(exc)) from exc
        else:
            roots = list(Organisation.objects.filter(parent__isnull=True)[:2])
            if len(roots) != 1:
                raise CommandError("several top organisations: give --org (id or name)")
            org = roots[0]
        result = import_notices(
            options["file"],
            org,
            dry_run=options["dry_run"],
            source=options["source"],
            number=options["number"],
        )
        for error in result.errors:
            self.stderr.write(f"row {error.row}: {error.message}")
        if result.errors:
            raise CommandError(f"{len(result.errors)} error(s); nothing was imported")
        for planned in result.notices:
            values = ", ".join(i["value"] for i in planned.indicators)
            self.stdout.write(f"{planned.number}\t{planned.source}\t{values}")
        if options["dry_run"]:
            self.stdout.write(
                f"dry run: {len(result.notices)} notice(s), "
                f"{result.indicator_count} indicator(s); nothing changed"
            )
        else:
            self.stdout.write(
                f"imported {len(result.created)} notice(s), opened {result.cases} case(s)"
            )

    def _list(self, options) -> None:
        from collector_server.notices import services
        from collector_server.notices.models import Notice

        for notice in Notice.objects.prefetch_related("indicators", "cases__organisation"):
            values = ", ".join(str(i) for i in notice.indicators.all())
            self.stdout.write(
                f"#{notice.pk}\t{notice.number}\t{notice.source}\t"
                f"{notice.received_at:%Y-%m-%d %H:%M}\t{values}"
            )
            for case in notice.cases.all():
                flag = services.deadline_flag(case)
                self.stdout.write(
                    f"  case #{case.pk}\t{case.organisation.name}\t{case.state}\t"
                    f"locate by {services.locate_due(case):%Y-%m-%d %H:%M}\t"
                    f"report by {services.report_due(case):%Y-%m-%d %H:%M}"
                    + (f"\t{flag.upper()}" if flag else "")
                )

    def _token(self, options) -> None:
        from django.contrib.auth import get_user_model

        from collector_server.notices.access import is_bureau
        from collector_server.notices.models import ApiToken

        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        if not is_bureau(user):
            raise CommandError("API tokens are for bureau staff only")
        _row, plain = ApiToken.issue(user, options["label"])
        self.stdout.write(plain)
