"""Post cards for pages of posts, assembled from cached fragments (docs/architecture.md).

A card is ``web/partials/post_card.html``: the part every viewer sees alike
(``post_shared.html``: who reposted, author, time, reply-to, badges, text, media, link card)
and the action bar (``post_actions.html``: counters, and like/repost/bookmark buttons that
depend on what this viewer did). A page renders neither template for a cached post:

* the shared part is cached per displayed post under ``posts.selectors.card_cache_key``, with
  a version made of the shown post's :func:`~rookery.posts.selectors.post_version`, the
  profile versions of its author (and reposter), and the reader's time zone and language
  (the time's tooltip is local); the relative time ("5 min") is a slot filled per request;
* the action bar is cached per post and *reaction state* (signed in, liked, reposted,
  bookmarked, own post): most readers share the state "none of these", so one rendering
  serves them all. The CSRF token and the "come back here" URL are slots filled per request.

A stale entry (its version differs) counts as a miss and is rendered again from full rows,
which are loaded for the misses only (``posts.selectors.posts_full``).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.html import escape

from rookery.posts.models import Post
from rookery.posts.selectors import (
    ViewerState,
    card_cache_key,
    post_version,
    posts_full,
    profile_version,
)
from rookery.web.templatetags.rookery_web import ago

CARD_CACHE_SECONDS = 24 * 3600
# Slots in cached HTML, replaced per request. Nothing a person writes reaches the action bar
# (usernames are [A-Za-z0-9_]), and the time slot sits in our own markup, not in post text.
AGO_SLOT = "@@rookery-ago@@"
CSRF_SLOT = "@@rookery-csrf@@"
NEXT_SLOT = "@@rookery-next@@"


def actions_cache_key(post_id: int, variant: str) -> str:
    return f"actions:{post_id}:{variant}"


def _shown(post: Post) -> Post:
    return post.reblog_of if post.reblog_of_id is not None and post.reblog_of else post


def _stamp(post: Post) -> str:
    return f"{post.edited_at.timestamp():.6f}" if post.edited_at else "-"


def post_cards_html(
    posts: list[Post],
    *,
    user: Any,
    state: ViewerState,
    back_url: str,
    csrf_token: str,
) -> str:
    """The cards of ``posts`` (thin or full) as ``post_card.html`` renders them, concatenated."""
    if not posts:
        return ""
    signed_in = bool(getattr(user, "is_authenticated", False))
    user_id = user.pk if signed_in else None
    place = f"{timezone.get_current_timezone_name()}|{translation.get_language() or ''}"
    shared_versions: dict[int, str] = {}
    action_keys: dict[int, tuple[str, str]] = {}
    for post in posts:
        shown = _shown(post)
        reposter = profile_version(post.author) if shown is not post else ""
        shared_versions[post.pk] = (
            f"{post_version(shown)}|{profile_version(shown.author)}|{reposter}|{place}"
        )
        variant = "".join(
            "1" if flag else "0"
            for flag in (
                signed_in,
                shown.pk in state.liked,
                shown.pk in state.reblogged,
                shown.pk in state.bookmarked,
                signed_in and shown.author_id == user_id,
            )
        )
        version = (
            f"{shown.replies_count}.{shown.likes_count}.{shown.reblogs_count}:"
            f"{_stamp(shown)}:{shown.visibility}"
        )
        action_keys[post.pk] = (actions_cache_key(post.pk, variant), version)
    found = cache.get_many(
        [card_cache_key(p.pk) for p in posts] + [key for key, _ in action_keys.values()]
    )
    fresh: dict[str, tuple[str, str]] = {}
    shared: dict[int, str] = {}
    stale: list[Post] = []
    for post in posts:
        entry = found.get(card_cache_key(post.pk))
        if entry is not None and entry[0] == shared_versions[post.pk]:
            shared[post.pk] = entry[1]
        else:
            stale.append(post)
    if stale:
        template = get_template("web/partials/post_shared.html")
        for post_id, full in posts_full(stale).items():
            html = template.render({"post": full, "shown": _shown(full), "ago_slot": AGO_SLOT})
            shared[post_id] = html
            fresh[card_cache_key(post_id)] = (shared_versions[post_id], html)
    actions: dict[int, str] = {}
    actions_template = None
    for post in posts:
        key, version = action_keys[post.pk]
        entry = found.get(key)
        if entry is not None and entry[0] == version:
            actions[post.pk] = entry[1]
            continue
        actions_template = actions_template or get_template("web/partials/post_actions.html")
        html = actions_template.render(
            {
                "post": post,
                "shown": _shown(post),
                "user": user,
                "state": state,
                "back_url": NEXT_SLOT,
                "csrf_token": CSRF_SLOT,
            }
        )
        actions[post.pk] = html
        fresh[key] = (version, html)
    if fresh:
        cache.set_many(fresh, CARD_CACHE_SECONDS)
    next_value = escape(back_url)
    cards = []
    for post in posts:
        if post.pk not in shared:  # deleted between the page's query and now
            continue
        when = escape(ago(_shown(post).created_at))
        bar = actions[post.pk].replace(CSRF_SLOT, csrf_token).replace(NEXT_SLOT, next_value)
        cards.append(
            f'\n<article class="card post" id="post-{post.pk}" '
            f'aria-labelledby="post-{post.pk}-author">\n'
            f"  {shared[post.pk].replace(AGO_SLOT, when)}  {bar}</article>\n\n"
        )
    return "".join(cards)
