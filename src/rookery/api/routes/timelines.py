"""Home, public (this instance only) and hashtag timelines."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from rookery.api.auth import Token, public, user_of, viewer_of
from rookery.api.pagination import PageParams, link_header, page_from
from rookery.api.routes.common import documented, respond
from rookery.api.serializers import context_of
from rookery.api.serializers.status import StatusOut, serialize_statuses
from rookery.posts.models import Post
from rookery.timelines.selectors import timeline_hashtag, timeline_home, timeline_public
from rookery.traction.recording import record_impressions

router = Router(tags=["timelines"])


class PublicParams(PageParams):
    local: bool = False
    remote: bool = False
    only_media: bool = False


def _page(request: HttpRequest, posts: list[Post]) -> HttpResponse:
    record_impressions(request, posts, "api")
    return respond(
        serialize_statuses(posts, context_of(request)),
        link=link_header(request, [p.pk for p in posts]),
    )


@router.get("/v1/timelines/home", response=documented(list[StatusOut]), auth=Token("read:statuses"))
def home(request: HttpRequest, params: Query[PageParams]) -> HttpResponse:
    return _page(request, timeline_home(user_of(request), page_from(params)))


@router.get(
    "/v1/timelines/public", response=documented(list[StatusOut]), auth=public("read:statuses")
)
def public_timeline(request: HttpRequest, params: Query[PublicParams]) -> HttpResponse:
    page = page_from(params)
    if params.remote:
        return respond([])  # no federation yet: nothing is remote
    posts = timeline_public(viewer_of(request), page)
    if params.only_media:
        posts = [p for p in posts if p.media.all()]
    return _page(request, posts)


@router.get(
    "/v1/timelines/tag/{hashtag}",
    response=documented(list[StatusOut]),
    auth=public("read:statuses"),
)
def tag_timeline(request: HttpRequest, hashtag: str, params: Query[PublicParams]) -> HttpResponse:
    page = page_from(params)
    if params.remote:
        return respond([])
    posts = timeline_hashtag(viewer_of(request), hashtag.lstrip("#")[:100], page)
    if params.only_media:
        posts = [p for p in posts if p.media.all()]
    return _page(request, posts)
