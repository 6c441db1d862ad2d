"""Impressions and profile visits: once per viewer per post per day, never the author, no bots."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from django.utils import timezone

from rookery.posts.services import reblog_create
from rookery.traction import recording
from rookery.traction.models import Event, EventKind, PostTotal
from rookery.traction.recording import (
    EventBuffer,
    Pending,
    record_impressions,
    record_profile_visit,
)
from tests.factories import make_post
from tests.traction.conftest import BROWSER, roll_up

pytestmark = pytest.mark.django_db


def request_of(user=None, agent: str = BROWSER, session_key: str | None = None):
    request = RequestFactory().get("/", HTTP_USER_AGENT=agent, REMOTE_ADDR="198.51.100.7")
    request.user = user or AnonymousUser()
    if session_key is not None:
        request.session = SessionStore(session_key=session_key)
    return request


def impressions(post) -> int:
    row = PostTotal.objects.filter(post_id=post.pk, kind=EventKind.IMPRESSION).first()
    return row.n if row else 0


def test_impressions_count_once_per_viewer_per_post_per_day(alice, bob, carol):
    first, second = make_post(alice, "one"), make_post(alice, "two")
    for _ in range(3):
        record_impressions(request_of(bob), [first, second], "timeline")
    record_impressions(request_of(carol), [first], "thread")
    roll_up()
    assert impressions(first) == 2 and impressions(second) == 1
    # The next day the same reader counts again.
    tomorrow = timezone.now() + timedelta(days=1)
    recording_now = recording._now
    recording._now = lambda: tomorrow
    try:
        record_impressions(request_of(bob), [first], "timeline")
    finally:
        recording._now = recording_now
    roll_up()
    assert impressions(first) == 3


def test_the_author_and_bots_are_never_counted(alice, bob):
    post = make_post(alice, "hello")
    assert record_impressions(request_of(alice), [post], "profile") == 0
    assert (
        record_impressions(
            request_of(bob, agent="Mozilla/5.0 (compatible; bingbot/2.0)"), [post], "api"
        )
        == 0
    )
    assert record_impressions(request_of(bob, agent=""), [post], "api") == 0
    roll_up()
    assert impressions(post) == 0


def test_anonymous_readers_count_once_per_session_per_day(alice):
    post = make_post(alice, "hello")
    for key in ("a" * 32, "a" * 32, "b" * 32):
        record_impressions(request_of(session_key=key), [post], "timeline")
    roll_up()
    assert impressions(post) == 2


def test_a_repost_shown_counts_for_the_original_post(alice, bob, carol):
    post = make_post(alice, "original")
    repost = reblog_create(user=bob, post=post)
    record_impressions(request_of(carol), [repost, post], "timeline")
    roll_up()
    assert impressions(post) == 1
    assert not PostTotal.objects.filter(post_id=repost.pk).exists()


def test_profile_visits_count_once_a_day_and_not_ones_own(alice, bob, carol):
    assert record_profile_visit(request_of(bob), alice)
    record_profile_visit(request_of(bob), alice)
    record_profile_visit(request_of(carol), alice)
    assert not record_profile_visit(request_of(alice), alice)
    recording.flush()
    assert Event.objects.filter(kind=EventKind.PROFILE_VISIT, owner_id=alice.pk).count() == 2


def test_the_buffer_writes_in_batches_by_size_and_age():
    clock = [0.0]
    buffer = EventBuffer(size=3, seconds=5, background=False, clock=lambda: clock[0])
    make = lambda i: Pending(1, 1, i, 0, 2, 1, timezone.now(), timezone.now().date())  # noqa: E731
    buffer.add([make(1), make(2)])
    assert Event.objects.count() == 0 and not buffer.due()
    buffer.add([make(3)])  # full: written at once
    assert Event.objects.count() == 3 and len(buffer) == 0
    buffer.add([make(4)])
    clock[0] = 4.9
    buffer.flush_if_due()
    assert Event.objects.count() == 3
    clock[0] = 5.0
    buffer.flush_if_due()
    assert Event.objects.count() == 4


def test_the_middleware_flushes_after_a_response_once_due(alice, bob, monkeypatch):
    post = make_post(alice, "hello")
    monkeypatch.setattr(recording.buffer, "seconds", 0)
    record_impressions(request_of(bob), [post], "timeline")
    assert Event.objects.count() == 0
    Client().get("/l/unknown", HTTP_USER_AGENT=BROWSER)
    assert Event.objects.count() == 1


EXIT_SCRIPT = """
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from rookery.traction import recording
from rookery.traction.models import Event
now = timezone.now()
event = recording.Pending(1, 1, 7, 0, 2, 1, now, now.date())
recording.buffer.add([event])
assert Event.objects.count() == 0  # still only buffered when the process ends
"""


def test_buffered_events_are_written_when_the_process_exits_normally(tmp_path):
    env = {
        **os.environ,
        "ROOKERY_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "rookery.settings",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-c", EXIT_SCRIPT], env=env, check=True, timeout=120)
    count = (
        "import django; django.setup(); from rookery.traction.models import Event; "
        "print(Event.objects.count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", count], env=env, check=True, capture_output=True, text=True
    )
    assert result.stdout.strip() == "1"


@pytest.mark.django_db(transaction=True)
def test_a_full_buffer_is_written_by_a_background_thread_not_the_request():
    import threading
    import time

    buffer = EventBuffer(size=2, seconds=60, background=True)
    now = timezone.now()
    writers: list[str] = []
    real_flush = buffer.flush

    def flush() -> int:
        writers.append(threading.current_thread().name)
        return real_flush()

    buffer.flush = flush  # type: ignore[method-assign]
    events = [Pending(1, 1, p, 0, 2, 1, now, now.date()) for p in (1, 2)]
    buffer.add(events)
    deadline = time.monotonic() + 5
    while Event.objects.count() < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert Event.objects.count() == 2
    assert writers and threading.main_thread().name not in writers
