"""Schema-driven fuzzing of the API: no 5xx, and every answer matches /api/openapi.json.

Runs in-process through the WSGI app with a token holding every scope; a handful of examples
per operation keeps it to well under three minutes.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import make_token
from tests.factories import UserFactory, make_follow, make_post

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# Loaded at import: serving the schema touches no database, and pytest-django has set Django
# up by the time test modules are collected.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def _keep_test_connection():  # type: ignore[no-untyped-def]
    """Don't let the WSGI app close the test's database connection after each request.

    Django's test client does the same: the request signals would close a connection that is
    inside the test's transaction (PostgreSQL then fails with "the connection is closed").
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_headers(db, settings, _keep_test_connection):  # type: ignore[no-untyped-def]
    settings.API_RATE = (1_000_000, 300)
    settings.POST_RATE = (1_000_000, 300)
    alice = UserFactory(username="fuzzer")
    bob = UserFactory(username="target")
    make_follow(alice, bob)
    post = make_post(bob, "Something to find #fuzz")
    make_post(alice, "A reply", in_reply_to=post)
    token = make_token(alice, scope="read write follow push")
    return {"Authorization": f"Bearer {token.raw}"}


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.filterwarnings("ignore")
def test_api_conforms_to_its_schema(case, fuzz_headers):  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=fuzz_headers, checks=CHECKS)
