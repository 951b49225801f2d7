"""`minecheck-server user add|unlock`: dashboard users."""

from __future__ import annotations

from collector_server.accounts.services import create_user
from collector_server.commandline import ROLES, CollectorCommand, find_org


class Command(CollectorCommand):
    help = "dashboard users"

    def add_arguments(self, parser) -> None:
        usub = parser.add_subparsers(dest="user_cmd", required=True)
        u = usub.add_parser("add")
        u.add_argument("username")
        u.add_argument("--role", required=True, choices=ROLES)
        u.add_argument("--org", required=True)
        u = usub.add_parser(
            "unlock", help="clear a user's sign-in lock after too many wrong passwords"
        )
        u.add_argument("username")

    def run(self, **options) -> int:
        if options["user_cmd"] == "unlock":
            from axes.utils import reset

            count = reset(username=options["username"])
            print(f"user {options['username']}: {count} lock(s) cleared; sign-in allowed again")
            return 0
        password = create_user(options["username"], options["role"], find_org(options["org"]))
        print(f"user {options['username']} ({options['role']}) password: {password}")
        return 0
