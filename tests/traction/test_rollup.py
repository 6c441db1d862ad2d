"""The roll-up: equal to a brute-force count, incremental, crash-safe; pruning only after it."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rookery.algorithms.traction import RawEvent, day_bucket, hour_bucket, rollup_counts
from rookery.traction import services
from rookery.traction.models import (
    AuthorDailyCount,
    DailyCount,
    Event,
    HourlyCount,
    PostTotal,
    RollupCheckpoint,
    ShortLink,
)

START = datetime(2025, 5, 1, tzinfo=UTC)

event_tuples = st.tuples(
    st.integers(1, 3),  # kind
    st.integers(1, 3),  # owner
    st.integers(0, 5),  # post (0: a profile visit)
    st.integers(1, 4),  # viewer
    st.integers(0, 3 * 24 * 60),  # minutes after START
)


def insert(rows: list[tuple[int, int, int, int, int]]) -> None:
    events = []
    for kind, owner, post, viewer, minutes in rows:
        moment = START + timedelta(minutes=minutes)
        events.append(
            Event(
                kind=kind,
                owner_id=owner,
                post_id=post,
                link_id=0,
                viewer=viewer,
                surface=1,
                hour=hour_bucket(moment),
                day=day_bucket(moment),
            )
        )
    Event.objects.bulk_create(events, ignore_conflicts=True)


def expected(rows: list[tuple[int, int, int, int, int]]):
    # The database keeps one event per (post, viewer, day, kind, link, owner): so does this.
    unique = {}
    for kind, owner, post, viewer, minutes in rows:
        moment = START + timedelta(minutes=minutes)
        unique.setdefault(
            (post, viewer, moment.date(), kind, owner), RawEvent(kind, owner, post, 0, moment)
        )
    return rollup_counts(unique.values())


def stored():
    hourly = Counter({(r.post_id, r.kind, r.hour): r.n for r in HourlyCount.objects.all()})
    daily = Counter({(r.post_id, r.kind, r.day): r.n for r in DailyCount.objects.all()})
    owner = Counter({(r.author_id, r.kind, r.day): r.n for r in AuthorDailyCount.objects.all()})
    totals = Counter({(r.post_id, r.kind): r.n for r in PostTotal.objects.all()})
    return hourly, daily, owner, totals


def reset() -> None:
    for model in (Event, HourlyCount, DailyCount, AuthorDailyCount, PostTotal, RollupCheckpoint):
        model.objects.all().delete()


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    chunks=st.lists(st.lists(event_tuples, max_size=40), min_size=1, max_size=4),
    batch=st.integers(1, 50),
)
def test_rollup_matches_a_brute_force_count_of_random_streams(chunks, batch):
    reset()
    seen: list[tuple[int, int, int, int, int]] = []
    for chunk in chunks:  # events keep arriving between runs
        insert(chunk)
        seen.extend(chunk)
        services.rollup_run(settle_seconds=0, batch=batch)
    hourly, daily, owner, totals = stored()
    want_hourly, want_daily, want_owner = expected(seen)
    assert hourly == want_hourly
    assert daily == want_daily
    assert owner == want_owner
    want_totals: Counter = Counter()
    for (post, kind, _day), n in want_daily.items():
        want_totals[(post, kind)] += n
    assert totals == want_totals
    assert services.rollup_run(settle_seconds=0) == 0  # nothing new: nothing added


@pytest.mark.django_db
def test_clicks_add_up_on_their_short_link(alice):
    link = ShortLink.objects.create(code="abc", url="https://e.com", url_hash="h")
    day, hour = date(2025, 5, 1), START
    Event.objects.bulk_create(
        [
            Event(
                kind=2,
                owner_id=alice.pk,
                post_id=9,
                link_id=link.pk,
                viewer=v,
                surface=5,
                hour=hour,
                day=day,
            )
            for v in (1, 2, 3)
        ]
    )
    services.rollup_run(settle_seconds=0, batch=2)
    link.refresh_from_db()
    assert link.clicks == 3


def some_events(n: int = 30) -> list[tuple[int, int, int, int, int]]:
    return [(1, 1, 1 + i % 3, 100 + i, i * 7) for i in range(n)]


@pytest.mark.django_db(transaction=True)
def test_a_crash_after_the_counts_are_written_but_before_commit_counts_nothing_twice(monkeypatch):
    insert(some_events())

    def crash(checkpoint, high):
        raise RuntimeError("worker killed before commit")

    monkeypatch.setattr(services, "_advance_checkpoint", crash)
    with pytest.raises(RuntimeError):
        services.rollup_run(settle_seconds=0)
    assert not HourlyCount.objects.exists() and not PostTotal.objects.exists()
    monkeypatch.undo()
    services.rollup_run(settle_seconds=0)
    services.rollup_run(settle_seconds=0)
    assert sum(PostTotal.objects.values_list("n", flat=True)) == 30
    assert stored()[:3] == expected(some_events())


@pytest.mark.django_db(transaction=True)
def test_a_crash_between_batches_resumes_where_it_stopped(monkeypatch):
    insert(some_events())
    first_id = Event.objects.order_by("id").first().pk
    real = services._advance_checkpoint
    calls = []

    def crash_on_third(checkpoint, high):
        calls.append(high)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        real(checkpoint, high)

    monkeypatch.setattr(services, "_advance_checkpoint", crash_on_third)
    with pytest.raises(RuntimeError):
        services.rollup_run(settle_seconds=0, batch=7)
    assert RollupCheckpoint.objects.get().last_event_id == first_id - 1 + 14
    assert sum(PostTotal.objects.values_list("n", flat=True)) == 14
    monkeypatch.undo()
    services.rollup_run(settle_seconds=0, batch=7)
    assert stored()[:3] == expected(some_events())


@pytest.mark.django_db
def test_postgresql_reads_only_ids_it_saw_a_settled_while_ago(monkeypatch):
    insert(some_events(5))
    monkeypatch.setattr(services, "_ids_commit_in_order", lambda: False)  # as on PostgreSQL
    assert services.rollup_run(settle_seconds=10) == 0  # first sight: remember the horizon
    insert([(1, 1, 1, 999, 1)])
    checkpoint = RollupCheckpoint.objects.get()
    checkpoint.horizon_at -= timedelta(seconds=11)
    checkpoint.save()
    services.rollup_run(settle_seconds=10)
    assert sum(PostTotal.objects.values_list("n", flat=True)) == 5  # not the newest one yet


@pytest.mark.django_db
def test_prune_deletes_only_old_events_that_were_rolled_up(settings):
    settings.TRACTION_RETENTION_DAYS = 90
    now = START + timedelta(days=100)
    insert([(1, 1, 1, v, 0) for v in range(5)])  # 100 days old
    services.rollup_run(settle_seconds=0)
    insert([(1, 1, 1, v, 1) for v in range(10, 13)])  # old, but not rolled up yet
    insert([(1, 1, 1, v, 99 * 24 * 60) for v in range(20, 22)])  # recent
    assert services.events_prune(now=now) == 5
    assert Event.objects.count() == 5
    services.rollup_run(settle_seconds=0)
    assert services.events_prune(now=now) == 3
    assert sum(PostTotal.objects.values_list("n", flat=True)) == 10  # counts are kept
