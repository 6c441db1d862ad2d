"""/api/rookery/v1/suggestions (with reasons) and the events endpoints."""

from __future__ import annotations

import pytest

from rookery.social.models import Follow
from tests.api.conftest import ApiClient, make_token
from tests.factories import make_follow
from tests.suggestions.conftest import people, room

pytestmark = pytest.mark.django_db


def api_for(user, scope="read write follow") -> ApiClient:
    return ApiClient(make_token(user, scope=scope))


def test_suggestions_come_with_reasons():
    me, ana, eve = people("me", "ana", "eve")
    make_follow(me, ana)
    make_follow(ana, eve)
    response = api_for(me).get("/api/rookery/v1/suggestions", {"limit": 5})
    assert response.status_code == 200
    first = response.json()[0]
    assert first["account"]["username"] == "eve"
    assert first["reasons"] == ["followed by Ana"]
    assert first["followed_by"] == ["ana"]
    assert first["followed_by_count"] == 1


def test_suggestions_need_a_token():
    assert ApiClient().get("/api/rookery/v1/suggestions").status_code == 401


def test_create_join_and_follow_everyone():
    owner, guest = people("owner", "guest")
    owner_api, guest_api = api_for(owner), api_for(guest)
    created = owner_api.post(
        "/api/rookery/v1/events",
        {"name": "DjangoCon BoF", "starts_on": "2025-09-08", "hashtag": "djangobof"},
    )
    assert created.status_code == 200, created.content
    event = created.json()
    assert event["member"] is True
    assert event["hashtag"] == "djangobof"
    outsider_view = guest_api.get(f"/api/rookery/v1/events/{event['slug']}").json()
    assert outsider_view["join_code"] is None
    assert guest_api.get(f"/api/rookery/v1/events/{event['slug']}/members").status_code == 404
    joined = guest_api.post("/api/rookery/v1/events/join", {"code": event["join_code"]})
    assert joined.json()["members_count"] == 2
    members = guest_api.get(f"/api/rookery/v1/events/{event['slug']}/members").json()
    assert {m["username"] for m in members} == {"owner", "guest"}
    counts = guest_api.post(f"/api/rookery/v1/events/{event['slug']}/follow_everyone").json()
    assert counts == {"followed": 1, "requested": 0, "skipped": 0}
    assert Follow.objects.filter(follower=guest, followee=owner).exists()
    listed = guest_api.get("/api/rookery/v1/events").json()
    assert [(e["slug"], e["members_count"]) for e in listed] == [(event["slug"], 2)]


def test_bad_input_is_a_422_with_a_message_and_unknown_events_404():
    (me,) = people("me")
    client = api_for(me)
    bad = client.post(
        "/api/rookery/v1/events",
        {"name": "X", "starts_on": "2025-09-08", "ends_on": "2025-09-01"},
    )
    assert bad.status_code == 422
    assert "end before it starts" in bad.json()["error"]
    assert client.post("/api/rookery/v1/events/join", {"code": "nope"}).status_code == 422
    assert client.get("/api/rookery/v1/events/nope").status_code == 404
    assert client.post("/api/rookery/v1/events/nope/follow_everyone").status_code == 404


def test_follow_everyone_needs_membership():
    owner, outsider = people("owner", "outsider")
    event = room(owner)
    response = api_for(outsider).post(f"/api/rookery/v1/events/{event.slug}/follow_everyone")
    assert response.status_code == 403
