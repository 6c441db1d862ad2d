"""Blog promotion under /api/rookery/v1/feeds."""

from __future__ import annotations

import pytest

from rookery.feeds.models import Feed, PromotionState
from rookery.posts.models import Post
from tests.api.conftest import ApiClient, make_token
from tests.feeds.blogserver import Item, Route, article, homepage, rss

pytestmark = pytest.mark.django_db

BASE = "/api/rookery/v1/feeds"


@pytest.fixture
def api(alice) -> ApiClient:  # type: ignore[no-untyped-def]
    return ApiClient(make_token(alice))


def test_add_a_blog_find_a_draft_edit_and_publish_it(blog, loopback, api, alice):
    blog.routes["/"] = Route(body=homepage("/feed.xml"), content_type="text/html")
    blog.routes["/feed.xml"] = Route(body=rss([]))
    response = api.post(BASE, {"url": blog.url("/")})
    assert response.status_code == 200, response.content
    feed = response.json()
    assert feed["feed_url"] == blog.url("/feed.xml") and feed["last_ok"]

    blog.routes["/posts/a"] = Route(body=article("Pools"), content_type="text/html")
    blog.routes["/feed.xml"] = Route(body=rss([Item("Pools", blog.url("/posts/a"), guid="a")]))
    checked = api.post(f"{BASE}/{feed['id']}/check").json()
    assert checked["last_result"] == "OK: 1 new article"

    (draft,) = api.get(f"{BASE}/promotions").json()
    assert draft["state"] == "draft" and draft["link"] in draft["text"] and draft["summary"]

    text = f"Pools, explained {draft['link']}"
    edited = api.patch(f"{BASE}/promotions/{draft['id']}", {"text": text}).json()
    assert edited["text"] == text
    published = api.post(f"{BASE}/promotions/{draft['id']}/publish").json()
    assert published["state"] == "published" and published["status_id"]
    again = api.post(f"{BASE}/promotions/{draft['id']}/publish").json()
    assert again["status_id"] == published["status_id"]
    assert Post.objects.filter(author=alice).count() == 1

    (history,) = api.get(f"{BASE}/promotions", {"state": "published"}).json()
    assert history["clicks"] == 0 and history["likes"] == 0 and history["reposts"] == 0


def test_errors_are_readable(blog, loopback, api):
    response = api.post(BASE, {"url": blog.url("/missing")})
    assert response.status_code == 422
    assert "404 Not Found" in response.json()["error"]
    response = api.post(BASE, {"url": "ftp://example.com/feed"})
    assert response.status_code == 422 and "unsupported scheme" in response.json()["error"]
    assert api.get(f"{BASE}/999").status_code == 404


def test_settings_schedule_and_discard(blog, loopback, api, alice):
    blog.routes["/feed.xml"] = Route(body=rss([Item("Old", blog.url("/posts/old"))]))
    blog.routes["/posts/old"] = Route(body=article("Old"), content_type="text/html")
    feed = api.post(BASE, {"url": blog.url("/feed.xml")}).json()
    changed = api.patch(f"{BASE}/{feed['id']}", {"mode": "schedule", "schedule_time": "08:30"})
    assert changed.json()["mode"] == "schedule" and changed.json()["schedule_time"] == "08:30"
    bad = api.patch(f"{BASE}/{feed['id']}", {"template": "{summary} {nope}"})
    assert bad.status_code == 422 and "unknown placeholder" in bad.json()["error"]

    (past,) = api.get(f"{BASE}/promotions", {"state": "past"}).json()
    drafted = api.post(f"{BASE}/promotions/{past['id']}/draft").json()
    assert drafted["state"] == "draft"
    scheduled = api.post(
        f"{BASE}/promotions/{past['id']}/schedule", {"publish_at": "2999-01-01T09:00:00"}
    ).json()
    assert scheduled["state"] == "scheduled" and scheduled["publish_at"].startswith("2999-01-01")
    discarded = api.post(f"{BASE}/promotions/{past['id']}/discard").json()
    assert discarded["state"] == PromotionState.DISCARDED

    assert api.delete(f"{BASE}/{feed['id']}").status_code == 200
    assert not Feed.objects.exists()


def test_other_peoples_feeds_are_not_found_and_tokens_need_scopes(blog, loopback, alice, bob):
    blog.routes["/feed.xml"] = Route(body=rss([]))
    feed = ApiClient(make_token(alice)).post(BASE, {"url": blog.url("/feed.xml")}).json()
    as_bob = ApiClient(make_token(bob))
    assert as_bob.get(f"{BASE}/{feed['id']}").status_code == 404
    assert as_bob.post(f"{BASE}/{feed['id']}/check").status_code == 404
    assert as_bob.get(BASE).json() == []
    read_only = ApiClient(make_token(alice, scope="read"))
    assert read_only.get(BASE).status_code == 200
    assert read_only.post(f"{BASE}/{feed['id']}/check").status_code == 403
    assert ApiClient().get(BASE).status_code == 401
