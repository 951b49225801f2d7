"""`minecheck-server token create|list|revoke|revoke-device`: enrollment and device tokens."""

from __future__ import annotations

from collector_server.commandline import CLIError, CollectorCommand, find_org


class Command(CollectorCommand):
    help = "enrollment tokens"

    def add_arguments(self, parser) -> None:
        tsub = parser.add_subparsers(dest="token_cmd", required=True)
        c = tsub.add_parser("create")
        c.add_argument("--org", required=True, help="organisation (name or id)")
        c.add_argument("--expires-days", type=int)
        c.add_argument("--max-uses", type=int)
        c.add_argument("--note")
        tsub.add_parser("list")
        r = tsub.add_parser("revoke", help="revoke an enrollment token")
        r.add_argument("id", type=int)
        r.add_argument(
            "--devices", action="store_true", help="also revoke the device tokens enrolled with it"
        )
        r = tsub.add_parser(
            "revoke-device", help="revoke a device's tokens (its agent must enroll again)"
        )
        r.add_argument("device", type=int, metavar="DEVICE_ID")

    def run(self, **options) -> int:
        from collector_server.ledger.models import Device, EnrollmentToken
        from collector_server.ledger.services import (
            revoke_device_tokens,
            revoke_enrollment_token,
        )

        cmd = options["token_cmd"]
        if cmd == "create":
            org = find_org(options["org"])
            token, plain = EnrollmentToken.issue(
                org,
                expires_days=options["expires_days"],
                max_uses=options["max_uses"],
                note=options["note"] or "",
            )
            print(f"enrollment token for {org.name} (id {token.pk}):")
            print(plain)
            print("Shown only this once; the server keeps only its hash.")
            return 0
        if cmd == "revoke":
            token = EnrollmentToken.objects.filter(pk=options["id"]).first()
            if token is None:
                raise CLIError(f"no enrollment token with id {options['id']}")
            count = revoke_enrollment_token(token, with_devices=options["devices"])
            print(f"revoked token {token.pk} ({token.prefix}…)")
            if options["devices"]:
                print(f"revoked {count} device token(s) it produced")
            return 0
        if cmd == "revoke-device":
            device = Device.objects.filter(pk=options["device"]).first()
            if device is None:
                raise CLIError(f"no device with id {options['device']}")
            count = revoke_device_tokens(device, reason="revoked by CLI")
            print(
                f"revoked {count} device token(s) of {device} (id {device.pk}); its agent "
                "must enroll again"
            )
            return 0
        for t in EnrollmentToken.objects.select_related("organisation"):
            state = "revoked" if t.revoked else ("usable" if t.usable() else "expired/used up")
            expires = t.expires_at.strftime("%Y-%m-%d") if t.expires_at else "never"
            limit = t.max_uses if t.max_uses is not None else "∞"
            print(
                f"{t.pk}\t{t.prefix}…\t{t.organisation.name}\tuses {t.uses}/{limit}\t"
                f"expires {expires}\t{state}"
            )
        return 0
