"""Example post texts shared by the catch-up tests: technical posts and clickbait."""

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
