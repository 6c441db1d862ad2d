"""DOT's OAuth server with Mastodon's rules: every app may use the code, password and
client-credentials grants; tokens get only scopes the app registered; bodies may be JSON.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings

from rookery.accounts.models import User
from rookery.api import scopes as scope_names
from rookery.api.models import ClientApp

GRANT_TYPES = ("authorization_code", "password", "client_credentials", "refresh_token")


class MastodonValidator(OAuth2Validator):
    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        # Mastodon apps are not tied to one grant: the same app logs in with a code or a
        # password and asks for an app token, so DOT's one-grant-per-application rule is off.
        return grant_type in GRANT_TYPES

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        requested = set(scopes)
        if scope_names.unknown(requested):
            return False
        profile = ClientApp.objects.filter(client_id=client.client_id).first()
        registered = scope_names.parse(profile.scopes) if profile else {"read"}
        return requested <= scope_names.expand(registered) | registered

    def get_default_scopes(self, client_id, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        return ["read"]

    def validate_user(self, username, password, client, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not super().validate_user(username, password, client, request, *args, **kwargs):
            return False
        # authenticate() is the source of truth; this only guards against a backend that
        # doesn't know about suspensions.
        return not request.user.is_suspended


class MastodonCore(OAuthLibCore):
    def __init__(self) -> None:
        server = oauth2_settings.OAUTH2_SERVER_CLASS(
            MastodonValidator(), **oauth2_settings.server_kwargs
        )
        super().__init__(server=server)

    def extract_body(self, request: HttpRequest) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]]
        if (request.content_type or "").startswith("application/json"):
            try:
                data = json.loads(request.body or b"{}")
            except ValueError:
                data = {}
            pairs = [(k, _text(v)) for k, v in data.items()] if isinstance(data, dict) else []
        else:
            pairs = list(super().extract_body(request))
        return [_login_name(pairs, key, value) for key, value in pairs]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _login_name(pairs: list[tuple[str, str]], key: str, value: str) -> tuple[str, str]:
    """Mastodon clients log in with an email address; Rookery's accounts use usernames."""
    if key != "username" or "@" not in value or ("grant_type", "password") not in pairs:
        return key, value
    matches = list(User.objects.filter(email__iexact=value).values_list("username", flat=True)[:2])
    return (key, matches[0]) if len(matches) == 1 else (key, value)
