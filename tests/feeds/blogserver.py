"""A blog on 127.0.0.1 for tests: feeds and article pages served by http.server in a thread.

Routes are plain data the test changes as it goes (a new entry appears, the server starts
answering 404...). Conditional GET is honoured for routes with an ETag.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    gzip: bool = False
    delay: float = 0.0
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class BlogServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def handle(self) -> None:
                # The client hangs up on purpose in the timeout and size-cap tests.
                with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                    super().handle()

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.hits.append((path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(path)
                if route is None:
                    self._send(404, b"not found", "text/plain")
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.location is not None:
                    self._send(route.status, b"", "text/plain", {"Location": route.location})
                    return
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self._send(304, b"", None, {"ETag": route.etag})
                    return
                body = route.body
                extra = dict(route.headers)
                if route.etag:
                    extra["ETag"] = route.etag
                if route.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzip.compress(body)
                    extra["Content-Encoding"] = "gzip"
                self._send(route.status, body, route.content_type, extra)

            def _send(
                self,
                status: int,
                body: bytes,
                ctype: str | None,
                extra: dict[str, str] | None = None,
            ) -> None:
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits_of(self, path: str) -> int:
        return sum(1 for hit, _ in self.hits if hit == path)

    def __enter__(self) -> BlogServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- documents ----------------------------------------------------------------------------------

PARAGRAPHS = [
    "Our checkout service kept timing out under load, and the cause was not where we looked first.",
    "We traced the slow requests to connection pool exhaustion in PostgreSQL during batch jobs.",
    "Raising the pool size only moved the problem, so we measured where connections were held.",
    "The fix was to release connections before calling the payment provider, which cut p99 by 80%.",
    "This post walks through the measurements, the fix and what we monitor now.",
]


@dataclass
class Item:
    title: str
    link: str
    guid: str | None = None
    summary: str = "A short teaser."
    date: str | None = "Tue, 01 Oct 2024 10:00:00 +0000"


def rss(
    items: list[Item], *, title: str = "Ana's blog", site: str = "", encoding: str = "utf-8"
) -> bytes:
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>', '<rss version="2.0"><channel>']
    parts.append(f"<title>{escape(title)}</title><link>{escape(site)}</link>")
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item.title)}</title><link>{escape(item.link)}</link>")
        if item.guid:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.date:
            parts.append(f"<pubDate>{item.date}</pubDate>")
        parts.append(f"<description>{escape(item.summary)}</description></item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode(encoding)


def atom(items: list[Item], *, title: str = "Bo's notes", site: str = "") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f'<title>{escape(title)}</title><link rel="alternate" href="{escape(site)}"/>',
        "<id>urn:feed</id><updated>2024-10-01T10:00:00Z</updated>",
    ]
    for item in items:
        parts.append(
            f'<entry><title>{escape(item.title)}</title><link href="{escape(item.link)}"/>'
            f"<id>{escape(item.guid or item.link)}</id><updated>2024-10-01T10:00:00Z</updated>"
            f"<summary>{escape(item.summary)}</summary></entry>"
        )
    parts.append("</feed>")
    return "\n".join(parts).encode()


def json_feed(items: list[Item], *, title: str = "Cy's log") -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "items": [
                {"id": item.guid or item.link, "url": item.link, "title": item.title,
                 "content_text": item.summary}
                for item in items
            ],
        }
    ).encode()  # fmt: skip


def article(title: str, paragraphs: list[str] | None = None) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in (paragraphs or PARAGRAPHS))
    return (
        f"<!doctype html><html><head><title>{escape(title)}</title>"
        f'<meta name="description" content="{escape(title)}"></head>'
        f"<body><nav>Home</nav><article><h1>{escape(title)}</h1>{body}</article>"
        "<footer>© 2024</footer></body></html>"
    ).encode()


def homepage(feed_path: str) -> bytes:
    return (
        "<!doctype html><html><head><title>My blog</title>"
        f'<link rel="alternate" type="application/rss+xml" href="{feed_path}">'
        "</head><body><h1>My blog</h1></body></html>"
    ).encode()


def http_date(seconds: float) -> str:
    from datetime import UTC, datetime

    return format_datetime(datetime.fromtimestamp(seconds, UTC), usegmt=True)
