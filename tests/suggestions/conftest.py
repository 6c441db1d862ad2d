from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from rookery.accounts.models import User
from rookery.suggestions.graph import graph_forget
from rookery.suggestions.models import Event
from rookery.suggestions.services import event_create, event_join
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_graph() -> Iterator[None]:
    # Each test has its own rows (and reuses ids): never rank them with another test's graph.
    graph_forget()
    yield
    graph_forget()


def people(*names: str) -> list[User]:
    return [UserFactory(username=name, display_name=name.title()) for name in names]


def room(creator: User, *members: User, name: str = "PyCon BoF", hashtag: str = "") -> Event:
    event = event_create(creator=creator, name=name, starts_on=date(2025, 5, 14), hashtag=hashtag)
    for member in members:
        event_join(user=member, code=event.join_code)
    return event
