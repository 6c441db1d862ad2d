"""Short links: every http(s) link in a post goes through ``/l/<code>`` so its clicks count.

``links_attach(post)`` is called by the posts service after a post is written or edited, and by
anything else that publishes a post with links (blog promotions). It rewrites the ``href`` of each
external link in ``post.html`` and keeps the visible text, the classes and the original URL (in a
``title``), so readers still see where a link goes. The HTML it edits is our own nh3 output, whose
attributes are always double-quoted with ``"`` escaped, which is what the tag pattern relies on.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from dataclasses import dataclass
from html import escape, unescape
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from rookery.posts.models import Post
from rookery.traction.models import ShortLink

CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 8  # 62^8 ≈ 2·10^14: guessing a valid code is hopeless, collisions are retried
# An opening <a> tag of nh3 output: attributes are name="value" with no raw '"' inside a value.
A_TAG_RE = re.compile(r'<a((?:\s+[A-Za-z_:][-\w:.]*(?:="[^"]*")?)*)\s*>')
HREF_RE = re.compile(r'(\shref=")([^"]*)(")')
TITLE_RE = re.compile(r'\stitle="[^"]*"')
TITLE_VALUE_RE = re.compile(r'\stitle="([^"]*)"')


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def is_redirectable(url: str) -> bool:
    """Only absolute http(s) URLs with a host: never javascript:, data: or a scheme-relative //."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc) and "\\" not in url


def short_url(code: str) -> str:
    return f"{settings.SITE_URL}{reverse('traction:short_link', args=[code])}"


def _is_ours(url: str) -> bool:
    prefix = f"{settings.SITE_URL}{reverse('traction:short_link', args=['x'])[:-1]}"
    return url.startswith(prefix)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def short_link_create(*, url: str, post: Post | None = None) -> ShortLink:
    """A new short link for ``url`` (callers check ``is_redirectable`` first)."""
    if not is_redirectable(url):
        raise ValueError(f"Not an http(s) URL: {url!r}")
    for _ in range(5):
        try:
            with transaction.atomic():
                return ShortLink.objects.create(
                    code=_new_code(), url=url[:2000], url_hash=url_hash(url[:2000]), post=post
                )
        except IntegrityError:
            continue  # a code collision: astronomically rare, so just draw again
    raise RuntimeError("Could not allocate a short link code")


def links_attach(post: Post) -> Post:
    """Route every external link of a saved post through a short link; idempotent.

    An edit keeps the codes of URLs that stay in the post, so links already shared keep working
    and their clicks keep adding up.
    """
    existing = {link.url: link for link in ShortLink.objects.filter(post=post).order_by("id")}

    def rewrite(match: re.Match[str]) -> str:
        attributes = match.group(1)
        href_match = HREF_RE.search(attributes)
        if href_match is None:
            return match.group(0)
        url = unescape(href_match.group(2))
        if not is_redirectable(url) or _is_ours(url):
            return match.group(0)
        link = existing.get(url[:2000])
        if link is None:
            link = short_link_create(url=url, post=post)
            existing[link.url] = link
        attributes = TITLE_RE.sub("", attributes)
        attributes = HREF_RE.sub(
            lambda m: (
                f'{m.group(1)}{escape(short_url(link.code))}{m.group(3)} title="{escape(url)}"'
            ),
            attributes,
            count=1,
        )
        return f"<a{attributes}>"

    html = A_TAG_RE.sub(rewrite, post.html)
    if html != post.html:
        post.html = html
        Post.objects.filter(pk=post.pk).update(html=html)
    return post


def tracked_href(html: str, url: str) -> str | None:
    """The short link ``links_attach`` put in ``html`` for ``url``, so a post's preview card
    can count its clicks too; None when the post has no tracked link to it."""
    for match in A_TAG_RE.finditer(html):
        attributes = match.group(1)
        title = TITLE_VALUE_RE.search(attributes)
        href = HREF_RE.search(attributes)
        if title is not None and href is not None and unescape(title.group(1)) == url:
            return unescape(href.group(2))
    return None


@dataclass(frozen=True)
class LinkClicks:
    code: str
    url: str
    clicks: int


def link_clicks_for_post(post_id: int) -> list[LinkClicks]:
    """Clicks per link of a post, as of the last roll-up (a minute or so behind)."""
    return [
        LinkClicks(code=link.code, url=link.url, clicks=link.clicks)
        for link in ShortLink.objects.filter(post_id=post_id).order_by("id")
    ]
