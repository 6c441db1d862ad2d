"""Who may read and write what through the API."""

from __future__ import annotations

from rookery.posts.models import Visibility
from rookery.posts.services import bookmark_create
from tests.api.conftest import ApiClient, make_token
from tests.factories import make_follow, make_post


def test_token_without_write_cannot_post(alice):
    reader = ApiClient(make_token(alice, scope="read"))
    response = reader.post("/api/v1/statuses", {"status": "hi"})
    assert response.status_code == 403
    assert "write:statuses" in response.json()["error"]


def test_granular_scopes_allow_exactly_their_action(alice, bob):
    post = make_post(bob, "like me")
    liker = ApiClient(make_token(alice, scope="read:statuses write:favourites"))
    assert liker.post(f"/api/v1/statuses/{post.pk}/favourite").status_code == 200
    assert liker.post("/api/v1/statuses", {"status": "no"}).status_code == 403
    assert liker.get("/api/v1/notifications").status_code == 403


def test_missing_or_bad_token_is_401(anon_api):
    assert anon_api.get("/api/v1/timelines/home").status_code == 401
    bad = ApiClient()
    bad.headers = {"Authorization": "Bearer not-a-token"}
    response = bad.get("/api/v1/timelines/public")
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}


def test_followers_only_post_is_404_to_non_followers(alice, bob, carol, bob_api):
    private = make_post(alice, "for my followers", visibility=Visibility.FOLLOWERS)
    make_follow(carol, alice)
    carol_api = ApiClient(make_token(carol))
    assert bob_api.get(f"/api/v1/statuses/{private.pk}").status_code == 404
    assert bob_api.get(f"/api/v1/statuses/{private.pk}/context").status_code == 404
    assert bob_api.post(f"/api/v1/statuses/{private.pk}/favourite").status_code == 404
    assert ApiClient().get(f"/api/v1/statuses/{private.pk}").status_code == 404
    statuses = bob_api.get(f"/api/v1/accounts/{alice.pk}/statuses").json()
    assert str(private.pk) not in {s["id"] for s in statuses}
    assert carol_api.get(f"/api/v1/statuses/{private.pk}").status_code == 200


def test_bookmarks_notifications_and_markers_belong_to_the_token_owner(
    alice, bob, alice_api, bob_api
):
    post = make_post(bob, "bookmark me")
    bookmark_create(user=alice, post=post)
    make_follow(bob, alice)  # alice gets a follow notification
    alice_api.post("/api/v1/markers", {"home": {"last_read_id": str(post.pk)}})

    assert [s["id"] for s in alice_api.get("/api/v1/bookmarks").json()] == [str(post.pk)]
    assert bob_api.get("/api/v1/bookmarks").json() == []
    alice_notes = alice_api.get("/api/v1/notifications").json()
    assert [n["type"] for n in alice_notes] == ["follow"]
    assert bob_api.get("/api/v1/notifications").json() == []
    assert bob_api.get(f"/api/v1/notifications/{alice_notes[0]['id']}").status_code == 404
    assert bob_api.post(f"/api/v1/notifications/{alice_notes[0]['id']}/dismiss").status_code == 404
    assert bob_api.get("/api/v1/markers", {"timeline[]": ["home"]}).json() == {}
    assert alice_api.get("/api/v1/markers", {"timeline[]": ["home"]}).json()["home"][
        "last_read_id"
    ] == str(post.pk)


def test_only_the_author_edits_or_deletes(alice, bob, bob_api):
    post = make_post(alice, "mine")
    assert bob_api.put(f"/api/v1/statuses/{post.pk}", {"status": "yours"}).status_code == 403
    assert bob_api.delete(f"/api/v1/statuses/{post.pk}").status_code == 403


def test_hidden_follow_lists_are_empty_to_others(alice, bob, carol, alice_api, bob_api):
    make_follow(carol, alice)
    alice.hide_follows = True
    alice.save()
    assert bob_api.get(f"/api/v1/accounts/{alice.pk}/followers").json() == []
    own = alice_api.get(f"/api/v1/accounts/{alice.pk}/followers").json()
    assert [a["username"] for a in own] == ["carol"]


def test_blocked_people_disappear_from_each_others_timelines(alice, bob, alice_api, bob_api):
    make_follow(alice, bob)
    post = make_post(bob, "hello alice")
    assert alice_api.post(f"/api/v1/accounts/{bob.pk}/block").json()["blocking"] is True
    assert alice_api.get("/api/v1/timelines/home").json() == []
    assert bob_api.get(f"/api/v1/statuses/{post.pk}").status_code == 200
    assert alice_api.get(f"/api/v1/statuses/{post.pk}").status_code == 404


def test_media_belongs_to_its_uploader(alice, bob, alice_api, bob_api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.api.test_protocol import png_bytes

    upload = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    media = alice_api.client.post("/api/v2/media", {"file": upload}, headers=alice_api.headers)
    media_id = media.json()["id"]
    assert bob_api.get(f"/api/v1/media/{media_id}").status_code == 404
    assert (
        bob_api.post("/api/v1/statuses", {"status": "x", "media_ids": [media_id]}).status_code
        == 422
    )
