from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rookery.posts.models import Like, Post, Visibility
from rookery.posts.services import post_edit
from tests.factories import UserFactory, make_follow, make_post

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_posting_from_the_composer_redirects_home_and_shows_the_post(alice_client, alice):
    response = alice_client.post(
        "/posts/new/",
        {
            "text": "Hello *world* #intro",
            "visibility": "public",
            "content_warning": "",
            "is_question": "on",
        },
    )
    assert response.status_code == 302 and response.url == "/home/"
    post = Post.objects.get(author=alice)
    assert post.is_question
    page = alice_client.get("/home/").content.decode()
    assert "<em>world</em>" in page and "Question" in page


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Write something first."), ("   ", "Write something first."), ("x" * 501, "at most 500")],
)
def test_empty_or_overlong_posts_get_a_form_error_and_keep_the_text(alice_client, text, message):
    response = alice_client.post("/posts/new/", {"text": text, "visibility": "public"})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert not Post.objects.exists()
    if text.strip():
        assert text in body  # nothing typed is lost


def test_unknown_visibility_is_a_form_error(alice_client):
    response = alice_client.post("/posts/new/", {"text": "hi", "visibility": "everyone"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_post_rate_limit_is_shown_in_the_form(alice_client, settings):
    settings.POST_RATE = (2, 300)
    for i in range(2):
        assert (
            alice_client.post("/posts/new/", {"text": f"p{i}", "visibility": "public"}).status_code
            == 302
        )
    response = alice_client.post("/posts/new/", {"text": "one too many", "visibility": "public"})
    assert response.status_code == 400
    assert "You are posting too fast" in response.content.decode()
    assert Post.objects.count() == 2


def test_xss_in_a_post_is_neutralised(alice_client, alice):
    alice_client.post("/posts/new/", {"text": XSS, "visibility": "public"})
    page = alice_client.get("/home/").content.decode()
    content = page.split('class="post-content">')[1].split("</div>")[0]
    assert "<script" not in content and "<img" not in content
    assert "&lt;script&gt;" in content


def test_xss_in_content_warning_and_link_card_is_escaped(alice_client, alice, link_card):
    link_card.title = XSS
    link_card.description = '"><svg onload=alert(2)>'
    link_card.site_name = "<b>site</b>"
    link_card.image_url = "javascript:alert(3)"
    link_card.save()
    make_post(alice, f"see {link_card.url}", content_warning="<i>spoiler</i>")
    page = alice_client.get("/home/").content.decode()
    assert XSS not in page and "&lt;script&gt;" in page
    assert "<svg onload" not in page and "&lt;svg onload=alert(2)&gt;" in page
    assert "<b>site</b>" not in page and "&lt;b&gt;site&lt;/b&gt;" in page
    assert "javascript:alert(3)" not in page
    assert "<i>spoiler</i>" not in page and '<details class="cw"><summary>&lt;i&gt;spoiler' in page


def test_link_card_shows_title_description_domain_and_image(client, bob, link_card):
    make_post(bob, f"Read this {link_card.url}")
    page = client.get("/public/").content.decode()
    # The card links through the post's click-counting short link, like the text link does.
    assert re.search(r'class="link-card" href="http[^"]*/l/\w+"', page)
    assert "A good article" in page and "About databases" in page and "example.com" in page
    assert 'src="https://example.com/cover.png"' in page


def test_reply_from_the_thread_view_lands_under_the_post(alice_client, alice, bob):
    question = make_post(bob, "How do you tune autovacuum?", is_question=True)
    page = alice_client.get(f"/@bob/{question.pk}/").content.decode()
    assert 'id="reply"' in page and f'value="{question.pk}"' in page
    response = alice_client.post(
        "/posts/new/",
        {"text": "@bob lower the scale factor", "visibility": "public", "in_reply_to": question.pk},
    )
    reply = Post.objects.get(author=alice)
    assert response.url == f"/@bob/{question.pk}/#post-{reply.pk}"
    assert reply.in_reply_to_id == question.pk


def test_thread_view_shows_ancestors_post_and_descendants(client, alice, bob, carol):
    root = make_post(alice, "root post")
    middle = make_post(bob, "middle reply", in_reply_to=root)
    make_post(carol, "leaf reply", in_reply_to=middle)
    page = client.get(f"/@bob/{middle.pk}/").content.decode().split("<main")[1]
    assert page.index("root post") < page.index("middle reply") < page.index("leaf reply")
    assert "1 reply" in page


def test_asker_accepts_an_answer_and_it_gets_a_badge(client, alice, bob):
    question = make_post(alice, "Which index?", is_question=True)
    answer = make_post(bob, "A BRIN index", in_reply_to=question)
    client.force_login(bob)
    assert "Accept answer" not in client.get(f"/@alice/{question.pk}/").content.decode()
    assert client.post(f"/posts/{question.pk}/accept/", {"answer": answer.pk}).status_code == 403
    client.force_login(alice)
    assert "Accept answer" in client.get(f"/@alice/{question.pk}/").content.decode()
    response = client.post(f"/posts/{question.pk}/accept/", {"answer": answer.pk})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk
    page = client.get(f"/@alice/{question.pk}/").content.decode()
    assert "✓ Accepted answer" in page and "answered" in page


def test_invisible_posts_are_404_like_missing_ones(client, alice, bob, carol):
    secret = make_post(bob, "for followers", visibility=Visibility.FOLLOWERS)
    client.force_login(carol)
    hidden = client.get(f"/@bob/{secret.pk}/")
    missing = client.get("/@bob/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert "for followers" not in hidden.content.decode()
    assert client.post(f"/posts/{secret.pk}/like/").status_code == 404
    make_follow(alice, bob)
    client.force_login(alice)
    assert client.get(f"/@bob/{secret.pk}/").status_code == 200


def test_post_url_needs_the_right_author(client, bob):
    post = make_post(bob, "mine")
    assert client.get(f"/@alice/{post.pk}/").status_code == 404
    assert client.get(f"/@BOB/{post.pk}/").status_code == 200


def test_like_with_htmx_returns_the_updated_card(alice_client, alice, bob, htmx):
    post = make_post(bob, "likeable")
    response = alice_client.post(f"/posts/{post.pk}/like/", {"next": "/home/"}, **htmx)
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith("<article")
    assert f'action="/posts/{post.pk}/unlike/"' in body and 'aria-pressed="true"' in body
    assert Like.objects.filter(user=alice, post=post).exists()
    alice_client.post(f"/posts/{post.pk}/unlike/", **htmx)
    assert not Like.objects.filter(user=alice, post=post).exists()


def test_like_without_javascript_redirects_back(alice_client, bob):
    post = make_post(bob, "likeable")
    response = alice_client.post(f"/posts/{post.pk}/like/", {"next": "/public/"})
    assert response.status_code == 302 and response.url == f"/public/#post-{post.pk}"
    evil = alice_client.post(f"/posts/{post.pk}/unlike/", {"next": "https://evil.example/"})
    assert evil.url.startswith(f"/@bob/{post.pk}/")


def test_repost_and_undo_from_the_repost_card(alice_client, alice, bob, htmx):
    post = make_post(bob, "share me")
    alice_client.post(f"/posts/{post.pk}/reblog/", **htmx)
    reblog = Post.objects.get(author=alice, reblog_of=post)
    page = alice_client.get("/home/").content.decode()
    assert "Alice Adams</a> reposted" in page
    body = alice_client.post(f"/posts/{reblog.pk}/unreblog/", **htmx).content.decode()
    assert not Post.objects.filter(pk=reblog.pk).exists()
    assert f'id="post-{post.pk}"' in body  # the original card replaces the repost


def test_followers_only_posts_have_no_repost_button(client, alice, bob):
    make_follow(alice, bob)
    post = make_post(bob, "private-ish", visibility=Visibility.FOLLOWERS)
    client.force_login(alice)
    page = client.get(f"/@bob/{post.pk}/").content.decode()
    assert f"/posts/{post.pk}/reblog/" not in page
    assert client.post(f"/posts/{post.pk}/reblog/").status_code == 403


def test_unknown_reaction_is_404(alice_client, bob):
    post = make_post(bob, "x")
    assert alice_client.post(f"/posts/{post.pk}/explode/").status_code == 404


def test_author_edits_a_post_and_the_history_shows_both_versions(alice_client, alice):
    post = make_post(alice, "first version")
    assert alice_client.get(f"/@alice/{post.pk}/edit/").status_code == 200
    response = alice_client.post(f"/@alice/{post.pk}/edit/", {"text": "second version"})
    assert response.url == f"/@alice/{post.pk}/"
    history = alice_client.get(f"/@alice/{post.pk}/history/").content.decode()
    assert "first version" in history and "second version" in history
    bad = alice_client.post(f"/@alice/{post.pk}/edit/", {"text": ""})
    assert bad.status_code == 400 and "Write something first." in bad.content.decode()


def test_others_cannot_edit_or_delete(client, alice, bob):
    post = make_post(alice, "mine")
    client.force_login(bob)
    assert client.get(f"/@alice/{post.pk}/edit/").status_code == 404
    assert client.post(f"/@alice/{post.pk}/delete/").status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()


def test_author_deletes_a_post(alice_client, alice, htmx):
    post = make_post(alice, "oops")
    other = make_post(alice, "keep")
    response = alice_client.post(f"/@alice/{post.pk}/delete/", {"next": f"/@alice/{post.pk}/"})
    assert response.url == "/home/"  # not back to the page that no longer exists
    assert not Post.objects.filter(pk=post.pk).exists()
    assert alice_client.post(f"/@alice/{other.pk}/delete/", **htmx).content == b""


def test_edit_history_escapes_old_text(alice_client, alice):
    post = make_post(alice, "plain")
    post_edit(post=post, editor=alice, text=XSS)
    history = alice_client.get(f"/@alice/{post.pk}/history/").content.decode()
    assert "<script>alert" not in history


def _thread_queries(client, replies: int) -> int:
    author = UserFactory()
    root = make_post(author, "root")
    parent = root
    for i in range(replies):
        parent = make_post(UserFactory(), f"reply {i}", in_reply_to=parent if i % 2 else root)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/@{author.username}/{root.pk}/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


# session, user, post, its media, thread, its media, viewer state (likes, reposts and
# bookmarks in one query), unread.
THREAD_MAX_QUERIES = 8


def test_thread_query_count_is_fixed(client, alice, django_assert_max_num_queries):
    client.force_login(alice)
    assert _thread_queries(client, 3) == _thread_queries(client, 25)
    root = Post.objects.select_related("author").filter(in_reply_to__isnull=True).first()
    url = f"/@{root.author.username}/{root.pk}/"
    with django_assert_max_num_queries(THREAD_MAX_QUERIES):
        client.get(url)
