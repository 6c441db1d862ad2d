from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rookery.posts.models import LinkCard, Visibility
from rookery.posts.services import bookmark_create, like_create, reblog_create
from tests.factories import UserFactory, make_follow, make_post


def test_landing_previews_public_posts_and_offers_sign_up(client, bob):
    make_post(bob, "Public hello")
    make_post(bob, "Friends only", visibility=Visibility.FOLLOWERS)
    page = client.get("/").content.decode()
    assert "Public hello" in page
    assert "Friends only" not in page
    assert 'href="/signup/"' in page


def test_landing_sends_a_signed_in_person_home(alice_client):
    assert alice_client.get("/").url == "/home/"


def test_home_needs_login(client):
    response = client.get("/home/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_alice_sees_bobs_post_on_home_with_composer(alice_client, alice, bob):
    make_follow(alice, bob)
    make_post(bob, "Shipping #postgres 17")
    page = alice_client.get("/home/").content.decode()
    assert "Shipping" in page
    assert 'href="/tags/postgres/"' in page
    assert 'name="visibility"' in page and 'name="is_question"' in page
    assert 'name="content_warning"' in page and "data-counter-max" in page


def test_home_pages_by_max_id_with_a_plain_link_and_htmx_scroll(alice_client, alice, htmx):
    posts = [make_post(alice, f"post number {i}") for i in range(25)]
    page = alice_client.get("/home/").content.decode()
    assert "post number 24" in page and "post number 4" not in page
    oldest_shown = posts[5].pk
    assert f'href="/home/?max_id={oldest_shown}"' in page  # works without JavaScript
    assert 'hx-trigger="revealed"' in page
    fragment = alice_client.get(f"/home/?max_id={oldest_shown}", **htmx)
    body = fragment.content.decode()
    assert "post number 4" in body and "post number 5<" not in body
    assert "<html" not in body  # only the cards: htmx appends them
    assert "HX-Request" in fragment["Vary"]


@pytest.mark.parametrize(
    "query", ["max_id=abc", "max_id=-1", "limit=0", "limit=many", "since_id=1.5", "min_id=%00"]
)
@pytest.mark.parametrize("path", ["/home/", "/public/", "/tags/x/", "/@alice/", "/notifications/"])
def test_bad_pagination_is_a_400_not_a_500(alice_client, path, query):
    response = alice_client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert "doesn't make sense" in response.content.decode()


def test_new_posts_indicator_counts_arrivals_since_the_top(alice_client, alice, bob):
    make_follow(alice, bob)
    first = make_post(bob, "first")
    page = alice_client.get("/home/").content.decode()
    assert f"/home/new/?since_id={first.pk}" in page and 'hx-trigger="every 30s"' in page
    assert alice_client.get(f"/home/new/?since_id={first.pk}").content.decode().strip() == ""
    make_post(bob, "second")
    make_post(bob, "third")
    assert "2 new posts" in alice_client.get(f"/home/new/?since_id={first.pk}").content.decode()
    assert alice_client.get("/home/new/?since_id=x").status_code == 400


def test_public_timeline_shows_public_posts_only(client, bob):
    make_post(bob, "for everyone")
    make_post(bob, "quietly", visibility=Visibility.UNLISTED)
    page = client.get("/public/").content.decode()
    assert "for everyone" in page and "quietly" not in page


def test_hashtag_timeline(client, bob):
    make_post(bob, "About #Django")
    make_post(bob, "About #flask")
    page = client.get("/tags/django/").content.decode()
    assert "About" in page and "flask" not in page
    assert "#django" in page


def test_bookmarks_page_lists_bookmarked_posts(alice_client, alice, bob):
    post = make_post(bob, "worth keeping")
    make_post(bob, "not this")
    bookmark_create(user=alice, post=post)
    page = alice_client.get("/bookmarks/").content.decode()
    assert "worth keeping" in page and "not this" not in page


def _populate(viewer, count: int) -> None:
    """A realistic home: several authors, replies, reposts, link cards, reactions."""
    authors = [UserFactory(headline="Engineer") for _ in range(5)]
    outsider = UserFactory()  # not followed: only reposts bring their posts in
    for author in authors:
        make_follow(viewer, author)
    LinkCard.objects.get_or_create(
        url="https://example.com/a",
        defaults={"status": "ok", "title": "A", "domain": "example.com"},
    )
    previous = None
    for i in range(count):
        author = authors[i % len(authors)]
        if i % 5 == 3 and previous is not None:
            post = make_post(author, f"reply {i}", in_reply_to=previous)
        elif i % 5 == 4:
            post = reblog_create(user=author, post=make_post(outsider, f"outside {i}"))
        else:
            post = make_post(author, f"post {i} #tag https://example.com/a", is_question=i % 2 == 0)
            like_create(user=viewer, post=post)
        previous = post if post.reblog_of_id is None else previous


def _home_queries(client, viewer, count: int) -> int:
    _populate(viewer, count)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/home/")
    assert response.status_code == 200
    assert "reposted" in response.content.decode()
    return len(ctx.captured_queries)


# session, user, timeline ids, merged authors, thin posts (with the viewer's mutes, blocks,
# likes, reposts and bookmarks as EXISTS columns), unread notifications; with nothing cached
# yet, the full rows of the posts to render and their media x2. Cached ids and cards: 4.
HOME_MAX_QUERIES = 9


def test_home_query_count_is_fixed_whatever_the_number_of_posts(
    db, client, django_assert_max_num_queries
):
    few_reader, many_reader = UserFactory(), UserFactory()
    client.force_login(few_reader)
    few = _home_queries(client, few_reader, 5)
    client.force_login(many_reader)
    many = _home_queries(client, many_reader, 30)
    assert few == many
    with django_assert_max_num_queries(HOME_MAX_QUERIES):
        client.get("/home/")
