"""Two (or more) worker processes share one queue and database; one is killed mid-delivery.

Checks what the design promises: every post reaches every follower's home timeline exactly
once, even when a worker dies while delivering. Run by .ci/run against PostgreSQL + Redis;
works on SQLite too. Prints what it saw and exits non-zero on any mismatch.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--followers", type=int, default=3000)
    parser.add_argument("--posts", type=int, default=12)
    parser.add_argument("--timeout", type=int, default=240)
    args = parser.parse_args()

    os.environ.setdefault("ROOKERY_DATA_DIR", tempfile.mkdtemp(prefix="rookery-workers-"))
    os.environ["ROOKERY_TASKS_IMMEDIATE"] = "false"
    # Small batches make deliveries long enough to kill a worker in the middle of one.
    os.environ["ROOKERY_FANOUT_BATCH"] = "100"
    os.environ["ROOKERY_FANOUT_RESUME_AFTER"] = "5"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rookery.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from huey.contrib.djhuey import HUEY

    from rookery.accounts.models import User
    from rookery.posts.services import post_create
    from rookery.social.models import Follow
    from rookery.timelines.models import FanoutJob, TimelineEntry

    HUEY.flush()
    author = User.objects.create_user(username="author", password="x" * 12)
    readers = User.objects.bulk_create(
        [User(username=f"reader{i}", password="!") for i in range(args.followers)], batch_size=1000
    )
    Follow.objects.bulk_create(
        [Follow(follower=r, followee=author) for r in readers], batch_size=1000
    )
    User.objects.filter(pk=author.pk).update(followers_count=len(readers))
    author.refresh_from_db()

    workers = [_start_worker() for _ in range(args.workers)]
    try:
        posts = [
            post_create(author=author, text=f"Post number {i}", rate_limit=False)
            for i in range(args.posts)
        ]
        time.sleep(1.0)
        victim = workers.pop(0)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        print(f"killed worker pid {victim.pid} mid-delivery")
        workers.append(_start_worker())
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            pending = FanoutJob.objects.filter(state=FanoutJob.State.PENDING).count()
            if pending == 0:
                break
            time.sleep(2)
        else:
            print(f"FAIL: {pending} fan-out jobs still pending after {args.timeout} s")
            return 1
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)

    expected = len(readers) + 1  # every follower, and the author
    failures = 0
    for post in posts:
        delivered = TimelineEntry.objects.filter(post=post).count()
        if delivered != expected:
            failures += 1
            print(f"FAIL: post {post.pk} delivered {delivered} times, expected {expected}")
    print(
        f"{len(posts)} posts x {expected} timelines with {args.workers} workers: "
        f"{'all delivered exactly once' if not failures else f'{failures} posts wrong'}"
    )
    return 1 if failures else 0


def _start_worker() -> subprocess.Popen[bytes]:
    rookery = Path(sys.executable).parent / "rookery"
    return subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [str(rookery), "worker", "--threads", "2"], cwd=ROOT, env=os.environ.copy()
    )


if __name__ == "__main__":
    sys.exit(main())
