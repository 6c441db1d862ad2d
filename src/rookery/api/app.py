"""The django-ninja API: Mastodon's ``/api/v1`` and ``/api/v2``, and Rookery's ``/api/rookery``.

The OpenAPI schema is served at ``/api/openapi.json`` and browsable at ``/api/docs``.
"""

from __future__ import annotations

from ninja import NinjaAPI

from rookery.api import oauth
from rookery.api.errors import register_handlers
from rookery.api.parser import MastodonParser
from rookery.api.routes import (
    accounts,
    bookmarks,
    follow_requests,
    instance,
    media,
    notifications,
    preferences,
    rookery,
    search,
    statuses,
    suggestions,
    timelines,
)
from rookery.api.serializers.instance import rookery_version

api = NinjaAPI(
    title="Rookery API",
    version=rookery_version(),
    description=(
        "Mastodon-compatible client API (see docs/mastodon-api.md for what is supported) and "
        "Rookery's own extras under /api/rookery/. Authenticate with an OAuth 2 bearer token."
    ),
    urls_namespace="api",
    parser=MastodonParser(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
register_handlers(api)

for module in (
    oauth,
    instance,
    accounts,
    statuses,
    timelines,
    notifications,
    search,
    follow_requests,
    bookmarks,
    suggestions,
    media,
    preferences,
):
    api.add_router("/", module.router)
api.add_router("/rookery/", rookery.router)
