"""``/api/v1/preferences``: the defaults clients use when composing and reading."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from rookery.api.auth import Token
from rookery.api.routes.common import documented, respond

router = Router(tags=["preferences"])


@router.get("/v1/preferences", response=documented(dict), auth=Token("read:accounts"))
def preferences(request: HttpRequest) -> HttpResponse:
    # Rookery has no per-user posting defaults yet, so these are the instance's own.
    return respond(
        {
            "posting:default:visibility": "public",
            "posting:default:sensitive": False,
            "posting:default:language": None,
            "reading:expand:media": "default",
            "reading:expand:spoilers": False,
        }
    )
