"""Mastodon API throughput over HTTP (issue #3 "Measure").

Generates (or reuses) a network with bench/_network.py, serves it with ``rookery serve
--workers 2 --no-worker`` (granian, two processes) on 127.0.0.1, and drives it with concurrent
clients (asyncio + httpx, each with its own account's OAuth token) for a fixed time per phase:

* ``GET /api/v1/timelines/home?limit=40`` - requests/s, p50, p99;
* ``POST /api/v1/statuses`` - requests/s, p50, p99 (fan-out is queued for a worker, as in
  production with ``--no-worker``; the request pays for the post and the queueing).

Targets: home timeline >= 150 req/s with p99 <= 100 ms on loopback with 16 clients.

Run:
  .venv/bin/python bench/api.py                      # 10,000 people, SQLite in bench/results/
  .venv/bin/python bench/api.py --users 2000 --posts 20000 --duration 10
  .venv/bin/python bench/api.py --database-url postgres://postgres@127.0.0.1/rookery_api_bench
  .venv/bin/python bench/api.py --skip-generate      # reuse the generated database

Only loopback traffic. Prints the figures and writes bench/results/api.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
TARGETS = {"home_rps": 150.0, "home_p99_ms": 100.0}
PAGE = 40


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--follows-per-user", type=float, default=50.0)
    parser.add_argument("--posts", type=int, help="Default: ten per person.")
    parser.add_argument("--database-url", help="Default: a fresh SQLite file in bench/results/.")
    parser.add_argument("--redis-url", help="Cache (rate limits, hot timeline pages) in Redis.")
    parser.add_argument("--skip-generate", action="store_true", help="Reuse the database.")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="granian processes")
    parser.add_argument("--duration", type=float, default=15.0, help="Seconds measured per phase.")
    parser.add_argument("--warmup", type=float, default=3.0, help="Seconds before measuring.")
    parser.add_argument("--port", type=int, default=0, help="Default: a free port.")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--load-generator",
        choices=["httpx", "wrk"],
        default="httpx",
        help="wrk (Debian package) for the home phase leaves more CPU to the server",
    )
    args = parser.parse_args(argv)
    args.posts = args.posts or args.users * 10
    if not args.database_url:
        name = f"api-{args.users}-{args.posts}.sqlite3"
        args.database_url = f"sqlite:///{RESULTS / name}"
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    return args


def server_env(args: argparse.Namespace) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "ROOKERY_DATA_DIR": str(RESULTS / "data"),
        "ROOKERY_ENV": "development",
        # DEBUG keeps every query in memory and adds its own overhead to each request.
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The limits would measure the limiter, not the API: one token does thousands here.
        "ROOKERY_API_RATE": "100000000/300",
        "ROOKERY_POST_RATE": "100000000/300",
        "ROOKERY_TASKS_IMMEDIATE": "false",
        "DJANGO_SETTINGS_MODULE": "rookery.settings",
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    else:
        env.pop("REDIS_URL", None)
    return env


def configure(args: argparse.Namespace) -> None:
    os.environ.update(server_env(args))
    sys.path.insert(0, str(BENCH_DIR))
    import django

    django.setup()


def generate(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    from _network import build_network
    from timeline import recreate_database

    recreate_database(args.database_url)
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    info = build_network(args.users, args.follows_per_user, args.posts, seed=args.seed)
    return {**info.__dict__, "wall_seconds": round(time.monotonic() - started, 1)}


def issue_tokens(clients: int) -> list[str]:
    """Tokens for ``clients`` readers with a full first page at home (ordinary accounts)."""
    from django.conf import settings
    from django.utils import timezone
    from oauth2_provider.models import AccessToken, Application

    from rookery.accounts.models import User

    app = Application.objects.create(
        name="bench/api.py",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
    )
    readers = list(
        User.objects.filter(following_count__gte=20, followers_count__lte=settings.FANOUT_THRESHOLD)
        .order_by("?")
        .values_list("pk", flat=True)[:clients]
    )
    tokens = []
    for user_id in readers:
        raw = secrets.token_urlsafe(30)
        AccessToken.objects.create(
            user_id=user_id,
            application=app,
            token=raw,
            scope="read write follow",
            expires=timezone.now() + timedelta(days=1),
        )
        tokens.append(raw)
    return tokens


def start_server(args: argparse.Namespace) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "rookery.cli", "serve",
        "--host", "127.0.0.1", "--port", str(args.port),
        "--workers", str(args.workers), "--no-worker",
    ]  # fmt: skip
    (RESULTS / "logs").mkdir(parents=True, exist_ok=True)
    log = open(RESULTS / "logs" / "api-server.log", "wb")  # noqa: SIM115 - the server keeps it
    # Its own process group, so stopping it stops exactly the granian workers it started.
    server = subprocess.Popen(
        command, env=server_env(args), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{args.port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(
                f"The server exited ({server.returncode}); see bench/results/logs/api-server.log"
            )
        try:
            if httpx.get(f"{base}/api/v1/instance", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(server)
    sys.exit("The server did not answer within 90 s.")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


async def _client(
    http: httpx.AsyncClient,
    token: str,
    phase: str,
    start_at: float,
    stop_at: float,
    latencies: list[float],
    errors: dict[str, int],
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    count = 0
    while (now := time.perf_counter()) < stop_at:
        if phase == "home":
            request = http.get(f"/api/v1/timelines/home?limit={PAGE}", headers=headers)
        else:
            count += 1
            body = {"status": f"Benchmark post {count} from a client #bench"}
            request = http.post("/api/v1/statuses", json=body, headers=headers)
        response = await request
        elapsed = (time.perf_counter() - now) * 1000
        if now >= start_at:
            if response.status_code == 200:
                latencies.append(elapsed)
            else:
                errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1


async def run_phase(args: argparse.Namespace, tokens: list[str], phase: str) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{args.port}", limits=limits, timeout=30
    ) as http:
        start_at = time.perf_counter() + args.warmup
        stop_at = start_at + args.duration
        await asyncio.gather(
            *(_client(http, t, phase, start_at, stop_at, latencies, errors) for t in tokens)
        )
    ordered = sorted(latencies)
    cuts = (
        statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else [0] * 99
    )
    return {
        "requests": len(ordered),
        "rps": round(len(ordered) / args.duration, 1),
        "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
        "p99_ms": round(cuts[98], 1),
        "max_ms": round(ordered[-1], 1) if ordered else None,
        "errors": errors,
    }


WRK_SCRIPT = """
tokens = {%s}
counter = 0
request = function()
  counter = counter + 1
  local token = tokens[(counter %% #tokens) + 1]
  local headers = {["Authorization"] = "Bearer " .. token}
  return wrk.format("GET", "/api/v1/timelines/home?limit=%d", headers)
end
"""


def _wrk_duration_ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def run_home_with_wrk(args: argparse.Namespace, tokens: list[str]) -> dict[str, Any]:
    """The home phase driven by wrk: a C load generator leaves the two cores to the server.

    Each request takes the next client's token, as the httpx clients each use their own.
    """
    script = RESULTS / "api-home.lua"
    quoted = ", ".join(f'"{token}"' for token in tokens)
    script.write_text(WRK_SCRIPT % (quoted, PAGE))
    base = f"http://127.0.0.1:{args.port}"
    common = ["wrk", "-t1", f"-c{len(tokens)}", "--latency", "-s", str(script)]
    warmup, duration = (f"-d{max(1, round(seconds))}s" for seconds in (args.warmup, args.duration))
    subprocess.run([*common, warmup, base], capture_output=True, check=True)
    output = subprocess.run(
        [*common, duration, base], capture_output=True, text=True, check=True
    ).stdout
    figures: dict[str, Any] = {"load_generator": "wrk", "errors": {}}
    for line in output.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            figures["rps"] = round(float(parts[1]), 1)
        elif len(parts) == 2 and parts[0] in ("50%", "99%"):
            key = "p50_ms" if parts[0] == "50%" else "p99_ms"
            figures[key] = round(_wrk_duration_ms(parts[1]), 1)
        elif "Non-2xx or 3xx responses:" in line:
            figures["errors"] = {"non-2xx": int(parts[-1])}
    return figures


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    configure(args)
    generation: dict[str, Any] = {"skipped": True}
    if not args.skip_generate:
        generation = generate(args)
        print(f"Generated in {generation['wall_seconds']} s")
    else:
        from django.core.management import call_command

        # A reused database gets the migrations the code under test needs.
        call_command("migrate", verbosity=0)
    tokens = issue_tokens(args.clients)
    from django.db import connections

    connections.close_all()
    print(f"Serving on 127.0.0.1:{args.port} with {args.workers} granian workers...")
    server = start_server(args)
    try:
        if args.load_generator == "wrk":
            home = run_home_with_wrk(args, tokens)
        else:
            home = asyncio.run(run_phase(args, tokens, "home"))
        create = asyncio.run(run_phase(args, tokens, "create"))
    finally:
        stop_server(server)
    database = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    result = {
        "database": database,
        "cache": "Redis" if args.redis_url else "per-process memory",
        "network": {
            "users": args.users,
            "posts": args.posts,
            "follows_per_user": args.follows_per_user,
        },
        "generation": generation,
        "clients": args.clients,
        "load_generator": args.load_generator,
        "workers": args.workers,
        "duration_s": args.duration,
        "home_timeline_limit_40": home,
        "status_create": create,
        "targets": TARGETS,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    (RESULTS / "api.json").write_text(json.dumps(result, indent=2, default=str))
    ok = home["rps"] >= TARGETS["home_rps"] and home["p99_ms"] <= TARGETS["home_p99_ms"]
    print()
    print(f"{database} + {result['cache']}, {args.users} people, {args.posts} posts, "
          f"{args.clients} clients, {args.workers} granian workers, {os.cpu_count()} cores, "
          f"load average {result['load_average']}")  # fmt: skip
    print(f"{'figure':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}  errors")
    for label, figures in (("home timeline (limit=40)", home), ("status create", create)):
        print(f"{label:<28}{figures['rps']:>9}{figures['p50_ms']!s:>9}{figures['p99_ms']!s:>9}"
              f"  {figures['errors'] or '-'}")  # fmt: skip
    target = f"home >= {TARGETS['home_rps']:g} req/s with p99 <= {TARGETS['home_p99_ms']:g} ms"
    print(f"target: {target}: {'ok' if ok else 'MISSED'}")


if __name__ == "__main__":
    main(sys.argv[1:])
