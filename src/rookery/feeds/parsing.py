"""Blog feeds: RSS 0.9x/1.0/2.0 and Atom (via feedparser), JSON Feed 1.0/1.1, autodiscovery,
and the identity of an entry that makes promotion exactly-once.

Pure functions over bytes already fetched (by ``rookery.outbound.fetch``); nothing here does
I/O. HTML coming out (``summary_html``, ``content_html``) is sanitised with nh3; titles are
plain text.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit
from xml.sax import SAXParseException

import feedparser
import nh3

from rookery.outbound.linkmeta import absolute_http_url, decode_html, strip_html, truncate_text

__all__ = [
    "FeedEntry",
    "FeedParseError",
    "ParsedFeed",
    "discover_feeds",
    "entry_key",
    "normalise_url",
    "parse_feed",
]

TITLE_MAX = 500
# Longer identities are hashed so that they fit an indexed database column.
KEY_MAX = 500


class FeedParseError(ValueError):
    """The document is not a feed we can read; ``str(error)`` is fit to show the user."""


@dataclass(frozen=True)
class FeedEntry:
    guid: str | None
    link: str
    title: str
    summary_html: str
    content_html: str
    published: datetime | None
    updated: datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site_url: str | None
    entries: list[FeedEntry]
    # "rss20", "rss10", "atom10", "json11", ... as feedparser names them.
    format: str
    # A recoverable problem (e.g. invalid XML that the lenient parser still read), for the UI.
    warning: str | None = None


_JSON_TYPES = {"application/feed+json", "application/json"}
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
# A whole tag or an entity; a lone "<" as in "a<b" is text.
_LOOKS_LIKE_MARKUP = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);"
)


def parse_feed(content: bytes, *, url: str, content_type: str | None) -> ParsedFeed:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    stripped = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise FeedParseError("not a feed: the response is empty")
    if media_type in _JSON_TYPES or stripped.startswith(b"{"):
        return _parse_json_feed(content, url=url)
    if _HTML_START.match(stripped) and b"<rss" not in stripped[:2048]:
        raise FeedParseError("not a feed: this is a web page; look for its feed address")
    return _parse_xml_feed(content, url=url, content_type=content_type)


# --- XML (feedparser) -------------------------------------------------------------------------


def _parse_xml_feed(content: bytes, *, url: str, content_type: str | None) -> ParsedFeed:
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A BytesIO, never the bytes: feedparser treats a bytes/str argument as a URL or a *local
    # filename* to open if it can, which would turn a fetched body into a file read.
    result = feedparser.parse(io.BytesIO(content), response_headers=headers)

    problem: str | None = None
    error = result.get("bozo_exception")
    if isinstance(error, SAXParseException):
        line = error.getLineNumber()
        if not content.removeprefix(b"\xef\xbb\xbf").startswith(b"<?xml"):
            # feedparser prepends an XML declaration line to documents that lack one.
            line = max(line - 1, 1)
        problem = f"invalid XML at line {line}: {error.getMessage()}"
    elif error is not None and not isinstance(
        error, feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType
    ):
        problem = f"unreadable feed: {error}"

    entries = [e for e in (_xml_entry(raw, url) for raw in result.entries) if e is not None]
    if not result.version:
        raise FeedParseError(problem or "not a feed")
    if problem and not entries:
        raise FeedParseError(problem)

    feed = result.feed
    return ParsedFeed(
        title=_plain_title(feed.get("title"), feed.get("title_detail")),
        site_url=absolute_http_url(feed.get("link"), url),
        entries=entries,
        format=result.version,
        # The lenient parser salvaged entries from broken XML: usable, but worth telling.
        warning=problem,
    )


def _xml_entry(raw: Mapping[str, Any], feed_url: str) -> FeedEntry | None:
    guid = (raw.get("id") or "").strip() or None
    link = absolute_http_url(raw.get("link"), feed_url)
    if link is None and guid is not None:
        # RSS: a <guid> with isPermaLink (the default) is the article's address.
        link = (
            absolute_http_url(guid, feed_url) if guid.startswith(("http://", "https://")) else None
        )
    title = _plain_title(raw.get("title"), raw.get("title_detail"))

    summary_html = _fragment_html(raw.get("summary"), raw.get("summary_detail"))
    content_html = ""
    for part in raw.get("content") or ():
        content_html = _fragment_html(part.get("value"), part)
        if content_html:
            break
    if not (guid or link or title or summary_html or content_html):
        return None
    return FeedEntry(
        guid=guid,
        link=link or "",
        title=title,
        summary_html=summary_html,
        content_html=content_html,
        published=_struct_time_utc(raw.get("published_parsed")),
        updated=_struct_time_utc(raw.get("updated_parsed")),
    )


def _plain_title(value: str | None, detail: Mapping[str, Any] | None) -> str:
    if not value:
        return ""
    kind = (detail or {}).get("type")
    # feedparser's own "looks like HTML" guess misses escaped markup in RSS titles, so a
    # "text/plain" title still gets the markup check.
    is_html = True if kind in {"text/html", "application/xhtml+xml"} else None
    return _plain_text(value, is_html)


def _plain_text(value: str, is_html: bool | None) -> str:
    if is_html is None:
        # Formats that say "plain text" (JSON Feed) still carry HTML in the wild; only strip
        # when it looks like markup, so a title like "Why a<b matters" survives.
        is_html = bool(_LOOKS_LIKE_MARKUP.search(value))
    text = strip_html(value) if is_html else " ".join(value.split())
    return truncate_text(text, TITLE_MAX)


def _fragment_html(value: str | None, detail: Mapping[str, Any] | None) -> str:
    if not value or not value.strip():
        return ""
    kind = (detail or {}).get("type") or "text/html"
    if kind == "text/plain":
        return _text_to_html(value)
    return nh3.clean(value).strip()


def _text_to_html(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def _struct_time_utc(value: Any) -> datetime | None:
    # feedparser has already normalised every date format it knows to a UTC struct_time.
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


# --- JSON Feed --------------------------------------------------------------------------------


def _parse_json_feed(content: bytes, *, url: str) -> ParsedFeed:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FeedParseError("invalid JSON Feed: not UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise FeedParseError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    version = data.get("version") if isinstance(data, dict) else None
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        raise FeedParseError("not a feed: JSON without a JSON Feed version")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedParseError("invalid JSON Feed: no list of items")

    entries = [e for e in (_json_entry(item, url) for item in items) if e is not None]
    title = data.get("title")
    return ParsedFeed(
        title=_plain_text(title, None) if isinstance(title, str) else "",
        site_url=absolute_http_url(_str(data.get("home_page_url")), url),
        entries=entries,
        format="json" + version.rsplit("/", 1)[-1].replace(".", ""),
    )


def _json_entry(item: Any, feed_url: str) -> FeedEntry | None:
    if not isinstance(item, dict):
        return None
    raw_id = item.get("id")
    # 1.0 said "string" but numeric ids are common in the wild.
    guid = str(raw_id).strip() if isinstance(raw_id, str | int) and str(raw_id).strip() else None
    link = absolute_http_url(_str(item.get("url")), feed_url) or absolute_http_url(
        _str(item.get("external_url")), feed_url
    )
    title = _str(item.get("title"))
    content_html = _str(item.get("content_html"))
    content_text = _str(item.get("content_text"))
    summary = _str(item.get("summary"))
    entry = FeedEntry(
        guid=guid,
        link=link or "",
        title=_plain_text(title, None) if title else "",
        # JSON Feed's summary is plain text by the spec.
        summary_html=_text_to_html(summary) if summary else "",
        content_html=(
            nh3.clean(content_html).strip()
            if content_html
            else _text_to_html(content_text)
            if content_text
            else ""
        ),
        published=_iso_utc(item.get("date_published")),
        updated=_iso_utc(item.get("date_modified")),
    )
    if not (entry.guid or entry.link or entry.title or entry.summary_html or entry.content_html):
        return None
    return entry


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _iso_utc(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        # RFC 3339 requires an offset; a feed that omits it most likely means UTC.
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


# --- autodiscovery ----------------------------------------------------------------------------

_FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/rdf+xml",
}


class _FeedLinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base_href: str | None = None
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "base" and self.base_href is None:
            self.base_href = values.get("href")
        elif tag == "link":
            rels = values.get("rel", "").lower().split()
            kind = values.get("type", "").split(";", 1)[0].strip().lower()
            if "alternate" in rels and kind in _FEED_TYPES and values.get("href"):
                self.hrefs.append(values["href"])


def discover_feeds(html: bytes, base_url: str) -> list[str]:
    """Feed URLs a page advertises with <link rel="alternate">, absolute, in page order."""
    parser = _FeedLinkParser()
    parser.feed(decode_html(html[: 512 * 1024], None))
    parser.close()
    base = absolute_http_url(parser.base_href, base_url) or base_url
    found: list[str] = []
    for href in parser.hrefs:
        absolute = absolute_http_url(href, base)
        if absolute and absolute not in found:
            found.append(absolute)
    return found


# --- identity ---------------------------------------------------------------------------------

_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "_ga",
        "_gl",
        "ref_src",
        "ref_url",
        "s_cid",
    }
)
_TRACKING_PREFIXES = ("utm_", "hsa_", "pk_", "mtm_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in _TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES)


def normalise_url(url: str) -> str:
    """The comparable form of an article URL, so one article is recognised under small variations.

    Lowercases scheme and host, drops the default port, the fragment, tracking parameters
    (utm_*, fbclid, ...) and a trailing slash (the root path is always "/"). The remaining
    query is kept byte for byte and in order: parameters can be meaningful. Non-http(s)
    strings are returned stripped but otherwise untouched.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        host = f"{userinfo}@{host}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    kept = [
        piece
        for piece in parts.query.split("&")
        if piece and not _is_tracking(unquote(piece.split("=", 1)[0]))
    ]
    return urlunsplit((scheme, host, path, "&".join(kept), ""))


def entry_key(entry: FeedEntry) -> str:
    """The identity under which an entry is promoted at most once.

    The GUID when the feed gives one (feeds are expected to keep it stable even when the link
    changes), otherwise the normalised link; an entry with neither is identified by its title
    and text, which is the best that is left. Keys longer than ``KEY_MAX`` are hashed.
    """
    if entry.guid:
        key = entry.guid
    elif entry.link:
        key = normalise_url(entry.link)
    else:
        digest = hashlib.sha256(
            "\n".join((entry.title, entry.summary_html, entry.content_html)).encode()
        ).hexdigest()
        return f"content:{digest}"
    if len(key) > KEY_MAX:
        return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key
