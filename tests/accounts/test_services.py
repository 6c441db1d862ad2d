from __future__ import annotations

import io
import struct
import zlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from rookery.accounts.models import Invite, User
from rookery.accounts.services import (
    account_settings_update,
    avatar_set,
    invite_create,
    profile_update,
    topics_parse,
    user_create,
)

PASSWORD = "a sturdy passphrase 42"


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (800, 500), **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, format=fmt, **save)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height``: how a decompression bomb looks."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def upload(
    data: bytes, name: str = "me.png", content_type: str = "image/png"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- sign-up ---------------------------------------------------------------------------------


def test_open_signup_creates_an_account_with_a_usable_password(db):
    user = user_create(username="dana", email="dana@example.test", password=PASSWORD)
    assert user.check_password(PASSWORD)
    assert User.objects.get(username="dana").email == "dana@example.test"


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("", "Usernames are"),
        ("has space", "Usernames are"),
        ("x" * 31, "Usernames are"),
        ("émile", "Usernames are"),
        ("admin", "reserved"),
        ("ADMIN", "reserved"),
        ("Api", "reserved"),
        ("oauth", "reserved"),
        ("static", "reserved"),
        ("media", "reserved"),
    ],
)
def test_bad_usernames_are_refused_with_a_reason(db, username, message):
    with pytest.raises(ValidationError) as error:
        user_create(username=username, email="x@example.test", password=PASSWORD)
    assert any(message in m for m in error.value.message_dict["username"])
    assert not User.objects.exists()


def test_usernames_are_unique_whatever_their_case(alice):
    with pytest.raises(ValidationError) as error:
        user_create(username="ALICE", email="other@example.test", password=PASSWORD)
    assert error.value.message_dict["username"] == ["That username is taken."]


def test_weak_password_and_reused_email_are_reported_together(alice):
    with pytest.raises(ValidationError) as error:
        user_create(username="newbie", email="ALICE@example.test", password="123")
    assert set(error.value.message_dict) == {"email", "password"}


def test_closed_signup_refuses_everyone(db, settings):
    settings.SIGNUP_MODE = "closed"
    with pytest.raises(ValidationError, match="closed"):
        user_create(username="dana", email="dana@example.test", password=PASSWORD)


def test_invite_mode_needs_a_valid_code_and_counts_its_uses(alice, settings):
    settings.SIGNUP_MODE = "invite"
    with pytest.raises(ValidationError):
        user_create(username="dana", email="dana@example.test", password=PASSWORD)
    invite = invite_create(created_by=alice, max_uses=1)
    user_create(
        username="dana", email="dana@example.test", password=PASSWORD, invite_code=invite.code
    )
    invite.refresh_from_db()
    assert invite.uses == 1
    with pytest.raises(ValidationError) as error:
        user_create(
            username="erin", email="erin@example.test", password=PASSWORD, invite_code=invite.code
        )
    assert "used up" in error.value.message_dict["invite_code"][0]
    assert not User.objects.filter(username="erin").exists()


def test_expired_invite_is_refused_and_not_counted(alice, settings):
    settings.SIGNUP_MODE = "invite"
    invite = Invite.objects.create(
        code="old", created_by=alice, expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError):
        user_create(
            username="dana", email="dana@example.test", password=PASSWORD, invite_code="old"
        )
    invite.refresh_from_db()
    assert invite.uses == 0


def test_a_failed_signup_does_not_spend_an_invite_use(alice, settings):
    settings.SIGNUP_MODE = "invite"
    invite = invite_create(created_by=alice, max_uses=1)
    with pytest.raises(ValidationError):
        user_create(
            username="admin", email="x@example.test", password=PASSWORD, invite_code=invite.code
        )
    invite.refresh_from_db()
    assert invite.uses == 0


def test_invites_need_a_sensible_limit_and_expiry(alice):
    with pytest.raises(ValidationError):
        invite_create(created_by=alice, max_uses=0)
    with pytest.raises(ValidationError):
        invite_create(created_by=alice, expires_at=timezone.now() - timedelta(days=1))


# --- profile and settings --------------------------------------------------------------------


def test_profile_update_saves_fields_and_topics(alice):
    profile_update(
        user=alice,
        display_name=" Alice A. ",
        headline="Staff engineer at Acme",
        bio="I build databases.",
        website="https://alice.example",
        topics=topics_parse("Postgres, #python  python, rust"),
    )
    alice.refresh_from_db()
    assert alice.display_name == "Alice A."
    assert sorted(alice.topics.values_list("name", flat=True)) == ["postgres", "python", "rust"]


@pytest.mark.parametrize("website", ["javascript:alert(1)", "ftp://files.example", "not a url"])
def test_profile_website_must_be_http(alice, website):
    with pytest.raises(ValidationError) as error:
        profile_update(user=alice, display_name="", headline="", bio="", website=website, topics=[])
    assert "website" in error.value.message_dict


