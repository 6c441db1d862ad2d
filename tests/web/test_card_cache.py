"""Post cards come from the cache, and every change a reader could see shows on the next load."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from rookery.accounts.services import avatar_remove, profile_update
from rookery.moderation.services import account_suspend, account_unsuspend
from rookery.posts.models import LinkCard, MediaAttachment, Post
from rookery.posts.selectors import posts_thin, viewer_state
from rookery.posts.services import (
    answer_accept,
    like_create,
    media_update,
    post_delete,
    post_edit,
    reblog_create,
)
from rookery.web.cards import post_cards_html
from tests.factories import UserFactory, make_follow, make_post

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _home(client) -> str:  # type: ignore[no-untyped-def]
    response = client.get("/home/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def reading(alice, bob, alice_client):  # type: ignore[no-untyped-def]
    """alice follows bob; bob posted; alice's home has been rendered once (cache filled)."""
    make_follow(alice, bob)
    post = make_post(bob, "First version #cache https://example.com/a")
    assert "First version" in _home(alice_client)
    return post


def test_cached_cards_are_the_template_cards(alice, bob, carol):
    """The assembled cards are byte for byte what post_card.html renders (CSRF values aside)."""
    make_follow(alice, bob)
    LinkCard.objects.get_or_create(
        url="https://example.com/a",
        defaults={"status": "ok", "title": "A title", "domain": "example.com"},
    )
    question = make_post(bob, "Which queue? https://example.com/a #ops", is_question=True)
    answer = make_post(carol, "This one", in_reply_to=question)
    answer_accept(question=question, answer=answer, user=bob)
    reblog = reblog_create(user=bob, post=make_post(carol, "A <b>repost</b> & more"))
    own = make_post(alice, "Mine", content_warning="spoiler")
    like_create(user=alice, post=question)
    ids = [own.pk, reblog.pk, answer.pk, question.pk]
    request = RequestFactory().get("/home/?x=1&y=<2>")
    request.user = alice
    for attempt in ("cold", "warm"):
        posts = posts_thin(ids)
        state = viewer_state(alice, posts)
        cached = post_cards_html(
            posts, user=alice, state=state, back_url=request.get_full_path(), csrf_token="T"
        )
        full = Post.objects.filter(pk__in=ids).order_by("-pk")
        expected = "".join(
            render_to_string(
                "web/partials/post_card.html",
                {"post": p, "state": state, "user": alice, "csrf_token": "T"},
                request=request,
            )
            for p in full
        )
        assert CSRF_RE.sub("", cached) == CSRF_RE.sub("", expected), attempt


def test_an_edit_shows_on_the_next_load(reading, bob, alice_client):
    post_edit(post=reading, editor=bob, text="Second version")
    page = _home(alice_client)
    assert "Second version" in page and "First version" not in page
    assert "· edited" in page


def test_a_like_by_someone_else_updates_the_count(reading, carol, alice_client):
    assert "(0 likes)" in _home(alice_client)
    like_create(user=carol, post=reading)
    assert "(1 likes)" in _home(alice_client)


def test_reactions_stay_per_viewer_with_a_shared_cache(reading, alice, carol, client):
    like_create(user=alice, post=reading)
    client.force_login(alice)
    assert 'aria-pressed="true" aria-label="Unlike (1 likes)"' in _home(client)
    make_follow(carol, reading.author)
    client.force_login(carol)
    page = _home(client)
    assert 'aria-label="Like (1 likes)"' in page and "Unlike" not in page
    # alice's own delete menu never leaks to carol through the cache, nor carol's to alice.
    assert "Report post" in page


def test_a_profile_change_shows_on_the_next_load(reading, bob, alice_client):
    profile_update(
        user=bob, display_name="Robert B.", headline="CTO at Nest", bio="", website="", topics=[]
    )
    page = _home(alice_client)
    assert "Robert B." in page and "CTO at Nest" in page


def test_an_avatar_change_shows_on_the_next_load(reading, bob, alice_client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from rookery.accounts.services import avatar_set

    assert "avatar-initial" in _home(alice_client)
    png = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(png, format="PNG")
    avatar_set(user=bob, upload=SimpleUploadedFile("me.png", png.getvalue(), "image/png"))
    bob.refresh_from_db()
    assert bob.avatar.url in _home(alice_client)
    avatar_remove(user=bob)
    assert "avatar-initial" in _home(alice_client)


def test_a_suspension_hides_the_post_and_unsuspending_brings_it_back(reading, bob, alice_client):
    moderator = UserFactory(username="mod", is_staff=True)
    account_suspend(moderator=moderator, user=bob, reason="spam")
    assert "First version" not in _home(alice_client)
    account_unsuspend(moderator=moderator, user=bob)
    assert "First version" in _home(alice_client)


def test_a_deletion_shows_on_the_next_load(reading, bob, alice_client):
    post_delete(post=reading, actor=bob)
    assert "First version" not in _home(alice_client)


def test_a_fetched_link_card_shows_on_the_next_load(reading, alice_client):
    assert "link-card" not in _home(alice_client)
    LinkCard.objects.filter(pk=reading.link_card_id).update(
        status=LinkCard.Status.OK, title="Fetched title", domain="example.com"
    )
    # The fetch task writes fetched_at with the result: the card's version moves with it.
    from django.utils import timezone

    LinkCard.objects.filter(pk=reading.link_card_id).update(fetched_at=timezone.now())
    assert "Fetched title" in _home(alice_client)


def test_an_alt_text_change_shows_on_the_next_load_also_in_reposts(alice, bob, carol, alice_client):
    from django.core.files.base import ContentFile

    make_follow(alice, carol)
    media = MediaAttachment(owner=bob, description="old alt", width=1, height=1)
    media.file.save("m.png", ContentFile(b"x"), save=True)
    post = make_post(bob, "With a picture", media_ids=[media.pk])
    reblog_create(user=carol, post=post)
    assert 'alt="old alt"' in _home(alice_client)
    media.refresh_from_db()  # attached to the post by post_create
    media_update(media=media, owner=bob, description="new alt")
    page = _home(alice_client)
    assert 'alt="new alt"' in page and "old alt" not in page


def test_a_repost_card_follows_its_originals_edit(alice, bob, carol, alice_client):
    make_follow(alice, carol)
    post = make_post(bob, "Original words")
    reblog_create(user=carol, post=post)
    assert "Original words" in _home(alice_client)
    post_edit(post=post, editor=bob, text="Edited words")
    page = _home(alice_client)
    assert "Edited words" in page and "Original words" not in page


def test_times_are_filled_in_per_request(reading, alice_client):
    page = _home(alice_client)
    assert "@@rookery" not in page
    assert ">just now</time>" in page
