from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rookery.accounts.models import Invite
from rookery.social.models import Follow
from tests.accounts.test_services import image_bytes, png_claiming
from tests.factories import UserFactory, make_follow

PROFILE = {
    "display_name": "Alice A.",
    "headline": "Staff engineer",
    "bio": "Databases.",
    "website": "https://alice.example",
    "topics": "postgres, #Python",
}


def test_profile_edit_saves_and_shows_on_the_profile(alice_client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    avatar = SimpleUploadedFile("me.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    response = alice_client.post("/settings/profile/", {**PROFILE, "avatar": avatar})
    assert response.url == "/settings/profile/"
    alice.refresh_from_db()
    assert alice.headline == "Staff engineer"
    with Image.open(alice.avatar.path) as stored:
        assert stored.size == (400, 400)
    page = alice_client.get("/@alice/").content.decode()
    assert 'href="/tags/postgres/"' in page and "#python" in page
    assert alice.avatar.url in page
    form = alice_client.get("/settings/profile/").content.decode()
    assert 'value="postgres, python"' in form


def test_malformed_avatar_is_a_form_error_and_changes_nothing(alice_client, alice):
    for data in [b"not an image at all", png_claiming(100_000, 100_000)]:
        upload = SimpleUploadedFile("me.png", data, content_type="image/png")
        response = alice_client.post("/settings/profile/", {**PROFILE, "avatar": upload})
        assert response.status_code == 400
        body = response.content.decode()
        assert "PNG, JPEG, GIF or WebP" in body or "far too large" in body
    alice.refresh_from_db()
    assert alice.headline == "" and not alice.avatar  # the whole save was refused


def test_profile_edit_reports_field_errors(alice_client):
    response = alice_client.post(
        "/settings/profile/", {**PROFILE, "website": "javascript:alert(1)", "topics": "c++"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "not a valid topic" in body


def test_account_settings(alice_client, alice):
    response = alice_client.post(
        "/settings/account/", {"locked": "on", "timezone": "Europe/Berlin", "discoverable": "on"}
    )
    assert response.url == "/settings/account/"
    alice.refresh_from_db()
    assert alice.locked and not alice.hide_follows and alice.timezone == "Europe/Berlin"
    bad = alice_client.post("/settings/account/", {"timezone": "Nowhere/Town"})
    assert bad.status_code == 400


def test_export_then_import_follows(client, alice, bob, carol):
    make_follow(alice, bob)
    make_follow(alice, carol)
    client.force_login(alice)
    exported = client.get("/settings/follows/export.csv")
    assert exported["Content-Type"].startswith("text/csv")
    csv_text = exported.content.decode()
    assert "bob@127.0.0.1:8000" in csv_text
    newcomer = UserFactory(username="dana")
    client.force_login(newcomer)
    upload = SimpleUploadedFile(
        "following_accounts.csv", (csv_text + "ghost@127.0.0.1:8000\n").encode(), "text/csv"
    )
    page = client.post("/settings/follows/", {"file": upload}).content.decode()
    assert "Now following: 2" in page and "no account named ghost" in page
    assert Follow.objects.filter(follower=newcomer).count() == 2


def test_import_refuses_binary_garbage(alice_client):
    upload = SimpleUploadedFile("x.csv", b"\xff\xfe\x00garbage", "text/csv")
    response = alice_client.post("/settings/follows/", {"file": upload})
    assert response.status_code == 400 and "not UTF-8" in response.content.decode()


def test_invites_page_creates_links_in_invite_mode(alice_client, alice, settings):
    settings.SIGNUP_MODE = "open"
    alice_client.post("/settings/invites/", {"max_uses": "5", "expires": "7"})
    assert not Invite.objects.exists()
    settings.SIGNUP_MODE = "invite"
    alice_client.post("/settings/invites/", {"max_uses": "5", "expires": "7"})
    invite = Invite.objects.get()
    assert invite.max_uses == 5 and invite.expires_at is not None
    assert f"/invite/{invite.code}/" in alice_client.get("/settings/invites/").content.decode()


def test_settings_need_login(client, db):
    for path in ["/settings/profile/", "/settings/account/", "/settings/follows/"]:
        assert client.get(path).url.startswith("/login/")
