"""Link-preview metadata (OpenGraph, Twitter cards, <title>, meta description) from page bytes.

Everything returned is plain text: tags are stripped, entities decoded, lengths capped. It is
*not* HTML-escaped; the template does that, so nothing is escaped twice.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import nh3

__all__ = [
    "DESCRIPTION_MAX",
    "SITE_NAME_MAX",
    "TITLE_MAX",
    "LinkCardData",
    "absolute_http_url",
    "decode_html",
    "extract_link_card",
    "strip_html",
    "truncate_text",
]

TITLE_MAX = 200
DESCRIPTION_MAX = 400
SITE_NAME_MAX = 100
URL_MAX = 2048
# Metadata lives in <head>; parsing a multi-megabyte body with the pure-Python parser would
# cost far more than it could find.
_HEAD_LIMIT = 512 * 1024


@dataclass(frozen=True)
class LinkCardData:
    url: str
    title: str | None
    description: str | None
    image_url: str | None
    site_name: str | None
    domain: str


_BLOCK_TAG = re.compile(
    r"<(?=/?(?:p|div|br|hr|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|section|article|"
    r"header|footer|figure|figcaption|dd|dt)\b)",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*(?:\n\s*)*")


def strip_html(fragment: str, *, keep_paragraphs: bool = False) -> str:
    """Plain text of an HTML fragment: tags and script/style bodies removed, entities decoded.

    Block-level tags become line breaks so that "<p>One</p><p>Two</p>" does not read "OneTwo";
    with ``keep_paragraphs`` the breaks are kept (as blank lines), otherwise all whitespace is
    collapsed to single spaces.
    """
    if not fragment:
        return ""
    marked = _BLOCK_TAG.sub("\n<", fragment)
    # nh3 with no allowed tags drops every tag and the bodies of script/style, and returns
    # escaped text; unescape once to get the plain string back.
    text = unescape(nh3.clean(marked, tags=set()))
    text = text.replace("\xa0", " ")
    if keep_paragraphs:
        text = _SPACES.sub(" ", text)
        text = _NEWLINES.sub("\n\n", text)
        return text.strip()
    return " ".join(text.split())


def truncate_text(text: str, max_chars: int) -> str:
    """Cut ``text`` to at most ``max_chars`` at a word boundary, marking the cut with "…"."""
    if len(text) <= max_chars:
        return text
    if max_chars <= 1:
        return ""
    cut = text[: max_chars - 1]
    space = cut.rfind(" ")
    # A single giant "word" (a URL, a hash) is cut anyway rather than dropped.
    if space > max_chars // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-\u2013\u2014") + "…"


def absolute_http_url(value: str | None, base: str) -> str | None:
    """``value`` resolved against ``base`` if the result is an http(s) URL we can link to."""
    if not value:
        return None
    value = value.strip()
    if not value or any(ord(c) < 33 for c in value):
        return None
    try:
        resolved = urljoin(base, value)
        parts = urlsplit(resolved)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(resolved) > URL_MAX:
        return None
    return resolved


# --- decoding ---------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What browsers actually do (WHATWG Encoding): these labels mean windows-1252, and pages
# labelled latin-1 routinely contain its curly quotes in 0x80-0x9F.
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _LABEL_ALIASES.get(label, _LABEL_ALIASES.get(name, name))


def decode_html(document: bytes, charset: str | None) -> str:
    """Decode an HTML page: BOM, then the HTTP charset, then <meta charset>, then UTF-8."""
    for bom, name in _BOMS:
        if document.startswith(bom):
            return document[len(bom) :].decode(name, errors="replace")
    encoding = _codec(charset)
    if encoding is None:
        match = _META_CHARSET.search(document[:4096])
        encoding = _codec(match.group(1).decode("ascii", "replace")) if match else None
    return document.decode(encoding or "utf-8", errors="replace")


# --- parsing ----------------------------------------------------------------------------------


class _HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.base_href: str | None = None
        self._in_title = False
        self._title_done = False
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = {name.lower(): value for name, value in attrs if value is not None}
            key = values.get("property") or values.get("name") or values.get("itemprop")
            content = values.get("content")
            if key and content is not None:
                # The first occurrence wins, as with the major consumers of OpenGraph.
                self.meta.setdefault(key.strip().lower(), content)
        elif tag == "base" and self.base_href is None:
            self.base_href = dict(attrs).get("href")
        elif tag == "title" and not self._title_done and not self._skip_depth:
            self._in_title = True
        elif tag in {"script", "style", "svg"}:
            # <svg> can carry its own <title>, which is not the page's.
            self._skip_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self._title_done = True
        elif tag in {"script", "style", "svg"} and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title and not self._skip_depth:
            self.title_parts.append(data)


def _clean(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    text = truncate_text(strip_html(value), limit)
    return text or None


def _domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def extract_link_card(html: bytes, url: str, charset: str | None = None) -> LinkCardData:
    """Build the preview card for ``url`` from its page; ``charset`` is the HTTP header's."""
    text = decode_html(html[:_HEAD_LIMIT], charset)
    end = text.lower().find("</head>")
    parser = _HeadParser()
    parser.feed(text if end < 0 else text[:end])
    parser.close()
    meta = parser.meta

    def first(*keys: str) -> str | None:
        for key in keys:
            value = meta.get(key)
            if value and value.strip():
                return value
        return None

    base = absolute_http_url(parser.base_href, url) or url
    image = None
    for key in (
        "og:image:secure_url",
        "og:image",
        "og:image:url",
        "twitter:image",
        "twitter:image:src",
    ):
        image = absolute_http_url(meta.get(key), base)
        if image:
            break

    return LinkCardData(
        url=url,
        title=_clean(first("og:title", "twitter:title") or "".join(parser.title_parts), TITLE_MAX),
        description=_clean(
            first("og:description", "twitter:description", "description"), DESCRIPTION_MAX
        ),
        image_url=image,
        site_name=_clean(first("og:site_name", "application-name"), SITE_NAME_MAX),
        domain=_domain(url),
    )
