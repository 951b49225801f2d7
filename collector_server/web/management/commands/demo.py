"""`minecheck-server demo`: a demo bureau, school, users and enrollment token."""

from __future__ import annotations

from collector_server.commandline import CollectorCommand, migrate


class Command(CollectorCommand):
    help = "demo bureau, school, users and token"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bureau", default="示范县教育局")
        parser.add_argument("--school", default="示范县第一中学")

    def run(self, **options) -> int:
        from django.contrib.auth.models import User

        from collector_server.accounts.services import create_user, generate_password
        from collector_server.ledger.models import (
            EgressLine,
            EnrollmentToken,
            ManagedRange,
            Organisation,
        )

        migrate()
        bureau, _ = Organisation.objects.get_or_create(
            parent=None, name=options["bureau"], defaults={"kind": "county"}
        )
        school, created = Organisation.objects.get_or_create(
            parent=bureau, name=options["school"], defaults={"kind": "school"}
        )
        if created:
            EgressLine.objects.create(
                organisation=school,
                isp="中国电信",
                addresses="203.0.113.8/29",
                bandwidth_mbps=500,
                note="demo",
            )
            ManagedRange.objects.create(organisation=school, cidr="10.12.0.0/16", note="demo")
        lines = [
            f"bureau: {bureau.name} (id {bureau.pk})",
            f"school: {school.name} (id {school.pk})",
        ]
        for username, role, org in (
            ("bureau", "bureau_staff", bureau),
            ("school", "school_staff", school),
        ):
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
