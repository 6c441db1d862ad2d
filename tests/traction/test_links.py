"""Short links: hrefs rewritten through /l/<code>, clicks counted by rule, safe redirects."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from rookery.posts.services import post_edit
from rookery.traction.links import link_clicks_for_post, links_attach, short_link_create
from rookery.traction.models import ShortLink
from tests.factories import make_post
from tests.traction.conftest import BROWSER, roll_up

pytestmark = pytest.mark.django_db


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_posting_routes_external_links_through_short_links_keeping_text_and_classes(alice, bob):
    post = make_post(
        alice, "Read [my article](https://blog.example/a?x=1&y=2) and https://e.com/b #tag @bob"
    )
    links = list(ShortLink.objects.filter(post=post).order_by("id"))
    assert [link.url for link in links] == ["https://blog.example/a?x=1&y=2", "https://e.com/b"]
    assert hrefs(post.html)[:2] == [f"http://127.0.0.1:8000/l/{link.code}" for link in links]
    assert ">my article</a>" in post.html and ">https://e.com/b</a>" in post.html
    assert 'title="https://blog.example/a?x=1&amp;y=2"' in post.html
    assert 'href="/tags/tag/" class="hashtag"' in post.html and 'class="mention"' in post.html
    post.refresh_from_db()
    assert "/l/" in post.html
    # The link card still previews the article itself.
    assert post.first_url == "https://blog.example/a?x=1&y=2"
    assert post.link_card.url == "https://blog.example/a?x=1&y=2"


def test_links_attach_is_idempotent_and_edits_keep_codes(alice):
    post = make_post(alice, "See https://e.com/a")
    code = ShortLink.objects.get(post=post).code
    assert links_attach(post).html == post.html
    post_edit(post=post, editor=alice, text="See https://e.com/a and https://e.com/new")
    assert ShortLink.objects.filter(post=post).count() == 2
    assert ShortLink.objects.get(post=post, url="https://e.com/a").code == code
    assert f"/l/{code}" in post.html


def test_only_http_links_are_shortened_and_redirected(alice):
    post = make_post(alice, "mail me <mailto:a@example.com>")
    assert not ShortLink.objects.filter(post=post).exists()
    with pytest.raises(ValueError):
        short_link_create(url="javascript:alert(1)")
    bad = ShortLink.objects.create(code="evil", url="javascript:alert(1)", url_hash="x")
    assert Client().get(f"/l/{bad.code}", HTTP_USER_AGENT=BROWSER).status_code == 404
    assert Client().get("/l/nope", HTTP_USER_AGENT=BROWSER).status_code == 404


def test_a_click_redirects_and_counts_once_per_reader_per_day(alice, bob, carol):
    post = make_post(alice, "https://blog.example/post")
    link = ShortLink.objects.get(post=post)
    for user in (bob, bob, carol):
        client = Client()
        client.force_login(user)
        response = client.get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 302
        assert response["Location"] == "https://blog.example/post"
    roll_up()
    assert link_clicks_for_post(post.pk)[0].clicks == 2


@pytest.mark.parametrize(
    "agent",
    [
        "facebookexternalhit/1.1",
        "Twitterbot/1.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)",
        "curl/8.5.0",
        "Wget/1.21",
        "Mozilla/5.0 (compatible; Googlebot/2.1)",
        "SomeCrawler/1.0",
        "Example Link Preview",
        "",
    ],
)
def test_bots_and_preview_fetchers_are_redirected_but_not_counted(alice, agent):
    post = make_post(alice, "https://blog.example/post")
    link = ShortLink.objects.get(post=post)
    assert Client().get(f"/l/{link.code}", HTTP_USER_AGENT=agent).status_code == 302
    roll_up()
    assert link_clicks_for_post(post.pk)[0].clicks == 0


def test_the_authors_own_clicks_do_not_count_but_anonymous_readers_do(alice):
    post = make_post(alice, "https://blog.example/post")
    link = ShortLink.objects.get(post=post)
    client = Client()
    client.force_login(alice)
    client.get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER)
    Client(REMOTE_ADDR="203.0.113.5").get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER)
    Client(REMOTE_ADDR="203.0.113.5").get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER)
    Client(REMOTE_ADDR="203.0.113.6").get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER)
    roll_up()
    assert link_clicks_for_post(post.pk)[0].clicks == 2


def test_the_preview_card_links_through_the_same_counted_short_link(alice, bob):
    from rookery.posts.models import LinkCard
    from tests.factories import make_follow

    make_follow(bob, alice)
    post = make_post(alice, "New article https://blog.example/post")
    LinkCard.objects.filter(pk=post.link_card_id).update(
        status=LinkCard.Status.OK, title="An article worth reading", domain="blog.example"
    )
    link = ShortLink.objects.get(post=post)
    client = Client()
    client.force_login(bob)
    page = client.get("/home/").content.decode()
    card = re.search(r'<a class="link-card" href="([^"]+)"', page)
    assert card is not None
    assert card.group(1).endswith(f"/l/{link.code}")
    assert "blog.example" in page  # the card still names the article's own site
