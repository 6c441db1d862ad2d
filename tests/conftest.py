"""Test harness: follow-up work runs at once; the cache starts empty.

Test-only settings (tasks inline, a throw-away data dir) are chosen in rookery/settings.py,
because pytest-django reads the settings before this file is imported.
"""

from __future__ import annotations

import pytest

_DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def _uses_django(request: pytest.FixtureRequest) -> bool:
    # Pure modules (algorithms, outbound, feed parsing) are tested without Django at all.
    return bool(_DATABASE_FIXTURES & set(request.fixturenames)) or (
        request.node.get_closest_marker("django_db") is not None
    )


@pytest.fixture(autouse=True)
def _run_after_commit_at_once(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run work that services schedule "after commit" immediately.

    Tests run inside a transaction that is rolled back, so real on-commit hooks would never
    fire. Tests that need the true commit behaviour (crash and concurrency tests, live servers)
    use ``transactional_db``, where the real hooks run and this shortcut is off.
    """
    if not _uses_django(request):
        return
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        return
    monkeypatch.setattr(
        "rookery.core.tasks.transaction.on_commit", lambda fn, using=None, robust=False: fn()
    )


@pytest.fixture(autouse=True)
def _no_dns_beyond_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach outside the machine: names other than localhost don't resolve.

    Posts in tests link to example.com and friends; their link cards then fail with
    "host not found" instead of sending a DNS query out.
    """
    import ipaddress
    import socket

    from rookery.outbound import client

    def is_literal(host: str) -> bool:
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return False
        return True

    def resolve_locally(host: str, port: int) -> list[str]:
        # Address literals need no DNS; the client's own address policy still applies.
        if not is_literal(host) and host.lower().rstrip(".") != "localhost":
            raise socket.gaierror(socket.EAI_NONAME, f"{host} is not resolved in tests")
        return client._system_resolve(host, port)

    monkeypatch.setattr(client, "resolve", resolve_locally)


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest) -> None:
    if not _uses_django(request):
        return
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def alice(db):
    from tests.factories import UserFactory

    return UserFactory(username="alice", display_name="Alice Adams")


@pytest.fixture
def bob(db):
    from tests.factories import UserFactory

    return UserFactory(username="bob", display_name="Bob Brown")


@pytest.fixture
def carol(db):
    from tests.factories import UserFactory

    return UserFactory(username="carol", display_name="Carol Chen")
