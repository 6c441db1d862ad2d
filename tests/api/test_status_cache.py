"""Statuses come from the cache, and every change a client could see shows on the next request."""

from __future__ import annotations

import pytest

from rookery.accounts.services import account_settings_update, profile_update
from rookery.api.serializers import Context
from rookery.api.serializers.status import serialize_statuses
from rookery.moderation.services import account_suspend
from rookery.posts.models import LinkCard, Post
from rookery.posts.selectors import posts_thin, with_display_relations
from rookery.posts.services import like_create, post_delete, post_edit, reblog_create
from tests.api.conftest import ApiClient, make_token
from tests.factories import UserFactory, make_follow, make_post


def _home(api: ApiClient) -> list[dict]:
    response = api.get("/api/v1/timelines/home")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def reading(alice, bob, alice_api):  # type: ignore[no-untyped-def]
    """alice follows bob; bob posted; alice's home has been read once (cache filled)."""
    make_follow(alice, bob)
    post = make_post(bob, "First version #cache")
    assert _home(alice_api)[0]["content"].startswith("<p>First version")
    return post


def test_cached_statuses_equal_freshly_serialised_ones(alice, bob, carol):
    make_follow(alice, bob)
    question = make_post(bob, "Which queue? @carol #ops https://example.com/q", is_question=True)
    reblog = reblog_create(user=bob, post=make_post(carol, "Shared"))
    like_create(user=alice, post=reblog)
    ids = [reblog.pk, question.pk]
    ctx = Context(viewer=alice, base="http://testserver")
    full = list(with_display_relations(Post.objects.filter(pk__in=ids)).order_by("-pk"))
    fresh = serialize_statuses(full, ctx)  # fills the cache from full rows
    assert serialize_statuses(posts_thin(ids), ctx) == fresh  # from the cache, thin rows
    assert fresh[0]["favourited"] is True and fresh[0]["reblog"]["favourited"] is True


def test_an_edit_shows_on_the_next_request(reading, bob, alice_api):
    post_edit(post=reading, editor=bob, text="Second version")
    status = _home(alice_api)[0]
    assert "Second version" in status["content"] and status["edited_at"] is not None


def test_a_like_updates_the_count_and_only_the_likers_flag(reading, alice, carol, alice_api):
    like_create(user=carol, post=reading)
    status = _home(alice_api)[0]
    assert status["favourites_count"] == 1 and status["favourited"] is False
    like_create(user=alice, post=reading)
    status = _home(alice_api)[0]
    assert status["favourites_count"] == 2 and status["favourited"] is True


def test_a_profile_change_shows_on_the_next_request(reading, bob, alice_api):
    profile_update(user=bob, display_name="Robert", headline="", bio="Hi", website="", topics=[])
    account = _home(alice_api)[0]["account"]
    assert account["display_name"] == "Robert" and "Hi" in account["note"]
    account_settings_update(
        user=bob, locked=True, hide_follows=False, discoverable=True, timezone_name="UTC"
    )
    assert _home(alice_api)[0]["account"]["locked"] is True


def test_account_counters_are_current(reading, bob, carol, alice_api):
    before = _home(alice_api)[0]["account"]["followers_count"]
    make_follow(carol, bob)
    assert _home(alice_api)[0]["account"]["followers_count"] == before + 1


def test_a_suspension_hides_the_status(reading, bob, alice_api):
    account_suspend(moderator=UserFactory(username="mod", is_staff=True), user=bob, reason="x")
    assert _home(alice_api) == []


def test_a_deletion_shows_on_the_next_request(reading, bob, alice_api):
    post_delete(post=reading, actor=bob)
    assert _home(alice_api) == []


def test_a_fetched_link_card_shows_on_the_next_request(alice, bob, alice_api):
    from django.utils import timezone

    make_follow(alice, bob)
    post = make_post(bob, "Read https://example.com/story")
    assert _home(alice_api)[0]["card"] is None
    LinkCard.objects.filter(pk=post.link_card_id).update(
        status=LinkCard.Status.OK, title="The story", fetched_at=timezone.now()
    )
    assert _home(alice_api)[0]["card"]["title"] == "The story"


def test_the_base_url_is_part_of_the_cached_entry(reading, alice, settings):
    settings.ALLOWED_HOSTS = ["testserver", "rookery.example"]
    api = ApiClient(make_token(alice))
    first = api.get("/api/v1/timelines/home").json()[0]
    other = api.get("/api/v1/timelines/home", Host="rookery.example").json()[0]
    assert first["url"].startswith("http://testserver/")
    assert other["url"].startswith("http://rookery.example/")
    assert other["account"]["url"].startswith("http://rookery.example/")
