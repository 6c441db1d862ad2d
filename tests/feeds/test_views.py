"""The Blog page through Django's test client."""

from __future__ import annotations

import pytest
from django.test import Client

from rookery.feeds.models import Feed, Promotion, PromotionState
from rookery.posts.models import Post
from tests.feeds.blogserver import Item, Route, article, homepage, rss
from tests.feeds.test_services import blog_with_new_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_alice(alice) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(alice)
    return client


def test_the_blog_page_needs_a_login(client):
    response = client.get("/blog/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_add_a_blog_by_its_site_url(blog, loopback, client_alice, alice):
    blog.routes["/"] = Route(body=homepage("/feed.xml"), content_type="text/html")
    blog.routes["/feed.xml"] = Route(body=rss([Item("Old", blog.url("/posts/old"))]))
    response = client_alice.post(
        "/blog/feeds/add/",
        {"url": blog.url("/"), "mode": "draft", "template": "{summary} {link}",
         "visibility": "public"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ana&#x27;s blog" in page and "OK: 1 article found" in page
    assert "Earlier articles" in page and "Old" in page
    assert Feed.objects.get().feed_url == blog.url("/feed.xml")


def test_a_bad_address_is_a_form_error(blog, loopback, client_alice):
    response = client_alice.post(
        "/blog/feeds/add/",
        {"url": blog.url("/nope"), "mode": "draft", "template": "{summary} {link}",
         "visibility": "public"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "404 Not Found" in response.content.decode()
    assert not Feed.objects.exists()


def test_edit_preview_and_publish_a_draft(blog, loopback, client_alice, alice):
    promotion = blog_with_new_article(blog, alice).promotions.get()
    page = client_alice.get("/blog/").content.decode()
    assert promotion.summary[:40] in page

    url = f"/blog/promotions/{promotion.pk}/"
    editor = client_alice.get(url).content.decode()
    assert 'hx-post="/blog/promotions/' in editor and 'value="preview"' in editor

    # htmx re-renders only the preview as the owner types.
    partial = client_alice.post(url + "preview/", {"text": "Hello #Postgres"}).content.decode()
    assert 'id="promotion-preview"' in partial and "/tags/postgres/" in partial.lower()
    assert "<html" not in partial

    # Without JavaScript the Preview button re-renders the whole page with the typed text.
    page = client_alice.post(url, {"text": "Typed text", "action": "preview"}).content.decode()
    assert "Typed text" in page
    assert Promotion.objects.get().text == promotion.text  # not saved

    text = f"My take on pools {promotion.link}"
    response = client_alice.post(url, {"text": text, "action": "publish"})
    assert response.status_code == 302
    promotion.refresh_from_db()
    assert promotion.state == PromotionState.PUBLISHED and promotion.post.text == text
    history = client_alice.get("/blog/").content.decode()
    assert f'id="history-{promotion.pk}"' in history


def test_too_long_a_draft_is_refused_with_a_message(blog, loopback, client_alice, alice):
    promotion = blog_with_new_article(blog, alice).promotions.get()
    response = client_alice.post(
        f"/blog/promotions/{promotion.pk}/", {"text": "x" * 600, "action": "publish"}
    )
    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()
    assert not Post.objects.exists()


def test_discard_and_promote_again_by_hand(blog, loopback, client_alice, alice):
    promotion = blog_with_new_article(blog, alice).promotions.get()
    url = f"/blog/promotions/{promotion.pk}/"
    client_alice.post(url, {"text": promotion.text, "action": "discard"})
    assert Promotion.objects.get().state == PromotionState.DISCARDED
    response = client_alice.post(url + "draft/")
    assert response.status_code == 302 and response["Location"] == url
    assert Promotion.objects.get().state == PromotionState.DRAFT


def test_check_now_and_remove(blog, loopback, client_alice, alice):
    blog.routes["/feed.xml"] = Route(body=rss([]))
    client_alice.post(
        "/blog/feeds/add/",
        {"url": blog.url("/feed.xml"), "mode": "draft", "template": "{summary} {link}",
         "visibility": "public"},
    )  # fmt: skip
    feed = Feed.objects.get()
    blog.routes["/posts/n"] = Route(body=article("New"), content_type="text/html")
    blog.routes["/feed.xml"] = Route(body=rss([Item("New", blog.url("/posts/n"), guid="n")]))
    page = client_alice.post(f"/blog/feeds/{feed.pk}/check/", follow=True).content.decode()
    assert "OK: 1 new article" in page
    client_alice.post(f"/blog/feeds/{feed.pk}/delete/")
    assert not Feed.objects.exists()


def test_someone_elses_feed_and_draft_are_404(blog, loopback, alice, bob):
    promotion = blog_with_new_article(blog, alice).promotions.get()
    client = Client()
    client.force_login(bob)
    assert client.get(f"/blog/promotions/{promotion.pk}/").status_code == 404
    assert (
        client.post(f"/blog/promotions/{promotion.pk}/preview/", {"text": "x"}).status_code == 404
    )
    assert client.post(f"/blog/feeds/{promotion.feed_id}/delete/").status_code == 404
    assert (
        client.post(
            f"/blog/promotions/{promotion.pk}/", {"text": "x", "action": "publish"}
        ).status_code
        == 404
    )
    assert not Post.objects.exists()
