from __future__ import annotations

from django.db import migrations

from rookery.search import schema


def install(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema.sqlite_install(schema_editor.execute)
    elif vendor == "postgresql":
        schema_editor.execute(schema.PG_CREATE)


def uninstall(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema.sqlite_uninstall(schema_editor.execute)
    elif vendor == "postgresql":
        schema_editor.execute(schema.PG_DROP)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY refuses to run inside a transaction.
    atomic = False

    dependencies = [("posts", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
