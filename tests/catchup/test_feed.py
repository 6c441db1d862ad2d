"""The private Atom feed and its token."""

from __future__ import annotations

from xml.etree import ElementTree

from django.urls import reverse

from rookery.catchup.services import catchup_feed_token_rotate, catchup_settings_ensure
from tests.factories import make_follow, make_post
from tests.texts import TECH

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_feed_is_valid_atom_with_the_catch_up_entries(client, alice, bob, prior):
    make_follow(alice, bob)
    posts = [make_post(bob, TECH[0] + " #postgres"), make_post(bob, TECH[3])]
    prefs = catchup_settings_ensure(user=alice)
    response = client.get(reverse("catchup:atom", args=[prefs.feed_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "private" in response["Cache-Control"]
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    links = {e.find(f"{ATOM}link").get("href") for e in entries}
    assert links == {f"http://127.0.0.1:8000/@bob/{p.pk}/" for p in posts}
    assert all(e.find(f"{ATOM}id").text for e in entries)


def test_a_wrong_or_rotated_token_is_a_404(client, alice, prior):
    prefs = catchup_settings_ensure(user=alice)
    old = prefs.feed_token
    assert client.get(reverse("catchup:atom", args=["not-a-token"])).status_code == 404
    assert client.get(reverse("catchup:atom", args=[old])).status_code == 200
    client.force_login(alice)
    assert client.post(reverse("catchup:feed_token_rotate")).status_code == 302
    client.logout()
    assert client.get(reverse("catchup:atom", args=[old])).status_code == 404
    new = catchup_settings_ensure(user=alice).feed_token
    assert new != old
    assert client.get(reverse("catchup:atom", args=[new])).status_code == 200
    newer = catchup_feed_token_rotate(user=alice).feed_token
    assert client.get(reverse("catchup:atom", args=[new])).status_code == 404
    assert newer != new


def test_the_settings_page_shows_the_feed_address(client, alice):
    client.force_login(alice)
    page = client.get(reverse("catchup:settings")).content.decode()
    token = catchup_settings_ensure(user=alice).feed_token
    assert f"/catchup/{token}/atom.xml" in page
