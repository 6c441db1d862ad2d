"""Writes owned by the API layer: registering client apps (Mastodon's POST /api/v1/apps)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application

from rookery.api import scopes as scope_names
from rookery.api.models import ClientApp

OOB = "urn:ietf:wg:oauth:2.0:oob"
# Native apps register custom schemes (``myapp://callback``); these are never redirect targets.
FORBIDDEN_SCHEMES = {"javascript", "data", "file", "vbscript", "blob", "about"}
MAX_REDIRECT_URIS = 10


@dataclass(frozen=True)
class RegisteredApp:
    application: Application
    profile: ClientApp
    client_secret: str  # the only moment the plain secret exists; DOT stores a hash


def _redirect_uris(raw: str | list[str]) -> list[str]:
    values = raw if isinstance(raw, list) else raw.replace("\r", "\n").split("\n")
    uris = [v.strip() for value in values for v in value.split() if v.strip()]
    if not uris:
        raise ValidationError({"redirect_uris": "Give at least one redirect URI."})
    if len(uris) > MAX_REDIRECT_URIS:
        raise ValidationError({"redirect_uris": f"At most {MAX_REDIRECT_URIS} redirect URIs."})
    for uri in uris:
        if uri == OOB:
            continue
        parts = urlsplit(uri)
        scheme = parts.scheme.lower()
        if (
            len(uri) > 2000
            or not scheme
            or scheme in FORBIDDEN_SCHEMES
            or (scheme in ("http", "https") and not parts.netloc)
            or parts.fragment
        ):
            raise ValidationError({"redirect_uris": f"{uri[:100]} is not a valid redirect URI."})
    return uris


def app_register(
    *, name: str, redirect_uris: str | list[str], scopes: str, website: str = ""
) -> RegisteredApp:
    name = name.strip()
    if not name or len(name) > 255:
        raise ValidationError({"client_name": "Give the app a name of at most 255 characters."})
    uris = _redirect_uris(redirect_uris)
    requested = scope_names.parse(scopes) or {"read"}
    unknown = scope_names.unknown(requested)
    if unknown:
        raise ValidationError({"scopes": f"Unknown scope {sorted(unknown)[0]!r}."})
    website = website.strip()
    parts = urlsplit(website)
    if website and (
        parts.scheme not in ("http", "https") or not parts.netloc or len(website) > 2000
    ):
        raise ValidationError({"website": "The website must be an http(s) address."})
    secret = generate_client_secret()
    with transaction.atomic():
        application = Application.objects.create(
            name=name,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(uris),
            client_secret=secret,
            skip_authorization=False,
        )
        profile = ClientApp.objects.create(
            client_id=application.client_id,
            website=website,
            scopes=" ".join(sorted(requested, key=_scope_order)),
        )
    return RegisteredApp(application=application, profile=profile, client_secret=secret)


def _scope_order(scope: str) -> tuple[int, str]:
    top = scope_names.TOP_LEVEL
    return (top.index(scope), scope) if scope in top else (len(top), scope)
