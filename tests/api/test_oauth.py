"""OAuth 2 the way Mastodon clients use it: register, authorise, get and revoke tokens."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory

OOB = "urn:ietf:wg:oauth:2.0:oob"


def register(client: Client, **extra: str) -> dict:
    data = {"client_name": "Phone app", "redirect_uris": OOB, "scopes": "read write follow"}
    data.update(extra)
    response = client.post("/api/v1/apps", data)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_app_registration_returns_mastodon_application_json():
    app = register(Client(), website="https://example.org")
    assert app["name"] == "Phone app"
    assert app["client_id"] and app["client_secret"]
    assert app["redirect_uri"] == OOB and app["redirect_uris"] == [OOB]
    assert app["scopes"] == ["read", "write", "follow"]
    assert app["website"] == "https://example.org"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("redirect_uris", "javascript:alert(1)"),
        ("scopes", "read admin:everything"),
        ("client_name", ""),
    ],
)
def test_app_registration_refuses_bad_input(field, value):
    data = {"client_name": "x", "redirect_uris": OOB, "scopes": "read", field: value}
    response = Client().post("/api/v1/apps", data, content_type="application/json")
    assert response.status_code == 422
    assert "error" in response.json()


@pytest.mark.django_db
def test_password_grant_with_email_gives_a_working_token_with_scope_and_created_at(alice):
    client = Client()
    app = register(client)
    response = client.post(
        "/oauth/token",
        {
            "grant_type": "password",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "username": alice.email,
            "password": "correct horse battery",
            "scope": "read write",
        },
    )
    assert response.status_code == 200, response.content
    token = response.json()
    assert token["scope"] == "read write"
    assert token["token_type"] == "Bearer"
    assert abs(token["created_at"] - timezone.now().timestamp()) < 60
    me = client.get(
        "/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert me.json()["username"] == "alice"


@pytest.mark.django_db
def test_token_endpoint_takes_json_too(alice):
    client = Client()
    app = register(client)
    response = client.post(
        "/oauth/token",
        {
            "grant_type": "password",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "username": "alice",
            "password": "correct horse battery",
            "scope": "read",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_password_grant_refuses_wrong_password_and_suspended_users(alice):
    client = Client()
    app = register(client)
    base = {
        "grant_type": "password",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
    }
    wrong = client.post("/oauth/token", {**base, "username": "alice", "password": "nope"})
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    alice.suspended_at = timezone.now()
    alice.save()
    suspended = client.post(
        "/oauth/token", {**base, "username": "alice", "password": "correct horse battery"}
    )
    assert suspended.status_code == 400


@pytest.mark.django_db
def test_token_scopes_are_limited_to_what_the_app_registered(alice):
    client = Client()
    app = register(client, scopes="read")
    response = client.post(
        "/oauth/token",
        {
            "grant_type": "password",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "username": "alice",
            "password": "correct horse battery",
            "scope": "read write",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


@pytest.mark.django_db
def test_client_credentials_token_reads_public_data_but_is_no_user():
    client = Client()
    app = register(client)
    token = client.post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "scope": "read",
        },
    ).json()
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get("/api/v1/apps/verify_credentials", headers=auth).json()["name"] == "Phone app"
    assert client.get("/api/v1/timelines/public", headers=auth).status_code == 200
    assert client.get("/api/v1/accounts/verify_credentials", headers=auth).status_code == 422


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.mark.django_db
def test_authorization_code_with_pkce_through_the_consent_page(alice):
    client = Client()
    app = register(client, redirect_uris=f"{OOB}\nhttps://app.example/callback")
    verifier, challenge = _pkce()
    query = urlencode(
        {
            "client_id": app["client_id"],
            "response_type": "code",
            "redirect_uri": "https://app.example/callback",
            "scope": "read write",
            "state": "xyz",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    logged_out = client.get(f"/oauth/authorize?{query}")
    assert logged_out.status_code == 302 and "next=" in logged_out["Location"]

    client.force_login(alice)
    page = client.get(f"/oauth/authorize?{query}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phone app" in html and "@alice" in html
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    decision = client.post("/oauth/authorize", {**fields, "allow": "yes"})
    assert decision.status_code == 302
    location = urlsplit(decision["Location"])
    assert location.netloc == "app.example"
    params = parse_qs(location.query)
    assert params["state"] == ["xyz"]

    token = client.post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": params["code"][0],
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": "https://app.example/callback",
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.content
    assert token.json()["scope"] == "read write"


@pytest.mark.django_db
def test_out_of_band_consent_shows_the_code_and_denial_shares_nothing(alice):
    client = Client()
    app = register(client)
    client.force_login(alice)
    query = urlencode(
        {
            "client_id": app["client_id"],
            "response_type": "code",
            "redirect_uri": OOB,
            "scope": "read",
        }
    )
    html = client.get(f"/oauth/authorize?{query}").content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    shown = client.post("/oauth/authorize/", {**fields, "allow": "yes"})
    assert shown.status_code == 200
    code = re.search(r'id="authorization-code">([^<]+)<', shown.content.decode()).group(1)
    token = client.post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": OOB,
        },
    )
    assert token.status_code == 200
    denied = client.post("/oauth/authorize", {**fields, "allow": "no"})
    assert denied.status_code == 403


@pytest.mark.django_db
def test_authorize_with_an_unknown_client_shows_an_error_page(alice):
    client = Client()
    client.force_login(alice)
    response = client.get("/oauth/authorize?client_id=nope&response_type=code&redirect_uri=" + OOB)
    assert response.status_code == 400


@pytest.mark.django_db
def test_revoked_token_stops_working_at_once(alice):
    client = Client()
    app = register(client)
    base = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    token = client.post(
        "/oauth/token",
        {
            **base,
            "grant_type": "password",
            "username": "alice",
            "password": "correct horse battery",
        },
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/accounts/verify_credentials", headers=auth).status_code == 200
    assert client.post("/oauth/revoke", {**base, "token": token}).status_code == 200
    after = client.get("/api/v1/accounts/verify_credentials", headers=auth)
    assert after.status_code == 401
    assert after.json() == {"error": "The access token is invalid"}


@pytest.mark.django_db
def test_well_known_metadata_points_at_this_server():
    data = Client().get("/.well-known/oauth-authorization-server").json()
    assert data["token_endpoint"] == "http://testserver/oauth/token"
    assert {"authorization_code", "password", "client_credentials"} <= set(
        data["grant_types_supported"]
    )
    assert "read:statuses" in data["scopes_supported"]


@pytest.mark.django_db
def test_suspended_users_tokens_are_refused():
    from tests.api.conftest import make_token

    user = UserFactory(username="dora")
    token = make_token(user)
    user.suspended_at = timezone.now()
    user.save()
    response = Client().get(
        "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token.raw}"}
    )
    assert response.status_code == 403
