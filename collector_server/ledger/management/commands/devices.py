"""`minecheck-server devices stale`: devices that stopped reporting."""

from __future__ import annotations

from collector_server.commandline import CollectorCommand, find_org


class Command(CollectorCommand):
    help = "devices of the ledger"

    def add_arguments(self, parser) -> None:
        dsub = parser.add_subparsers(dest="dev_cmd", required=True)
        s = dsub.add_parser("stale", help="devices with no report for max(2 x interval, 48 h)")
        s.add_argument("--org", help="only below this organisation")

    def run(self, **options) -> int:
        from django.utils import timezone

        from collector_server.ledger.models import Device
        from collector_server.ledger.stale import silent_for, stale_devices

        qs = Device.objects.select_related("organisation")
        if options["org"]:
            qs = qs.filter(organisation__path__startswith=find_org(options["org"]).path)
        now = timezone.now()
        rows = list(stale_devices(qs, now).order_by("last_seen"))
        for d in rows:
            last = f"{d.last_seen:%Y-%m-%d %H:%M}" if d.last_seen else "never reported"
            hours = silent_for(d, now).total_seconds() / 3600
            print(f"{d.pk}\t{d}\t{d.organisation.name}\tlast report {last}\tsilent {hours:.0f} h")
        print(f"{len(rows)} device(s) stopped reporting")
        return 0
