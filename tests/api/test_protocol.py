"""The wire protocol: body encodings, slashes, errors, pagination, rate limits, idempotency."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import make_follow, make_post


def png_bytes(size: tuple[int, int] = (32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def test_form_and_json_bodies_both_post(alice_api):
    form = alice_api.post(
        "/api/v1/statuses", {"status": "form", "visibility": "private"}, form=True
    )
    as_json = alice_api.post("/api/v1/statuses", {"status": "json", "visibility": "unlisted"})
    assert form.status_code == as_json.status_code == 200
    assert form.json()["visibility"] == "private"
    assert as_json.json()["visibility"] == "unlisted"


def test_array_parameters_with_brackets(alice, bob, carol, alice_api):
    make_follow(alice, bob)
    response = alice_api.get("/api/v1/accounts/relationships", {"id[]": [bob.pk, carol.pk]})
    assert [(r["id"], r["following"]) for r in response.json()] == [
        (str(bob.pk), True),
        (str(carol.pk), False),
    ]
    single = alice_api.get("/api/v1/accounts/relationships", {"id": bob.pk})
    assert len(single.json()) == 1


def test_media_ids_in_form_data(alice_api):
    upload = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    media = alice_api.client.post("/api/v1/media", {"file": upload}, headers=alice_api.headers)
    assert media.status_code == 200, media.content
    media_id = media.json()["id"]
    post = alice_api.post(
        "/api/v1/statuses", {"status": "pic", "media_ids[]": [media_id]}, form=True
    )
    assert post.json()["media_attachments"][0]["id"] == media_id


def test_media_upload_refuses_non_images(alice_api):
    upload = SimpleUploadedFile("a.png", b"not an image at all", content_type="image/png")
    response = alice_api.client.post("/api/v2/media", {"file": upload}, headers=alice_api.headers)
    assert response.status_code == 422
    assert "PNG, JPEG, GIF or WebP" in response.json()["error"]
    missing = alice_api.client.post("/api/v2/media", {}, headers=alice_api.headers)
    assert missing.status_code == 422


def test_routes_match_with_and_without_trailing_slash(alice_api):
    assert alice_api.get("/api/v1/accounts/verify_credentials/").status_code == 200
    assert alice_api.get("/api/v1/accounts/verify_credentials").status_code == 200


def test_unknown_endpoints_and_records_answer_json_404(alice_api):
    response = alice_api.get("/api/v1/nothing/here")
    assert response.status_code == 404 and "error" in response.json()
    assert alice_api.get("/api/v1/statuses/99999999999999999999999").status_code == 404
    assert alice_api.get("/api/v1/statuses/abc").json() == {"error": "Status not found"}


def test_validation_errors_are_422_with_a_message(alice_api):
    empty = alice_api.post("/api/v1/statuses", {"status": "   "})
    assert empty.status_code == 422
    assert empty.json()["error"].startswith("Validation failed")
    too_long = alice_api.post("/api/v1/statuses", {"status": "x" * 5000})
    assert too_long.status_code == 422
    bad_visibility = alice_api.post("/api/v1/statuses", {"status": "x", "visibility": "secret"})
    assert bad_visibility.status_code == 422
    broken = alice_api.client.post(
        "/api/v1/statuses", "{not json", content_type="application/json", headers=alice_api.headers
    )
    assert broken.status_code == 400 and "error" in broken.json()


def test_idempotency_key_returns_the_first_post(alice_api):
    first = alice_api.post("/api/v1/statuses", {"status": "once"}, **{"Idempotency-Key": "k1"})
    again = alice_api.post("/api/v1/statuses", {"status": "once"}, **{"Idempotency-Key": "k1"})
    assert first.json()["id"] == again.json()["id"]


def test_link_headers_page_through_a_timeline(alice, alice_api):
    posts = [make_post(alice, f"post {n}") for n in range(5)]
    first = alice_api.get("/api/v1/timelines/home", {"limit": 2})
    assert [s["id"] for s in first.json()] == [str(p.pk) for p in posts[:-3:-1]]
    link = first["Link"]
    assert f"max_id={posts[3].pk}" in link and 'rel="next"' in link
    assert f"min_id={posts[4].pk}" in link and 'rel="prev"' in link
    older = alice_api.get("/api/v1/timelines/home", {"limit": 2, "max_id": posts[3].pk})
    assert [s["id"] for s in older.json()] == [str(posts[2].pk), str(posts[1].pk)]
    newer = alice_api.get("/api/v1/timelines/home", {"limit": 2, "min_id": posts[0].pk})
    assert [s["id"] for s in newer.json()] == [str(posts[2].pk), str(posts[1].pk)]
    assert alice_api.get("/api/v1/timelines/home", {"max_id": "x"}).status_code == 400


def test_rate_limit_headers_and_429(alice_api, settings):
    settings.API_RATE = (3, 300)
    response = alice_api.get("/api/v1/timelines/home")
    assert response["X-RateLimit-Limit"] == "3"
    assert response["X-RateLimit-Remaining"] == "2"
    assert response["X-RateLimit-Reset"].endswith("Z")
    alice_api.get("/api/v1/timelines/home")
    alice_api.get("/api/v1/timelines/home")
    limited = alice_api.get("/api/v1/timelines/home")
    assert limited.status_code == 429
    assert limited.json() == {"error": "Too many requests"}
    assert int(limited["Retry-After"]) >= 1


def test_instance_reports_a_mastodon_compatible_version(anon_api, settings):
    v1 = anon_api.get("/api/v1/instance").json()
    assert v1["version"].startswith("4.3.0 (compatible; Rookery ")
    v2 = anon_api.get("/api/v2/instance").json()
    assert v2["api_versions"] == {"mastodon": 2}
    assert v2["configuration"]["statuses"]["max_characters"] == settings.POST_MAX_CHARS


@pytest.mark.parametrize("visibility", ["public", "unlisted", "private", "direct"])
def test_visibility_round_trips(alice_api, visibility):
    response = alice_api.post("/api/v1/statuses", {"status": "v", "visibility": visibility})
    assert response.json()["visibility"] == visibility


def test_edit_history_source_and_delete_and_redraft(alice_api):
    post = alice_api.post("/api/v1/statuses", {"status": "first draft"}).json()
    edited = alice_api.put(f"/api/v1/statuses/{post['id']}", {"status": "second draft"})
    assert "second draft" in edited.json()["content"] and edited.json()["edited_at"]
    history = alice_api.get(f"/api/v1/statuses/{post['id']}/history").json()
    assert ["first draft" in h["content"] for h in history] == [True, False]
    assert alice_api.get(f"/api/v1/statuses/{post['id']}/source").json()["text"] == "second draft"
    deleted = alice_api.delete(f"/api/v1/statuses/{post['id']}")
    assert deleted.json()["text"] == "second draft"
    assert alice_api.get(f"/api/v1/statuses/{post['id']}").status_code == 404


def test_account_statuses_filters(alice, bob, alice_api):
    original = make_post(alice, "original #tagged")
    make_post(alice, "reply", in_reply_to=make_post(bob, "bob's"))
    path = f"/api/v1/accounts/{alice.pk}/statuses"
    assert len(alice_api.get(path).json()) == 2
    assert [s["id"] for s in alice_api.get(path, {"exclude_replies": "true"}).json()] == [
        str(original.pk)
    ]
    assert len(alice_api.get(path, {"tagged": "tagged"}).json()) == 1
    assert alice_api.get(path, {"only_media": "true"}).json() == []
    assert alice_api.get(path, {"pinned": "true"}).json() == []


def test_mute_with_duration_and_follow_requests(alice, bob, alice_api, bob_api):
    muted = alice_api.post(f"/api/v1/accounts/{bob.pk}/mute", {"duration": 3600})
    assert muted.json()["muting"] is True
    alice.locked = True
    alice.save()
    assert bob_api.post(f"/api/v1/accounts/{alice.pk}/follow").json()["requested"] is True
    requests = alice_api.get("/api/v1/follow_requests").json()
    assert [a["username"] for a in requests] == ["bob"]
    accepted = alice_api.post(f"/api/v1/follow_requests/{bob.pk}/authorize").json()
    assert accepted["followed_by"] is True


def test_update_credentials_with_multipart_avatar(alice_api):
    body = {
        "display_name": "Alice A.",
        "note": "Engineer",
        "locked": "true",
        "avatar": SimpleUploadedFile("me.png", png_bytes((300, 300)), content_type="image/png"),
    }
    from django.test.client import MULTIPART_CONTENT, encode_multipart

    response = alice_api.client.patch(
        "/api/v1/accounts/update_credentials",
        encode_multipart("BoUnDaRy", body),
        content_type=MULTIPART_CONTENT.replace("BoUnDaRyStRiNg", "BoUnDaRy"),
        headers=alice_api.headers,
    )
    assert response.status_code == 200, response.content
    me = response.json()
    assert me["display_name"] == "Alice A." and me["locked"] is True
    assert me["source"]["note"] == "Engineer"
    assert "/media/avatars/" in me["avatar"]


def test_suggestions_come_from_who_to_follow(alice, bob, carol, alice_api):
    make_follow(carol, bob)
    make_follow(alice, carol)
    names = [s["account"]["username"] for s in alice_api.get("/api/v2/suggestions").json()]
    assert names == ["bob"]


def test_favourites_and_who_favourited(alice, bob, alice_api, bob_api):
    post = make_post(bob, "like this")
    alice_api.post(f"/api/v1/statuses/{post.pk}/favourite")
    assert [s["id"] for s in alice_api.get("/api/v1/favourites").json()] == [str(post.pk)]
    likers = bob_api.get(f"/api/v1/statuses/{post.pk}/favourited_by").json()
    assert [a["username"] for a in likers] == ["alice"]
    unliked = alice_api.post(f"/api/v1/statuses/{post.pk}/unfavourite").json()
    assert unliked["favourited"] is False and unliked["favourites_count"] == 0


def test_openapi_schema_is_served(anon_api):
    schema = anon_api.get("/api/openapi.json").json()
    assert "/api/v1/statuses" in schema["paths"]
    assert anon_api.get("/api/docs").status_code == 200


def test_wrong_method_and_unknown_post_answer_json(alice_api):
    wrong = alice_api.delete("/api/v1/timelines/home")
    assert wrong.status_code == 405 and "error" in wrong.json()
    unknown = alice_api.post("/api/v1/nothing/here", {"a": 1})
    assert unknown.status_code == 404 and "error" in unknown.json()


def test_dismissed_suggestions_stay_away(alice, bob, carol, alice_api):
    make_follow(carol, bob)
    make_follow(alice, carol)
    assert alice_api.delete(f"/api/v1/suggestions/{bob.pk}").status_code == 200
    names = [s["account"]["username"] for s in alice_api.get("/api/v2/suggestions").json()]
    assert "bob" not in names
