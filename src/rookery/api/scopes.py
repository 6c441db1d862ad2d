"""Mastodon's OAuth scopes: the four top-level ones and the granular ``read:statuses`` kind."""

from __future__ import annotations

from collections.abc import Iterable

READ_SCOPES = [
    "read:accounts", "read:blocks", "read:bookmarks", "read:favourites", "read:filters",
    "read:follows", "read:lists", "read:mutes", "read:notifications", "read:search",
    "read:statuses",
]  # fmt: skip
WRITE_SCOPES = [
    "write:accounts", "write:blocks", "write:bookmarks", "write:conversations",
    "write:favourites", "write:filters", "write:follows", "write:lists", "write:media",
    "write:mutes", "write:notifications", "write:reports", "write:statuses",
]  # fmt: skip
# Mastodon deprecated "follow" but clients (toot, Mastodon.py's defaults) still ask for it.
FOLLOW_SCOPES = [
    "read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes",
]  # fmt: skip
TOP_LEVEL = ["read", "write", "follow", "push", "profile"]
ALL_SCOPES = frozenset(TOP_LEVEL + READ_SCOPES + WRITE_SCOPES)


def parse(scope: str | Iterable[str] | None) -> set[str]:
    """Split a space- (or comma-, or plus-) separated scope string as clients send it."""
    if scope is None:
        return set()
    if isinstance(scope, str):
        scope = scope.replace(",", " ").replace("+", " ").split()
    return {s.strip() for s in scope if s.strip()}


def unknown(scopes: set[str]) -> set[str]:
    return scopes - ALL_SCOPES


def expand(granted: set[str]) -> set[str]:
    """Every granular scope that ``granted`` implies (``read`` covers ``read:statuses``...)."""
    result = set(granted)
    if "read" in granted:
        result.update(READ_SCOPES)
    if "write" in granted:
        result.update(WRITE_SCOPES)
    if "follow" in granted:
        result.update(FOLLOW_SCOPES)
    return result


def allows(granted: set[str], required: str | tuple[str, ...]) -> bool:
    """True when the token holds ``required`` (or one of several alternatives)."""
    options = (required,) if isinstance(required, str) else required
    expanded = expand(granted)
    return any(option in expanded for option in options)
