from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from rookery.posts.models import Hashtag, Visibility
from rookery.posts.services import post_delete, post_edit
from rookery.search.selectors import fts5_query, search
from rookery.social.services import block_create, mute_create
from tests.factories import UserFactory, make_follow, make_post

pytestmark = pytest.mark.django_db


def post_ids(query: str, viewer, **kwargs) -> list[int]:
    return [p.pk for p in search(query, viewer, kind="posts", **kwargs).posts]


# --- People ----------------------------------------------------------------------------------


def test_exact_username_comes_first_then_prefixes_then_names():
    ana = UserFactory(username="ana", display_name="Ana Lima")
    anabel = UserFactory(username="anabel", display_name="Anabel")
    hannah = UserFactory(username="hb", display_name="Hannah Banana")
    UserFactory(username="zed", display_name="Zed")
    anabel.followers_count = 99  # popularity never beats an exact username
    anabel.save()
    found = search("ana", None, kind="accounts").accounts
    assert found == [ana, anabel, hannah]


def test_people_found_case_insensitively_by_name_headline_and_topic():
    ana = UserFactory(username="ana", display_name="Ana Lima", headline="SRE at Initech")
    bo = UserFactory(username="bo", display_name="Bo")
    tag = Hashtag.objects.create(name="kubernetes")
    bo.topics.add(tag)
    assert search("LIMA", None).accounts == [ana]
    assert search("initech", None).accounts == [ana]
    assert search("kube", None).accounts == [bo]
    assert search("@ANA", None).accounts == [ana]
    assert search("ana@rookery.example", None).accounts == [ana]


def test_every_word_must_match_somewhere():
    ana = UserFactory(username="ana", display_name="Ana Lima", headline="SRE")
    UserFactory(username="anton", display_name="Anton", headline="Designer")
    assert search("an sre", None).accounts == [ana]


def test_username_matches_by_prefix_only():
    UserFactory(username="bob_smith", display_name="B")
    assert search("smith", None).accounts == []
    assert [u.username for u in search("bob_", None).accounts] == ["bob_smith"]


def test_suspended_inactive_and_blocked_people_are_not_found(alice, bob):
    carl = UserFactory(username="carl")
    cara = UserFactory(username="cara")
    cass = UserFactory(username="cass")
    carl.suspended_at = timezone.now()
    carl.save()
    cara.is_active = False
    cara.save()
    block_create(blocker=cass, blocked=alice)
    assert search("ca", alice).accounts == []
    assert search("ca", bob).accounts == [cass]


# --- Hashtags --------------------------------------------------------------------------------


def test_hashtags_by_prefix_exact_first():
    for name in ("pyconde", "py", "python", "rust"):
        Hashtag.objects.create(name=name)
    assert [t.name for t in search("#Py", None).hashtags] == ["py", "pyconde", "python"]
    assert search("py thon", None).hashtags == []


# --- Posts -----------------------------------------------------------------------------------


def test_posts_match_all_words_newest_first(alice):
    older = make_post(alice, "Migrating the billing service to Postgres")
    newer = make_post(alice, "Postgres vacuum tuning for billing tables")
    make_post(alice, "Lunch")
    assert post_ids("postgres billing", None) == [newer.pk, older.pk]
    assert post_ids("POSTGRES", None) == [newer.pk, older.pk]
    assert post_ids("vacuum", None) == [newer.pk]


def test_web_search_syntax_phrases_exclusions_and_or(alice):
    a = make_post(alice, "rolling deploys with zero downtime")
    b = make_post(alice, "zero trust rolling out")
    c = make_post(alice, "blue green deploys")
    assert post_ids('"zero downtime"', None) == [a.pk]
    assert post_ids("rolling -trust", None) == [a.pk]
    assert post_ids("downtime or green", None) == [c.pk, a.pk]
    assert set(post_ids("zero", None)) == {a.pk, b.pk}


def test_content_warning_is_searchable(alice):
    post = make_post(alice, "details inside", content_warning="Outage postmortem")
    assert post_ids("postmortem", None) == [post.pk]


def test_edits_and_deletes_keep_the_index_in_step(alice):
    post = make_post(alice, "first draft about caching")
    post_edit(post=post, editor=alice, text="final words about queues")
    assert post_ids("caching", None) == []
    assert post_ids("queues", None) == [post.pk]
    post_delete(post=post, actor=alice)
    assert post_ids("queues", None) == []


def test_reposts_are_not_results_but_the_original_is(alice, bob):
    from rookery.posts.services import reblog_create

    post = make_post(alice, "observability budgets")
    reblog_create(user=bob, post=post)
    assert post_ids("observability", None) == [post.pk]


