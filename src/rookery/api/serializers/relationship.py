"""Mastodon's Relationship entity, from ``social.selectors.relationships``."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from rookery.accounts.models import User
from rookery.social.selectors import relationships


class RelationshipOut(Schema):
    id: str
    following: bool
    showing_reblogs: bool
    notifying: bool
    languages: list[str] | None
    followed_by: bool
    blocking: bool
    blocked_by: bool
    muting: bool
    muting_notifications: bool
    requested: bool
    requested_by: bool
    domain_blocking: bool
    endorsed: bool
    note: str


def serialize_relationships(viewer: User, ids: list[int]) -> list[dict[str, Any]]:
    states = relationships(viewer, ids)
    return [
        {
            "id": str(other),
            "following": state["following"],
            "showing_reblogs": state["following"],
            "notifying": False,
            "languages": None,
            "followed_by": state["followed_by"],
            "blocking": state["blocking"],
            "blocked_by": state["blocked_by"],
            "muting": state["muting"],
            "muting_notifications": state["muting"],
            "requested": state["requested"],
            "requested_by": state["requested_by"],
            "domain_blocking": False,
            "endorsed": False,
            "note": "",
        }
        for other, state in states.items()
    ]


def serialize_relationship(viewer: User, other_id: int) -> dict[str, Any]:
    return serialize_relationships(viewer, [other_id])[0]