def test_topics_must_be_tag_shaped_and_few():
    with pytest.raises(ValidationError):
        topics_parse("c++")
    with pytest.raises(ValidationError):
        topics_parse(",".join(f"t{i}" for i in range(11)))


def test_account_settings_refuse_unknown_time_zone(alice):
    with pytest.raises(ValidationError):
        account_settings_update(
            user=alice,
            locked=True,
            hide_follows=False,
            discoverable=True,
            timezone_name="Mars/Base",
        )
    account_settings_update(
        user=alice, locked=True, hide_follows=True, discoverable=False, timezone_name="Europe/Paris"
    )
    alice.refresh_from_db()
    assert (alice.locked, alice.hide_follows, alice.discoverable, alice.timezone) == (
        True,
        True,
        False,
        "Europe/Paris",
    )


# --- avatars ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "ext"), [("PNG", "png"), ("JPEG", "jpg"), ("GIF", "gif"), ("WEBP", "webp")]
)
def test_avatar_of_each_accepted_format_becomes_a_400px_square(alice, fmt, ext, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    avatar_set(user=alice, upload=upload(image_bytes(fmt), name=f"me.{ext}"))
    alice.refresh_from_db()
    with Image.open(alice.avatar.path) as stored:
        assert stored.size == (400, 400)
        assert stored.format in {"JPEG", "PNG"}


def test_avatar_is_judged_by_content_not_name(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    avatar_set(user=alice, upload=upload(image_bytes("PNG"), name="innocent.txt"))
    with pytest.raises(ValidationError, match="PNG, JPEG, GIF or WebP"):
        avatar_set(user=alice, upload=upload(b"<svg onload=alert(1)>", name="evil.png"))
    with pytest.raises(ValidationError, match="PNG, JPEG, GIF or WebP"):
        avatar_set(user=alice, upload=upload(image_bytes("BMP"), name="old.png"))


def test_avatar_reencoding_strips_metadata(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    exif = Image.Exif()
    exif[0x8825] = {2: (48, 51, 24)}  # GPS latitude, the thing people don't mean to share
    exif[0x010E] = "secret description"
    avatar_set(user=alice, upload=upload(image_bytes("JPEG", exif=exif.tobytes()), name="me.jpg"))
    alice.refresh_from_db()
    with Image.open(alice.avatar.path) as stored:
        assert not stored.getexif()
    assert b"secret description" not in alice.avatar.read()


def test_replacing_an_avatar_removes_the_old_file(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    avatar_set(user=alice, upload=upload(image_bytes("PNG")))
    old = alice.avatar.path
    avatar_set(user=alice, upload=upload(image_bytes("JPEG"), name="b.jpg"))
    assert alice.avatar.path != old
    assert not (tmp_path / old).exists()


def test_truncated_image_is_refused(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = image_bytes("PNG", size=(600, 600))
    with pytest.raises(ValidationError, match="damaged"):
        avatar_set(user=alice, upload=upload(data[: len(data) // 3]))
    alice.refresh_from_db()
    assert not alice.avatar


@pytest.mark.parametrize("dimensions", [(100_000, 100_000), (10_000, 10_000), (1, 50_000_000)])
def test_decompression_bomb_is_refused_before_decoding(alice, settings, tmp_path, dimensions):
    settings.MEDIA_ROOT = tmp_path
    bomb = png_claiming(*dimensions)
    assert len(bomb) < 200
    with pytest.raises(ValidationError) as error:
        avatar_set(user=alice, upload=upload(bomb))
    assert "too large" in error.value.messages[0] or "million pixels" in error.value.messages[0]
    alice.refresh_from_db()
    assert not alice.avatar


def test_oversized_upload_is_refused(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.AVATAR_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="at most"):
        avatar_set(user=alice, upload=upload(image_bytes("PNG", size=(400, 400)) + b"\0" * 1000))


def test_empty_file_is_refused(alice):
    with pytest.raises(ValidationError, match="empty"):
        avatar_set(user=alice, upload=upload(b""))


def test_unlocking_an_account_turns_pending_requests_into_follows(alice, bob, carol):
    from rookery.accounts.services import account_settings_update
    from rookery.social.models import Follow, FollowRequest
    from rookery.social.services import follow_create

    alice.locked = True
    alice.save(update_fields=["locked"])
    follow_create(follower=bob, followee=alice)
    follow_create(follower=carol, followee=alice)
    assert not Follow.objects.filter(followee=alice).exists()

    account_settings_update(
        user=alice, locked=False, hide_follows=False, discoverable=True, timezone_name="UTC"
    )

    assert set(
        Follow.objects.filter(followee=alice).values_list("follower__username", flat=True)
    ) == {
        "bob",
        "carol",
    }
    assert not FollowRequest.objects.filter(target=alice).exists()
    alice.refresh_from_db()
    assert alice.followers_count == 2
