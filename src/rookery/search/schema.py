"""Database objects behind full-text search of posts, one set per database vendor.

SQLite: an external-content FTS5 table reads ``text`` and ``content_warning`` from the posts
table itself, so the words are stored once; triggers keep the index in step with inserts,
deletes and edits. PostgreSQL: a GIN expression index; queries must spell the indexed
expression exactly (see ``selectors._PostDocument``) or the planner can't use it.

Shared by the migration and by the post-migrate check in ``apps.py``: SQLite drops a table's
triggers whenever Django rebuilds that table for an ALTER, so a later posts migration would
silently stop the index from updating unless the triggers are put back.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

# Written out literally (no string building) so each statement reads as the SQL it runs.
SQLITE_TABLE = """
CREATE VIRTUAL TABLE IF NOT EXISTS search_post_fts USING fts5(
    text, content_warning,
    content='posts_post', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
)"""
# Only edits of the indexed columns re-index: counters change on every like and repost.
# External-content FTS5 must be told the old values to forget them ('delete' command).
SQLITE_TRIGGERS = {
    "search_post_fts_insert": """
CREATE TRIGGER IF NOT EXISTS search_post_fts_insert AFTER INSERT ON posts_post BEGIN
    INSERT INTO search_post_fts(rowid, text, content_warning)
    VALUES (new.id, new.text, new.content_warning);
END""",
    "search_post_fts_delete": """
CREATE TRIGGER IF NOT EXISTS search_post_fts_delete AFTER DELETE ON posts_post BEGIN
    INSERT INTO search_post_fts(search_post_fts, rowid, text, content_warning)
    VALUES ('delete', old.id, old.text, old.content_warning);
END""",
    "search_post_fts_update": """
CREATE TRIGGER IF NOT EXISTS search_post_fts_update
AFTER UPDATE OF text, content_warning ON posts_post BEGIN
    INSERT INTO search_post_fts(search_post_fts, rowid, text, content_warning)
    VALUES ('delete', old.id, old.text, old.content_warning);
    INSERT INTO search_post_fts(rowid, text, content_warning)
    VALUES (new.id, new.text, new.content_warning);
END""",
}
SQLITE_REBUILD = "INSERT INTO search_post_fts(search_post_fts) VALUES ('rebuild')"
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_post_fts_insert",
    "DROP TRIGGER IF EXISTS search_post_fts_delete",
    "DROP TRIGGER IF EXISTS search_post_fts_update",
    "DROP TABLE IF EXISTS search_post_fts",
]

# CONCURRENTLY: building the index must not block posting on a live instance.
PG_CREATE = """
CREATE INDEX CONCURRENTLY IF NOT EXISTS search_post_fulltext ON posts_post
USING GIN (to_tsvector('simple'::regconfig, text || ' ' || content_warning))"""
PG_DROP = "DROP INDEX CONCURRENTLY IF EXISTS search_post_fulltext"


def sqlite_install(execute) -> None:  # type: ignore[no-untyped-def]
    execute(SQLITE_TABLE)
    for sql in SQLITE_TRIGGERS.values():
        execute(sql)
    execute(SQLITE_REBUILD)


def sqlite_uninstall(execute) -> None:  # type: ignore[no-untyped-def]
    for sql in SQLITE_DROP:
        execute(sql)


def sqlite_missing_triggers(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
            ["search_post_fts%"],
        )
        present = {row[0] for row in cursor.fetchall()}
    if "search_post_fts" not in present:
        return set()  # the migration hasn't run yet; it creates everything
    return set(SQLITE_TRIGGERS) - present
