from __future__ import annotations

import pytest
from django.utils import timezone

from rookery.algorithms.catchup import train_prior
from rookery.catchup import selectors
from rookery.catchup.models import CatchupPrior
from tests.texts import CLICKBAIT, TECH


def trained_prior():
    examples = [(t, True) for t in TECH] + [(t, False) for t in CLICKBAIT]
    examples += [(f"{n} reasons why you will love this amazing trick", False) for n in range(5, 30)]
    examples += [
        (f"Release notes for version {n}.0 of our database driver", True) for n in range(25)
    ]
    return train_prior(examples, c=10.0)


def store_prior() -> CatchupPrior:
    # Row ids repeat after a rolled-back test; forget the per-process decoded copy.
    selectors._prior_cache.row_id = None
    row = CatchupPrior.objects.create(
        data=trained_prior().to_bytes(), examples=70, trained_at=timezone.now()
    )
    return row


@pytest.fixture
def prior(db):
    row = store_prior()
    yield row
    selectors._prior_cache.row_id = None
