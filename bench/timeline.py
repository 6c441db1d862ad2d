"""Home timeline speed on a large network (issue #2 "Measure").

Generates (or reuses) a network of people with power-law follows and posts, with home timelines
filled as fan-out on write leaves them (bench/_network.py), then measures server-side, in this
process (no HTTP socket, no network):

* the home timeline's first page of 40 posts as Mastodon JSON (timeline_home + the API's status
  serialiser + json.dumps) and as HTML (the web app's GET /home/ through Django's test client,
  logged in), each with the reader's cached page dropped first ("cold") and then again ("warm");
* page 20 (via max_id), the same two ways;
* post_create and fanout_run for authors with 100, 10,000 and 100,000 followers;
* peak memory (ru_maxrss) of the generation and of the measuring process.

Targets (PostgreSQL + Redis): home page p50 <= 15 ms and p99 <= 50 ms; fan-out to 10,000
followers <= 2 s; deep pages no slower than 2x the first.

Run:
  .venv/bin/python bench/timeline.py --quick                     # SQLite file in bench/results/
  .venv/bin/python bench/timeline.py --quick \\
      --database-url postgres://postgres@127.0.0.1:5432/rookery_bench \\
      --redis-url redis://127.0.0.1:6379/14
  .venv/bin/python bench/timeline.py ... --skip-generate         # reuse the generated database

The PostgreSQL database is dropped and created again unless --skip-generate; its name must
contain "bench" so that a typo can't drop a real one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
PAGE = 40
DEEP_PAGE = 20
QUICK = {"users": 10_000, "follows_per_user": 50.0, "posts": 100_000}
FULL = {"users": 100_000, "follows_per_user": 50.0, "posts": 1_000_000}
TARGETS = {"first_p50": 15.0, "first_p99": 50.0, "fanout_10k_s": 2.0, "deep_ratio": 2.0}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int)
    parser.add_argument("--follows-per-user", type=float)
    parser.add_argument("--posts", type=int)
    parser.add_argument("--quick", action="store_true", help="10,000 people, 100,000 posts.")
    parser.add_argument("--database-url", help="Default: a fresh SQLite file in bench/results/.")
    parser.add_argument("--redis-url", help="Cache (and hot timeline pages) in Redis.")
    parser.add_argument("--skip-generate", action="store_true", help="Reuse the database.")
    parser.add_argument("--readers", type=int, default=200, help="Readers sampled per figure.")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    base = QUICK if args.quick else FULL
    args.users = args.users or base["users"]
    args.follows_per_user = args.follows_per_user or base["follows_per_user"]
    args.posts = args.posts or base["posts"]
    if not args.database_url:
        name = f"timeline-{args.users}-{args.posts}.sqlite3"
        args.database_url = f"sqlite:///{RESULTS / name}"
    return args


def configure(args: argparse.Namespace) -> None:
    """Point Rookery's settings at the benchmark's database and cache, then set Django up."""
    os.environ["DATABASE_URL"] = args.database_url
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ["ROOKERY_DATA_DIR"] = str(RESULTS / "data")
    os.environ["ROOKERY_ENV"] = "development"
    # DEBUG would keep every query in memory and add its own overhead to each one.
    os.environ["DEBUG"] = "false"
    os.environ["ROOKERY_TASKS_IMMEDIATE"] = "true"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "rookery.settings"
    sys.path.insert(0, str(BENCH_DIR))
    import django

    django.setup()


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to drop database {name!r}: its name must contain 'bench'.")
    admin_url = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def generate(args: argparse.Namespace) -> None:
    """Runs in a child process, so its peak memory is reported apart from the measuring."""
    configure(args)
    from django.core.management import call_command

    from _network import build_network

    call_command("migrate", verbosity=0)
    info = build_network(
        args.users, args.follows_per_user, args.posts, seed=args.seed,
        progress=not args.no_progress,
    )  # fmt: skip
    (RESULTS / "timeline-generate.json").write_text(json.dumps(info.__dict__, default=str))


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50": round(statistics.median(ordered), 2),
        "p99": round(cuts[98], 2),
        "max": round(ordered[-1], 2),
        "n": len(ordered),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def timed_cpu(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and this process's CPU milliseconds: on a busy machine the CPU figure shows what
    the Python side costs without the time spent waiting for a core (database time excluded).
    """
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    result = fn()
    return (
        (time.perf_counter() - wall_start) * 1000,
        (time.process_time() - cpu_start) * 1000,
        result,
    )


