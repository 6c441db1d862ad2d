"""Turning what an author typed into safe HTML, and finding its hashtags, mentions and links.

Pure (no Django): callers pass functions that build URLs, so this module is easy to test and
reused by the web UI, the API and the blog-promotion drafts alike.

Only light Markdown is honoured (emphasis, inline code, links, line breaks); bare URLs are
linked; ``#tag`` and ``@user`` outside code and links become links. The HTML is then passed
through nh3 with an allow-list, so whatever the parser lets through, a browser never runs it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

HASHTAG_RE = re.compile(r"(?<![\w/&#])#([A-Za-z_][\w]{0,99})", re.UNICODE)
MENTION_RE = re.compile(r"(?<![\w/@])@([A-Za-z0-9_]{1,30})(?![\w@])")
URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
# Like Mastodon, every link counts as this many characters towards the post limit, so a long
# tracking URL never crowds out the words.
LINK_LENGTH = 23

_ALLOWED_TAGS = {"p", "br", "a", "em", "strong", "code", "span"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "class"}, "span": {"class"}}

_md = MarkdownIt("zero", {"linkify": True, "breaks": True}).enable(
    ["linkify", "link", "emphasis", "backticks", "autolink", "escape", "newline"]
)


@dataclass
class Rendered:
    html: str
    hashtags: list[str] = field(default_factory=list)  # lower-case, without '#', in order
    mentions: list[str] = field(default_factory=list)  # usernames as typed, without '@'
    urls: list[str] = field(default_factory=list)  # http(s) links, in order


def text_length(text: str) -> int:
    """Length of a post as its limit counts it: each URL counts as LINK_LENGTH characters."""
    return len(URL_RE.sub("x" * LINK_LENGTH, text.strip()))


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


def render_post(
    text: str,
    *,
    mention_url: Callable[[str], str | None],
    hashtag_url: Callable[[str], str],
) -> Rendered:
    """Render ``text``; ``mention_url(username)`` returns None for people who don't exist."""
    result = Rendered(html="")
    tokens = _md.parse(text)
    for block in tokens:
        if block.type == "inline" and block.children is not None:
            block.children = _link_tags_and_mentions(
                block.children, result, mention_url, hashtag_url
            )
    html = _md.renderer.render(tokens, _md.options, {})
    result.html = sanitise_html(html).strip()
    return result


def _link_tags_and_mentions(
    children: list[Token],
    result: Rendered,
    mention_url: Callable[[str], str | None],
    hashtag_url: Callable[[str], str],
) -> list[Token]:
    out: list[Token] = []
    link_depth = 0
    for token in children:
        if token.type == "link_open":
            link_depth += 1
            href = token.attrGet("href")
            if isinstance(href, str) and href.lower().startswith(("http://", "https://")):
                result.urls.append(href)
        elif token.type == "link_close":
            link_depth -= 1
        if token.type != "text" or link_depth:
            out.append(token)
            continue
        out.extend(_split_text(token.content, result, mention_url, hashtag_url))
    return out


def _split_text(
    content: str,
    result: Rendered,
    mention_url: Callable[[str], str | None],
    hashtag_url: Callable[[str], str],
) -> list[Token]:
    pattern = re.compile(f"{HASHTAG_RE.pattern}|{MENTION_RE.pattern}", re.UNICODE)
    pieces: list[Token] = []
    position = 0
    for match in pattern.finditer(content):
        tag, username = match.group(1), match.group(2)
        if tag is not None:
            name = tag.lower()
            if name not in result.hashtags:
                result.hashtags.append(name)
            html = (
                f'<a href="{escape(hashtag_url(name))}" class="hashtag">'
                f"#<span>{escape(tag)}</span></a>"
            )
        else:
            url = mention_url(username)
            if url is None:
                continue
            if username not in result.mentions:
                result.mentions.append(username)
            html = f'<a href="{escape(url)}" class="mention">@<span>{escape(username)}</span></a>'
        pieces.append(_text_token(content[position : match.start()]))
        pieces.append(_html_token(html))
        position = match.end()
    pieces.append(_text_token(content[position:]))
    return [piece for piece in pieces if piece.content]


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _html_token(html: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = html
    return token


def plain_text(html: str) -> str:
    """Strip tags, for search indexing, notifications and e-mail."""
    return nh3.clean(html, tags=set()).strip()
