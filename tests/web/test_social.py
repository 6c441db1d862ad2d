from __future__ import annotations

from rookery.moderation.models import Report
from rookery.social.models import Block, Follow, FollowRequest, Mute
from tests.factories import make_follow, make_post

XSS = '<script>alert("x")</script>'


def test_profile_shows_header_counts_and_posts(client, alice, bob):
    bob.headline = "CTO at Nest"
    bob.bio = "Line one\nLine two"
    bob.website = "https://bob.example/blog/"
    bob.save()
    make_follow(alice, bob)
    make_post(bob, "top-level post")
    page = client.get("/@bob/").content.decode()
    assert "Bob Brown" in page and "CTO at Nest" in page and "Line one<br>Line two" in page
    assert 'href="https://bob.example/blog/"' in page and ">bob.example/blog<" in page
    assert "top-level post" in page
    assert "<dd>1</dd>" in page  # one follower, one post


def test_profile_tabs_separate_replies(client, alice, bob):
    original = make_post(alice, "question")
    make_post(bob, "bob's reply to alice", in_reply_to=original)
    make_post(bob, "bobs own post")
    posts_tab = client.get("/@bob/").content.decode()
    replies_tab = client.get("/@bob/with-replies/").content.decode()
    assert "bobs own post" in posts_tab and "reply to alice" not in posts_tab
    assert "reply to alice" in replies_tab


def test_profile_lookup_is_case_insensitive_and_404_for_strangers(client, bob):
    assert client.get("/@BOB/").status_code == 200
    assert client.get("/@nobody/").status_code == 404


def test_xss_in_display_name_headline_and_bio_is_escaped(client, alice, bob):
    bob.display_name = XSS
    bob.headline = XSS
    bob.bio = XSS
    bob.website = "javascript:alert(1)"
    bob.save()
    make_post(bob, "hi")
    for path in ["/@bob/", "/public/", "/search/?q=bob"]:
        page = client.get(path).content.decode()
        assert "<script>alert" not in page, path
        assert "&lt;script&gt;" in page, path
        assert "javascript:alert" not in page, path


def test_follow_button_swaps_with_htmx(alice_client, alice, bob, htmx):
    page = alice_client.get("/@bob/").content.decode()
    assert 'hx-post="/@bob/follow/"' in page and 'id="follow-' in page
    body = alice_client.post("/@bob/follow/", {"next": "/@bob/"}, **htmx).content.decode()
    assert body.lstrip().startswith('<div class="follow-box"') and "Unfollow" in body
    assert Follow.objects.filter(follower=alice, followee=bob).exists()
    body = alice_client.post("/@bob/unfollow/", **htmx).content.decode()
    assert ">Follow<" in body
    assert not Follow.objects.filter(follower=alice, followee=bob).exists()


def test_follow_without_javascript_redirects_back(alice_client, alice, bob):
    response = alice_client.post("/@bob/follow/", {"next": "/search/?q=bob"})
    assert response.url == "/search/?q=bob"
    assert Follow.objects.filter(follower=alice, followee=bob).exists()


def test_locked_account_gets_a_request_which_it_approves(client, alice, bob, htmx):
    bob.locked = True
    bob.save()
    client.force_login(alice)
    assert "Request to follow" in client.get("/@bob/").content.decode()
    body = client.post("/@bob/follow/", **htmx).content.decode()
    assert "Requested" in body
    client.force_login(bob)
    page = client.get("/follow-requests/").content.decode()
    assert "@alice" in page and "Approve" in page
    assert '<span class="badge badge-count">1</span>' in client.get("/home/").content.decode()
    client.post("/follow-requests/alice/approve/")
    assert Follow.objects.filter(follower=alice, followee=bob).exists()
    assert not FollowRequest.objects.exists()
    assert client.post("/follow-requests/alice/reject/").status_code == 302  # nothing left: message


def test_hidden_follow_lists(client, alice, bob):
    make_follow(alice, bob)
    assert "Alice Adams" in client.get("/@bob/followers/").content.decode()
    bob.hide_follows = True
    bob.save()
    page = client.get("/@bob/followers/").content.decode()
    assert "keeps this list private" in page and "Alice Adams" not in page
    assert "Following</dt><dd>hidden" in client.get("/@bob/").content.decode()
    client.force_login(bob)
    assert "Alice Adams" in client.get("/@bob/followers/").content.decode()


def test_follow_list_bad_page_is_400(client, bob):
    assert client.get("/@bob/following/?page=abc").status_code == 400
    assert client.get("/@bob/following/?page=99").status_code == 400


def test_block_and_unblock_from_the_profile_and_settings(alice_client, alice, bob):
    make_follow(bob, alice)
    alice_client.post("/@bob/block/")
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()
    assert not Follow.objects.exists()
    page = alice_client.get("/settings/blocks/").content.decode()
    assert "@bob" in page
    alice_client.post("/@bob/unblock/", {"next": "/settings/blocks/"})
    assert not Block.objects.exists()


def test_blocked_viewer_sees_no_posts(client, alice, bob):
    make_post(bob, "not for alice")
    client.force_login(bob)
    client.post("/@alice/block/")
    client.force_login(alice)
    page = client.get("/@bob/").content.decode()
    assert "not for alice" not in page
    assert "You can't see this account's posts." in page


def test_mute_with_a_duration_and_unmute(alice_client, alice, bob):
    alice_client.post("/@bob/mute/", {"duration": "1d", "hide_notifications": "on"})
    mute = Mute.objects.get(muter=alice, muted=bob)
    assert mute.expires_at is not None and mute.hide_notifications
    assert "until" in alice_client.get("/settings/mutes/").content.decode()
    alice_client.post("/@bob/unmute/")
    assert not Mute.objects.exists()
    response = alice_client.post("/@bob/mute/", {"duration": "forever"})
    assert response.status_code == 302 and not Mute.objects.exists()


def test_cannot_follow_yourself_gets_a_message(alice_client, alice, htmx):
    response = alice_client.post("/@alice/follow/", **htmx)
    assert response.status_code == 400 and "yourself" in response.content.decode()


def test_relationship_actions_need_post(alice_client, bob):
    assert alice_client.get("/@bob/follow/").status_code == 405
    assert alice_client.get("/@bob/explode/").status_code == 404


def test_report_a_post(alice_client, alice, bob):
    post = make_post(bob, "spam spam")
    page = alice_client.get(f"/@bob/report/?post={post.pk}").content.decode()
    assert "spam spam" in page
    response = alice_client.post("/@bob/report/", {"post": post.pk, "reason": "It's spam"})
    assert response.url == "/@bob/"
    report = Report.objects.get()
    assert (report.reporter, report.account, report.post, report.reason) == (
        alice,
        bob,
        post,
        "It's spam",
    )
    assert alice_client.get("/@bob/report/?post=abc").status_code == 400
    assert alice_client.get("/@alice/report/").status_code == 404
