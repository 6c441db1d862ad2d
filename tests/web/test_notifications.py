from __future__ import annotations

from rookery.notifications.models import Notification, NotificationKind
from rookery.notifications.services import notify
from rookery.posts.services import answer_accept, like_create, reblog_create
from tests.factories import make_follow, make_post


def test_notifications_page_lists_every_kind_and_marks_read(client, alice, bob):
    post = make_post(alice, "Which index? #q", is_question=True)
    make_follow(bob, alice)
    like_create(user=bob, post=post)
    reblog_create(user=bob, post=post)
    answer = make_post(bob, "@alice BRIN", in_reply_to=post)
    make_post(bob, "hey @alice")
    answer_accept(question=post, answer=answer, user=alice)
    notify(
        recipient_id=alice.pk,
        actor=None,
        kind=NotificationKind.SYSTEM,
        message="Your feed <b>paused</b>",
    )
    client.force_login(alice)
    home = client.get("/home/").content.decode()
    assert 'aria-label="6 unread"' in home
    page = client.get("/notifications/").content.decode()
    for phrase in [
        "followed you",
        "liked your post",
        "reposted your post",
        "replied to you",
        "mentioned you",
        "Your feed &lt;b&gt;paused&lt;/b&gt;",
    ]:
        assert phrase in page, phrase
    assert "is-unread" in page
    newest = Notification.objects.filter(recipient=alice).order_by("-id").first()
    client.post("/notifications/read/", {"up_to": newest.pk})
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert "unread" not in client.get("/home/").content.decode().split("<main")[0]
    client.force_login(bob)
    assert "accepted your answer" in client.get("/notifications/").content.decode()


def test_follow_request_notification_links_to_review(client, alice, bob):
    bob.locked = True
    bob.save()
    client.force_login(alice)
    client.post("/@bob/follow/")
    client.force_login(bob)
    assert 'href="/follow-requests/">review' in client.get("/notifications/").content.decode()
