from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import Request as OAuthRequest

from rookery.accounts.models import User
from rookery.moderation.models import AuditLogEntry, Report
from rookery.moderation.selectors import audit_log, reports_about, reports_open
from rookery.moderation.services import (
    account_suspend,
    account_unsuspend,
    post_remove,
    report_create,
    report_resolve,
)
from rookery.posts.models import Post, Visibility
from rookery.posts.selectors import visible_posts
from rookery.posts.services import reblog_create
from tests.factories import UserFactory, make_post

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def mod(db) -> User:
    return UserFactory(username="mod", is_staff=True)


# --- Reports ---------------------------------------------------------------------------------


def test_report_snapshots_the_post_text(alice, bob):
    post = make_post(bob, "something rude")
    report = report_create(reporter=alice, account=bob, post=post, reason="  rude  ")
    assert (report.post_id, report.post_text, report.reason) == (post.pk, "something rude", "rude")
    assert report.status == Report.Status.OPEN
    Post.objects.filter(pk=post.pk).delete()
    report.refresh_from_db()
    assert report.post_id is None
    assert report.post_text == "something rude"


def test_reporting_a_repost_reports_the_original(alice, bob, carol):
    post = make_post(bob, "original")
    repost = reblog_create(user=carol, post=post)
    report = report_create(reporter=alice, account=bob, post=repost, reason="")
    assert report.post_id == post.pk


def test_report_refuses_someone_elses_post_and_posts_the_reporter_cannot_see(alice, bob, carol):
    bobs = make_post(bob, "bob's")
    private = make_post(bob, "friends only", visibility=Visibility.FOLLOWERS)
    with pytest.raises(ValidationError, match="does not exist"):
        report_create(reporter=alice, account=carol, post=bobs, reason="x")
    with pytest.raises(ValidationError, match="does not exist"):
        report_create(reporter=alice, account=bob, post=private, reason="x")
    with pytest.raises(ValidationError, match="yourself"):
        report_create(reporter=alice, account=alice, reason="x")
    with pytest.raises(ValidationError, match="1000 characters"):
        report_create(reporter=alice, account=bob, reason="x" * 1001)
    assert Report.objects.count() == 0


def test_open_reports_queue_oldest_first_and_resolve_logs(alice, bob, carol, mod):
    first = report_create(reporter=alice, account=bob, reason="spam")
    second = report_create(reporter=carol, account=bob, reason="spam too")
    assert list(reports_open()) == [first, second]
    report_resolve(moderator=mod, report=first, note="warned")
    assert list(reports_open()) == [second]
    first.refresh_from_db()
    assert (first.status, first.resolved_by) == (Report.Status.RESOLVED, mod)
    entry = AuditLogEntry.objects.get()
    assert (entry.action, entry.moderator, entry.target_user) == ("resolve_report", mod, bob)
    assert entry.details == {"report_id": first.pk, "note": "warned"}
    assert list(reports_about(bob)) == [second, first]
    with pytest.raises(ValidationError, match="already resolved"):
        report_resolve(moderator=mod, report=first, note="again")


# --- Only staff act --------------------------------------------------------------------------


def test_non_staff_cannot_take_any_moderator_action(alice, bob):
    post = make_post(bob, "hi")
    report = report_create(reporter=alice, account=bob, reason="x")
    suspended_mod = UserFactory(username="exmod", is_staff=True, suspended_at=timezone.now())
    for actor in (alice, suspended_mod):
        with pytest.raises(PermissionDenied):
            account_suspend(moderator=actor, user=bob, reason="x")
        with pytest.raises(PermissionDenied):
            account_unsuspend(moderator=actor, user=bob)
        with pytest.raises(PermissionDenied):
            post_remove(moderator=actor, post=post, reason="x")
        with pytest.raises(PermissionDenied):
            report_resolve(moderator=actor, report=report, note="x")
    bob.refresh_from_db()
    assert bob.suspended_at is None
    assert Post.objects.filter(pk=post.pk).exists()
    assert AuditLogEntry.objects.count() == 0


