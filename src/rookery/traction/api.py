"""Traction analytics in the API: ``/api/rookery/v1/traction/...`` with the client token.

The same numbers as the web pages. A post's analytics answer 404 ("Record not found") to anyone
but its author and admins, exactly as for a post that does not exist.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema

from rookery.algorithms import traction as maths
from rookery.api.auth import Token, user_of
from rookery.api.errors import ApiError
from rookery.traction import selectors

READ = Token("read:statuses")


class HourOut(Schema):
    hour: int
    impressions: int
    clicks: int
    reactions: int


class LinkOut(Schema):
    url: str
    short_code: str
    clicks: int


class PostMetricsOut(Schema):
    post_id: str
    created_at: datetime
    impressions: int
    clicks: int
    click_through_rate: float | None
    likes: int
    reposts: int
    replies: int
    quotes: int
    followers_gained: int
    links: list[LinkOut]
    first_48_hours: list[HourOut]


class GroupOut(Schema):
    label: str
    posts: int
    impressions: int
    clicks: int
    engagements: int
    engagement_rate: float | None


class FindingOut(Schema):
    text: str
    metric: str
    group_a: str
    group_b: str
    posts_a: int
    posts_b: int
    mean_a: float
    mean_b: float
    ratio: float


class SlotOut(Schema):
    weekday: int  # 0 = Monday
    hour: int  # in the account's time zone


class HeatCellOut(Schema):
    weekday: int
    hour: int
    posts: int
    engagement_rate: float | None


class TopPostOut(Schema):
    post_id: str
    impressions: int
    clicks: int
    likes: int
    reposts: int
    replies: int


class InsightsOut(Schema):
    days: int
    timezone: str
    totals: GroupOut
    profile_visits: int
    followers_gained: int
    by_kind: list[GroupOut]
    by_hashtag: list[GroupOut]
    by_length: list[GroupOut]
    heat_map: list[HeatCellOut]
    best_slots: list[SlotOut]
    top_posts: list[TopPostOut]
    findings: list[FindingOut]


class ExportRowOut(Schema):
    post_id: int
    created_at: str
    url: str
    kind: str
    length: int
    hashtags: str
    impressions: int
    clicks: int
    click_through_rate: float | None
    likes: int
    reposts: int
    replies: int
    quotes: int
    followers_gained: int
    text: str


class ExportOut(Schema):
    username: str
    posts: list[ExportRowOut]


class InsightsParams(Schema):
    days: int = 30


def _group(g: maths.GroupSummary) -> dict[str, object]:
    return {
        "label": g.label,
        "posts": g.posts,
        "impressions": g.impressions,
        "clicks": g.clicks,
        "engagements": g.engagements,
        "engagement_rate": g.engagement_rate,
    }


def build_router() -> Router:
    """A fresh router: one is mounted in the API, tests mount their own on a bare NinjaAPI."""
    router = Router(tags=["traction"])

    @router.get("/posts/{post_id}", response=PostMetricsOut, auth=READ)
    def post_traction(request: HttpRequest, post_id: str) -> dict[str, object]:
        if not post_id.isdigit():
            raise ApiError(404, "Record not found")
        post = selectors.analytics_post(int(post_id), user_of(request))
        if post is None:
            raise ApiError(404, "Record not found")
        m = selectors.post_metrics(post)
        hours = zip(m.hourly_impressions, m.hourly_clicks, m.hourly_reactions, strict=True)
        return {
            "post_id": str(post.pk),
            "created_at": post.created_at,
            "impressions": m.impressions,
            "clicks": m.clicks,
            "click_through_rate": m.click_through_rate,
            "likes": m.likes,
            "reposts": m.reposts,
            "replies": m.replies,
            "quotes": m.quotes,
            "followers_gained": m.followers_gained,
            "links": [{"url": x.url, "short_code": x.code, "clicks": x.clicks} for x in m.links],
            "first_48_hours": [
                {"hour": h, "impressions": i, "clicks": c, "reactions": r}
                for h, (i, c, r) in enumerate(hours)
            ],
        }

    @router.get("/insights", response=InsightsOut, auth=READ)
    def insights(request: HttpRequest, params: Query[InsightsParams]) -> dict[str, object]:
        if params.days not in selectors.WINDOWS:
            raise ApiError(422, f"days must be one of {', '.join(map(str, selectors.WINDOWS))}")
        user = user_of(request)
        data = selectors.insights(user, params.days)
        return {
            "days": data.days,
            "timezone": user.timezone,
            "totals": _group(data.totals),
            "profile_visits": data.profile_visits,
            "followers_gained": data.followers_gained,
            "by_kind": [_group(g) for g in data.by_kind],
            "by_hashtag": [_group(g) for g in data.by_hashtag],
            "by_length": [_group(g) for g in data.by_length],
            "heat_map": [
                {"weekday": d, "hour": h, "posts": n, "engagement_rate": data.heat_rates[d][h]}
                for d, row in enumerate(data.heat_posts)
                for h, n in enumerate(row)
                if n
            ],
            "best_slots": [{"weekday": d, "hour": h} for d, h in data.best_slots],
            "top_posts": [
                {
                    "post_id": str(s.post_id),
                    "impressions": s.impressions,
                    "clicks": s.clicks,
                    "likes": s.likes,
                    "reposts": s.reposts,
                    "replies": s.replies,
                }
                for s in data.top
            ],
            "findings": [vars(f) for f in data.findings],
        }

    @router.get("/export", response=ExportOut, auth=READ)
    def export(request: HttpRequest) -> dict[str, object]:
        user = user_of(request)
        return {"username": user.username, "posts": selectors.export_rows(user, settings.SITE_URL)}

    @router.get("/best-slots", response=list[SlotOut], auth=READ)
    def best_slots(request: HttpRequest) -> list[dict[str, int]]:
        return [
            {"weekday": d, "hour": h} for d, h in selectors.best_posting_slots(user_of(request))
        ]

    return router


router = build_router()
