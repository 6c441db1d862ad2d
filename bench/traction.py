"""Traction analytics speed: recording overhead, roll-up throughput, insights page latency.

Runs each measurement on a fresh database (SQLite in a temporary directory, and PostgreSQL at
``--pg``, a database it drops and re-creates), prints the figures beside their targets and
writes bench/results/traction.json.

    .venv/bin/python bench/traction.py [--events 10000000] [--db sqlite,postgres]

1. Home timeline request (GET /home/, 20 posts) with and without ``record_impressions``,
   through the real buffer and flush middleware (target: overhead <= 10 %).
2. Roll-up of N raw events generated in the database (target: >= 100,000 events/s).
3. Insights page (GET /traction/?days=90) for an author with 2,000 posts (target: p50 <= 150 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/rookery_traction_bench"
CHUNK = 1_000_000


def setup_django(db_url: str) -> None:
    os.environ["ROOKERY_DATA_DIR"] = tempfile.mkdtemp(prefix="rookery-bench-traction-")
    os.environ["ROOKERY_TASKS_IMMEDIATE"] = "true"
    os.environ["DEBUG"] = "false"  # debug mode logs every query: not what production runs
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    if db_url != "sqlite":
        os.environ["DATABASE_URL"] = db_url
        _recreate_pg(db_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rookery.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _recreate_pg(db_url: str) -> None:
    import psycopg

    base, name = db_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def bench_recording(repeat: int) -> dict[str, float]:
    from django.test import Client
    from tests.factories import UserFactory

    from rookery.posts.services import post_create
    from rookery.social.services import follow_create
    from rookery.traction import recording
    from rookery.web.views import timelines

    authors = [UserFactory(username=f"author{i}") for i in range(25)]
    readers = [UserFactory(username=f"reader{i}") for i in range(20)]
    for reader in readers:
        for author in authors:
            follow_create(follower=reader, followee=author)
    for round_ in range(8):
        for author in authors:
            text = f"Post {round_} by {author.username} https://example.com/{round_} #bench"
            post_create(author=author, text=text, rate_limit=False)
    clients = []
    for reader in readers:
        client = Client(HTTP_USER_AGENT="Mozilla/5.0 Chrome/126")
        client.force_login(reader)
        clients.append(client)
    real = timelines.record_impressions
    turn = iter(range(10**9))

    def request() -> None:
        response = clients[next(turn) % len(clients)].get("/home/")
        assert response.status_code == 200

    def noop(*args: object, **kwargs: object) -> int:
        return 0

    # The production buffer (500 events or 5 s), flushed by the middleware after responses.
    recording.buffer.size, recording.buffer.seconds = recording.FLUSH_SIZE, recording.FLUSH_SECONDS
    for _ in range(20):
        request()  # warm caches and connections
    without: list[float] = []
    with_recording: list[float] = []
    # Interleaved rounds, so drift in the machine's speed hits both sides alike.
    for _ in range(5):
        timelines.record_impressions = noop
        without += timed(request, repeat // 5)
        timelines.record_impressions = real
        with_recording += timed(request, repeat // 5)
    recording.flush()
    base, rec = statistics.median(without), statistics.median(with_recording)
    mean_base, mean_rec = statistics.fmean(without), statistics.fmean(with_recording)
    return {
        "home_p50_ms_without": round(base * 1000, 2),
        "home_p50_ms_with": round(rec * 1000, 2),
        "overhead_p50_percent": round((rec - base) / base * 100, 2),
        "home_mean_ms_without": round(mean_base * 1000, 2),
        "home_mean_ms_with": round(mean_rec * 1000, 2),
        "overhead_mean_percent": round((mean_rec - mean_base) / mean_base * 100, 2),
    }


def generate_events(total: int) -> float:
    """Insert ``total`` distinct raw events in SQL (no Python per row); returns seconds."""
    from django.db import connection, transaction
    from tqdm import tqdm

    from rookery.traction.models import Event

    table = Event._meta.db_table
    columns = "kind, owner_id, post_id, link_id, viewer, surface, hour, day"
    # 20,000 posts of 500 authors over 90 days, each seen in the 48 hours after it was posted
    # (as real posts are); viewer = i keeps every row distinct.
    if connection.vendor == "postgresql":
        select = (
            "SELECT CASE WHEN i %% 10 = 0 THEN 2 WHEN i %% 97 = 0 THEN 3 ELSE 1 END, "
            "1 + (i * 7919) %% 20000 %% 500, 1000000 + (i * 7919) %% 20000, 0, i, 1, "
            "timestamptz '2025-01-01 00:00+00' + (((i * 7919) %% 20000) * 13 %% 2112 + i %% 48) "
            "* interval '1 hour', "
            "date '2025-01-01' + ((((i * 7919) %% 20000) * 13 %% 2112 + i %% 48) / 24)::int "
            "FROM generate_series(%s::bigint, %s::bigint) AS i"
        )
    else:
        select = (
            "WITH RECURSIVE s(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM s WHERE i < %s) "
            "SELECT CASE WHEN i %% 10 = 0 THEN 2 WHEN i %% 97 = 0 THEN 3 ELSE 1 END, "
            "1 + (i * 7919) %% 20000 %% 500, 1000000 + (i * 7919) %% 20000, 0, i, 1, "
            "datetime('2025-01-01', '+' || (((i * 7919) %% 20000) * 13 %% 2112 + i %% 48) "
            "|| ' hours'), "
            "date('2025-01-01', '+' || ((((i * 7919) %% 20000) * 13 %% 2112 + i %% 48) / 24) "
            "|| ' days') FROM s"
        )
    start = time.perf_counter()
    with tqdm(total=total, desc="generate events", unit="ev", unit_scale=True) as bar:
        for low in range(1, total + 1, CHUNK):
            high = min(low + CHUNK - 1, total)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({columns}) {select}", [low, high])
            bar.update(high - low + 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - start


def bench_rollup(total: int) -> dict[str, float]:
    from tqdm import tqdm

    from rookery.traction import services

    generated = generate_events(total)
    with tqdm(total=total, desc="roll up", unit="ev", unit_scale=True) as bar:
        done = [0]

        def progress(moved: int, _all: int) -> None:
            bar.update(moved - done[0])
            done[0] = moved

        start = time.perf_counter()
        services.rollup_run(settle_seconds=0, progress=progress)
        seconds = time.perf_counter() - start
    return {
        "events": total,
        "generate_seconds": round(generated, 1),
        "rollup_seconds": round(seconds, 2),
        "rollup_events_per_second": round(total / seconds),
    }


def bench_insights(posts: int, repeat: int) -> dict[str, float]:
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone
    from tests.factories import UserFactory

    from rookery.posts.models import Hashtag, Post
    from rookery.traction.models import EventKind, PostTotal

    rng = random.Random(7)
    author = UserFactory(username="prolific", timezone="Europe/Berlin")
    now = timezone.now()
    tags = [Hashtag.objects.get_or_create(name=f"topic{i}")[0] for i in range(12)]
    rows = []
    for i in range(posts):
        kind = rng.random()
        rows.append(
            Post(
                author=author,
                text=("Question? " if kind < 0.15 else "") + "word " * rng.randint(3, 80),
                html="<p>post</p>",
                first_url=f"https://blog.example/{i}" if kind > 0.6 else "",
                is_question=kind < 0.15,
                created_at=now - timedelta(minutes=rng.randint(0, 89 * 24 * 60)),
                likes_count=rng.randint(0, 30),
                reblogs_count=rng.randint(0, 8),
                replies_count=rng.randint(0, 6),
            )
        )
    created = Post.objects.bulk_create(rows, batch_size=500)
    through = Post.hashtags.through
    through.objects.bulk_create(
        [through(post_id=p.pk, hashtag_id=rng.choice(tags).pk) for p in created], batch_size=1000
    )
    totals = []
    for p in created:
        totals.append(PostTotal(post_id=p.pk, author_id=author.pk, kind=EventKind.IMPRESSION,
                                n=rng.randint(20, 2000)))  # fmt: skip
        totals.append(PostTotal(post_id=p.pk, author_id=author.pk, kind=EventKind.CLICK,
                                n=rng.randint(0, 60)))  # fmt: skip
    PostTotal.objects.bulk_create(totals, batch_size=1000)
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 Chrome/126")
    client.force_login(author)

    def page(days: int) -> None:
        response = client.get(f"/traction/?days={days}")
        assert response.status_code == 200

    result = {}
    for days in (90, 30):
        page(days)
        samples = timed(lambda days=days: page(days), repeat)
        result[f"insights_{days}d_p50_ms"] = round(statistics.median(samples) * 1000, 1)
        result[f"insights_{days}d_p90_ms"] = round(
            statistics.quantiles(samples, n=10)[-1] * 1000, 1
        )
    return result


def run_one(db: str, events: int, repeat: int) -> dict[str, object]:
    setup_django(db)
    from django.db import connection

    figures: dict[str, object] = {"database": connection.vendor}
    print(f"\n== {connection.vendor} ==", flush=True)
    figures["recording"] = bench_recording(repeat)
    print(f"home timeline: {figures['recording']}", flush=True)
    figures["insights"] = bench_insights(2000, max(repeat // 10, 20))
    print(f"insights: {figures['insights']}", flush=True)
    figures["rollup"] = bench_rollup(events)
    print(f"roll-up: {figures['rollup']}", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=200, help="timeline requests per side")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--pg", default=PG_DEFAULT)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child process: one database
    args = parser.parse_args()
    if args.one:
        print("RESULT " + json.dumps(run_one(args.one, args.events, args.repeat)), flush=True)
        return
    results = []
    for db in args.db.split(","):
        target = args.pg if db == "postgres" else "sqlite"
        # One process per database: Django's settings are read once per process.
        process = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                target,
                "--events",
                str(args.events),
                "--repeat",
                str(args.repeat),
            ],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        for line in process.stdout.splitlines():
            if line.startswith("RESULT "):
                results.append(json.loads(line[7:]))
            else:
                print(line)
    print("\n== summary (target) ==")
    for r in results:
        rec, ins, rol = r["recording"], r["insights"], r["rollup"]
        print(
            f"{r['database']}: recording overhead p50 {rec['overhead_p50_percent']}% (<= 10%), "
            f"roll-up {rol['rollup_events_per_second']:,} events/s (>= 100,000), "
            f"insights 90 d p50 {ins['insights_90d_p50_ms']} ms (<= 150 ms)"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "traction.json").write_text(
        json.dumps({"events": args.events, "results": results}, indent=2) + "\n"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.factories
    main()
