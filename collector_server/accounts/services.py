"""Creating dashboard users (the CLI's init, user add and demo)."""

from __future__ import annotations

import secrets

from collector_server.commandline import CLIError


def generate_password() -> str:
    """A 16-character password without look-alike characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def create_user(
    username: str, role: str, org, *, superuser: bool = False, password: str | None = None
) -> str:
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
