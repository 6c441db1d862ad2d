"""docs/mastodon-api.md's compatibility table must say what the code serves."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import resolve

from rookery.api.app import api

DOC = Path(__file__).resolve().parents[2] / "docs" / "mastodon-api.md"
ROW = re.compile(r"^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*(\S+)\s*\|\s*([a-z ]+?)\s*\|")
# The OAuth endpoints are Django views (HTML, sessions, CSRF), not ninja operations.
DJANGO_VIEWS = {
    "/oauth/authorize",
    "/oauth/token",
    "/oauth/revoke",
    "/.well-known/oauth-authorization-server",
}


def _normal(path: str) -> str:
    return re.sub(r"\{[^}]+\}|:\w+", ":id", path)


def _documented() -> dict[tuple[str, str], str]:
    rows = {}
    for line in DOC.read_text().splitlines():
        match = ROW.match(line)
        if match:
            method, path, status = match.groups()
            assert status in {"supported", "partial", "not yet"}, line
            key = (method, _normal(path))
            assert key not in rows, f"{method} {path} is in the table twice"
            rows[key] = status
    return rows


def _registered() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), _normal(path))
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_registered_route_is_in_the_table():
    documented = _documented()
    missing = sorted(route for route in _registered() if route not in documented)
    assert not missing, f"add these to docs/mastodon-api.md: {missing}"
    wrong = sorted(route for route in _registered() if documented[route] == "not yet")
    assert not wrong, f"registered but documented as 'not yet': {wrong}"


def test_every_supported_or_partial_row_is_served():
    registered = _registered()
    for (method, path), status in _documented().items():
        if status == "not yet":
            continue
        if path in DJANGO_VIEWS:
            resolve(path)  # raises Resolver404 when the view is gone
            continue
        assert (method, path) in registered, f"{method} {path} is documented as {status}"
