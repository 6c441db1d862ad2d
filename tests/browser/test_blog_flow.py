"""Blog promotion end to end in Chromium: add a blog by its site URL, a new article appears,
the draft is edited and published, a follower sees it and clicks it, the click is counted."""

from __future__ import annotations

import pytest

from tests.feeds.blogserver import BlogServer, Item, Route, article, homepage, rss

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery"


def log_in(browser, base: str, username: str):  # type: ignore[no-untyped-def]
    page = browser.new_context().new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def test_a_blog_article_is_drafted_published_seen_and_clicked(
    live_server, transactional_db, settings, browser
):
    from rookery.feeds.models import Promotion, PromotionState
    from rookery.traction import recording
    from rookery.traction.links import link_clicks_for_post
    from rookery.traction.services import rollup_run
    from tests.factories import UserFactory, make_follow

    settings.OUTBOUND_ALLOW_PRIVATE = True  # the blog is on 127.0.0.1
    settings.SITE_URL = live_server.url  # short links must point at this server
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    make_follow(bob, alice)

    with BlogServer() as blog:
        blog.routes["/"] = Route(body=homepage("/feed.xml"), content_type="text/html")
        old = Item("An older post", blog.url("/posts/old"), guid="old")
        blog.routes["/feed.xml"] = Route(body=rss([old]))

        page = log_in(browser, live_server.url, "alice")
        page.goto(f"{live_server.url}/blog/")
        page.fill("#id_url", blog.url("/"))
        page.click("#add-feed button[type=submit]")
        page.wait_for_selector("text=OK: 1 article found")
        assert page.locator("text=An older post").count() == 1

        # A new article appears on the blog.
        blog.routes["/posts/pools"] = Route(
            body=article("Connection pools under load"), content_type="text/html"
        )
        new = Item("Connection pools under load", blog.url("/posts/pools"), guid="pools")
        blog.routes["/feed.xml"] = Route(body=rss([new, old]))
        page.click("text=Check now")
        page.wait_for_selector("text=OK: 1 new article")

        draft = page.locator("article.promotion")
        assert draft.count() == 1
        draft_text = draft.locator(".draft-text").inner_text()
        promotion = Promotion.objects.get(state=PromotionState.DRAFT)
        assert promotion.summary and promotion.summary[:30] in draft_text
        assert blog.url("/posts/pools") in draft_text

        draft.locator("text=Edit and publish").click()
        textarea = page.locator("textarea[name=text]")
        textarea.fill("Fresh from the blog: " + textarea.input_value())
        # The live preview follows the typing (htmx).
        page.wait_for_selector("#promotion-preview >> text=Fresh from the blog")
        page.click("button[value=publish]")
        page.wait_for_selector("text=Published.")

        reader = log_in(browser, live_server.url, "bob")
        reader.goto(f"{live_server.url}/home/")
        post = reader.locator("article", has_text="Fresh from the blog")
        post.first.wait_for()
        link = post.first.locator("a[href*='/l/']").first
        link.click()
        reader.wait_for_url(blog.url("/posts/pools"))
        assert "Connection pools under load" in reader.title()

    promotion.refresh_from_db()
    assert promotion.state == PromotionState.PUBLISHED
    recording.flush()
    rollup_run(settle_seconds=0)
    rollup_run(settle_seconds=0)
    assert [c.clicks for c in link_clicks_for_post(promotion.post_id)] == [1]
