"""Notifications and read markers (Mastodon's markers API, which the catch-up starts from)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from rookery.api.auth import Token, user_of
from rookery.api.errors import ApiError, not_found
from rookery.api.pagination import MAX_ID, PageParams, link_header, page_from, page_queryset
from rookery.api.parser import StrList
from rookery.api.routes.common import documented, parse_id, respond
from rookery.api.serializers import context_of, iso
from rookery.api.serializers.notification import (
    TO_MASTODON,
    NotificationOut,
    kinds_for,
    serialize_notifications,
)
from rookery.notifications.selectors import notifications_for
from rookery.notifications.services import notification_dismiss, notifications_clear
from rookery.timelines.models import Marker
from rookery.timelines.selectors import markers_for
from rookery.timelines.services import marker_set

router = Router(tags=["notifications"])


class NotificationParams(PageParams):
    types: StrList = []
    exclude_types: StrList = []
    account_id: str | None = None


def _notifications(request: HttpRequest):  # type: ignore[no-untyped-def]
    # Only kinds Mastodon clients can show (system notices have no account).
    return notifications_for(user_of(request)).filter(
        kind__in=list(TO_MASTODON), actor__isnull=False
    )


@router.get(
    "/v1/notifications",
    response=documented(list[NotificationOut]),
    auth=Token("read:notifications"),
)
def notification_list(request: HttpRequest, params: Query[NotificationParams]) -> HttpResponse:
    items = _notifications(request)
    if params.types:
        items = items.filter(kind__in=kinds_for(params.types))
    if params.exclude_types:
        items = items.exclude(kind__in=kinds_for(params.exclude_types))
    if params.account_id:
        items = items.filter(actor_id=parse_id(params.account_id, "Account"))
    page = page_queryset(items, page_from(params), "id")
    return respond(
        serialize_notifications(page, context_of(request)),
        link=link_header(request, [n.pk for n in page]),
    )


class UnreadOut(Schema):
    count: int


class UnreadParams(Schema):
    limit: int = 100


@router.get(
    "/v1/notifications/unread_count",
    response=documented(UnreadOut),
    auth=Token("read:notifications"),
)
def unread_count(request: HttpRequest, params: Query[UnreadParams]) -> HttpResponse:
    # "Unread" is Mastodon's meaning: newer than the notifications marker.
    limit = max(1, min(params.limit, 1000))
    markers = markers_for(user_of(request), [Marker.Timeline.NOTIFICATIONS])
    items = _notifications(request)
    if markers:
        items = items.filter(pk__gt=markers[0].last_read_id)
    return respond({"count": len(items.values_list("pk", flat=True)[:limit])})


@router.post(
    "/v1/notifications/clear", response=documented(dict), auth=Token("write:notifications")
)
def clear(request: HttpRequest) -> HttpResponse:
    notifications_clear(user=user_of(request))
    return respond({})


@router.get(
    "/v1/notifications/{notification_id}",
    response=documented(NotificationOut),
    auth=Token("read:notifications"),
)
def notification_get(request: HttpRequest, notification_id: str) -> HttpResponse:
    item = _notifications(request).filter(pk=parse_id(notification_id, "Notification")).first()
    if item is None:
        raise not_found("Notification")
    return respond(serialize_notifications([item], context_of(request))[0])


@router.post(
    "/v1/notifications/{notification_id}/dismiss",
    response=documented(dict),
    auth=Token("write:notifications"),
)
def dismiss(request: HttpRequest, notification_id: str) -> HttpResponse:
    if not notification_dismiss(
        user=user_of(request), notification_id=parse_id(notification_id, "Notification")
    ):
        raise not_found("Notification")
    return respond({})


# --- Markers --------------------------------------------------------------------------------


class MarkerOut(Schema):
    last_read_id: str
    version: int
    updated_at: str


class MarkersParams(Schema):
    timeline: StrList = []


def _markers(request: HttpRequest, timelines: list[str]) -> dict:
    found = markers_for(user_of(request), timelines)
    return {
        m.timeline: {
            "last_read_id": str(m.last_read_id),
            "version": m.version,
            "updated_at": iso(m.updated_at),
        }
        for m in found
    }


@router.get("/v1/markers", response=documented(dict[str, MarkerOut]), auth=Token("read:statuses"))
def markers_get(request: HttpRequest, params: Query[MarkersParams]) -> HttpResponse:
    wanted = [t for t in params.timeline if t in Marker.Timeline.values]
    return respond(_markers(request, wanted))


class MarkerIn(Schema):
    last_read_id: str


class MarkersIn(Schema):
    home: MarkerIn | None = None
    notifications: MarkerIn | None = None


@router.post("/v1/markers", response=documented(dict[str, MarkerOut]), auth=Token("write:statuses"))
def markers_set(request: HttpRequest, body: MarkersIn) -> HttpResponse:
    changed = []
    for timeline in Marker.Timeline.values:
        marker = getattr(body, timeline)
        if marker is None:
            continue
        try:
            last_read = int(marker.last_read_id)
        except ValueError:
            raise ApiError(
                422, f"Validation failed: {timeline}.last_read_id must be an id"
            ) from None
        if not 0 <= last_read <= MAX_ID:
            raise ApiError(422, f"Validation failed: {timeline}.last_read_id is out of range")
        marker_set(user_id=user_of(request).pk, timeline=timeline, last_read_id=last_read)
        changed.append(timeline)
    if not changed:
        raise ApiError(
            422, "Validation failed: give home[last_read_id] or notifications[last_read_id]"
        )
    return respond(_markers(request, changed))