def test_moderators_cannot_suspend_themselves_or_other_moderators(mod):
    other = UserFactory(username="mod2", is_staff=True)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    with pytest.raises(ValidationError):
        account_suspend(moderator=mod, user=mod, reason="x")
    with pytest.raises(PermissionDenied):
        account_suspend(moderator=mod, user=other, reason="x")
    account_suspend(moderator=admin, user=other, reason="rogue")
    other.refresh_from_db()
    assert other.is_suspended


# --- Suspension ------------------------------------------------------------------------------


def test_suspend_hides_posts_logs_and_unsuspend_restores(alice, bob, mod):
    post = make_post(bob, "visible")
    account_suspend(moderator=mod, user=bob, reason="spam wave")
    bob.refresh_from_db()
    assert bob.is_suspended
    assert not visible_posts(alice).filter(pk=post.pk).exists()
    assert not visible_posts(None).filter(pk=post.pk).exists()
    assert visible_posts(mod).filter(pk=post.pk).exists()
    account_suspend(moderator=mod, user=bob, reason="twice")  # no-op, not logged again
    account_unsuspend(moderator=mod, user=bob, reason="appeal accepted")
    assert visible_posts(alice).filter(pk=post.pk).exists()
    assert [(e.action, e.details["reason"]) for e in audit_log(target_user=bob)] == [
        ("unsuspend", "appeal accepted"),
        ("suspend", "spam wave"),
    ]


def test_suspended_account_cannot_log_in_and_open_sessions_end(bob, mod):
    client = Client()
    assert client.login(username="bob", password=PASSWORD)
    assert client.session.get("_auth_user_id") == str(bob.pk)
    account_suspend(moderator=mod, user=bob, reason="x")
    assert authenticate(username="bob", password=PASSWORD) is None
    assert not Client().login(username="bob", password=PASSWORD)
    # The already open session no longer resolves to bob.
    response = client.get("/")
    assert not response.wsgi_request.user.is_authenticated
    account_unsuspend(moderator=mod, user=bob)
    assert authenticate(username="bob", password=PASSWORD) == bob


def _password_grant_valid(username: str) -> bool:
    application = get_application_model().objects.create(
        name="app",
        client_type="confidential",
        authorization_grant_type="password",
    )
    body = urlencode({"grant_type": "password", "username": username, "password": PASSWORD})
    request = OAuthRequest(
        "http://testserver/oauth/token",
        http_method="POST",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    # Whatever validator the API configures, it must go through authenticate().
    validator = oauth2_settings.OAUTH2_VALIDATOR_CLASS()
    return validator.validate_user(username, PASSWORD, application, request)


def test_oauth_password_grant_refuses_suspended_accounts(bob, mod):
    assert _password_grant_valid("bob")
    account_suspend(moderator=mod, user=bob, reason="x")
    assert not _password_grant_valid("bob")


def test_suspension_revokes_api_tokens(bob, mod):
    tokens = get_access_token_model().objects
    tokens.create(user=bob, token="t0k3n", expires=timezone.now() + timezone.timedelta(days=1))
    account_suspend(moderator=mod, user=bob, reason="x")
    assert not tokens.filter(user=bob).exists()


# --- Removing posts --------------------------------------------------------------------------


def test_post_remove_deletes_and_keeps_text_in_the_log(alice, bob, mod):
    post = make_post(bob, "bad take")
    reply = make_post(alice, "reply", in_reply_to=post)
    assert reply.in_reply_to_id == post.pk
    post_id = post.pk
    post_remove(moderator=mod, post=post, reason="harassment")
    assert not Post.objects.filter(pk=post_id).exists()
    bob.refresh_from_db()
    assert bob.posts_count == 0
    entry = AuditLogEntry.objects.get(action="remove_post")
    assert (entry.target_post_id, entry.target_user, entry.moderator) == (post_id, bob, mod)
    assert entry.details["text"] == "bad take"
    assert entry.details["reason"] == "harassment"
