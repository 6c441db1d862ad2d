"""Per-post and insights pages, who may see them, findings on small samples, and the exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rookery.posts.services import like_create, post_create, reblog_create
from rookery.traction.models import ShortLink
from rookery.traction.recording import record_impressions
from rookery.traction.selectors import best_posting_slots, insights
from tests.factories import UserFactory, make_follow, make_post
from tests.traction.conftest import BROWSER, roll_up
from tests.traction.test_recording import request_of

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client(HTTP_USER_AGENT=BROWSER)
    client.force_login(user)
    return client


@pytest.fixture
def traction(alice, bob, carol):
    """Alice posts a link; bob and carol see it, bob clicks and likes, carol reposts and follows."""
    post = make_post(alice, "New article: https://blog.example/a #python")
    record_impressions(request_of(bob), [post], "timeline")
    record_impressions(request_of(carol), [post], "thread")
    link = ShortLink.objects.get(post=post)
    logged_in(bob).get(f"/l/{link.code}")
    like_create(user=bob, post=post)
    reblog_create(user=carol, post=post)
    make_post(bob, "I agree", in_reply_to=post)
    make_follow(carol, alice)
    roll_up()
    return post


def test_the_author_sees_every_number_of_a_post(alice, traction):
    page = logged_in(alice).get(f"/traction/posts/{traction.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for metric, value in [("impressions", "2"), ("clicks", "1"), ("ctr", "50.0%"), ("likes", "1"),
                          ("reposts", "1"), ("replies", "1"), ("followers", "1")]:  # fmt: skip
        assert f'data-metric="{metric}">{value}</dd>' in html
    assert html.count('role="img"') == 2 and "<desc id=" in html and "<details" in html
    alias = logged_in(alice).get(f"/@alice/{traction.pk}/traction")
    assert alias.status_code == 200


def test_nobody_else_sees_a_posts_analytics(alice, bob, traction):
    assert logged_in(bob).get(f"/traction/posts/{traction.pk}/").status_code == 404
    assert Client().get(f"/traction/posts/{traction.pk}/").status_code == 404
    assert logged_in(bob).get(f"/@alice/{traction.pk}/traction").status_code == 404
    assert logged_in(alice).get(f"/@bob/{traction.pk}/traction").status_code == 404
    assert logged_in(alice).get("/traction/posts/999999/").status_code == 404


def test_admins_may_see_a_posts_analytics(traction):
    admin = UserFactory(username="root", is_staff=True)
    assert logged_in(admin).get(f"/traction/posts/{traction.pk}/").status_code == 200


def test_who_viewed_is_never_shown(alice, bob, carol, traction):
    html = logged_in(alice).get(f"/traction/posts/{traction.pk}/").content.decode()
    html += logged_in(alice).get("/traction/").content.decode()
    # bob and carol appear only as authors of what they wrote, never as viewers or clickers.
    assert "carol" not in html.replace("Carol", "")


def test_the_insights_page_shows_totals_and_charts(alice, traction):
    page = logged_in(alice).get("/traction/?days=90")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-metric="impressions">2</dd>' in html
    assert 'data-metric="followers">1</dd>' in html
    assert html.count('role="img"') >= 4
    assert "No findings yet" in html
    assert logged_in(alice).get("/traction/?days=7").status_code == 400
    assert Client().get("/traction/").status_code == 302  # to the log-in page


def test_findings_appear_only_once_the_sample_is_large_enough(alice, bob):
    readers = [UserFactory(username=f"reader{i}") for i in range(4)]

    def publish(count: int, text: str, question: bool, replies: int) -> None:
        for i in range(count):
            post = make_post(alice, f"{text} {i}", is_question=question)
            for reader in readers:
                record_impressions(request_of(reader), [post], "timeline")
            for r in range(replies):
                make_post(readers[r], "reply", in_reply_to=post)

    publish(9, "What do you use?", True, 3)
    publish(12, "Shipped it", False, 1)
    roll_up()
    assert insights(alice, 30).findings == []
    publish(1, "Which editor?", True, 3)
    roll_up()
    [finding] = insights(alice, 30).findings
    assert (
        finding.text == "Questions get 3.0\u00d7 the replies of your text posts (10 vs 12 posts)."
    )
    html = logged_in(alice).get("/traction/").content.decode()
    assert "Questions get 3.0" in html and "3.0 vs 1.0" in html


def test_best_posting_slots_need_three_posts_in_a_slot(alice, bob):
    for _ in range(3):
        post = make_post(alice, "morning")
        record_impressions(request_of(bob), [post], "timeline")
        like_create(user=bob, post=post)
    roll_up()
    now = timezone.now()
    assert best_posting_slots(alice) == [(now.weekday(), now.hour)]


def test_exports_hold_every_post_with_its_numbers(alice, traction):
    make_post(alice, "=1+1 a formula-looking post")
    response = logged_in(alice).get("/traction/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    first = next(r for r in rows if r["post_id"] == str(traction.pk))
    assert (first["impressions"], first["clicks"], first["likes"], first["reposts"]) == (
        "2",
        "1",
        "1",
        "1",
    )
    assert first["click_through_rate"] == "0.5" and first["hashtags"] == "python"
    assert first["kind"] == "link" and first["followers_gained"] == "1"
    other = next(r for r in rows if r["post_id"] != str(traction.pk))
    assert other["text"].startswith("'=")
    data = json.loads(logged_in(alice).get("/traction/export.json").content)
    assert data["username"] == "alice" and len(data["posts"]) == 2
    exported = next(p for p in data["posts"] if p["post_id"] == traction.pk)
    assert exported["impressions"] == 2 and exported["replies"] == 1


def test_quotes_count_other_peoples_posts_with_the_same_link(alice, bob, traction):
    post_create(author=bob, text="Worth reading https://blog.example/a", rate_limit=False)
    page = logged_in(alice).get(f"/traction/posts/{traction.pk}/").content.decode()
    assert 'data-metric="quotes">1</dd>' in page


def test_the_insights_page_reads_a_bounded_number_of_queries(
    alice, bob, django_assert_max_num_queries
):
    for i in range(15):
        post = make_post(alice, f"post {i} #t{i % 3} https://e.com/{i}")
        record_impressions(request_of(bob), [post], "timeline")
    roll_up()
    client = logged_in(alice)
    with django_assert_max_num_queries(15):
        assert client.get("/traction/").status_code == 200


def test_followers_after_48_hours_are_not_credited(alice, carol):
    post = make_post(alice, "old news", created_at=timezone.now() - timedelta(hours=50))
    make_follow(carol, alice)
    page = logged_in(alice).get(f"/traction/posts/{post.pk}/").content.decode()
    assert 'data-metric="followers">0</dd>' in page