def test_private_posts_only_found_by_those_who_may_read_them(alice, bob, carol):
    make_follow(bob, alice)
    public = make_post(alice, "quarterly roadmap public")
    followers = make_post(alice, "quarterly roadmap followers", visibility=Visibility.FOLLOWERS)
    direct = make_post(alice, "quarterly roadmap for @carol", visibility=Visibility.MENTIONED)
    assert post_ids("quarterly", None) == [public.pk]
    assert post_ids("quarterly", bob) == [followers.pk, public.pk]
    assert post_ids("quarterly", carol) == [direct.pk, public.pk]
    assert post_ids("quarterly", alice) == [direct.pk, followers.pk, public.pk]


def test_blocked_muted_and_suspended_authors_posts_are_hidden(alice, bob, carol):
    post = make_post(alice, "incident review")
    block_create(blocker=alice, blocked=bob)
    assert post_ids("incident", bob) == []
    mute_create(muter=carol, muted=alice)
    assert post_ids("incident", carol) == []
    mute_create(muter=carol, muted=alice, expires_at=timezone.now() - timedelta(minutes=1))
    assert post_ids("incident", carol) == [post.pk]
    alice.suspended_at = timezone.now()
    alice.save()
    assert post_ids("incident", None) == []
    staff = UserFactory(username="mod", is_staff=True)
    assert post_ids("incident", staff) == [post.pk]


def test_limit_and_offset_page_through_results(alice):
    posts = [make_post(alice, f"release notes {i}") for i in range(5)]
    newest_first = [p.pk for p in reversed(posts)]
    assert post_ids("release", None, limit=2) == newest_first[:2]
    assert post_ids("release", None, limit=2, offset=2) == newest_first[2:4]
    assert post_ids("release", None, limit=0) == newest_first[:1]
    assert post_ids("release", None, limit=1000) == newest_first


@pytest.mark.parametrize("query", ["", "   ", "\n\t", "\x00"])
def test_blank_query_finds_nothing(alice, query):
    make_post(alice, "anything")
    assert search(query, alice) == search("", None)
    result = search(query, alice)
    assert (result.accounts, result.hashtags, result.posts) == ([], [], [])


HOSTILE = [
    '"',
    '""',
    "'",
    'a" OR 1=1 --',
    "NEAR(a b, 2)",
    "text:hello",
    "^hello",
    "hello*",
    "(((",
    ")",
    "-",
    "--",
    "- -",
    "AND",
    "OR OR",
    "NOT",
    "a AND NOT",
    "{text content_warning}: x",
    "%_%",
    "\\",
    "\x00hello",
    "💥 🦀",
    "x" * 5000,
    "<script>alert(1)</script>",
    "'; DROP TABLE posts_post; --",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_typed_query_syntax_never_breaks_search(alice, query):
    hello = make_post(alice, "hello a world")
    result = search(query, alice)
    assert all(p.pk == hello.pk for p in result.posts)


def test_fts5_query_quotes_every_term():
    assert fts5_query('say "hi there" NEAR(x)') == '"say" AND "hi there" AND "NEAR(x)"'
    assert fts5_query("a or b -c") == '(("a" OR "b")) NOT "c"'
    assert fts5_query('he said "') == '"he" AND "said"'
    assert fts5_query("-only -exclusions") is None


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="kind must be one of"):
        search("x", None, kind="people")  # type: ignore[arg-type]


def test_posts_search_uses_the_full_text_index(alice):
    """The planner must be able to use the index the migration made (GIN / FTS5)."""
    make_post(alice, "indexing check")
    from rookery.posts.models import Post
    from rookery.search.selectors import _full_text_filter

    # Only the full-text condition, so no other index can be the cheaper plan on a tiny table.
    queryset = _full_text_filter(Post.objects.all(), "indexing")
    assert queryset is not None
    sql, params = queryset.values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "search_post_fulltext" in plan, plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row) for row in cursor.fetchall())
            assert "search_post_fts" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers only")
def test_triggers_lost_to_a_table_rebuild_are_restored_after_migrate(alice):
    from rookery.search.apps import _restore_sqlite_triggers

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_post_fts_insert")
    unindexed = make_post(alice, "written while the trigger was gone")
    assert post_ids("trigger", None) == []
    _restore_sqlite_triggers(using="default")
    assert post_ids("trigger", None) == [unindexed.pk]
    later = make_post(alice, "trigger works again")
    assert post_ids("trigger", None) == [later.pk, unindexed.pk]
