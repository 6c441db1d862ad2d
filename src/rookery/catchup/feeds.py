"""The catch-up as an Atom feed at a private token URL (no login: feed readers can't)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from rookery.catchup.today import Today

TITLE_CHARS = 90


def _title(text: str) -> str:
    first = (text.strip().splitlines() or [""])[0]
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1].rstrip() + "…"


def catchup_atom(today: Today, *, feed_url: str) -> str:
    site = settings.SITE_URL
    feed = Atom1Feed(
        title=f"Your catch-up on {settings.INSTANCE_NAME}",
        link=f"{site}{reverse('catchup:today')}",
        description="What's new since you last looked, noise skipped.",
        feed_url=feed_url,
        language="en",
        # Entry ids are post URLs, so a feed reader shows each post once across refreshes.
        feed_guid=feed_url,
    )
    for section in today.sections:
        for entry in section.items:
            post = entry.post
            url = f"{site}{reverse('web:post', args=[post.author.username, post.pk])}"
            # Reasons name people ("shared by Ana"): their display names are user input.
            reasons = escape(" · ".join(entry.reasons))
            body = post.html + (f"<p><em>{reasons}</em></p>" if reasons else "")
            feed.add_item(
                title=f"{post.author.name}: {_title(post.text) or 'a post'}",
                link=url,
                description=body,
                unique_id=url,
                pubdate=post.created_at,
                updateddate=post.edited_at or post.created_at,
                author_name=post.author.name,
                categories=[section.title],
            )
    return feed.writeString("utf-8")
