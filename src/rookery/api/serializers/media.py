"""Mastodon's MediaAttachment entity (Rookery stores images only)."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from rookery.api.serializers import Context
from rookery.posts.models import MediaAttachment


class MediaOut(Schema):
    id: str
    type: str
    url: str | None
    preview_url: str | None
    remote_url: str | None
    text_url: str | None = None
    meta: dict[str, Any]
    description: str | None
    blurhash: str | None


def _dimensions(width: int, height: int) -> dict[str, Any]:
    if not width or not height:
        return {}
    return {
        "width": width,
        "height": height,
        "size": f"{width}x{height}",
        "aspect": round(width / height, 4),
    }


def serialize_media(media: MediaAttachment, ctx: Context) -> dict[str, Any]:
    url = ctx.absolute(media.file.url) if media.file else None
    preview = ctx.absolute(media.thumbnail.url) if media.thumbnail else url
    original = _dimensions(media.width, media.height)
    return {
        "id": str(media.pk),
        "type": "image",
        "url": url,
        "preview_url": preview,
        "remote_url": None,
        "text_url": None,
        "meta": {"original": original, "small": original} if original else {},
        "description": media.description or None,
        "blurhash": None,
    }
