"""The core microblog in a real browser: sign up, post a link, follow, react, notify, reply."""

from __future__ import annotations

import io
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

pytestmark = pytest.mark.browser

PASSWORD = "a sturdy passphrase 42"
REPO = Path(__file__).resolve().parents[2]


def _cover(color: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (600, 315), color)
    draw = ImageDraw.Draw(image)
    for i in range(6):  # a few bars, like a chart on a blog cover
        top = 250 - 30 * i - (i % 2) * 20
        draw.rectangle((90 + i * 75, top, 140 + i * 75, 260), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _face(color: tuple[int, int, int]) -> bytes:
    """An abstract avatar: a head and shoulders in a lighter tint."""
    image = Image.new("RGB", (200, 200), color)
    draw = ImageDraw.Draw(image)
    tint = tuple(min(255, c + 90) for c in color)
    draw.ellipse((65, 40, 135, 110), fill=tint)
    draw.ellipse((30, 120, 170, 260), fill=tint)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _article(title: str, description: str, site: str, image: str) -> bytes:
    return f"""<!doctype html><html><head>
<meta property="og:title" content="{title}">
<meta property="og:description" content="{description}">
<meta property="og:site_name" content="{site}">
<meta property="og:image" content="{image}">
<title>ignored</title></head><body><p>Article body.</p></body></html>""".encode()


PAGES = {
    "/vacuum": _article(
        "Taming autovacuum on busy tables",
        "What we changed after a week of bloat alerts, and what it cost.",
        "Bob's engineering notes",
        "/vacuum.png",
    ),
    "/slides": _article(
        "Developer onboarding that sticks",
        "Slides and notes: first-week paths, docs that answer, and measuring time to first PR.",
        "Ana Ortiz",
        "/slides.png",
    ),
}
COVERS = {"/vacuum.png": (11, 92, 173), "/slides.png": (196, 90, 40)}


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path in COVERS:
            body, kind = _cover(COVERS[self.path]), "image/png"
        else:
            body, kind = PAGES.get(self.path, PAGES["/vacuum"]), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def article_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _sign_up(page, base: str, username: str, headline: str) -> None:
    page.goto(f"{base}/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base}/settings/profile/")
    page.get_by_label("Display name").fill(username.title())
    page.get_by_label("Headline").fill(headline)
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile is saved.").wait_for()


def test_two_people_meet_over_a_link(
    live_server, transactional_db, settings, browser, article_site, tmp_path
):
    from playwright.sync_api import expect

    settings.OUTBOUND_ALLOW_PRIVATE = True  # the linked article is served from 127.0.0.1
    base = live_server.url
    bob_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    alice_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()

    _sign_up(bob_page, base, "bob", "Database engineer at Nest")
    _sign_up(alice_page, base, "alice", "Staff engineer at Acme")

    # Bob posts a link with a hashtag; the counter follows his typing.
    bob_page.goto(f"{base}/home/")
    composer = bob_page.get_by_label("What's new?")
    composer.fill(f"New write-up on #postgres vacuum tuning: {article_site}/vacuum")
    expect(bob_page.locator(".counter")).to_contain_text("characters left")
    bob_page.get_by_role("button", name="Post", exact=True).click()
    expect(bob_page.locator(".post").first).to_contain_text("vacuum tuning")

    # Alice follows Bob from his profile; htmx swaps the button in place.
    alice_page.goto(f"{base}/@bob/")
    alice_page.get_by_role("button", name="Follow @bob").click()
    expect(alice_page.get_by_role("button", name="Unfollow @bob")).to_be_visible()

    # The post is on her home timeline with its preview card.
    alice_page.goto(f"{base}/home/")
    card = alice_page.locator(".post", has_text="vacuum tuning").first
    expect(card.locator(".link-card-title")).to_have_text("Taming autovacuum on busy tables")
    expect(card.locator(".link-card-domain")).to_contain_text("Bob's engineering notes")
    expect(card.locator('a.hashtag, a[href="/tags/postgres/"]').first).to_be_visible()

    # Like and repost, each swapping the card without a reload.
    card.get_by_role("button", name="Like (0 likes)").click()
    expect(card.get_by_role("button", name="Unlike (1 likes)")).to_be_visible()
    card.get_by_role("button", name="Repost (0 reposts)").click()
    expect(card.get_by_role("button", name="Undo repost (1 reposts)")).to_be_visible()

    # Bob is told about both.
    bob_page.goto(f"{base}/home/")
    expect(bob_page.locator(".badge-count")).to_have_text("3")  # follow, like, repost
    bob_page.get_by_role("link", name="Notifications").click()
    notifications = bob_page.locator(".notifications")
    expect(notifications).to_contain_text("Alice liked your post")
    expect(notifications).to_contain_text("Alice reposted your post")
    expect(notifications).to_contain_text("Alice followed you")

    # Alice replies from the thread view; the thread shows both posts in order.
    card.locator(".post-time").click()
    alice_page.get_by_label("What's new?").fill(
        "@bob We hit the same wall; cost_limit helped most."
    )
    alice_page.get_by_role("button", name="Reply").click()
    thread = alice_page.locator(".thread")
    expect(thread.locator(".thread-focus")).to_contain_text("vacuum tuning")
    expect(thread.locator(".thread-replies")).to_contain_text("cost_limit helped most")
    expect(thread).to_contain_text("1 reply")

    bob_page.goto(f"{base}/notifications/")
    expect(bob_page.locator(".notifications")).to_contain_text("Alice replied to you")

    _screenshot_home(alice_page, base, article_site, tmp_path)


def _screenshot_home(page, base: str, article_site: str, tmp_path: Path) -> None:
    """A populated home timeline for the README (saved to docs/ when ROOKERY_SCREENSHOT=1)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rookery.accounts.models import User
    from rookery.accounts.services import avatar_set
    from tests.factories import UserFactory, make_follow, make_post

    alice = User.objects.get(username="alice")
    people = [
        ("ana", "Ana Ortiz", "Developer advocate at Fathom", (201, 84, 52)),
        ("kenji", "Kenji Sato", "SRE lead at Lattice", (46, 125, 90)),
    ]
    for username, name, headline, color in people:
        person = UserFactory(username=username, display_name=name, headline=headline)
        avatar_set(user=person, upload=SimpleUploadedFile("a.png", _face(color)))
        make_follow(alice, person)
    for username, color in [("alice", (120, 80, 160)), ("bob", (11, 92, 173))]:
        avatar_set(
            user=User.objects.get(username=username),
            upload=SimpleUploadedFile("a.png", _face(color)),
        )
    make_post(
        User.objects.get(username="kenji"),
        "What's your rule of thumb for *alert fatigue*? We page on SLO burn rate only, "
        "and I'm curious how others draw the line. #sre #oncall",
        is_question=True,
    )
    make_post(
        User.objects.get(username="ana"),
        "Slides from today's talk on **developer onboarding** are up. Thanks to everyone who "
        f"came by the #devrel room afterwards! {article_site}/slides",
    )
    page.goto(f"{base}/home/")
    page.locator(".post").first.wait_for()
    target = tmp_path / "screenshot.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
    if os.environ.get("ROOKERY_SCREENSHOT") == "1":
        shutil.copyfile(target, REPO / "docs" / "screenshot.png")
