from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def alice_client(client: Client, alice) -> Client:
    client.force_login(alice)
    return client


@pytest.fixture
def htmx() -> dict[str, str]:
    """Headers htmx sends with its requests."""
    return {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Link cards would be fetched inline; web tests never touch the network."""
    from rookery.outbound.client import FetchError

    def offline(url: str, **kwargs: object) -> None:
        raise FetchError(f"offline in tests: {url}")

    monkeypatch.setattr("rookery.posts.cards.fetch", offline)


@pytest.fixture
def link_card(db):
    """A card already fetched, so posts linking its URL show it at once."""
    from rookery.posts.models import LinkCard

    return LinkCard.objects.create(
        url="https://example.com/article",
        status=LinkCard.Status.OK,
        title="A good article",
        description="About databases",
        domain="example.com",
        image_url="https://example.com/cover.png",
    )
