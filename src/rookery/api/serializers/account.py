"""Mastodon's Account entity for a Rookery user."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape, linebreaks
from ninja import Schema

from rookery.accounts.models import User
from rookery.api.serializers import Context, iso, iso_date, static_url, web_url


class FieldOut(Schema):
    name: str
    value: str
    verified_at: str | None = None


class AccountOut(Schema):
    id: str
    username: str
    acct: str
    display_name: str
    locked: bool
    bot: bool
    discoverable: bool
    group: bool
    noindex: bool
    created_at: str
    note: str
    url: str
    uri: str
    avatar: str
    avatar_static: str
    header: str
    header_static: str
    followers_count: int
    following_count: int
    statuses_count: int
    last_status_at: str | None
    emojis: list[dict[str, Any]]
    fields: list[FieldOut]
    suspended: bool | None = None


class SourceOut(Schema):
    privacy: str
    sensitive: bool
    language: str
    note: str
    fields: list[FieldOut]
    follow_requests_count: int


class CredentialAccountOut(AccountOut):
    source: SourceOut


MASTODON_PRIVACY = {
    "public": "public",
    "unlisted": "unlisted",
    "followers": "private",
    "mentioned": "direct",
}


def _fields(user: User) -> list[dict[str, Any]]:
    fields = []
    if user.headline:
        fields.append({"name": "Role", "value": escape(user.headline), "verified_at": None})
    if user.website:
        url = escape(user.website)
        fields.append(
            {
                "name": "Website",
                "value": (
                    f'<a href="{url}" rel="nofollow noopener noreferrer me" '
                    f'target="_blank">{url}</a>'
                ),
                "verified_at": None,
            }
        )
    return fields


def serialize_account(user: User, ctx: Context) -> dict[str, Any]:
    profile = ctx.absolute(web_url("web:profile", user.username))
    avatar = ctx.absolute(user.avatar.url if user.avatar else static_url("api/avatar.png"))
    header = ctx.absolute(static_url("api/header.png"))
    return {
        "id": str(user.pk),
        "username": user.username,
        "acct": user.username,
        "display_name": user.display_name,
        "locked": user.locked,
        "bot": False,
        "discoverable": user.discoverable,
        "group": False,
        "noindex": not user.discoverable,
        "created_at": iso(user.date_joined),
        "note": linebreaks(escape(user.bio)) if user.bio else "",
        "url": profile,
        "uri": profile,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": user.followers_count,
        "following_count": user.following_count,
        "statuses_count": user.posts_count,
        "last_status_at": iso_date(getattr(user, "last_post_at", None)),
        "emojis": [],
        "fields": _fields(user),
        **({"suspended": True} if user.is_suspended else {}),
    }


def serialize_credential_account(
    user: User, ctx: Context, *, follow_requests: int
) -> dict[str, Any]:
    data = serialize_account(user, ctx)
    data["source"] = {
        "privacy": "public",
        "sensitive": False,
        "language": "",
        "note": user.bio,
        "fields": [
            {"name": name, "value": value, "verified_at": None}
            for name, value in (("Role", user.headline), ("Website", user.website))
            if value
        ],
        "follow_requests_count": follow_requests,
    }
    return data
