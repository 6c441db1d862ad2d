"""The traction API router: the author's numbers, 404 for anyone else, exports and insights."""

from __future__ import annotations

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from rookery.api.errors import register_handlers
from rookery.traction.api import build_router
from tests.api.conftest import make_token
from tests.factories import make_post
from tests.traction.conftest import roll_up
from tests.traction.test_recording import request_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def client() -> TestClient:
    # The API app mounts the same routes under /api/rookery/v1/traction; a bare API keeps this
    # test independent of the rest of it.
    api = NinjaAPI(urls_namespace="traction-api-test")
    register_handlers(api)
    api.add_router("/traction", build_router())
    return TestClient(api)


def auth(user, scope: str = "read") -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(user, scope).raw}"}


def test_the_author_reads_a_posts_numbers_and_nobody_else_does(client, alice, bob):
    post = make_post(alice, "hello https://e.com/x")
    record_impressions_for = request_of(bob)
    from rookery.traction.recording import record_impressions

    record_impressions(record_impressions_for, [post], "api")
    roll_up()
    response = client.get(f"/traction/posts/{post.pk}", headers=auth(alice))
    assert response.status_code == 200
    body = response.json()
    assert body["impressions"] == 1 and body["clicks"] == 0 and len(body["first_48_hours"]) == 48
    assert body["links"][0]["url"] == "https://e.com/x"
    missing = client.get("/traction/posts/999999", headers=auth(alice))
    other = client.get(f"/traction/posts/{post.pk}", headers=auth(bob))
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json() == {"error": "Record not found"}
    assert client.get(f"/traction/posts/{post.pk}").status_code == 401
    assert client.get(f"/traction/posts/{post.pk}", headers=auth(alice, "write")).status_code == 403


def test_insights_export_and_best_slots(client, alice):
    make_post(alice, "one #python")
    insights = client.get("/traction/insights?days=90", headers=auth(alice)).json()
    assert insights["days"] == 90 and insights["totals"]["posts"] == 1
    assert insights["findings"] == [] and insights["by_hashtag"][0]["label"] == "#python"
    assert client.get("/traction/insights?days=8", headers=auth(alice)).status_code == 422
    export = client.get("/traction/export", headers=auth(alice)).json()
    assert export["username"] == "alice" and export["posts"][0]["hashtags"] == "python"
    assert client.get("/traction/best-slots", headers=auth(alice)).json() == []


def test_the_routes_are_mounted_in_the_api_and_its_schema(alice, bob):
    from django.test import Client as DjangoClient

    from tests.api.conftest import ApiClient

    post = make_post(alice, "mounted")
    path = f"/api/rookery/v1/traction/posts/{post.pk}"
    assert ApiClient(make_token(alice)).get(path).status_code == 200
    assert ApiClient(make_token(bob)).get(path).status_code == 404
    schema = DjangoClient().get("/api/openapi.json").json()
    assert "/api/rookery/v1/traction/insights" in schema["paths"]
