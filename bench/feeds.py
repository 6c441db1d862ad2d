"""Blog promotion speed: one poll round over many feeds, and drafting time per article.

A separate process serves N feeds (10 entries each, ETag/If-None-Match, teaser-only entries
with article pages) on 127.0.0.1; after the feeds are added, a tenth of them get a new entry,
every feed is made due, and one worker runs one poll round (FEED_POLL_WORKERS threads).
Reports wall and CPU time of the worker process (the server's CPU is not counted), then the
drafting time per article (summary + hashtags + template) over composed articles, as
bench/feeds_draft.py does. Writes bench/results/feeds.json.

    .venv/bin/python bench/feeds.py [--feeds 1000] [--changed 0.1] [--articles 200]
    DATABASE_URL=postgres://... .venv/bin/python bench/feeds.py   # on PostgreSQL
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent
ENTRIES = 10
TARGET_FEEDS_PER_S = 50
TARGET_DRAFT_P50_MS = 50


# --- the blog server (a child process) --------------------------------------------------------


def _feed_body(port: int, i: int, version: int) -> bytes:
    items = []
    for n in range(ENTRIES + version, version, -1):
        link = f"http://127.0.0.1:{port}/f/{i}/{n}"
        items.append(
            f"<item><title>Feed {i} article {n}</title><link>{link}</link>"
            f"<guid>f{i}-{n}</guid><description>A teaser for article {n}.</description></item>"
        )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog {i}</title>'
        f"<link>http://127.0.0.1:{port}/</link>{''.join(items)}</channel></rss>"
    ).encode()


def _article_body(i: int, n: int) -> bytes:
    sentences = [
        f"Team {i} moved its build pipeline to a new runner and cut build times in half.",
        "The old pipeline spent most of its time restoring caches that were rarely hit.",
        "We measured each step, removed two redundant ones and parallelised the test suite.",
        "Database migrations now run once per pipeline instead of once per job.",
        f"Article {n} explains the measurements, the changes and what we would do next time.",
    ]
    paragraphs = "".join(f"<p>{' '.join(sentences[k:] + sentences[:k])}</p>" for k in range(5))
    return (
        f"<html><head><title>Article {n}</title></head><body><nav>Home</nav>"
        f"<article><h1>Feed {i} article {n}</h1>{paragraphs}</article></body></html>"
    ).encode()


def serve(port_file: str) -> None:
    versions: dict[int, int] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            port = self.server.server_address[1]
            if parts[0] == "_change":
                every = int(parts[1])
                for i in range(0, int(parts[2]), every):
                    versions[i] = versions.get(i, 0) + 1
                return self._send(200, b"ok", "text/plain", None)
            if parts[0] == "f" and len(parts) == 2:
                i = int(parts[1].removesuffix(".xml"))
                etag = f'"{i}-{versions.get(i, 0)}"'
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, b"", None, etag)
                body = _feed_body(port, i, versions.get(i, 0))
                return self._send(200, body, "application/rss+xml", etag)
            if parts[0] == "f" and len(parts) == 3:
                return self._send(
                    200, _article_body(int(parts[1]), int(parts[2])), "text/html", None
                )
            return self._send(404, b"", "text/plain", None)

        def _send(self, status: int, body: bytes, ctype: str | None, etag: str | None) -> None:
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.request_queue_size = 256
    Path(port_file).write_text(str(httpd.server_address[1]))
    httpd.serve_forever()


# --- the worker -------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--changed", type=float, default=0.1)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0

    data_dir = tempfile.mkdtemp(prefix="rookery-bench-feeds-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="rookery.settings",
        ROOKERY_DATA_DIR=data_dir,
        ROOKERY_OUTBOUND_ALLOW_PRIVATE="true",
        ROOKERY_TASKS_IMMEDIATE="true",
    )
    port_file = os.path.join(data_dir, "port")
    server = subprocess.Popen([sys.executable, __file__, "--serve", port_file])
    try:
        return run(args, port_file, data_dir)
    finally:
        server.terminate()
        server.wait()


def run(args: argparse.Namespace, port_file: str, data_dir: str) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from rookery.accounts.models import User
    from rookery.feeds import polling, services
    from rookery.feeds.models import Feed, Promotion, PromotionState
    from rookery.feeds.parsing import parse_feed

    call_command("migrate", verbosity=0)
    for _ in range(100):
        if os.path.exists(port_file) and Path(port_file).read_text():
            break
        time.sleep(0.05)
    port = int(Path(port_file).read_text())
    base = f"http://127.0.0.1:{port}"
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]

    owner, _ = User.objects.get_or_create(username="bench_blogger")
    Feed.objects.filter(owner=owner).delete()
    print(f"adding {args.feeds} feeds ({database})...", file=sys.stderr)
    for i in range(args.feeds):
        url = f"{base}/f/{i}.xml"
        body = _feed_body(port, i, 0)
        services.feed_create(
            owner=owner,
            feed_url=url,
            parsed=parse_feed(body, url=url, content_type="application/rss+xml"),
            etag=f'"{i}-0"',
            last_modified=None,
        )
        if (i + 1) % 200 == 0:
            print(f"  {i + 1}/{args.feeds}", file=sys.stderr, flush=True)

    every = max(1, round(1 / args.changed)) if args.changed > 0 else args.feeds + 1
    changed = len(range(0, args.feeds, every))
    polling.fetch(f"{base}/_change/{every}/{args.feeds}", policy=polling.outbound_policy())
    Feed.objects.filter(owner=owner).update(next_poll_at=timezone.now())

    draft_times: list[float] = []
    real_draft = polling.draft_article

    def timed_draft(**kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return real_draft(**kwargs)
        finally:
            draft_times.append((time.perf_counter() - started) * 1000)

    polling.draft_article = timed_draft  # type: ignore[assignment]
    print(f"polling {args.feeds} feeds, {changed} changed...", file=sys.stderr)
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    polled = polling.feeds_poll_due()
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    polling.draft_article = real_draft  # type: ignore[assignment]

    drafts = Promotion.objects.filter(owner=owner, state=PromotionState.DRAFT).count()
    failed = Feed.objects.filter(owner=owner, last_ok=False).count()
    feeds_per_s = polled / wall

    sys.path.insert(0, str(ROOT))
    import random

    from feeds_draft import compose_article, load_headlines
    from rookery.feeds.summary import Article, draft_post
    from rookery.posts.rendering import LINK_LENGTH

    rng = random.Random(7)
    headlines = load_headlines()
    articles = [compose_article(rng, headlines) for _ in range(args.articles)]
    topics = ["postgres", "rust", "kubernetes", "security", "python", "devops"]
    warm_title, warm_text = articles[0]
    draft_post(
        Article(title=warm_title, text=warm_text, description=None, author=None, date=None),
        post_max_chars=settings.POST_MAX_CHARS,
        link_length=LINK_LENGTH,
        link="https://blog.example.com/warm-up",
    )
    per_article: list[float] = []
    per_article_cpu: list[float] = []
    for n, (title, text) in enumerate(articles):
        w, c = time.perf_counter(), time.process_time()
        draft_post(
            Article(title=title, text=text, description=None, author=None, date=None),
            post_max_chars=settings.POST_MAX_CHARS,
            link_length=LINK_LENGTH,
            link=f"https://blog.example.com/posts/{n}",
            template="{summary} {link} {hashtags}",
            author_topics=rng.sample(topics, 3),
        )
        per_article.append((time.perf_counter() - w) * 1000)
        per_article_cpu.append((time.process_time() - c) * 1000)

    results = {
        "database": database,
        "feeds": args.feeds,
        "changed": changed,
        "polled": polled,
        "workers": settings.FEED_POLL_WORKERS,
        "poll_wall_s": round(wall, 2),
        "poll_cpu_s": round(cpu, 2),
        "feeds_per_s": round(feeds_per_s, 1),
        "target_feeds_per_s": TARGET_FEEDS_PER_S,
        "drafts_created": drafts,
        "feeds_failed": failed,
        "in_poll_draft_p50_ms": round(percentile(draft_times, 0.5), 1) if draft_times else None,
        "in_poll_draft_p99_ms": round(percentile(draft_times, 0.99), 1) if draft_times else None,
        "draft_p50_ms": round(statistics.median(per_article), 1),
        "draft_p99_ms": round(percentile(per_article, 0.99), 1),
        "draft_cpu_p50_ms": round(statistics.median(per_article_cpu), 1),
        "target_draft_p50_ms": TARGET_DRAFT_P50_MS,
        "articles": len(articles),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
    }
    print(f"poll round: {polled} feeds ({changed} changed) in {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"  {feeds_per_s:.1f} feeds/s (target >= {TARGET_FEEDS_PER_S}); {drafts} drafts, "
          f"{failed} feeds failed")  # fmt: skip
    if draft_times:
        p50, p99 = results["in_poll_draft_p50_ms"], results["in_poll_draft_p99_ms"]
        print(f"  in-poll drafting (article fetch + extract + draft): p50 {p50} ms, p99 {p99} ms")
    print(f"drafting (summary + hashtags + template), {len(articles)} articles: p50 "
          f"{results['draft_p50_ms']} ms (target <= {TARGET_DRAFT_P50_MS}), p99 "
          f"{results['draft_p99_ms']} ms, CPU p50 {results['draft_cpu_p50_ms']} ms")  # fmt: skip
    print(f"load average {results['load_average_1m']} on {os.cpu_count()} cores")
    out = ROOT / "results" / "feeds.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
