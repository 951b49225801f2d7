"""`minecheck-server reports prune [--dry-run]`: thin reports past the retention age."""

from __future__ import annotations

from collector_server.commandline import CLIError, CollectorCommand


class Command(CollectorCommand):
    help = "stored reports"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="reports_cmd", required=True)
        p = sub.add_parser(
            "prune",
            help="thin reports older than MINECHECK_REPORT_RETENTION_DAYS (the latest per "
            "device per day, reports with findings and those a notice case refers to "
            "stay)",
        )
        p.add_argument("--dry-run", action="store_true", help="only count what would go")
        p.add_argument(
            "--days", type=float, default=None, help="retention age in days (default: the setting)"
        )

    def run(self, **options) -> int:
        from collector_server.reports.prune import prune_reports

        days = options.get("days")
        if days is not None and days <= 0:
            raise CLIError("--days must be more than 0")
        result = prune_reports(dry_run=options["dry_run"], days=days)
        if result.cutoff is None:
            self.stdout.write("retention is off (MINECHECK_REPORT_RETENTION_DAYS=0)")
            return 0
        verb = "would delete" if result.dry_run else "deleted"
        self.stdout.write(
            f"reports received before {result.cutoff:%Y-%m-%d %H:%M} UTC: {result.old}; "
            f"{verb} {result.deleted}, kept {result.kept}"
        )
        return 0
