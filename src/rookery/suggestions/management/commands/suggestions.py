"""``rookery suggestions USERNAME``: what who-to-follow would show someone, with scores."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rookery.accounts.models import User
from rookery.suggestions.selectors import MAX_LIMIT, suggestions_for


class Command(BaseCommand):
    help = "Print a user's who-to-follow suggestions with their scores and reasons."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--limit", type=int, default=20, help=f"1 to {MAX_LIMIT}.")
        parser.add_argument("--json", action="store_true", help="One JSON array on stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].lstrip("@")
        limit: int = options["limit"]
        if not 1 <= limit <= MAX_LIMIT:
            raise CommandError(f"--limit must be between 1 and {MAX_LIMIT}, not {limit}.")
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        items = suggestions_for(user, limit=limit)
        if options["json"]:
            rows = [
                {
                    "username": item.user.username,
                    "id": item.user.pk,
                    "score": round(item.score, 6),
                    "reasons": item.reasons,
                    "sources": list(item.sources),
                }
                for item in items
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        if not items:
            self.stdout.write(f"No suggestions for @{user.username}.")
            return
        width = max(len(item.user.username) for item in items) + 1
        for rank, item in enumerate(items, start=1):
            handle = f"@{item.user.username}".ljust(width)
            self.stdout.write(f"{rank:>3}. {handle}  {item.score:8.4f}  {'; '.join(item.reasons)}")
