"""``rookery demo``: fill an empty instance with a believable network to explore."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rookery.demo.generator import (
    ADMIN_USERNAME,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    DemoError,
    demo_accounts,
    demo_generate,
    demo_reset,
    non_demo_accounts,
    summary_lines,
)

MAX_USERS = 20_000


class Command(BaseCommand):
    help = (
        "Generate a demo network: people, follows, posts, questions, replies, likes, reposts, "
        f"notifications and home timelines. Log in as {DEMO_USERNAME} / {DEMO_PASSWORD}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=300, help="How many people, 10 to 20000.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same network.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete earlier demo data first (accounts made by hand are kept).",
        )
        parser.add_argument(
            "--admin-password",
            default=None,
            help=f"Also create a superuser {ADMIN_USERNAME!r} with this password.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        users: int = options["users"]
        if not 10 <= users <= MAX_USERS:
            raise CommandError(f"--users must be between 10 and {MAX_USERS}, not {users}.")
        if options["reset"]:
            removed = demo_reset()
            if removed:
                self.stdout.write(f"Deleted the earlier demo data ({removed} accounts).")
        else:
            generated = demo_accounts().count()
            others = non_demo_accounts().count()
            if generated or others:
                raise CommandError(
                    "The database is not empty "
                    f"({generated} demo accounts, {others} other accounts). "
                    "The demo only fills an empty instance; run `rookery demo --reset` to "
                    "replace earlier demo data (accounts made by hand are kept)."
                )
        try:
            summary = demo_generate(
                users=users,
                seed=options["seed"],
                admin_password=options["admin_password"],
                progress=not options["no_progress"] and options["verbosity"] > 0,
            )
        except DemoError as error:
            raise CommandError(str(error)) from None
        for line in summary_lines(summary):
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(f"Log in as {DEMO_USERNAME} with password {DEMO_PASSWORD}")
        )
        if options["admin_password"]:
            self.stdout.write(f"Admin: {ADMIN_USERNAME} with the password you gave.")
