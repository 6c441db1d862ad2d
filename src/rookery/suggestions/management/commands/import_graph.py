"""``rookery import-graph FILE``: load a follow edge list as users and follows.

For evaluating who-to-follow on a real graph and for migrating a network in. Each line is
"follower followee", separated by a comma or by whitespace; extra columns (a weight, a time) are
ignored; lines starting with ``#`` or ``%`` are comments; a header line is recognised and
skipped. Node ``42`` becomes user ``u42`` (created with an unusable password if missing). Home
timelines are not back-filled: imported follows show posts written from now on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.crypto import get_random_string
from tqdm import tqdm

from rookery.accounts.models import User
from rookery.social.models import Follow
from rookery.suggestions.graph import graph_version_bump

TOKEN_RE = re.compile(r"^[A-Za-z0-9_]{1,29}$")
# A first line naming its columns ("Source,Target,Rating", "id_1,id_2", "follower followee") is a
# header. Only these names count, so that an edge list of usernames keeps its first edge.
HEADER_WORDS = frozenset({"from", "to", "src", "dst", "user", "follows", "id", "name"})
HEADER_PREFIXES = ("follower", "followee", "source", "target", "destination", "node", "id_")
BATCH = 10_000
MAX_REPORTED = 20


def username_for(token: str) -> str:
    return f"u{token.lower()}"


def _fields(line: str) -> list[str]:
    return [f.strip() for f in line.split(",")] if "," in line else line.split()


def parse_edges(lines: Iterator[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """(edges as (follower, followee) tokens, errors as "line N: why")."""
    edges: list[tuple[str, str]] = []
    errors: list[str] = []
    first = True
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line[0] in "#%":
            continue
        fields = _fields(line)
        if first:
            first = False
            words = {f.lower().strip("\"'") for f in fields}
            if words & HEADER_WORDS or any(w.startswith(HEADER_PREFIXES) for w in words):
                continue
        if len(fields) < 2:
            errors.append(f"line {number}: expected two columns, follower and followee")
            continue
        follower, followee = fields[0], fields[1]
        if not (TOKEN_RE.match(follower) and TOKEN_RE.match(followee)):
            errors.append(f"line {number}: ids are 1-29 letters, digits or underscores")
            continue
        if follower.lower() == followee.lower():
            errors.append(f"line {number}: {follower} follows itself")
            continue
        edges.append((follower, followee))
    return edges, errors


class Command(BaseCommand):
    help = "Load an edge list (CSV or whitespace separated 'follower followee') as follows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        quiet = options["no_progress"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with path.open(encoding="utf-8") as handle:
                lines = tqdm(handle, desc="Reading", unit=" lines", disable=quiet)
                edges, errors = parse_edges(iter(lines))
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text ({error.reason}).") from None
        for message in errors[:MAX_REPORTED]:
            self.stderr.write(message)
        if len(errors) > MAX_REPORTED:
            self.stderr.write(f"... and {len(errors) - MAX_REPORTED} more malformed lines")
        if not edges:
            raise CommandError(f"No valid follows in {path}; nothing imported.")

        ids = self._users({username_for(t) for edge in edges for t in edge}, quiet)
        before = Follow.objects.count()
        pairs = list(dict.fromkeys((ids[username_for(a)], ids[username_for(b)]) for a, b in edges))
        with tqdm(total=len(pairs), desc="Follows", unit=" follows", disable=quiet) as bar:
            for start in range(0, len(pairs), BATCH):
                chunk = pairs[start : start + BATCH]
                # ignore_conflicts: follows that already exist stay as they are.
                Follow.objects.bulk_create(
                    [Follow(follower_id=a, followee_id=b) for a, b in chunk],
                    ignore_conflicts=True,
                )
                bar.update(len(chunk))
        added = Follow.objects.count() - before
        self._recount(sorted(set(ids.values())), quiet)
        graph_version_bump()
        self.stdout.write(
            f"Imported {added} new follows ({len(pairs) - added} already there) between "
            f"{len(ids)} users; {len(errors)} malformed line{'s' if len(errors) != 1 else ''}."
        )

    def _users(self, usernames: set[str], quiet: bool) -> dict[str, int]:
        ids: dict[str, int] = {}
        names = sorted(usernames)
        for start in range(0, len(names), BATCH):
            chunk = names[start : start + BATCH]
            ids.update(
                (name.lower(), pk)
                for name, pk in User.objects.filter(username__in=chunk).values_list(
                    "username", "pk"
                )
            )
        missing = [name for name in names if name not in ids]
        with tqdm(total=len(missing), desc="Users", unit=" users", disable=quiet) as bar:
            for start in range(0, len(missing), BATCH):
                chunk = missing[start : start + BATCH]
                with transaction.atomic():
                    User.objects.bulk_create(
                        [
                            User(
                                username=name,
                                password=UNUSABLE_PASSWORD_PREFIX + get_random_string(40),
                            )
                            for name in chunk
                        ]
                    )
                ids.update(User.objects.filter(username__in=chunk).values_list("username", "pk"))
                bar.update(len(chunk))
        return ids

    def _recount(self, user_ids: list[int], quiet: bool) -> None:
        """Counters once at the end instead of two F() updates per follow."""

        def count(field: str) -> Coalesce:
            per_user = (
                Follow.objects.filter(**{field: OuterRef("pk")})
                .values(field)
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(per_user, output_field=IntegerField()), 0)

        for start in tqdm(
            range(0, len(user_ids), BATCH), desc="Counters", unit=" batches", disable=quiet
        ):
            User.objects.filter(pk__in=user_ids[start : start + BATCH]).update(
                followers_count=count("followee"), following_count=count("follower")
            )
