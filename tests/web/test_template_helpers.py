from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rookery.web.templatetags.rookery_web import ago, display_url, http_url, icon
from tests.factories import make_post


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(minutes=7), "7 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(days=2), "2 d"),
    ],
)
def test_ago_is_short(delta, text):
    assert ago(timezone.now() - delta) == text


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://a.example/x", True),
        ("http://a.example", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<b>", False),
        ("//evil.example", False),
    ],
)
def test_http_url_lets_only_web_links_through(url, safe):
    assert (http_url(url) == url) is safe


def test_display_url_and_icon_label_escaping():
    assert display_url("https://www.example.com/blog/") == "example.com/blog"
    assert "&lt;b&gt;" in icon("home", "<b>")


def test_times_show_in_the_readers_time_zone(alice_client, alice):
    alice.timezone = "Asia/Tokyo"
    alice.save()
    post = make_post(alice, "hello")
    page = alice_client.get(f"/@alice/{post.pk}/").content.decode()
    assert "+09:00" in page  # the <time datetime> carries the reader's offset
