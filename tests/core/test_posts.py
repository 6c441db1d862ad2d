from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rookery.notifications.models import Notification
from rookery.outbound.client import HostNotFound
from rookery.posts.models import LinkCard, Post, PostRevision
from rookery.posts.services import (
    answer_accept,
    post_delete,
    post_edit,
    reblog_create,
    reblog_delete,
)
from tests.factories import UserFactory, make_post

pytestmark = pytest.mark.django_db


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Link cards are fetched inline in tests; never let one leave the machine."""
    calls: list[str] = []

    def refuse(url: str, **kwargs):
        calls.append(url)
        raise HostNotFound(f"{url}: not resolved in tests")

    monkeypatch.setattr("rookery.posts.cards.fetch", refuse)
    return calls


def test_hashtags_mentions_and_links_are_rendered(alice, bob, no_network):
    post = make_post(alice, "Hi @bob and @nobody, see #Postgres https://blog.example.test/x")
    assert '<a href="/@bob/" class="mention"' in post.html
    assert "@nobody" in post.html and "/@nobody/" not in post.html
    assert '<a href="/tags/postgres/" class="hashtag"' in post.html
    assert "#<span>Postgres</span></a>" in post.html
    assert 'title="https://blog.example.test/x"' in post.html
    assert [t.name for t in post.hashtags.all()] == ["postgres"]
    assert list(post.mentions.all()) == [bob]
    assert post.first_url == "https://blog.example.test/x"
    assert no_network == ["https://blog.example.test/x"]
    post.link_card.refresh_from_db()
    assert post.link_card.status == LinkCard.Status.FAILED


def test_code_spans_do_not_become_tags_or_mentions(alice, bob):
    post = make_post(alice, "run `grep #include @bob` now")
    assert post.hashtags.count() == 0 and post.mentions.count() == 0
    assert "<code>grep #include @bob</code>" in post.html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '"><svg onload=alert(1)>',
        "<a href='javascript:alert(1)'>x</a>",
        "<iframe src=https://evil.test></iframe>",
        "**<style>body{}</style>**",
    ],
)
def test_xss_payloads_are_sanitised(alice, payload):
    """Whatever was typed, the HTML holds only allowed tags, no handlers, no script URLs."""
    parser = TagCollector()
    parser.feed(make_post(alice, payload).html)
    for tag, attrs in parser.tags:
        assert tag in {"p", "br", "a", "em", "strong", "code", "span"}, (payload, tag)
        for name, value in attrs:
            assert not name.startswith("on"), (payload, name)
            assert not (value or "").strip().lower().startswith(("javascript:", "data:")), payload


def test_edit_keeps_history_and_rerenders(alice, bob):
    post = make_post(alice, "first #one")
    original_created = post.created_at
    post_edit(post=post, editor=alice, text="second #two @bob")
    post_edit(post=post, editor=alice, text="third")
    post.refresh_from_db()
    assert post.text == "third" and post.edited_at is not None
    revisions = list(PostRevision.objects.filter(post=post))
    assert [r.text for r in revisions] == ["first #one", "second #two @bob", "third"]
    assert revisions[0].created_at == original_created
    assert post.hashtags.count() == 0 and post.mentions.count() == 0
    with pytest.raises(PermissionDenied):
        post_edit(post=post, editor=bob, text="hijack")
    with pytest.raises(ValidationError):
        post_edit(post=post, editor=alice, text="   ")
    post.refresh_from_db()
    assert post.text == "third"


def test_delete_updates_every_counter(alice, bob):
    question = make_post(alice, "question")
    reply = make_post(bob, "answer", in_reply_to=question)
    repost = reblog_create(user=bob, post=question)
    question.refresh_from_db()
    bob.refresh_from_db()
    assert (question.replies_count, question.reblogs_count, bob.posts_count) == (1, 1, 1)
    post_delete(post=reply, actor=bob)
    reblog_delete(user=bob, post=question)
    question.refresh_from_db()
    bob.refresh_from_db()
    assert (question.replies_count, question.reblogs_count, bob.posts_count) == (0, 0, 0)
    assert not Post.objects.filter(pk__in=[reply.pk, repost.pk]).exists()
    with pytest.raises(PermissionDenied):
        post_delete(post=question, actor=bob)
    post_delete(post=question, actor=alice)
    alice.refresh_from_db()
    assert alice.posts_count == 0


def test_undoing_a_repost_leaves_the_reposters_post_count_alone(alice, bob):
    make_post(bob, "my own words")
    original = make_post(alice, "worth sharing")
    reblog_create(user=bob, post=original)
    reblog_delete(user=bob, post=original)
    bob.refresh_from_db()
    assert bob.posts_count == 1


def test_idempotency_key_returns_the_first_post(alice):
    first = make_post(alice, "once", idempotency_key="abc")
    again = make_post(alice, "once (retried)", idempotency_key="abc")
    assert again.pk == first.pk
    assert Post.objects.filter(author=alice).count() == 1
    alice.refresh_from_db()
    assert alice.posts_count == 1
    other = make_post(UserFactory(username="zed"), "same key, other person", idempotency_key="abc")
    assert other.pk != first.pk


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_post_is_refused(alice, text):
    with pytest.raises(ValidationError, match="Write something"):
        make_post(alice, text)
    assert not Post.objects.exists()


def test_over_long_post_is_refused_and_links_count_as_23(alice, settings):
    settings.POST_MAX_CHARS = 50
    with pytest.raises(ValidationError, match="at most 50 characters; this is 51"):
        make_post(alice, "x" * 51)
    with pytest.raises(ValidationError):
        make_post(alice, "x" * 40, content_warning="a long warning")
    long_url = "https://example.test/" + "a" * 200
    post = make_post(alice, "x" * 26 + " " + long_url)  # 26 + 1 + 23 = 50
    assert post.pk
    assert Post.objects.count() == 1


def test_unknown_visibility_is_refused(alice):
    with pytest.raises(ValidationError):
        make_post(alice, "x", visibility="secret")


# --- Questions and accepted answers ---------------------------------------------------------


def test_asker_accepts_a_direct_reply_and_its_author_hears_of_it(alice, bob, carol):
    question = make_post(alice, "how?", is_question=True)
    answer = make_post(bob, "like this", in_reply_to=question)
    answer_accept(question=question, answer=answer, user=alice)
    question.refresh_from_db()
    assert question.accepted_answer == answer
    assert Notification.objects.filter(recipient=bob, kind="accepted_answer").count() == 1
    answer_accept(question=question, answer=None, user=alice)
    question.refresh_from_db()
    assert question.accepted_answer is None


def test_accepted_answer_rules(alice, bob, carol):
    question = make_post(alice, "how?", is_question=True)
    answer = make_post(bob, "like this", in_reply_to=question)
    nested = make_post(carol, "agreed", in_reply_to=answer)
    statement = make_post(alice, "not a question")
    reply_to_statement = make_post(bob, "ok", in_reply_to=statement)
    with pytest.raises(PermissionDenied):
        answer_accept(question=question, answer=answer, user=bob)
    with pytest.raises(ValidationError, match="direct reply"):
        answer_accept(question=question, answer=nested, user=alice)
    with pytest.raises(ValidationError, match="not a question"):
        answer_accept(question=statement, answer=reply_to_statement, user=alice)
    own = make_post(alice, "answering myself", in_reply_to=question)
    answer_accept(question=question, answer=own, user=alice)
    assert not Notification.objects.filter(kind="accepted_answer").exists()
