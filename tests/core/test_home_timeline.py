from __future__ import annotations

from rookery.posts.models import Visibility
from rookery.timelines.selectors import Page, timeline_home
from tests.factories import make_follow, make_post


def test_alice_follows_bob_and_sees_his_new_post_at_home(alice, bob):
    make_follow(alice, bob)
    post = make_post(bob, "Shipping #postgres 17 today https://example.com/notes")
    home = timeline_home(alice, Page())
    assert [p.pk for p in home] == [post.pk]
    assert [t.name for t in post.hashtags.all()] == ["postgres"]
    assert post.first_url == "https://example.com/notes"


def test_followers_only_post_reaches_followers_not_others(alice, bob, carol):
    make_follow(alice, bob)
    post = make_post(bob, "for friends", visibility=Visibility.FOLLOWERS)
    assert [p.pk for p in timeline_home(alice, Page())] == [post.pk]
    assert timeline_home(carol, Page()) == []
