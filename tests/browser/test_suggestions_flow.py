"""Carol joins an event room, follows everyone there, and gets suggestions from their follows."""

from __future__ import annotations

from datetime import date

import pytest

from rookery.suggestions.services import event_create, event_join
from tests.factories import UserFactory, make_follow

pytestmark = pytest.mark.browser


def cards(page) -> dict[str, str]:
    """username -> the card's reasons text, for every suggestion on the page."""
    result = {}
    for card in page.locator("li.suggestion").all():
        result[card.get_attribute("data-username")] = card.locator(
            ".suggestion-reasons"
        ).inner_text()
    return result


def test_carol_joins_follows_everyone_and_gets_suggestions_then_dismisses_one(
    live_server, transactional_db, browser_page
):
    alice = UserFactory(username="alice", display_name="Alice Adams")
    bob = UserFactory(username="bob", display_name="Bob Brown")
    UserFactory(username="carol", display_name="Carol Chen")
    dave, erin, frank = (UserFactory(username=n) for n in ("dave", "erin", "frank"))
    make_follow(alice, dave)
    make_follow(bob, dave)
    make_follow(alice, erin)
    make_follow(bob, frank)
    event = event_create(
        creator=alice, name="Postgres BoF", starts_on=date(2025, 5, 14), hashtag="pgbof"
    )
    event_join(user=bob, code=event.join_code)

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "carol")
    page.fill("input[name=password]", "correct horse battery")
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/home/")

    page.goto(f"{live_server.url}/events/join/{event.join_code}/")
    page.click("button:has-text('Join Postgres BoF')")
    page.wait_for_url(f"**/events/{event.slug}/")
    assert "Alice Adams" in page.locator("ul.event-members").inner_text()
    page.click("button:has-text('Follow everyone here')")
    page.wait_for_selector("text=You now follow 2 more people")

    page.click("nav >> text=Who to follow")
    page.wait_for_url("**/suggestions/")
    shown = cards(page)
    assert "alice" not in shown and "bob" not in shown
    assert shown["dave"].startswith("followed by Alice Adams and Bob Brown")
    assert shown["erin"].startswith("followed by Alice Adams")
    assert shown["frank"].startswith("followed by Bob Brown")
    assert next(iter(shown)) == "dave"

    page.click('button[aria-label="Don\'t suggest @frank again"]')
    page.wait_for_selector("li.suggestion[data-username=frank]", state="detached")
    page.reload()
    shown = cards(page)
    assert "frank" not in shown
    assert "dave" in shown

    # One click follows from the card; htmx swaps it for a confirmation.
    page.click("button[aria-label='Follow @erin']")
    page.wait_for_selector("text=You follow @erin now.")
    page.reload()
    assert "erin" not in cards(page)
