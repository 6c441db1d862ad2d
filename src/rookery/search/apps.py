from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "rookery.search"
    label = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_restore_sqlite_triggers, sender=self)


def _restore_sqlite_triggers(*, using: str = "default", **_: Any) -> None:
    """Put back FTS triggers that SQLite dropped when a migration rebuilt the posts table."""
    from rookery.search import schema

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    missing = schema.sqlite_missing_triggers(connection)
    if not missing:
        return
    with connection.cursor() as cursor:
        for name in missing:
            cursor.execute(schema.SQLITE_TRIGGERS[name])
        # Posts written while the triggers were gone are missing from the index.
        cursor.execute(schema.SQLITE_REBUILD)
