"""The Who to follow page, one-click follow and dismiss, and event pages."""

from __future__ import annotations

import pytest
from django.test import Client

from rookery.social.models import Follow
from rookery.suggestions.models import DismissedSuggestion, Event, EventMembership
from tests.factories import make_follow, make_post
from tests.suggestions.conftest import people, room

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def network():
    me, ana, eve = people("me", "ana", "eve")
    make_follow(me, ana)
    make_follow(ana, eve)
    return me, ana, eve


def test_page_shows_suggestions_with_reasons(network):
    me, _ana, _eve = network
    response = client_for(me).get("/suggestions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="suggestion-' in html
    assert "@eve" in html
    assert "followed by Ana" in html


def test_login_is_required():
    response = Client().get("/suggestions/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_follow_with_htmx_swaps_the_card(network):
    me, _ana, eve = network
    response = client_for(me).post("/suggestions/eve/follow/", headers=HTMX)
    assert response.status_code == 200
    assert "You follow @eve now." in response.content.decode()
    assert Follow.objects.filter(follower=me, followee=eve).exists()
    assert "@eve" not in client_for(me).get("/suggestions/").content.decode()


def test_follow_without_javascript_redirects_back(network):
    me, _ana, eve = network
    response = client_for(me).post("/suggestions/eve/follow/")
    assert response.status_code == 302
    assert Follow.objects.filter(follower=me, followee=eve).exists()


def test_dismiss_removes_the_card_for_good(network):
    me, _ana, eve = network
    client = client_for(me)
    response = client.post("/suggestions/eve/dismiss/", headers=HTMX)
    assert response.status_code == 200
    assert response.content == b""
    assert DismissedSuggestion.objects.filter(user=me, dismissed=eve).exists()
    assert "@eve" not in client.get("/suggestions/").content.decode()


def test_follow_or_dismiss_of_unknown_or_self_is_refused(network):
    me, _ana, _eve = network
    client = client_for(me)
    assert client.post("/suggestions/nobody/follow/").status_code == 404
    assert client.post("/suggestions/me/dismiss/", headers=HTMX).status_code == 400
    assert client.get("/suggestions/eve/follow/").status_code == 405


def test_create_event_then_page_has_code_link_members_and_tagged_posts():
    me, bo = people("me", "bo")
    client = client_for(me)
    response = client.post(
        "/events/new/",
        {"name": "PyCon BoF", "starts_on": "2025-05-14", "hashtag": "#pyconbof"},
    )
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/events/{event.slug}/"
    client_for(bo).post(f"/events/join/{event.join_code}/")
    make_post(bo, "Slides from the BoF #pyconbof")
    make_post(bo, "Unrelated lunch post")
    html = client.get(f"/events/{event.slug}/").content.decode()
    assert event.join_code in html
    assert f"/events/join/{event.join_code}/" in html
    assert "Bo" in html
    assert "Slides from the BoF" in html
    assert "Unrelated lunch post" not in html
    assert "2 members" in client.get("/suggestions/").content.decode()


def test_bad_event_form_is_a_400_with_the_message():
    (me,) = people("me")
    response = client_for(me).post(
        "/events/new/", {"name": "X", "starts_on": "2025-05-14", "ends_on": "2025-05-01"}
    )
    assert response.status_code == 400
    assert "can&#x27;t end before it starts" in response.content.decode()
    assert not Event.objects.exists()


def test_non_members_see_no_code_members_or_posts():
    owner, outsider = people("owner", "outsider")
    event = room(owner, hashtag="secretroom")
    make_post(owner, "Inside talk #secretroom")
    html = client_for(outsider).get(f"/events/{event.slug}/").content.decode()
    assert event.name in html
    assert event.join_code not in html
    assert "Inside talk" not in html


def test_join_link_shows_a_confirmation_then_joins():
    owner, guest = people("owner", "guest")
    event = room(owner)
    client = client_for(guest)
    page = client.get(f"/events/join/{event.join_code}/")
    assert page.status_code == 200
    assert not EventMembership.objects.filter(event=event, user=guest).exists()
    response = client.post(f"/events/join/{event.join_code}/")
    assert response.status_code == 302
    assert EventMembership.objects.filter(event=event, user=guest).exists()
    assert client.get("/events/join/wrong-code/").status_code == 404
    bad = client.post("/events/join/", {"code": "wrong"})
    assert bad.status_code == 400
    assert "No event has that code" in bad.content.decode()


def test_follow_everyone_button_reports_counts():
    me, ana, bo = people("me", "ana", "bo")
    bo.locked = True
    bo.save()
    event = room(me, ana, bo)
    client = client_for(me)
    response = client.post(f"/events/{event.slug}/follow-everyone/", follow=True)
    html = response.content.decode()
    assert "You now follow 1 more person" in html
    assert "asked to follow 1 locked account" in html


def test_page_query_count_is_flat(django_assert_max_num_queries, network):
    me, _ana, _eve = network
    client = client_for(me)
    client.get("/suggestions/")
    with django_assert_max_num_queries(20):
        assert client.get("/suggestions/").status_code == 200
