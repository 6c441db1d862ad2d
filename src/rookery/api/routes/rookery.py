"""Rookery's own API, mounted at ``/api/rookery/``: empty so far.

Features that have no Mastodon equivalent (catch-up, traction, questions, who-to-follow
reasons) add their operations to this router, under a version prefix, e.g.
``@router.get("/v1/catchup", auth=Token("read:statuses"))`` serves ``/api/rookery/v1/catchup``.
They then appear in /api/openapi.json and must get a row in docs/mastodon-api.md's
"Rookery extras" table (tests/api/test_docs_table.py checks).
"""

from __future__ import annotations

from ninja import Router

from rookery.feeds import api as feeds
from rookery.suggestions import api as suggestions
from rookery.traction import api as traction

router = Router(tags=["rookery"])
router.add_router("/v1/feeds", feeds.router)
router.add_router("/", suggestions.router)
router.add_router("/v1/traction", traction.router)
