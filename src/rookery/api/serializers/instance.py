"""Mastodon's Instance entity, v1 and v2, with a version string Mastodon clients parse."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from django.conf import settings
from ninja import Schema

from rookery.api.serializers import Context, static_url

# Clients gate features on the Mastodon version; 4.3.0 is the API level this layer follows.
MASTODON_COMPAT = "4.3.0"
MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
MAX_MEDIA_ATTACHMENTS = 4
MEDIA_MAX_PIXELS = 16_777_216


@lru_cache(maxsize=1)
def rookery_version() -> str:
    try:
        return version("rookery")
    except PackageNotFoundError:
        return "0.0.0"


def version_string() -> str:
    return f"{MASTODON_COMPAT} (compatible; Rookery {rookery_version()})"


class InstanceV1Out(Schema):
    uri: str
    title: str
    short_description: str
    description: str
    email: str
    version: str
    urls: dict[str, str]
    stats: dict[str, int]
    thumbnail: str | None
    languages: list[str]
    registrations: bool
    approval_required: bool
    invites_enabled: bool
    configuration: dict[str, Any]
    contact_account: dict[str, Any] | None
    rules: list[dict[str, Any]]


class InstanceV2Out(Schema):
    domain: str
    title: str
    version: str
    source_url: str
    description: str
    usage: dict[str, Any]
    thumbnail: dict[str, Any]
    languages: list[str]
    configuration: dict[str, Any]
    registrations: dict[str, Any]
    contact: dict[str, Any]
    rules: list[dict[str, Any]]
    api_versions: dict[str, int]


def _configuration(ctx: Context) -> dict[str, Any]:
    return {
        "urls": {"streaming": ctx.base.replace("http", "ws", 1)},
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
        "statuses": {
            "max_characters": settings.POST_MAX_CHARS,
            "max_media_attachments": MAX_MEDIA_ATTACHMENTS,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": MEDIA_TYPES,
            "image_size_limit": settings.MEDIA_MAX_BYTES,
            "image_matrix_limit": MEDIA_MAX_PIXELS,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": 0,
            "max_characters_per_option": 0,
            "min_expiration": 0,
            "max_expiration": 0,
        },
        "translation": {"enabled": False},
    }


def serialize_instance_v1(ctx: Context, *, domain: str, users: int, posts: int) -> dict[str, Any]:
    description = f"{settings.INSTANCE_NAME}, a Rookery professional network."
    return {
        "uri": domain,
        "title": settings.INSTANCE_NAME,
        "short_description": description,
        "description": description,
        "email": settings.DEFAULT_FROM_EMAIL,
        "version": version_string(),
        "urls": {"streaming_api": ctx.base.replace("http", "ws", 1)},
        "stats": {"user_count": users, "status_count": posts, "domain_count": 1},
        "thumbnail": ctx.absolute(static_url("api/header.png")),
        "languages": ["en"],
        "registrations": settings.SIGNUP_MODE == "open",
        "approval_required": False,
        "invites_enabled": settings.SIGNUP_MODE == "invite",
        "configuration": _configuration(ctx),
        "contact_account": None,
        "rules": [],
    }


def serialize_instance_v2(ctx: Context, *, domain: str, active_users: int) -> dict[str, Any]:
    return {
        "domain": domain,
        "title": settings.INSTANCE_NAME,
        "version": version_string(),
        "source_url": "https://github.com/rookery-social/rookery",
        "description": f"{settings.INSTANCE_NAME}, a Rookery professional network.",
        "usage": {"users": {"active_month": active_users}},
        "thumbnail": {"url": ctx.absolute(static_url("api/header.png"))},
        "languages": ["en"],
        "configuration": _configuration(ctx),
        "registrations": {
            "enabled": settings.SIGNUP_MODE == "open",
            "approval_required": False,
            "message": None,
        },
        "contact": {"email": settings.DEFAULT_FROM_EMAIL, "account": None},
        "rules": [],
        "api_versions": {"mastodon": 2},
    }
