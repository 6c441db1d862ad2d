from __future__ import annotations

from tests.factories import make_post


def test_search_finds_people_tags_and_posts(alice_client, alice, bob):
    bob.headline = "Postgres person"
    bob.save()
    make_post(bob, "Vacuum tuning notes #postgres")
    page = alice_client.get("/search/?q=postgres").content.decode()
    assert "Bob Brown" in page and 'href="/tags/postgres/"' in page and "Vacuum tuning" in page
    assert 'hx-post="/@bob/follow/"' in page
    people = alice_client.get("/search/?q=bob&kind=accounts").content.decode()
    assert "Bob Brown" in people


def test_search_with_nothing_or_nonsense(client, db):
    assert client.get("/search/").status_code == 200
    assert client.get("/search/?q=%22%29%20OR%20*").status_code == 200
    assert client.get("/search/?q=x&kind=everything").status_code == 400
    assert "Nothing matches" in client.get("/search/?q=zzzzqqq").content.decode()


def test_unknown_page_uses_our_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_404_for_anonymous_followers_only_post(client, bob):
    from rookery.posts.models import Visibility

    post = make_post(bob, "secret followers text", visibility=Visibility.FOLLOWERS)
    response = client.get(f"/@bob/{post.pk}/")
    assert response.status_code == 404
    assert "secret followers text" not in response.content.decode()


def test_server_error_page_is_ours(client, db, settings):
    from django.template.loader import render_to_string

    assert "Something went wrong on our side" in render_to_string("500.html")


def test_static_assets_are_ours_not_a_cdn(client, db):
    page = client.get("/").content.decode()
    assert "/static/web/rookery.css" in page
    assert 'src="/static/django_htmx/htmx' in page
    assert "cdn" not in page.lower() and "unpkg" not in page
