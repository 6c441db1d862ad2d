"""URLs of the API and OAuth endpoints, all under /api/, /oauth/ and /.well-known/.

Every API route answers with and without a trailing slash (clients differ: toot asks for
``/oauth/authorize/``, most others for no slash), every response carries the rate-limit
headers of the request's token, and even a wrong method or an unknown path gets
``{"error": ...}`` JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path, re_path
from django.views.decorators.csrf import csrf_exempt

from rookery.api import oauth
from rookery.api.app import api
from rookery.api.errors import add_rate_limit_headers, error_response


def _api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            # ninja answers a wrong method with an empty HTML 405; clients expect {"error"}.
            allowed = response.get("Allow", "")
            response = error_response(405, f"Method not allowed; use {allowed}")
            response["Allow"] = allowed
        result = getattr(request, "_rookery_ratelimit", None)
        if result is not None:
            add_rate_limit_headers(response, result)
        return response

    return wrapped


def _both_slashes(patterns: list[URLPattern | URLResolver]) -> list[URLPattern]:
    result: list[URLPattern] = []
    for pattern in patterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        view = csrf_exempt(_api_view(pattern.callback))
        result.append(path(route, view, name=pattern.name))
        if route and not route.endswith("/"):
            result.append(path(route + "/", view))
    return result


@csrf_exempt
def _unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, "Not found: no such API endpoint")


api_patterns, _app_name, _namespace = api.urls

urlpatterns = [
    path("api/", (_both_slashes(api_patterns), "api", "api")),
    re_path(r"^api/", _unknown_endpoint),
    re_path(r"^oauth/authorize/?$", oauth.authorize, name="oauth-authorize"),
    re_path(r"^oauth/token/?$", oauth.token, name="oauth-token"),
    re_path(r"^oauth/revoke/?$", oauth.revoke, name="oauth-revoke"),
    re_path(
        r"^\.well-known/oauth-authorization-server/?$",
        oauth.authorization_server,
        name="oauth-authorization-server",
    ),
]
