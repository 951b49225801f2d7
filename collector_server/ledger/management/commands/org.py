"""`minecheck-server org add|list`: the organisation tree."""

from __future__ import annotations

from collector_server.commandline import KINDS, CLIError, CollectorCommand, find_org


class Command(CollectorCommand):
    help = "organisation tree"

    def add_arguments(self, parser) -> None:
        osub = parser.add_subparsers(dest="org_cmd", required=True)
        a = osub.add_parser("add")
        a.add_argument("name")
        a.add_argument("--kind", required=True, choices=KINDS)
        a.add_argument("--parent", help="parent organisation (name or id)")
        osub.add_parser("list")

    def run(self, **options) -> int:
        from collector_server.ledger.models import Organisation

        if options["org_cmd"] == "add":
            name = options["name"]
            parent = find_org(options["parent"]) if options["parent"] else None
            if Organisation.objects.filter(parent=parent, name=name).exists():
                raise CLIError(f"{name!r} already exists under {parent or 'the top level'}")
            org = Organisation.objects.create(name=name, kind=options["kind"], parent=parent)
            print(f"added {org.name} ({org.kind}, id {org.pk})")
            return 0
        for org in Organisation.objects.order_by("path"):
            count = org.devices.count()
            print(f"{'  ' * org.depth}{org.name}  [{org.kind}, id {org.pk}, {count} devices]")
        return 0
