"""Reads only the web UI needs, built on the areas' own selectors and permission checks."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from rookery.accounts.models import User
from rookery.notifications.models import Notification
from rookery.notifications.selectors import notifications_for
from rookery.posts.models import Bookmark, Post
from rookery.posts.selectors import visible_posts, with_display_relations
from rookery.social.models import Block, Mute
from rookery.timelines.selectors import Page


def bookmarked_posts(viewer: User, page: Page) -> tuple[list[Post], int | None]:
    """The viewer's bookmarks, newest bookmark first, paged by bookmark id.

    Returns the posts and the cursor for the next page (None at the end).
    """
    marks = Bookmark.objects.filter(user=viewer)
    if page.max_id is not None:
        marks = marks.filter(pk__lt=page.max_id)
    chunk = list(marks.order_by("-pk").values_list("pk", "post_id")[: page.limit])
    visible = with_display_relations(visible_posts(viewer)).in_bulk([pid for _, pid in chunk])
    posts = [visible[pid] for _, pid in chunk if pid in visible]
    cursor = chunk[-1][0] if len(chunk) == page.limit else None
    return posts, cursor


def notifications_page(viewer: User, page: Page) -> list[Notification]:
    items = notifications_for(viewer)
    if page.max_id is not None:
        items = items.filter(pk__lt=page.max_id)
    return list(items[: page.limit])


def mutes_of(user: User) -> QuerySet[Mute]:
    return (
        Mute.objects.filter(muter=user)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .select_related("muted")
        .order_by("-id")
    )


def blocks_of(user: User) -> QuerySet[Block]:
    return Block.objects.filter(blocker=user).select_related("blocked").order_by("-id")
