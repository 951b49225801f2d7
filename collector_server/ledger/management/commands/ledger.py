"""`minecheck-server ledger export|import`: the ledger as XLSX or CSV."""

from __future__ import annotations

from collector_server.commandline import CLIError, CollectorCommand, find_org


class Command(CollectorCommand):
    help = "ledger export/import (XLSX, CSV)"

    def add_arguments(self, parser) -> None:
        lsub = parser.add_subparsers(dest="ledger_cmd", required=True)
        e = lsub.add_parser("export")
        e.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
        e.add_argument("--org")
        e.add_argument("-o", "--output", required=True)
        i = lsub.add_parser("import")
        i.add_argument("file")
        i.add_argument("--dry-run", action="store_true")

    def run(self, **options) -> int:
        from collector_server.ledger import excel
        from collector_server.ledger.models import Device

        if options["ledger_cmd"] == "export":
            qs = Device.objects.select_related("organisation").order_by(
                "organisation__path", "hostname"
            )
            if options["org"]:
                org = find_org(options["org"])
                qs = qs.filter(organisation__path__startswith=org.path)
            with open(options["output"], "wb") as stream:
                count = excel.export_ledger(qs, options["format"], stream)
            print(
                f"wrote {count if count is not None else qs.count()} devices to {options['output']}"
            )
            return 0
        try:
            result = excel.import_ledger(options["file"], None, options["dry_run"])
        except (OSError, ValueError) as exc:  # ImportFileError is a ValueError
            raise CLIError(f"cannot import {options['file']}: {exc}") from exc
        print(describe_import(result))
        return 0 if not getattr(result, "errors", None) else 1


def describe_import(result) -> str:
    """A readable summary of an ImportResult (rows, changes, per-row errors)."""
    changes = getattr(result, "changes", []) or []
    errors = getattr(result, "errors", []) or []
    mode = "dry run, nothing changed" if getattr(result, "dry_run", False) else "applied"
    lines = [
        f"{getattr(result, 'rows', '?')} rows: {len(changes)} to change, "
        f"{getattr(result, 'unchanged', 0)} unchanged, {len(errors)} with errors ({mode})"
    ]
    for change in changes:
        fields = ", ".join(f"{k}: {old!r} → {new!r}" for k, (old, new) in change.changes.items())
        lines.append(f"  row {change.row}: {change.hostname} ({change.organisation}): {fields}")
    for new in getattr(result, "new_devices", []) or []:
        lines.append(
            f"  row {new.row}: NEW {new.hostname} ({new.organisation}), does not run the agent"
        )
    lines += [f"  row {e.row}: ERROR {e.message}" for e in errors]
    return "\n".join(lines)
