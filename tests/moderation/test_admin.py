from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from rookery.moderation.models import AuditLogEntry, Report
from rookery.moderation.services import account_suspend, report_create
from rookery.posts.models import Post
from rookery.posts.services import like_create
from tests.factories import UserFactory, make_follow, make_post

pytestmark = pytest.mark.django_db

OUR_APPS = {"accounts", "social", "posts", "timelines", "notifications", "moderation"}


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def client_root(root) -> Client:
    client = Client()
    client.force_login(root)
    return client


@pytest.fixture
def world(alice, bob, root):
    """At least one row in every table, so change pages render real objects."""
    make_follow(alice, bob)
    post = make_post(bob, "hello #world @alice")
    like_create(user=alice, post=post)
    report_create(reporter=alice, account=bob, post=post, reason="spam")
    account_suspend(moderator=root, user=UserFactory(username="spammer"), reason="spam")
    return post


def our_models():
    return [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]


def test_every_model_of_ours_is_in_the_admin():
    from django.apps import apps

    ours = {m for m in apps.get_models() if m._meta.app_label in OUR_APPS}
    assert ours <= set(admin.site._registry)


def test_every_changelist_change_page_and_search_renders(client_root, world):
    for model in our_models():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client_root.get(url).status_code == 200, url
        assert client_root.get(url, {"q": "abc \" ' %"}).status_code == 200, url
        obj = model.objects.first()
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert client_root.get(change).status_code == 200, change


def test_suspend_action_asks_why_then_goes_through_the_service(client_root, alice, bob):
    url = reverse("admin:accounts_user_changelist")
    data = {"action": "suspend_accounts", ACTION_CHECKBOX_NAME: [alice.pk, bob.pk]}
    confirm = client_root.post(url, data)
    assert confirm.status_code == 200
    assert b"Suspend selected accounts" in confirm.content
    alice.refresh_from_db()
    assert not alice.is_suspended
    missing_reason = client_root.post(url, {**data, "apply": "1", "reason": ""})
    assert missing_reason.status_code == 200  # the form again, with its error
    done = client_root.post(url, {**data, "apply": "1", "reason": "spam wave"})
    assert done.status_code == 302
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.is_suspended and bob.is_suspended
    entries = AuditLogEntry.objects.filter(action="suspend")
    assert {e.target_user_id for e in entries} == {alice.pk, bob.pk}
    assert {e.details["reason"] for e in entries} == {"spam wave"}

    client_root.post(
        url,
        {"action": "unsuspend_accounts", ACTION_CHECKBOX_NAME: [alice.pk], "apply": "1"},
    )
    alice.refresh_from_db()
    assert not alice.is_suspended
    assert AuditLogEntry.objects.filter(action="unsuspend", target_user=alice).exists()


def test_a_refused_object_is_reported_and_the_rest_proceed(client_root, root, alice):
    url = reverse("admin:accounts_user_changelist")
    response = client_root.post(
        url,
        {
            "action": "suspend_accounts",
            ACTION_CHECKBOX_NAME: [root.pk, alice.pk],
            "apply": "1",
            "reason": "x",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "suspend yourself" in text
    assert "Done for 1 of 2" in text
    root.refresh_from_db()
    alice.refresh_from_db()
    assert not root.is_suspended and alice.is_suspended


def test_remove_posts_action_writes_the_audit_log(client_root, bob):
    post = make_post(bob, "remove me")
    client_root.post(
        reverse("admin:posts_post_changelist"),
        {
            "action": "remove_posts",
            ACTION_CHECKBOX_NAME: [post.pk],
            "apply": "1",
            "reason": "off topic",
        },
    )
    assert not Post.objects.filter(pk=post.pk).exists()
    entry = AuditLogEntry.objects.get(action="remove_post")
    assert (entry.target_post_id, entry.details["reason"]) == (post.pk, "off topic")


def test_resolve_reports_action(client_root, alice, bob):
    report = report_create(reporter=alice, account=bob, reason="spam")
    client_root.post(
        reverse("admin:moderation_report_changelist"),
        {
            "action": "resolve_reports",
            ACTION_CHECKBOX_NAME: [report.pk],
            "apply": "1",
            "reason": "warned",
        },
    )
    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED
    assert AuditLogEntry.objects.get(action="resolve_report").details["note"] == "warned"


def test_audit_log_is_read_only_in_the_admin(client_root, root, alice):
    account_suspend(moderator=root, user=alice, reason="x")
    entry = AuditLogEntry.objects.get()
    assert client_root.get(reverse("admin:moderation_auditlogentry_add")).status_code == 403
    delete = reverse("admin:moderation_auditlogentry_delete", args=[entry.pk])
    assert client_root.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:moderation_auditlogentry_change", args=[entry.pk])
    client_root.post(change, {"action": "unsuspend"})
    entry.refresh_from_db()
    assert entry.action == "suspend"
    assert AuditLogEntry.objects.count() == 1


def test_bulk_delete_is_not_offered_where_it_would_bypass_the_services(client_root):
    for name in ("accounts_user", "posts_post", "moderation_report"):
        response = client_root.get(reverse(f"admin:{name}_changelist"))
        assert b'value="delete_selected"' not in response.content, name


def test_people_who_are_not_staff_cannot_open_the_admin(alice):
    client = Client()
    client.force_login(alice)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302  # to the admin login


@pytest.mark.parametrize("rows", [3, 30])
def test_post_changelist_query_count_does_not_grow_with_rows(
    client_root, bob, rows, django_assert_max_num_queries
):
    for i in range(rows):
        make_post(bob, f"post {i}")
    # 6 today: session, user, two counts, the page, the date hierarchy.
    with django_assert_max_num_queries(6):
        assert client_root.get(reverse("admin:posts_post_changelist")).status_code == 200