class Sample(NamedTuple):
    """One request: wall time, this thread's CPU, the wall time spent in database calls and,
    on PostgreSQL, the CPU its backend process spent (10 ms ticks: meaningful as a mean)."""

    wall_ms: float
    cpu_ms: float
    db_ms: float
    queries: int
    backend_cpu_ms: float | None


class DatabaseClock:
    """Sums the wall time of every query this thread sends (Django's execute wrappers)."""

    def __init__(self) -> None:
        self.ms = 0.0
        self.queries = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool,
                 context: dict[str, Any]) -> Any:  # fmt: skip
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000
            self.queries += 1


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql" or connection.connection is None:
        return None
    return int(connection.connection.info.backend_pid)


def _backend_cpu_ms(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def sampled(clock: DatabaseClock, fn: Callable[[], Any]) -> tuple[Sample, Any]:
    pid = _backend_pid()
    backend_before = _backend_cpu_ms(pid)
    db_before, queries_before = clock.ms, clock.queries
    wall_start, cpu_start = time.perf_counter(), time.thread_time()
    result = fn()
    wall = (time.perf_counter() - wall_start) * 1000
    cpu = (time.thread_time() - cpu_start) * 1000
    backend = None
    # A reconnect inside the request means another backend did (part of) the work: no figure.
    if backend_before is not None and _backend_pid() == pid:
        after = _backend_cpu_ms(pid)
        backend = after - backend_before if after is not None else None
    sample = Sample(wall, cpu, clock.ms - db_before, clock.queries - queries_before, backend)
    return sample, result


class Measure:
    def __init__(self, args: argparse.Namespace) -> None:
        from django.core.cache import cache
        from django.db import connection
        from django.test import Client

        self.args = args
        self.cache = cache
        self.client = Client()
        self.clock = DatabaseClock()
        connection.execute_wrappers.append(self.clock)
        self.json_kind, self.serialise = self._json_serialiser()
        self.html_kind = self._html_kind()

    # How to render, depending on what exists in the tree when the bench runs.

    def _json_serialiser(self) -> tuple[str, Callable[[Any, list[Any]], Any]]:
        try:
            from rookery.api.serializers import Context
            from rookery.api.serializers.status import serialize_statuses
        except ImportError:
            return "plain dicts (no Mastodon serialiser found)", _plain_dicts

        def mastodon(viewer: Any, posts: list[Any]) -> Any:
            return serialize_statuses(posts, Context(viewer=viewer, base="http://testserver"))

        return "Mastodon serialiser (rookery.api.serializers.status.serialize_statuses)", mastodon

    def _html_kind(self) -> str:
        from django.urls import resolve

        view = resolve("/home/").func
        if getattr(view, "__module__", "").startswith("rookery.web.views"):
            return "web app GET /home/ (Django test client, logged in)"
        return "template rendering of the posts (no web home view found)"

    # Readers

    def readers(self) -> list[int]:
        from django.db.models import Count

        from rookery.timelines.models import TimelineEntry

        rng = random.Random(self.args.seed)
        pool = list(range(4, self.args.users + 1))
        candidates = rng.sample(pool, min(len(pool), self.args.readers * 10))
        counts = dict(
            TimelineEntry.objects.filter(owner_id__in=candidates)
            .values("owner_id")
            .annotate(n=Count("id"))
            .values_list("owner_id", "n")
        )
        deep_enough = [c for c in candidates if counts.get(c, 0) >= PAGE * DEEP_PAGE + PAGE]
        self.home_sizes = sorted(counts.get(c, 0) for c in deep_enough[: self.args.readers])
        return deep_enough[: self.args.readers]

    def deep_max_id(self, reader: int) -> int | None:
        from rookery.accounts.models import User
        from rookery.timelines.selectors import Page, timeline_home

        viewer = User.objects.get(pk=reader)
        max_id = None
        for _ in range(DEEP_PAGE - 1):
            posts = timeline_home(viewer, Page(max_id=max_id, limit=PAGE))
            if len(posts) < PAGE:
                return None
            max_id = posts[-1].pk
        return max_id

    # One request each

    def json_page(self, reader: int, max_id: int | None) -> Sample:
        from django.core.serializers.json import DjangoJSONEncoder

        from rookery.accounts.models import User
        from rookery.timelines.selectors import Page, timeline_home

        def run() -> int:
            viewer = User.objects.get(pk=reader)  # what authentication would load
            posts = timeline_home(viewer, Page(max_id=max_id, limit=PAGE))
            body = json.dumps(self.serialise(viewer, posts), cls=DjangoJSONEncoder)
            return len(posts) if body else 0

        sample, count = sampled(self.clock, run)
        if count != PAGE:
            raise AssertionError(f"reader {reader} got {count} posts, not {PAGE}")
        return sample

    def html_page(self, reader: int, max_id: int | None) -> Sample:
        url = f"/home/?limit={PAGE}" + (f"&max_id={max_id}" if max_id else "")
        if self.html_kind.startswith("web app"):
            sample, response = sampled(self.clock, lambda: self.client.get(url))
            if response.status_code != 200:
                raise AssertionError(f"GET {url} answered {response.status_code}")
            return sample
        return self._template_page(reader, max_id)

    def _template_page(self, reader: int, max_id: int | None) -> Sample:
        from django.template import engines

        from rookery.accounts.models import User
        from rookery.timelines.selectors import Page, timeline_home

        template = engines["django"].from_string(FALLBACK_TEMPLATE)

        def run() -> str:
            viewer = User.objects.get(pk=reader)
            return template.render(
                {"posts": timeline_home(viewer, Page(max_id=max_id, limit=PAGE))}
            )

        sample, _html = sampled(self.clock, run)
        return sample

    def login(self, reader: int) -> None:
        from rookery.accounts.models import User

        self.client.force_login(User.objects.get(pk=reader))

    def drop_cached(self, reader: int) -> None:
        from rookery.timelines.services import home_cache_key

        self.cache.delete(home_cache_key(reader))

    def drop_all_cached(self) -> None:
        """Everything cached: page ids and every post's rendering (as after a cache flush)."""
        self.cache.clear()

    # Writing

    def post_and_fanout(self, repeats: int = 3) -> dict[str, Any]:
        import rookery.timelines.tasks as timeline_tasks
        from rookery.accounts.models import User
        from rookery.posts.services import post_create
        from rookery.timelines.models import FanoutJob
        from rookery.timelines.services import fanout_run, is_merged_at_read

        jobs: list[int] = []
        original = timeline_tasks.fanout_run_task
        # Capture the job instead of running it inline, so post_create and fanout_run are
        # timed apart (in production the second runs on a worker).
        timeline_tasks.fanout_run_task = jobs.append  # type: ignore[assignment]
        results: dict[str, Any] = {}
        try:
            for author in User.objects.filter(pk__in=[1, 2, 3]).order_by("pk"):
                creates, fanouts, delivered = [], [], 0
                server: list[float] = []
                client: list[float] = []
                for i in range(repeats):
                    create_ms, _post = timed(
                        lambda a=author, i=i: post_create(
                            author=a, text=f"Benchmark post {i} from {a.username} #python",
                            rate_limit=False,
                        )
                    )  # fmt: skip
                    backend = _backend_cpu_reader()
                    before = backend()
                    fan_ms, fan_cpu, _job = timed_cpu(lambda: fanout_run(jobs[-1]))
                    client.append(fan_cpu)
                    # -1: not PostgreSQL (SQLite works inside this process: client CPU has it).
                    server.append((backend() - before) * 1000 if before >= 0 else -1.0)
                    creates.append(create_ms)
                    fanouts.append(fan_ms)
                    delivered = FanoutJob.objects.get(pk=jobs[-1]).delivered
                total = [c + f for c, f in zip(creates, fanouts, strict=True)]
                server_ms = round(statistics.median(server), 1) if min(server) >= 0 else None
                results[author.username] = {
                    "followers": author.followers_count,
                    "merged_at_read": is_merged_at_read(author.followers_count),
                    "delivered": delivered,
                    "post_create_ms": round(statistics.median(creates), 1),
                    "fanout_run_ms": round(statistics.median(fanouts), 1),
                    "total_ms": round(statistics.median(total), 1),
                    # CPU the database server spent on the fan-out (PostgreSQL on this machine,
                    # 10 ms resolution); with the client's, what it costs on an idle machine.
                    "fanout_server_cpu_ms": server_ms,
                    "fanout_client_cpu_ms": round(statistics.median(client), 1),
                    "runs": repeats,
                }  # fmt: skip
        finally:
            timeline_tasks.fanout_run_task = original
        return results


def _backend_cpu_reader() -> Callable[[], float]:
    """Seconds of CPU used so far by this connection's PostgreSQL backend (-1 if unknown)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return lambda: -1.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    stat = Path(f"/proc/{pid}/stat")
    tick = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return -1.0
        return (int(fields[11]) + int(fields[12])) / tick  # utime + stime

    return read


FALLBACK_TEMPLATE = """{% for post in posts %}<article id="post-{{ post.pk }}">
<header>{{ post.author.display_name }} @{{ post.author.username }} {{ post.created_at|date:"c" }}
</header>{{ post.html|safe }}{% if post.link_card %}<aside>{{ post.link_card.title }}</aside>
{% endif %}<footer>{{ post.replies_count }} {{ post.reblogs_count }} {{ post.likes_count }}
</footer></article>{% endfor %}"""


def _plain_dicts(viewer: Any, posts: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": str(p.pk),
            "created_at": p.created_at.isoformat(),
            "content": p.html,
            "account": {"id": str(p.author_id), "username": p.author.username},
            "reblog": {"id": str(p.reblog_of_id)} if p.reblog_of_id else None,
            "replies_count": p.replies_count,
            "reblogs_count": p.reblogs_count,
            "favourites_count": p.likes_count,
        }
        for p in posts
    ]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from tqdm import tqdm

    m = Measure(args)
    readers = m.readers()
    if len(readers) < 20:
        sys.exit(f"Only {len(readers)} readers have {PAGE * DEEP_PAGE + PAGE}+ home entries.")
    quiet = args.no_progress
    samples: dict[str, list[float]] = {
        k: []
        for k in ("json_first_nocache", "json_first_cold", "json_first_warm", "json_deep",
                  "html_first_nocache", "html_first_cold", "html_first_warm", "html_deep")
    }  # fmt: skip
    cpu: dict[str, list[float]] = {k: [] for k in samples}
    db: dict[str, list[float]] = {k: [] for k in samples}
    queries: dict[str, list[float]] = {k: [] for k in samples}
    backend: dict[str, list[float]] = {k: [] for k in samples}

    def record(key: str, sample: Sample) -> None:
        samples[key].append(sample.wall_ms)
        cpu[key].append(sample.cpu_ms)
        db[key].append(sample.db_ms)
        queries[key].append(sample.queries)
        if sample.backend_cpu_ms is not None:
            backend[key].append(sample.backend_cpu_ms)

    deep_ids: dict[int, int] = {}
    for reader in tqdm(readers, desc="Walking to page 20", disable=quiet):
        max_id = m.deep_max_id(reader)
        if max_id is not None:
            deep_ids[reader] = max_id
    # Warm up connections, templates and imports so the first sample isn't an outlier.
    for reader in readers[:5]:
        m.json_page(reader, None)  # warm-up only
        m.login(reader)
        m.html_page(reader, None)
    for i, reader in enumerate(tqdm(readers, desc="Reading home timelines", disable=quiet)):
        # Every fifth reader after a full cache flush: the worst case, nothing rendered yet.
        if i % 5 == 0:
            m.drop_all_cached()
            record("json_first_nocache", m.json_page(reader, None))
            m.login(reader)
            m.drop_all_cached()
            record("html_first_nocache", m.html_page(reader, None))
        m.drop_cached(reader)
        record("json_first_cold", m.json_page(reader, None))
        record("json_first_warm", m.json_page(reader, None))
        m.login(reader)
        m.drop_cached(reader)
        record("html_first_cold", m.html_page(reader, None))
        record("html_first_warm", m.html_page(reader, None))
        if reader in deep_ids:
            record("json_deep", m.json_page(reader, deep_ids[reader]))
            record("html_deep", m.html_page(reader, deep_ids[reader]))
    load_during = os.getloadavg()
    writes = m.post_and_fanout()
    return {
        "database": connection.vendor,
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "json_rendering": m.json_kind,
        "html_rendering": m.html_kind,
        "readers": len(readers),
        "reader_home_entries": {
            "min": m.home_sizes[0],
            "median": m.home_sizes[len(m.home_sizes) // 2],
            "max": m.home_sizes[-1],
        },
        "fanout_threshold": settings.FANOUT_THRESHOLD,
        "pages_ms": {k: percentiles(v) for k, v in samples.items() if v},
        # This thread's CPU (time.thread_time): the web process's own work, without waiting.
        "pages_cpu_ms": {k: percentiles(v) for k, v in cpu.items() if v},
        # Wall time inside database calls (execute), and the query count per request.
        "pages_db_ms": {k: percentiles(v) for k, v in db.items() if v},
        "pages_queries": {k: max(v) for k, v in queries.items() if v},
        # PostgreSQL's own CPU per request (its backend process; 10 ms ticks, so the mean).
        "pages_pg_backend_cpu_ms_mean": {
            k: round(statistics.fmean(v), 2) for k, v in backend.items() if v
        },
        # Other work shares the machine; a load above the core count inflates wall times.
        "load_average_after_reads": [round(x, 2) for x in load_during],
        "post_create_and_fanout": writes,
    }


def report(result: dict[str, Any]) -> None:
    pages = result["pages_ms"]
    rows: list[tuple[str, ...]] = []

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    for fmt in ("json", "html"):
        for kind in ("first_nocache", "first_cold", "first_warm", "deep"):
            p = pages.get(f"{fmt}_{kind}")
            if p is None:
                continue
            if kind == "deep":
                ratio = p["p50"] / pages[f"{fmt}_first_cold"]["p50"]
                target = f"<= 2x first (x{ratio:.2f})"
                ok = ratio <= TARGETS["deep_ratio"]
            else:
                target = "p50 <= 15, p99 <= 50"
                ok = p["p50"] <= TARGETS["first_p50"] and p["p99"] <= TARGETS["first_p99"]
            label = f"{fmt.upper()} page {'20' if kind == 'deep' else '1'}"
            label += {
                "first_nocache": " (all caches cleared)",
                "first_cold": " (page ids dropped)",
                "first_warm": " (cached)",
                "deep": "",
            }[kind]
            key = f"{fmt}_{kind}"
            cpu = result["pages_cpu_ms"][key]
            dbt = result.get("pages_db_ms", {}).get(key, {"p50": float("nan")})
            pg = result.get("pages_pg_backend_cpu_ms_mean", {}).get(key)
            rows.append((label, f"{p['p50']:.1f}", f"{p['p99']:.1f}", f"{cpu['p50']:.1f}",
                         f"{cpu['p99']:.1f}", f"{dbt['p50']:.1f}",
                         str(result.get("pages_queries", {}).get(key, "")),
                         "-" if pg is None else f"{pg:.1f}",
                         f"{target}: {verdict(ok)}"))  # fmt: skip
    print()
    print(f"{result['database']} + {result['cache']}, {result['readers']} readers, "
          f"home sizes {result['reader_home_entries']}")  # fmt: skip
    print(f"JSON: {result['json_rendering']}")
    print(f"HTML: {result['html_rendering']}")
    print(f"load average {result['load_average_after_reads']} on {os.cpu_count()} cores")
    print("wall p50/p99; cpu = this thread's CPU p50/p99; db = wall in queries p50; q = queries;"
          " pg = PostgreSQL backend CPU per request (mean)")  # fmt: skip
    print(f"{'figure (ms, server-side)':<36}{'p50':>7}{'p99':>7}{'cpu50':>7}{'cpu99':>7}"
          f"{'db50':>7}{'q':>4}{'pg':>6}  target")  # fmt: skip
    for label, p50, p99, c50, c99, d50, q, pg, target in rows:
        print(f"{label:<36}{p50:>7}{p99:>7}{c50:>7}{c99:>7}{d50:>7}{q:>4}{pg:>6}  {target}")
    print()
    print(f"{'post create + fan-out':<34}{'create':>9}{'fan-out':>9}{'total':>9}  delivered")
    for name, w in result["post_create_and_fanout"].items():
        note = "merged at read" if w["merged_at_read"] else str(w["delivered"])
        target = ""
        if 9_000 <= w["followers"] <= 10_000:
            target = f"  (target <= 2000 ms: {verdict(w['total_ms'] <= 2000)})"
        if w.get("fanout_server_cpu_ms") is not None:
            note += (
                f"; fan-out CPU: client {w['fanout_client_cpu_ms']} ms,"
                f" PostgreSQL {w['fanout_server_cpu_ms']} ms"
            )
        label = f"{name} ({w['followers']} followers)"
        times = f"{w['post_create_ms']:>9}{w['fanout_run_ms']:>9}{w['total_ms']:>9}"
        print(f"{label:<34}{times}  {note}{target}")
    mem = result["peak_memory_mb"]
    print(f"\npeak memory: generation {mem['generation']} MB, measuring {mem['measuring']} MB")


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.generate_only:
        generate(args)
        return
    generation: dict[str, Any] = {"skipped": True}
    generation_rss = None
    if not args.skip_generate:
        recreate_database(args.database_url)
        started = time.monotonic()
        child = subprocess.run([sys.executable, __file__, *argv, "--generate-only"], check=False)
        if child.returncode:
            sys.exit(f"Generation failed (exit {child.returncode}).")
        generation = json.loads((RESULTS / "timeline-generate.json").read_text())
        generation["wall_seconds"] = round(time.monotonic() - started, 1)
        generation_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        print(f"Generated in {generation['wall_seconds']} s: {generation}")
    configure(args)
    if args.skip_generate:
        from django.core.management import call_command

        # A reused database gets the migrations the code under test needs.
        call_command("migrate", verbosity=0)
    result = measure(args)
    result["peak_memory_mb"] = {
        "generation": generation_rss,
        "measuring": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }
    result["generation"] = generation
    result["size"] = {"users": args.users, "follows_per_user": args.follows_per_user,
                      "posts": args.posts}  # fmt: skip
    result["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count()}
    report(result)
    text = json.dumps(result, indent=2, default=str)
    (RESULTS / "timeline.json").write_text(text)
    tag = f"{result['database']}-{result['cache'].lower()}-{args.users}"
    (RESULTS / f"timeline-{tag}.json").write_text(text)
    print(f"\nWrote {RESULTS / 'timeline.json'} (and timeline-{tag}.json)")


if __name__ == "__main__":
    main(sys.argv[1:])
