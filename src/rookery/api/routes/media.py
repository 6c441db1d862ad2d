"""Image uploads (``/api/v1/media`` and ``/api/v2/media``) and their descriptions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from rookery.api.auth import Token, user_of
from rookery.api.errors import ApiError, not_found
from rookery.api.parser import request_data
from rookery.api.routes.common import documented, parse_id, respond
from rookery.api.serializers import context_of
from rookery.api.serializers.media import MediaOut, serialize_media
from rookery.posts import services as posts
from rookery.posts.models import MediaAttachment
from rookery.posts.selectors import media_of

router = Router(tags=["media"])

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "description": {"type": "string"},
                        "focus": {"type": "string"},
                    },
                }
            }
        },
    }
}


def _upload(request: HttpRequest) -> HttpResponse:
    data = request_data(request)
    upload = request.FILES.get("file")
    if upload is None:
        raise ApiError(422, "Validation failed: attach an image as the multipart field 'file'")
    description = data.get("description") or ""
    if not isinstance(description, str):
        raise ApiError(422, "Validation failed: description must be text")
    media = posts.media_create(owner=user_of(request), upload=upload, description=description)
    return respond(serialize_media(media, context_of(request)))


@router.post(
    "/v2/media", response=documented(MediaOut), auth=Token("write:media"), openapi_extra=UPLOAD_BODY
)
def upload_v2(request: HttpRequest) -> HttpResponse:
    # Images are processed while the request waits, so the v2 answer is final (200, not 202).
    return _upload(request)


@router.post(
    "/v1/media", response=documented(MediaOut), auth=Token("write:media"), openapi_extra=UPLOAD_BODY
)
def upload_v1(request: HttpRequest) -> HttpResponse:
    return _upload(request)


def _own_media(request: HttpRequest, media_id: str) -> MediaAttachment:
    media = media_of(user_of(request), parse_id(media_id, "Media"))
    if media is None:
        raise not_found("Media")
    return media


@router.get("/v1/media/{media_id}", response=documented(MediaOut), auth=Token("write:media"))
def media_get(request: HttpRequest, media_id: str) -> HttpResponse:
    return respond(serialize_media(_own_media(request, media_id), context_of(request)))


class MediaUpdateIn(Schema):
    description: str | None = None
    focus: str | None = None


@router.put("/v1/media/{media_id}", response=documented(MediaOut), auth=Token("write:media"))
def media_update(request: HttpRequest, media_id: str, body: MediaUpdateIn) -> HttpResponse:
    media = _own_media(request, media_id)
    if body.description is not None:
        media = posts.media_update(
            media=media, owner=user_of(request), description=body.description
        )
    return respond(serialize_media(media, context_of(request)))
