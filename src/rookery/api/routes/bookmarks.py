"""The caller's bookmarks and favourites (likes), paged by when they were made."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from rookery.api.auth import Token, user_of
from rookery.api.pagination import PageParams, link_header, page_from, page_queryset
from rookery.api.routes.common import documented, respond
from rookery.api.serializers import context_of
from rookery.api.serializers.status import StatusOut, serialize_statuses
from rookery.posts.selectors import (
    bookmarks_of,
    likes_of,
    visible_posts,
    with_display_relations,
)

router = Router(tags=["bookmarks", "favourites"])


def _saved(request: HttpRequest, saved: QuerySet, params: PageParams) -> HttpResponse:
    rows = page_queryset(saved, page_from(params), "id")
    ids = [row.post_id for row in rows]
    posts = with_display_relations(visible_posts(user_of(request))).in_bulk(ids)
    ordered = [posts[i] for i in ids if i in posts]
    return respond(
        serialize_statuses(ordered, context_of(request)),
        link=link_header(request, [row.pk for row in rows]),
    )


@router.get("/v1/bookmarks", response=documented(list[StatusOut]), auth=Token("read:bookmarks"))
def bookmark_list(request: HttpRequest, params: Query[PageParams]) -> HttpResponse:
    return _saved(request, bookmarks_of(user_of(request)), params)


@router.get("/v1/favourites", response=documented(list[StatusOut]), auth=Token("read:favourites"))
def favourite_list(request: HttpRequest, params: Query[PageParams]) -> HttpResponse:
    return _saved(request, likes_of(user_of(request)), params)
