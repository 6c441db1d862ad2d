"""The morning email: rendering, time zones, exactly-once, nothing-to-say, unsubscribe."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from rookery.catchup import tasks
from rookery.catchup.delivery import (
    STALE_CLAIM,
    digest_claim,
    digest_due_user_ids,
    digest_run,
    digest_send,
    unsubscribe_token,
)
from rookery.catchup.models import CatchupSettings, DigestDelivery
from tests.factories import UserFactory, make_follow, make_post
from tests.texts import CLICKBAIT, TECH

UTC = dt.UTC


def subscriber(username: str, tz: str, at: str = "07:30"):
    user = UserFactory(username=username, timezone=tz)
    CatchupSettings.objects.create(
        user=user, email_enabled=True, email_time=dt.time.fromisoformat(at)
    )
    return user


@pytest.fixture
def morning(prior, bob):
    """Readers in three zones who follow bob, who posted something worth reading."""
    readers = {
        "tokyo": subscriber("tokyo", "Asia/Tokyo"),
        "berlin": subscriber("berlin", "Europe/Berlin"),
        "nyc": subscriber("nyc", "America/New_York"),
    }
    for reader in readers.values():
        make_follow(reader, bob)
    make_post(bob, TECH[0] + " #postgres https://blog.example.org/pg17")
    make_post(bob, TECH[3])
    return readers


def test_due_readers_follow_their_own_time_zone(morning):
    # 06:45 UTC = 15:45 Tokyo, 07:45 Berlin (winter), 01:45 New York.
    now = dt.datetime(2025, 1, 15, 6, 45, tzinfo=UTC)
    due = set(digest_due_user_ids(now=now))
    assert due == {morning["tokyo"].pk, morning["berlin"].pk}
    # 06:15 UTC: Berlin is at 07:15, before its 07:30.
    assert set(digest_due_user_ids(now=now.replace(minute=15))) == {morning["tokyo"].pk}
    # 13:00 UTC = 08:00 New York.
    later = dt.datetime(2025, 1, 15, 13, 0, tzinfo=UTC)
    assert morning["nyc"].pk in digest_due_user_ids(now=later)


def test_local_date_not_utc_date_decides_which_day_it_is(prior, bob):
    # 23:30 UTC on the 15th is 08:30 on the 16th in Tokyo: that is the 16th's email.
    tokyo = subscriber("tokyo", "Asia/Tokyo")
    make_follow(tokyo, bob)
    make_post(bob, TECH[1])
    now = dt.datetime(2025, 1, 15, 23, 30, tzinfo=UTC)
    assert digest_send(user_id=tokyo.pk, now=now) == "sent"
    assert DigestDelivery.objects.get(user=tokyo).local_date == dt.date(2025, 1, 16)


def test_email_has_html_text_reasons_and_one_click_unsubscribe(morning):
    now = dt.datetime(2025, 1, 15, 6, 45, tzinfo=UTC)
    assert digest_send(user_id=morning["berlin"].pk, now=now) == "sent"
    (message,) = mail.outbox
    assert message.to == [morning["berlin"].email]
    assert message.subject.startswith("Your catch-up: 2 posts")
    assert "Technical & industry" in message.body
    assert "Read it all" in message.body and "/today/" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "Technical &amp; industry" in html and "<html" in html
    token = unsubscribe_token(morning["berlin"].pk)
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<http://127.0.0.1:8000/catchup/unsubscribe/{token}/>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parsed = message_from_bytes(message.message().as_bytes())
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed.is_multipart()


def test_running_the_task_twice_sends_once(morning):
    now = dt.datetime(2025, 1, 15, 6, 45, tzinfo=UTC)
    assert digest_run(now=now) == {"sent": 2}
    assert digest_run(now=now + dt.timedelta(minutes=15)) == {}
    assert len(mail.outbox) == 2
    # A duplicated or retried task for the same reader sends nothing either.
    assert digest_send(user_id=morning["tokyo"].pk, now=now) == "taken"
    assert len(mail.outbox) == 2
    assert DigestDelivery.objects.filter(state="sent").count() == 2


def test_the_periodic_task_sends_to_everyone_due_once(morning, monkeypatch):
    monkeypatch.setattr(
        "rookery.catchup.tasks.timezone.now", lambda: dt.datetime(2025, 1, 15, 13, 0, tzinfo=UTC)
    )
    monkeypatch.setattr(
        "rookery.catchup.delivery.timezone.now",
        lambda: dt.datetime(2025, 1, 15, 13, 0, tzinfo=UTC),
    )
    tasks.digest_emails_due_task.call_local()
    tasks.digest_emails_due_task.call_local()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in morning.values())


def test_a_crash_after_claiming_is_retried_only_once_the_claim_is_stale(morning):
    berlin = morning["berlin"].pk
    now = dt.datetime(2025, 1, 15, 6, 45, tzinfo=UTC)
    # A worker claimed the day and died before sending.
    assert digest_claim(user_id=berlin, local_date=dt.date(2025, 1, 15), now=now) is not None
    soon = now + dt.timedelta(minutes=15)
    assert berlin not in digest_due_user_ids(now=soon)
    assert digest_send(user_id=berlin, now=soon) == "taken"
    assert mail.outbox == []

    later = now + STALE_CLAIM + dt.timedelta(minutes=1)
    assert berlin in digest_due_user_ids(now=later)
    assert digest_send(user_id=berlin, now=later) == "sent"
    assert digest_send(user_id=berlin, now=later) == "taken"
    assert len(mail.outbox) == 1
    row = DigestDelivery.objects.get(user_id=berlin)
    assert row.state == "sent" and row.attempts == 2


def test_a_refused_send_releases_the_claim_for_the_retry(morning, monkeypatch):
    berlin = morning["berlin"].pk
    now = dt.datetime(2025, 1, 15, 6, 45, tzinfo=UTC)

    def refuse(self, fail_silently=False):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(OSError):
        digest_send(user_id=berlin, now=now)
    assert not DigestDelivery.objects.filter(user_id=berlin).exists()
    monkeypatch.undo()
    assert digest_send(user_id=berlin, now=now) == "sent"


def test_nothing_is_sent_when_nothing_is_worth_sending(prior, bob):
    quiet = subscriber("quiet", "UTC")
    make_follow(quiet, bob)
    for text in CLICKBAIT:
        make_post(bob, text)
    now = timezone.now().replace(hour=12, minute=0)
    assert digest_send(user_id=quiet.pk, now=now) == "empty"
    assert mail.outbox == []
    assert DigestDelivery.objects.get(user=quiet).state == "empty"
    assert quiet.pk not in digest_due_user_ids(now=now)


def test_the_next_email_starts_after_the_last_one(morning, bob):
    berlin = morning["berlin"]
    day1 = dt.datetime(2025, 1, 15, 6, 45, tzinfo=UTC)
    assert digest_send(user_id=berlin.pk, now=day1) == "sent"
    day2 = day1 + dt.timedelta(days=1)
    # Nothing new and the reader never opened the page: no repeat of yesterday's posts.
    assert digest_send(user_id=berlin.pk, now=day2) == "empty"
    assert len(mail.outbox) == 1


def test_readers_without_email_or_opted_out_get_nothing(prior, bob):
    off = UserFactory(username="off")
    CatchupSettings.objects.create(user=off, email_enabled=False)
    no_address = subscriber("noaddress", "UTC")
    no_address.email = ""
    no_address.save()
    now = dt.datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
    assert digest_due_user_ids(now=now) == []
    assert digest_send(user_id=off.pk, now=now) == "off"


def test_unsubscribe_confirms_on_get_and_unsubscribes_on_post(client, morning):
    berlin = morning["berlin"]
    url = reverse("catchup:unsubscribe", args=[unsubscribe_token(berlin.pk)])
    page = client.get(url)
    assert page.status_code == 200 and b"Stop the morning email?" in page.content
    assert CatchupSettings.objects.get(user=berlin).email_enabled
    # RFC 8058: the mail provider POSTs without cookies or a CSRF token.
    client.handler.enforce_csrf_checks = True
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and b"You are unsubscribed" in done.content
    assert not CatchupSettings.objects.get(user=berlin).email_enabled
    assert CatchupSettings.objects.get(user=morning["tokyo"]).email_enabled


def test_a_tampered_unsubscribe_link_is_refused(client, morning):
    token = unsubscribe_token(morning["berlin"].pk)
    forged = token.replace(
        token.split(":")[0], unsubscribe_token(morning["tokyo"].pk).split(":")[0]
    )
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        url = reverse("catchup:unsubscribe", args=[bad])
        assert client.get(url).status_code == 400
        assert client.post(url).status_code == 400
    assert CatchupSettings.objects.filter(email_enabled=True).count() == 3
