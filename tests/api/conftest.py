"""API test helpers: tokens straight from DOT's models, and a JSON client that sends them."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from rookery.accounts.models import User


def make_token(user: User | None, scope: str = "read write follow push") -> AccessToken:
    app = Application.objects.create(
        name="Test client",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
    )
    raw = secrets.token_urlsafe(30)
    token = AccessToken.objects.create(
        user=user,
        application=app,
        token=raw,
        scope=scope,
        expires=timezone.now() + timedelta(days=1),
    )
    token.raw = raw  # type: ignore[attr-defined]
    return token


class ApiClient:
    """Django's test client with a bearer token; bodies go as JSON unless ``form=True``."""

    def __init__(self, token: AccessToken | None = None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token.raw}"} if token else {}  # type: ignore[attr-defined]

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str):  # type: ignore[no-untyped-def]
        return self.client.get(path, params or {}, headers={**self.headers, **headers})

    def _send(self, method: str, path: str, data: Any, form: bool, headers: dict[str, str]):  # type: ignore[no-untyped-def]
        send = getattr(self.client, method)
        all_headers = {**self.headers, **headers}
        if form:
            from urllib.parse import urlencode

            body = urlencode(data or {}, doseq=True)
            return send(
                path, body, content_type="application/x-www-form-urlencoded", headers=all_headers
            )
        return send(path, data or {}, content_type="application/json", headers=all_headers)

    def post(self, path: str, data: Any = None, *, form: bool = False, **headers: str):  # type: ignore[no-untyped-def]
        return self._send("post", path, data, form, headers)

    def put(self, path: str, data: Any = None, *, form: bool = False, **headers: str):  # type: ignore[no-untyped-def]
        return self._send("put", path, data, form, headers)

    def patch(self, path: str, data: Any = None, *, form: bool = False, **headers: str):  # type: ignore[no-untyped-def]
        return self._send("patch", path, data, form, headers)

    def delete(self, path: str, **headers: str):  # type: ignore[no-untyped-def]
        return self.client.delete(path, headers={**self.headers, **headers})


@pytest.fixture
def alice_api(alice: User) -> ApiClient:
    return ApiClient(make_token(alice))


@pytest.fixture
def bob_api(bob: User) -> ApiClient:
    return ApiClient(make_token(bob))


@pytest.fixture
def anon_api(db) -> ApiClient:  # type: ignore[no-untyped-def]
    return ApiClient()
