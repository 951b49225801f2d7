"""`minecheck-server init`: create the data folder, the signing key and the administrator."""

from __future__ import annotations

from collector_server.commandline import KINDS, CollectorCommand, migrate


class Command(CollectorCommand):
    help = "create the data folder and administrator"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bureau", default="县教育局", help="name of the top organisation")
        parser.add_argument("--kind", default="county", choices=KINDS)
        parser.add_argument("--admin", default="admin", help="administrator user name")

    def run(self, **options) -> int:
        from django.conf import settings
        from django.contrib.auth.models import User

        from collector_server.accounts.services import create_user
        from collector_server.ledger.models import Organisation
        from collector_server.signatures.keys import key_path, signing_key

        migrate()
        print(f"data folder: {settings.DATA_DIR}")
        signing_key()  # the signature-bundle signing key (created once, 0600)
        print(f"signing key: {key_path()}")
        if User.objects.filter(is_superuser=True).exists():
            print("already initialised: an administrator exists (password not shown again)")
            return 0
        root = Organisation.objects.filter(parent=None, name=options["bureau"]).first()
        if root is None:
            root = Organisation.objects.create(name=options["bureau"], kind=options["kind"])
        password = create_user(options["admin"], "bureau_admin", root, superuser=True)
        print(f"organisation: {root.name} ({root.kind}, id {root.pk})")
        print(f"administrator: {options['admin']}")
        print(f"password: {password}")
        print("The password is shown only this once: write it down now.")
        return 0
