"""A user posts three times; others view, click and like; the author reads numbers and charts."""

from __future__ import annotations

import io

import pytest
from django.conf import settings as django_settings
from django.test import Client

from rookery.posts.services import like_create
from rookery.traction import recording, services
from rookery.traction.models import ShortLink
from tests.factories import UserFactory, make_follow, make_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def context_as(browser, live_server, user):
    """A browser context logged in as ``user``: the test client's session cookie, copied."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def roll_up() -> None:
    recording.flush()
    services.rollup_run(settle_seconds=0)


def test_author_sees_views_clicks_and_likes_with_charts(browser, live_server, tmp_path, settings):
    from PIL import Image

    settings.SITE_URL = live_server.url  # short links are absolute, for API clients

    author = UserFactory(username="writer")
    readers = [UserFactory(username=f"reader{i}") for i in range(2)]
    for reader in readers:
        make_follow(reader, author)
    first = make_post(author, "My new article https://blog.example/article #python")
    make_post(author, "A short thought")
    make_post(author, "What is your favourite editor?", is_question=True)
    code = ShortLink.objects.get(post=first).code

    for reader in readers:
        context = context_as(browser, live_server, reader)
        page = context.new_page()
        # The browser never leaves the instance: the redirect target is answered here.
        page.route("https://blog.example/**", lambda route: route.fulfill(body="<h1>Article</h1>"))
        page.goto(f"{live_server.url}/home/")
        assert page.locator(f'a[href$="/l/{code}"]').count() >= 1
        page.locator(f'a[href$="/l/{code}"]').first.click()
        page.wait_for_url("https://blog.example/article")
        context.close()
    like_create(user=readers[0], post=first)
    roll_up()

    context = context_as(browser, live_server, author)
    page = context.new_page()
    page.goto(f"{live_server.url}/traction/posts/{first.pk}/")
    assert page.locator('[data-metric="impressions"]').inner_text() == "2"
    assert page.locator('[data-metric="clicks"]').inner_text() == "2"
    assert page.locator('[data-metric="ctr"]').inner_text() == "100.0%"
    assert page.locator('[data-metric="likes"]').inner_text() == "1"
    chart = page.locator('svg[role="img"]').first
    assert chart.is_visible()
    assert "Impressions per hour" in chart.locator("title").first.text_content()
    shot = chart.screenshot(path=str(tmp_path / "post-chart.png"))
    colours = Image.open(io.BytesIO(shot)).convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 10  # drawn, not a blank box

    page.goto(f"{live_server.url}/traction/?days=30")
    # Both readers saw all three posts on their home timelines.
    assert page.locator('[data-metric="impressions"]').inner_text() == "6"
    assert page.locator('[data-metric="clicks"]').inner_text() == "2"
    assert page.locator('svg[role="img"]').count() >= 4
    heat = page.locator("#chart-heat-title").locator("xpath=..")
    assert heat.locator("rect.heat").count() >= 1
    page.screenshot(path=str(tmp_path / "insights.png"), full_page=True)
    context.close()
