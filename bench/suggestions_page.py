"""Speed of the Who to follow page on the 100,000-user benchmark network (issue #5 "Measure").

Builds (or reuses, --skip-generate) a network with bench/_network.py, the same people and follow
graph as bench/timeline.py's full size (100,000 people, 50 follows each on average, seed 2) but
fewer posts, which this page never reads. Adds event rooms and profile topics so that those
reasons are computed too. Then, in this process, through Django's test client (no socket):

* the first request, which builds the process's follow graph (once per web process);
* GET /suggestions/ for a sample of people who follow someone, logged in, wall and CPU time;
* suggestions_for() alone, to show what the page adds around the ranking.

Target: page p50 <= 100 ms.

    .venv/bin/python bench/suggestions_page.py [--users 100000] [--sample 50] [--skip-generate]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
TARGET_P50_MS = 100.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--follows-per-user", type=float, default=50.0)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=300, help="Event rooms to add.")
    parser.add_argument("--sample", type=int, default=50, help="People whose page is timed.")
    parser.add_argument("--database-url", help="Default: a SQLite file in bench/results/.")
    parser.add_argument("--skip-generate", action="store_true", help="Reuse the database.")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.database_url:
        path = RESULTS / f"suggestions-{args.users}.sqlite3"
        args.database_url = f"sqlite:///{path}"
    return args


def configure(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.pop("REDIS_URL", None)
    os.environ["ROOKERY_DATA_DIR"] = str(RESULTS / "data")
    os.environ["ROOKERY_ENV"] = "development"
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory
    os.environ["ROOKERY_TASKS_IMMEDIATE"] = "true"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "rookery.settings"
    sys.path.insert(0, str(BENCH_DIR))
    import django

    django.setup()


def add_events_and_topics(args: argparse.Namespace) -> dict[str, int]:
    """Rooms of 5-40 people (some people in several) and 0-3 profile topics per person."""
    from django.db import transaction

    from rookery.accounts.models import User
    from rookery.posts.models import Hashtag
    from rookery.suggestions.models import Event, EventMembership

    rng = np.random.default_rng(args.seed + 1)
    tags = list(Hashtag.objects.order_by("pk"))
    with transaction.atomic():
        events = Event.objects.bulk_create(
            Event(
                name=f"Bench room {i}",
                slug=f"bench-room-{i}",
                starts_on=date(2025, 5, 1),
                ends_on=date(2025, 5, 3),
                hashtag=tags[i % len(tags)],
                created_by_id=int(rng.integers(4, args.users + 1)),
                join_code=f"benchcode{i:06d}",
            )
            for i in range(args.events)
        )
        memberships = []
        for event in events:
            size = int(rng.integers(5, 41))
            for user_id in rng.choice(np.arange(4, args.users + 1), size=size, replace=False):
                memberships.append(EventMembership(event=event, user_id=int(user_id)))
        EventMembership.objects.bulk_create(memberships, batch_size=10_000)
        through = User.topics.through
        topics = []
        for user_id in range(1, args.users + 1):
            for tag in rng.choice(len(tags), size=int(rng.integers(0, 4)), replace=False):
                topics.append(through(user_id=user_id, hashtag_id=tags[int(tag)].pk))
        through.objects.bulk_create(topics, batch_size=10_000)
    return {"events": len(events), "memberships": len(memberships), "topics": len(topics)}


def generate(args: argparse.Namespace) -> None:
    configure(args)
    from django.core.management import call_command

    from _network import build_network

    call_command("migrate", verbosity=0)
    info = build_network(
        args.users, args.follows_per_user, args.posts, seed=args.seed,
        progress=not args.no_progress,
    )  # fmt: skip
    extras = add_events_and_topics(args)
    out = {**info.__dict__, **extras}
    (RESULTS / "suggestions-generate.json").write_text(json.dumps(out, default=str))


def percentiles(samples: list[float]) -> dict[str, float]:
    values = np.array(samples)
    return {
        "p50": round(float(np.percentile(values, 50)), 2),
        "p90": round(float(np.percentile(values, 90)), 2),
        "p99": round(float(np.percentile(values, 99)), 2),
        "max": round(float(values.max()), 2),
        "n": int(values.size),
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.test import Client

    from rookery.accounts.models import User
    from rookery.suggestions.graph import graph_state
    from rookery.suggestions.selectors import suggestions_for

    rng = np.random.default_rng(args.seed)
    active = np.array(
        User.objects.filter(following_count__gt=0, pk__gt=3).values_list("pk", flat=True)
    )
    sample = [int(x) for x in rng.choice(active, size=min(args.sample, active.size), replace=False)]
    client = Client()
    client.force_login(User.objects.get(pk=sample[0]))
    started, cpu = time.perf_counter(), time.process_time()
    first = client.get("/suggestions/")
    first_ms = (time.perf_counter() - started) * 1000
    first_cpu_ms = (time.process_time() - cpu) * 1000
    assert first.status_code == 200, first.status_code
    graph = graph_state().graph

    page_ms, page_cpu_ms, selector_ms, shown = [], [], [], []
    for user_id in sample:
        user = User.objects.get(pk=user_id)
        client.force_login(user)
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get("/suggestions/")
        page_ms.append((time.perf_counter() - t0) * 1000)
        page_cpu_ms.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200, response.status_code
        shown.append(response.content.count(b'class="card person suggestion"'))
        t0 = time.perf_counter()
        suggestions_for(user, limit=20)
        selector_ms.append((time.perf_counter() - t0) * 1000)
    return {
        "graph": {"users": graph.num_users, "follows": graph.num_follows},
        "first_request_ms": round(first_ms, 1),
        "first_request_cpu_ms": round(first_cpu_ms, 1),
        "page_ms": percentiles(page_ms),
        "page_cpu_ms": percentiles(page_cpu_ms),
        "suggestions_for_ms": percentiles(selector_ms),
        "cards_per_page": percentiles([float(n) for n in shown]),
    }


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.generate_only:
        generate(args)
        return
    generation: dict[str, Any] = {"skipped": True}
    if not args.skip_generate:
        path = Path(args.database_url.removeprefix("sqlite:///"))
        if not args.database_url.startswith("sqlite:///"):
            sys.exit("Generation is only automated for SQLite; pass --skip-generate otherwise.")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        started = time.monotonic()
        child = subprocess.run([sys.executable, __file__, *argv, "--generate-only"], check=False)
        if child.returncode:
            sys.exit(f"Generation failed (exit {child.returncode}).")
        generation = json.loads((RESULTS / "suggestions-generate.json").read_text())
        generation["wall_seconds"] = round(time.monotonic() - started, 1)
    configure(args)
    from django.core.management import call_command
    from django.db import connection

    # A reused database may predate migrations added since it was generated.
    call_command("migrate", verbosity=0)
    result = measure(args)
    result.update(
        {
            "database": connection.vendor,
            "size": {"users": args.users, "follows_per_user": args.follows_per_user},
            "sample": args.sample,
            "load_avg_1m": round(os.getloadavg()[0], 1),
            "cpus": os.cpu_count(),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "target": {"page_ms_p50": TARGET_P50_MS},
            "generation": generation,
        }
    )
    page, cpu = result["page_ms"], result["page_cpu_ms"]
    print(f"graph: {result['graph']}; first request (builds it) {result['first_request_ms']} ms")
    print(f"GET /suggestions/: p50 {page['p50']} ms, p99 {page['p99']} ms (target p50 <= 100)")
    print(f"  CPU of this process: p50 {cpu['p50']} ms, p99 {cpu['p99']} ms")
    sel = result["suggestions_for_ms"]
    print(f"suggestions_for alone: p50 {sel['p50']} ms, p99 {sel['p99']} ms")
    print(f"load average {result['load_avg_1m']} on {result['cpus']} CPUs")
    (RESULTS / "suggestions_page.json").write_text(json.dumps(result, indent=2, default=str))
    print(f"Wrote {RESULTS / 'suggestions_page.json'}")


if __name__ == "__main__":
    main(sys.argv[1:])
