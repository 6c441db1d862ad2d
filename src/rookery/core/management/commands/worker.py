"""``rookery worker``: run background tasks (huey consumer). Run as many as you like."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--threads", type=int, default=4, help="Worker threads.")
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="Don't run periodic tasks here (when another worker already does).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["--workers", str(options["threads"]), "--worker-type", "thread"]
        if options["no_periodic"]:
            argv.append("--no-periodic")
        call_command("run_huey", *argv)
