"""Instance information (v1 and v2), custom emojis and rules."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router

from rookery.accounts.models import User
from rookery.api.auth import public
from rookery.api.routes.common import documented, respond
from rookery.api.serializers import context_of
from rookery.api.serializers.instance import (
    InstanceV1Out,
    InstanceV2Out,
    serialize_instance_v1,
    serialize_instance_v2,
)
from rookery.posts.models import Post

router = Router(tags=["instance"])

STATS_SECONDS = 300


def _stats() -> dict[str, int]:
    # Counting every user and post on each call would make the most-polled endpoint the
    # slowest; the numbers are only shown as "about N people".
    stats = cache.get("api:instance-stats")
    if stats is None:
        month_ago = timezone.now() - timedelta(days=30)
        stats = {
            "users": User.objects.active().count(),
            "posts": Post.objects.filter(reblog_of__isnull=True).count(),
            "active": User.objects.active().filter(last_login__gte=month_ago).count(),
        }
        cache.set("api:instance-stats", stats, STATS_SECONDS)
    return stats


@router.get("/v1/instance", response=documented(InstanceV1Out), auth=public())
def instance_v1(request: HttpRequest) -> HttpResponse:
    stats = _stats()
    return respond(
        serialize_instance_v1(
            context_of(request),
            domain=request.get_host(),
            users=stats["users"],
            posts=stats["posts"],
        )
    )


@router.get("/v2/instance", response=documented(InstanceV2Out), auth=public())
def instance_v2(request: HttpRequest) -> HttpResponse:
    return respond(
        serialize_instance_v2(
            context_of(request), domain=request.get_host(), active_users=_stats()["active"]
        )
    )


@router.get("/v1/custom_emojis", response=documented(list[dict]), auth=public())
def custom_emojis(request: HttpRequest) -> HttpResponse:
    return respond([])


@router.get("/v1/instance/rules", response=documented(list[dict]), auth=public())
def instance_rules(request: HttpRequest) -> HttpResponse:
    return respond([])
