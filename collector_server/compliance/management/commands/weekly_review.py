"""`weekly_review [--week 2026-W48]`: generate the week's reviews (existing ones are kept)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from collector_server.compliance.review import WeekError, generate_all, previous_week


class Command(BaseCommand):
    help = "Generate every organisation's weekly review (每周研判) of an ISO week, once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--week", help="ISO week like 2026-W48 (default: last week)")

    def handle(self, *args, week: str | None = None, **options) -> None:
        week = week or previous_week()
        try:
            created = generate_all(week)
        except WeekError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{week}: {len(created)} reviews generated")
