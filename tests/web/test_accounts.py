from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from rookery.accounts.models import Invite, User

PASSWORD = "a sturdy passphrase 42"


def signup(client: Client, username: str, url: str = "/signup/", **extra: str):
    data = {
        "username": username,
        "email": f"{username.lower()}@example.test",
        "password": PASSWORD,
        "password_again": PASSWORD,
        **extra,
    }
    return client.post(url, data)


def test_sign_up_logs_in_and_goes_to_profile_settings(client, db):
    response = signup(client, "dana")
    assert response.status_code == 302 and response.url == "/settings/profile/"
    assert client.get("/home/").status_code == 200
    assert User.objects.get(username="dana").check_password(PASSWORD)


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("bad name", "Usernames are 1"),
        ("<script>", "Usernames are 1"),
        ("x" * 31, "at most 30 characters"),
        ("Admin", "That username is reserved."),
        ("STATIC", "That username is reserved."),
        ("ALICE", "That username is taken."),
    ],
)
def test_sign_up_refuses_bad_usernames_with_a_message(client, alice, username, message):
    response = signup(client, username)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == 1


def test_sign_up_reports_mismatched_passwords(client, db):
    response = signup(client, "dana", password_again="something else")
    assert response.status_code == 400
    assert "The two passwords differ." in response.content.decode()


def test_sign_up_closed(client, db, settings):
    settings.SIGNUP_MODE = "closed"
    assert client.get("/signup/").status_code == 403
    assert signup(client, "dana").status_code == 403
    assert not User.objects.exists()


def test_invite_only_signup_works_through_an_invite_link(client, alice, settings):
    settings.SIGNUP_MODE = "invite"
    assert client.get("/signup/").status_code == 403
    invite = Invite.objects.create(code="welcome1", created_by=alice, max_uses=1)
    page = client.get("/invite/welcome1/").content.decode()
    assert "invited by <strong>@alice</strong>" in page
    assert signup(client, "dana", url="/invite/welcome1/").status_code == 302
    invite.refresh_from_db()
    assert invite.uses == 1
    client.logout()
    assert client.get("/invite/welcome1/").status_code == 404  # used up
    assert client.get("/invite/nonsense/").status_code == 404


def test_login_and_logout(client, alice):
    response = client.post("/login/", {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 302 and response.url == "/home/"
    assert client.get("/logout/").status_code == 405  # logging out takes a POST
    assert client.post("/logout/").url == "/"
    assert client.get("/home/").status_code == 302


def test_wrong_password_is_a_clear_form_error(client, alice):
    response = client.post("/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 400
    assert "Please enter a correct username and password" in response.content.decode()


def test_login_is_rate_limited_per_ip(client, alice, settings):
    settings.LOGIN_RATE = (3, 300)
    for _ in range(3):
        client.post("/login/", {"username": "alice", "password": "nope"})
    response = client.post("/login/", {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 429
    assert "Too many login attempts" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert client.get("/home/").status_code == 302  # the right password didn't get through
    other_ip = client.post(
        "/login/",
        {"username": "alice", "password": "correct horse battery"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert other_ip.status_code == 302


def test_forms_without_a_csrf_token_are_refused(alice, db):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/login/", {"username": "alice", "password": "x"}).status_code == 403
    strict.force_login(alice)
    response = strict.post("/posts/new/", {"text": "forged", "visibility": "public"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    page = strict.get("/home/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_password_reset_sends_a_working_link(client, alice):
    response = client.post("/password/reset/", {"email": "alice@example.test"})
    assert response.url == "/password/reset/sent/"
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "@alice" in body and "\n" not in mail.outbox[0].subject
    link = next(line for line in body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "another long passphrase", "new_password2": "another long passphrase"},
    )
    assert done.url == "/password/reset/complete/"
    alice.refresh_from_db()
    assert alice.check_password("another long passphrase")


def test_password_change(alice_client, alice):
    response = alice_client.post(
        "/settings/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response.url == "/settings/password/done/"
    alice.refresh_from_db()
    assert alice.check_password("another long passphrase")
