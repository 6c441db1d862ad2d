"""The morning email run for bench/digest_speed.py --email-readers N (issue #6 "Measure").

Phase "generate" builds the network in a fresh SQLite file; phase "run" sends everyone's email
on this one process, as one huey worker would, and writes bench/results/digest_email.json.
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

from tqdm import tqdm

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Asia/Kolkata"]
FOLLOWS_PER_READER = 40
POSTS_PER_READER = 4  # posts in the last day per person: about 160 candidates per reader
LIKES_PER_READER = 15
TRAINED_SHARE = 0.3  # readers who have clicked "more/less like this" before
SENT: list[int] = []


class SerialisingBackend:
    """Builds each message's bytes as SMTP would be given them, then drops them."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def open(self) -> bool:
        return True

    def close(self) -> None:
        pass

    def __enter__(self) -> SerialisingBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def send_messages(self, messages: list) -> int:
        for message in messages:
            SENT.append(len(message.message().as_bytes()))
        return len(messages)


def configure(readers: int) -> None:
    db = RESULTS / f"digest-email-{readers}.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.pop("REDIS_URL", None)
    os.environ["ROOKERY_DATA_DIR"] = str(RESULTS / "data")
    os.environ["ROOKERY_ENV"] = "development"
    # DEBUG would keep every query in memory: the memory figure would measure Django's log.
    os.environ["DEBUG"] = "false"
    os.environ["ROOKERY_TASKS_IMMEDIATE"] = "true"
    os.environ["EMAIL_BACKEND"] = "_digest_email.SerialisingBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "rookery.settings"
    sys.path.insert(0, str(BENCH_DIR))
    import django

    django.setup()


def email_phase(phase: str, readers: int, seed: int) -> None:
    if phase == "generate":
        path = RESULTS / f"digest-email-{readers}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        configure(readers)
        generate(readers, seed)
    else:
        configure(readers)
        run(readers)


def generate(readers: int, seed: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from _network import build_network
    from rookery.algorithms.catchup import ReaderModel
    from rookery.catchup.models import CatchupSettings
    from rookery.posts.models import Like, Post

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    info = build_network(
        readers, FOLLOWS_PER_READER, readers * POSTS_PER_READER, seed=seed,
        special_followers=(),
    )  # fmt: skip
    now = datetime.now(UTC)
    with connection.cursor() as cursor:
        # The generator spreads posts over 30 days; a morning run reads one day, so squeeze
        # them into the last 24 hours (order, and so ids versus time, is kept).
        cursor.execute(
            "UPDATE posts_post SET created_at = datetime(%s, '-' || "
            "CAST((julianday(%s) - julianday(created_at)) * 86400 / 30 AS INTEGER) || ' seconds')",
            [now.strftime("%Y-%m-%d %H:%M:%S"), now.strftime("%Y-%m-%d %H:%M:%S")],
        )
    rng = random.Random(seed)
    last_post = Post.objects.order_by("-id").values_list("id", flat=True).first() or 0
    originals = list(Post.objects.filter(reblog_of__isnull=True).values_list("id", flat=True))
    with transaction.atomic():
        likes = {
            (uid, rng.choice(originals))
            for uid in range(1, readers + 1)
            for _ in range(LIKES_PER_READER)
        }
        Like.objects.bulk_create(
            [Like(user_id=u, post_id=p) for u, p in likes], batch_size=5000, ignore_conflicts=True
        )
        counts: dict[int, int] = {}
        for _, p in likes:
            counts[p] = counts.get(p, 0) + 1
        for p, n in tqdm(counts.items(), desc="like counts", unit="post", mininterval=1):
            Post.objects.filter(pk=p).update(likes_count=n)
        sample = list(
            Post.objects.filter(reblog_of__isnull=True).select_related("author", "link_card")[:40]
        )
        model = ReaderModel()
        from rookery.catchup.selectors import _candidate

        for post in sample:
            model.learn(_candidate(post, (), (), from_network=True), rng.choice(["more", "less"]))
        trained = model.to_bytes()
        CatchupSettings.objects.bulk_create(
            [
                CatchupSettings(
                    user_id=uid,
                    email_enabled=True,
                    # Midnight local: everyone is due whenever the run starts.
                    email_time=dt_time(0, 0),
                    model_bytes=trained if rng.random() < TRAINED_SHARE else b"",
                )
                for uid in range(1, readers + 1)
            ],
            batch_size=5000,
        )
    from rookery.accounts.models import User

    for i, zone in enumerate(ZONES):
        User.objects.filter(pk__in=range(i + 1, readers + 1, len(ZONES))).update(timezone=zone)
    summary = {
        **{k: v for k, v in info.__dict__.items() if k != "seconds"},
        "likes": len(likes),
        "last_post_id": last_post,
        "generate_seconds": round(time.monotonic() - started, 1),
        "generate_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    (RESULTS / "digest-email-generate.json").write_text(json.dumps(summary, indent=2))
    print(f"generated: {summary}")


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run(readers: int) -> None:
    from django.core.mail import get_connection

    from rookery.algorithms.catchup import default_prior
    from rookery.catchup.delivery import digest_due_user_ids, digest_send
    from rookery.catchup.models import DigestDelivery

    DigestDelivery.objects.all().delete()  # a re-run measures sending, not "already sent"
    default_prior()  # trained once per worker process; not part of any one morning
    now = datetime.now(UTC) + timedelta(minutes=1)
    rss_before = _rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    due = digest_due_user_ids(now=now)
    due_seconds = time.perf_counter() - t0
    per_reader: list[float] = []
    outcomes: dict[str, int] = {}
    with get_connection() as connection:
        for user_id in tqdm(due, desc="morning emails", unit="reader"):
            r0 = time.perf_counter()
            outcome = digest_send(user_id=user_id, now=now, connection=connection)
            per_reader.append((time.perf_counter() - r0) * 1000)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_reader.sort()
    result = {
        "readers": readers,
        "due": len(due),
        "outcomes": outcomes,
        "total_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "due_query_seconds": round(due_seconds, 2),
        "per_reader_p50_ms": round(statistics.median(per_reader), 1) if per_reader else None,
        "per_reader_p99_ms": round(per_reader[int(0.99 * (len(per_reader) - 1))], 1)
        if per_reader
        else None,
        "mean_message_kb": round(statistics.mean(SENT) / 1024, 1) if SENT else None,
        "peak_rss_mb": round(peak),
        "rss_before_run_mb": round(rss_before),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(),
        "database": "SQLite (WAL), one process",
        "machine": platform.platform(),
    }
    print(
        f"morning email run: {len(due)} readers due, {outcomes}; total {wall:.1f} s wall, "
        f"{cpu:.1f} s CPU; per reader p50 {result['per_reader_p50_ms']} ms; "
        f"peak RSS {result['peak_rss_mb']} MB (before the run {result['rss_before_run_mb']} MB)"
    )
    (RESULTS / "digest_email.json").write_text(json.dumps(result, indent=2))
