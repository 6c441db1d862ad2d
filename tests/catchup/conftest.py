from __future__ import annotations

import pytest
from django.utils import timezone

from rookery.algorithms.catchup import train_prior
from rookery.catchup import selectors
from rookery.catchup.models import CatchupPrior

TECH = [
    "PostgreSQL 17 adds incremental backups; notes on restoring them with pg_combinebackup",
    "How we tuned autovacuum on a 2 TB PostgreSQL cluster and stopped the bloat",
    "Django 5.2 composite primary keys: a first look at migrating an old schema",
    "Profiling a slow Django view with the query log and select_related",
    "Rust async runtimes compared: tokio versus smol for a small HTTP proxy",
    "Kubernetes operators in practice: reconcile loops, finalizers and status updates",
    "Measured: brotli versus zstd compression for JSON API responses",
    "Writing property-based tests with Hypothesis for a date parsing library",
    "Our incident review template: timeline, contributing factors, follow-up owners",
    "TLS certificate rotation without restarts using a file watcher in the proxy",
    "Partitioning Parquet files by date made the analytics queries four times faster",
    "Type hints caught three real bugs during the migration to mypy strict mode",
]
CLICKBAIT = [
    "You won't believe these 19 photos of cats doing yoga",
    "21 things only 90s kids will understand, number 7 will shock you",
    "This celebrity's morning routine is everything and you need to see it",
]


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
