"""OAuth 2 as Mastodon clients expect it, on django-oauth-toolkit.

``POST /api/v1/apps`` registers a client; ``/oauth/authorize`` is the consent page (showing the
code itself for ``urn:ietf:wg:oauth:2.0:oob``); ``/oauth/token`` issues tokens for the code
(with PKCE), password and client-credentials grants; ``/oauth/revoke`` revokes; and
``/.well-known/oauth-authorization-server`` tells clients where all of this is.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from ninja import Router, Schema
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import Application

from rookery.api import scopes as scope_names
from rookery.api.auth import Token, caller_of
from rookery.api.models import ClientApp
from rookery.api.oauth_server import GRANT_TYPES, MastodonCore
from rookery.api.routes.common import documented, respond
from rookery.api.services import OOB, app_register

router = Router(tags=["apps"])

SCOPE_TEXT = {
    "read": "read your posts, timelines, notifications and profile",
    "write": "post, like, repost, bookmark and change your profile",
    "follow": "follow, block and mute people",
    "push": "receive push notifications",
    "profile": "see your profile",
}


class AppIn(Schema):
    client_name: str
    redirect_uris: str | list[str] = OOB
    scopes: str = "read"
    website: str | None = None


class AppOut(Schema):
    id: str
    name: str
    website: str | None
    scopes: list[str]
    redirect_uri: str
    redirect_uris: list[str]
    vapid_key: str
    client_id: str | None = None
    client_secret: str | None = None
    client_secret_expires_at: int | None = None


def _app_json(application: Application, profile: ClientApp | None) -> dict[str, Any]:
    uris = application.redirect_uris.split()
    return {
        "id": str(application.pk),
        "name": application.name,
        "website": (profile.website or None) if profile else None,
        "scopes": (profile.scopes if profile else "read").split(),
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        "vapid_key": "",
    }


@router.post("/v1/apps", response=documented(AppOut), auth=None)
def apps_create(request: HttpRequest, body: AppIn) -> HttpResponse:
    registered = app_register(
        name=body.client_name,
        redirect_uris=body.redirect_uris,
        scopes=body.scopes,
        website=body.website or "",
    )
    data = _app_json(registered.application, registered.profile)
    data.update(
        client_id=registered.application.client_id,
        client_secret=registered.client_secret,
        client_secret_expires_at=0,
    )
    return respond(data)


@router.get("/v1/apps/verify_credentials", response=documented(AppOut), auth=Token(user=False))
def apps_verify_credentials(request: HttpRequest) -> HttpResponse:
    application = caller_of(request).application
    assert application is not None
    profile = ClientApp.objects.filter(client_id=application.client_id).first()
    return respond(_app_json(application, profile))


# --- The browser and token endpoints (plain Django views: HTML, sessions, CSRF) --------------


def _consent_context(scopes: list[str], credentials: dict[str, Any]) -> dict[str, Any]:
    application = Application.objects.get(client_id=credentials["client_id"])
    profile = ClientApp.objects.filter(client_id=application.client_id).first()
    return {
        "application": application,
        "website": profile.website if profile else "",
        "scopes": [(s, SCOPE_TEXT.get(s, s)) for s in scopes],
        "hidden": {
            "client_id": credentials["client_id"],
            "redirect_uri": credentials.get("redirect_uri") or "",
            "response_type": credentials.get("response_type") or "code",
            "state": credentials.get("state") or "",
            "scope": " ".join(scopes),
            "code_challenge": credentials.get("code_challenge") or "",
            "code_challenge_method": credentials.get("code_challenge_method") or "",
        },
    }


def _error_page(request: HttpRequest, error: OAuthToolkitError) -> HttpResponse:
    description = error.oauthlib_error.description or error.oauthlib_error.error
    return render(request, "api/authorize_error.html", {"description": description}, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    core = MastodonCore()
    try:
        scopes, credentials = core.validate_authorization_request(request)
    except OAuthToolkitError as error:
        return _error_page(request, error)
    if request.method == "GET":
        context = _consent_context(scopes, credentials)
        return render(request, "api/authorize.html", context)
    allow = request.POST.get("allow") == "yes"
    try:
        uri, _headers, _body, _status = core.create_authorization_response(
            request, scopes, credentials, allow
        )
    except OAuthToolkitError as error:
        if credentials.get("redirect_uri") == OOB or not error.redirect_uri:
            return render(request, "api/authorize_denied.html", status=403)
        return _redirect(error.oauthlib_error.in_uri(error.redirect_uri))
    if credentials.get("redirect_uri") == OOB:
        code = parse_qs(urlsplit(uri).query).get("code", [""])[0]
        return render(request, "api/authorize_code.html", {"code": code})
    return _redirect(uri)


def _redirect(uri: str) -> HttpResponse:
    # Apps register custom schemes (myapp://); oauthlib already matched the URI against the
    # app's registered ones, so Django's http(s)-only redirect classes don't apply here.
    response = HttpResponse(status=302)
    response["Location"] = uri
    return response


def _oauth_json(body: str, status: int, headers: dict[str, str]) -> JsonResponse:
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        data = {"error": "server_error"}
    response = JsonResponse(data, status=status)
    for name in ("WWW-Authenticate", "Cache-Control", "Pragma"):
        if name in headers:
            response[name] = headers[name]
    return response


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    _uri, headers, body, status = MastodonCore().create_token_response(request)
    response = _oauth_json(body, status, headers)
    if status == 200:
        data = json.loads(body)
        data["created_at"] = int(time.time())  # Mastodon's clients expect it
        response = JsonResponse(data, headers={"Cache-Control": "no-store"})
    return response


@csrf_exempt
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    _uri, headers, body, status = MastodonCore().create_revocation_response(request)
    if status == 200:
        return JsonResponse({})
    response = _oauth_json(body, status, headers)
    if status == 401:
        # Mastodon answers a client it can't authenticate with 403.
        response.status_code = 403
    return response


@require_GET
def authorization_server(request: HttpRequest) -> JsonResponse:
    base = f"{request.scheme}://{request.get_host()}"
    return JsonResponse(
        {
            "issuer": f"{base}/",
            "service_documentation": f"{base}/api/docs",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "app_registration_endpoint": f"{base}/api/v1/apps",
            "scopes_supported": sorted(scope_names.ALL_SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": list(GRANT_TYPES),
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
            ],
        }
    )
