from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

from rookery.traction.links import tracked_href

register = template.Library()


@register.filter
def http_url(value: str | None) -> str:
    """The URL if it is http(s), else "": link cards and profiles carry other people's URLs."""
    if not value:
        return ""
    try:
        scheme = urlsplit(str(value)).scheme.lower()
    except ValueError:
        return ""
    return str(value) if scheme in ("http", "https") else ""


@register.filter
def card_href(post: object) -> str:
    """Where a post's preview card links: the post's click-counting short link to the card's
    URL when there is one, else the URL itself (if it is http(s))."""
    card = getattr(post, "link_card", None)
    if card is None:
        return ""
    tracked = tracked_href(getattr(post, "html", "") or "", card.url)
    return http_url(tracked or card.url)


@register.filter
def display_url(value: str) -> str:
    """``https://www.example.com/a/`` → ``example.com/a`` for link text."""
    parts = urlsplit(value)
    host = parts.netloc.removeprefix("www.")
    return f"{host}{parts.path}".rstrip("/")


# Drawn for Rookery on a 24px grid; inline so they need no extra request and follow currentColor.
ICONS = {
    "home": '<path d="M3 11l9-8 9 8v10h-6v-6H9v6H3z"/>',
    "bell": '<path d="M6 16v-5a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 20a2 2 0 0 0 4 0"/>',
    "local": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c3.5 3.5 3.5 14.5 0 18'
    'M12 3c-3.5 3.5-3.5 14.5 0 18"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="M16.5 16.5 21 21"/>',
    "bookmark": '<path d="M6 3h12v18l-6-4-6 4z"/>',
    "user": '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 3.6-6 8-6s8 2 8 6"/>',
    "user-plus": '<circle cx="9" cy="8" r="4"/>'
    '<path d="M2 21c0-4 3-6 7-6s7 2 7 6M19 8v6M16 11h6"/>',
    "settings": '<path d="M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1"/>'
    '<circle cx="15" cy="6" r="2"/><circle cx="9" cy="12" r="2"/><circle cx="17" cy="18" r="2"/>',
    "reply": '<path d="M4 5h16v11H10l-5 4v-4H4z"/>',
    "heart": '<path d="M12 20s-7.5-4.6-7.5-10.2A4.3 4.3 0 0 1 12 7.2a4.3 4.3 0 0 1 7.5 2.6'
    'C19.5 15.4 12 20 12 20z"/>',
    "repost": '<path d="M4 11V8a2 2 0 0 1 2-2h13m-3-3 3 3-3 3'
    'M20 13v3a2 2 0 0 1-2 2H5m3 3-3-3 3-3"/>',
    "more": '<circle cx="5" cy="12" r="1.5"/><circle cx="12" cy="12" r="1.5"/>'
    '<circle cx="19" cy="12" r="1.5"/>',
    "check": '<path d="m5 12 5 5 9-10"/>',
    "at": '<circle cx="12" cy="12" r="4"/><path d="M16 8v5a3 3 0 0 0 6 0v-1a10 10 0 1 0-4 8"/>',
    "info": '<circle cx="12" cy="12" r="9"/><path d="M12 11v6M12 7.5v.5"/>',
    "edit": '<path d="M4 20h4L20 8l-4-4L4 16z"/>',
    "lock": '<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V8a4 4 0 0 1 8 0v3"/>',
}


@register.simple_tag
def icon(name: str, label: str = "") -> str:
    """An inline SVG icon; decorative unless given a label."""
    accessible = f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true"'
    # Fixed markup from ICONS; the only variable part, the label, is escaped.
    return mark_safe(
        f'<svg class="icon" viewBox="0 0 24 24" width="20" height="20" fill="none" '
        f'stroke="currentColor" stroke-width="1.8" stroke-linecap="round" '
        f'stroke-linejoin="round" {accessible}>{ICONS[name]}</svg>'
    )


@register.filter
def ago(value: datetime | None) -> str:
    """ "just now", "5 min", "3 h", "2 d", then the date: short enough for a post header."""
    if value is None:
        return ""
    seconds = (timezone.now() - value).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)} d"
    local = timezone.localtime(value)
    return date_format(local, "M j" if local.year == timezone.localtime().year else "M j, Y")


@register.simple_tag(takes_context=True)
def post_cards(context: template.Context, posts: list[Any]) -> str:
    """The cards of a page of posts, from the cache where it can (``rookery.web.cards``).

    Pages that mark accepted answers or offer "accept" (a question's thread) depend on more
    than the post and the reader's reactions; they render ``post_card.html`` for each post.
    """
    from rookery.posts.selectors import ViewerState
    from rookery.web.cards import post_cards_html

    request = context.get("request")
    csrf_token = context.get("csrf_token")
    if request is None or not csrf_token or "accepted_ids" in context or "question" in context:
        card = context.template.engine.get_template("web/partials/post_card.html")
        parts = []
        for post in posts:
            with context.push(post=post):
                parts.append(card.render(context))
        return mark_safe("".join(parts))
    # The cards' text is escaped when rendered (post HTML is sanitised when written).
    return mark_safe(
        post_cards_html(
            list(posts),
            user=context.get("user"),
            state=context.get("state") or ViewerState.empty(),
            back_url=context.get("back") or request.get_full_path(),
            csrf_token=str(csrf_token),
        )
    )
