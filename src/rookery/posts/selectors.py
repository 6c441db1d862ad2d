"""Reads of posts, always through the viewer's permissions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from rookery.accounts.models import User
from rookery.posts.models import Bookmark, Like, MediaAttachment, Post, Visibility
from rookery.social.models import Block, Follow, Mute


def visible_posts(viewer: User | None) -> QuerySet[Post]:
    """Posts ``viewer`` (None: logged out) may read.

    Public and unlisted posts are readable by all; followers-only posts by the author's
    followers; mentioned-only posts by the people mentioned. Blocks hide posts both ways and
    suspended authors' posts are gone for everyone but admins.
    """
    posts = Post.objects.all()
    if viewer is None or not viewer.is_authenticated:
        return posts.filter(
            visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED],
            author__suspended_at__isnull=True,
        ).filter(
            Q(reblog_of__isnull=True)
            | Q(
                reblog_of__visibility=Visibility.PUBLIC,
                reblog_of__author__suspended_at__isnull=True,
            )
        )
    mentioned = Post.mentions.through.objects.filter(post_id=OuterRef("pk"), user_id=viewer.pk)
    follows_author = Follow.objects.filter(follower_id=viewer.pk, followee_id=OuterRef("author_id"))
    blocked = Block.objects.filter(
        Q(blocker_id=viewer.pk, blocked_id=OuterRef("author_id"))
        | Q(blocked_id=viewer.pk, blocker_id=OuterRef("author_id"))
    )
    readable = (
        Q(visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED])
        | Q(author_id=viewer.pk)
        | Q(Exists(mentioned))
        | Q(visibility=Visibility.FOLLOWERS, _follows=True)
    )
    # A repost carries its original onto the reposter's profile and followers' homes, so the
    # original author's block and suspension must hide the repost too.
    blocked_original = Block.objects.filter(
        Q(blocker_id=viewer.pk, blocked_id=OuterRef("reblog_of__author_id"))
        | Q(blocked_id=viewer.pk, blocker_id=OuterRef("reblog_of__author_id"))
    )
    posts = posts.annotate(
        _follows=Exists(follows_author),
        _blocked=Exists(blocked),
        _blocked_original=Exists(blocked_original),
    ).filter(readable, _blocked=False, _blocked_original=False)
    if not viewer.is_staff:
        posts = posts.filter(author__suspended_at__isnull=True).filter(
            Q(reblog_of__isnull=True) | Q(reblog_of__author__suspended_at__isnull=True)
        )
    return posts


def can_see(viewer: User | None, post: Post) -> bool:
    if not visible_posts(viewer).filter(pk=post.pk).exists():
        return False
    if post.reblog_of_id is not None:
        return visible_posts(viewer).filter(pk=post.reblog_of_id).exists()
    return True


def post_get_for_viewer(post_id: int, viewer: User | None) -> Post | None:
    post = with_display_relations(visible_posts(viewer)).filter(pk=post_id).first()
    if post is None:
        return None
    if post.reblog_of_id is not None and not can_see(viewer, post.reblog_of):
        return None
    return post


def with_display_relations(posts: QuerySet[Post]) -> QuerySet[Post]:
    """Everything a post card shows, in a fixed number of queries whatever the page size."""
    return posts.select_related(
        "author",
        "link_card",
        "in_reply_to_author",
        "reblog_of",
        "reblog_of__author",
        "reblog_of__link_card",
        "reblog_of__in_reply_to_author",
    ).prefetch_related("media", "reblog_of__media")


@dataclass(frozen=True)
class ViewerState:
    """Which of a page's posts the viewer liked, reposted and bookmarked."""

    liked: frozenset[int]
    reblogged: frozenset[int]
    bookmarked: frozenset[int]

    @classmethod
    def empty(cls) -> ViewerState:
        return cls(frozenset(), frozenset(), frozenset())


def viewer_state(viewer: User | None, posts: list[Post]) -> ViewerState:
    if viewer is None or not viewer.is_authenticated or not posts:
        return ViewerState.empty()
    if all(getattr(p, "_state_viewer_id", None) == viewer.pk for p in posts):
        # posts_thin(..., viewer=viewer) asked already, in the page's own query.
        def flagged(name: str) -> frozenset[int]:
            return frozenset(p.reblog_of_id or p.pk for p in posts if getattr(p, name))

        return ViewerState(
            liked=flagged("_viewer_liked"),
            reblogged=flagged("_viewer_reblogged"),
            bookmarked=flagged("_viewer_bookmarked"),
        )
    ids = {p.reblog_of_id or p.pk for p in posts}
    # One round trip instead of three: likes, reposts and bookmarks as (kind, post id) rows.
    kinds: dict[int, set[int]] = {1: set(), 2: set(), 3: set()}
    rows = (
        Like.objects.filter(user=viewer, post_id__in=ids)
        .values_list(Value(1, output_field=IntegerField()), "post_id")
        .union(
            Post.objects.filter(author=viewer, reblog_of_id__in=ids).values_list(
                Value(2, output_field=IntegerField()), "reblog_of_id"
            ),
            Bookmark.objects.filter(user=viewer, post_id__in=ids).values_list(
                Value(3, output_field=IntegerField()), "post_id"
            ),
            all=True,
        )
    )
    for kind, post_id in rows:
        kinds[kind].add(post_id)
    return ViewerState(
        liked=frozenset(kinds[1]), reblogged=frozenset(kinds[2]), bookmarked=frozenset(kinds[3])
    )


# --- Thin rows and versions, for pages rendered from the cache (docs/architecture.md) -------

# What a page needs of each post before it knows which cards it must render afresh: ids,
# counters and the stamps that make up the versions below. No text, HTML or media.
_THIN_POST_FIELDS = (
    "id",
    "author_id",
    "reblog_of_id",
    "created_at",
    "edited_at",
    "visibility",
    "in_reply_to_id",
    "in_reply_to_author_id",
    "is_question",
    "accepted_answer_id",
    "link_card_id",
    "replies_count",
    "reblogs_count",
    "likes_count",
)
_THIN_AUTHOR_FIELDS = (
    "id",
    "username",
    "suspended_at",
    "profile_changed_at",
    "followers_count",
    "following_count",
    "posts_count",
)
_THIN_CARD_FIELDS = ("id", "status", "fetched_at")


def _thin_only() -> list[str]:
    fields: list[str] = []
    for prefix in ("", "reblog_of__"):
        fields += [f"{prefix}{f}" for f in _THIN_POST_FIELDS]
        fields += [f"{prefix}author__{f}" for f in _THIN_AUTHOR_FIELDS]
        fields += [f"{prefix}link_card__{f}" for f in _THIN_CARD_FIELDS]
    return fields


THIN_ONLY = _thin_only()


def posts_thin(ids: list[int], *, viewer: User | None = None) -> list[Post]:
    """Posts in the order of ``ids`` with only their counters and version stamps loaded.

    Enough to filter a page (authors, suspensions), to record impressions, to compute
    :func:`post_version` and :func:`account_version`, and to draw the per-viewer action bar;
    whatever else is read loads field by field, so renderers fetch the full rows of the posts
    their cache misses with :func:`posts_full` instead.

    With ``viewer``, the same query also answers what would take two more round trips: whether
    the viewer mutes or has a block with each author (``hidden_for_viewer``) and the viewer's
    likes, reposts and bookmarks (which :func:`viewer_state` then reads without a query).
    """
    posts = (
        Post.objects.filter(pk__in=ids)
        .select_related(
            "author", "link_card", "reblog_of", "reblog_of__author", "reblog_of__link_card"
        )
        .only(*THIN_ONLY)
    )
    if viewer is not None and viewer.is_authenticated:
        posts = posts.annotate(**_viewer_annotations(viewer.pk))
    found = posts.in_bulk(ids)
    result = [found[i] for i in ids if i in found]
    if viewer is not None and viewer.is_authenticated:
        for post in result:
            post._state_viewer_id = viewer.pk  # type: ignore[attr-defined]
    return result


def _viewer_annotations(viewer_id: int) -> dict[str, RawSQL]:
    """EXISTS columns about the viewer, written as SQL: they are asked on every page, and
    building and compiling the same five subqueries through the ORM cost more CPU than the
    rest of the query. Table and column names come from the models; values are parameters.
    """
    quote = connection.ops.quote_name

    def col(model: type[Model], field: str) -> str:
        return quote(model._meta.get_field(field).column)

    post, like, bookmark = (quote(m._meta.db_table) for m in (Post, Like, Bookmark))
    mute, block = quote(Mute._meta.db_table), quote(Block._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    shown = f"COALESCE({post}.{col(Post, 'reblog_of')}, {post}.{col(Post, 'id')})"
    original_author = (
        f"(SELECT r.{col(Post, 'author')} FROM {post} r "  # noqa: S608 - names from models
        f"WHERE r.{col(Post, 'id')} = {post}.{col(Post, 'reblog_of')})"
    )

    def hidden(author: str) -> RawSQL:
        # Unexpired mutes and blocks both ways: what social.selectors.muted_user_ids and
        # blocked_user_ids return, asked of this one author.
        muter, muted, expires = col(Mute, "muter"), col(Mute, "muted"), col(Mute, "expires_at")
        blocker, blocked = col(Block, "blocker"), col(Block, "blocked")
        return RawSQL(  # noqa: S611 - names from the models, values as parameters
            f"(EXISTS (SELECT 1 FROM {mute} m WHERE m.{muter} = %s AND m.{muted} = {author}"  # noqa: S608
            f" AND (m.{expires} IS NULL OR m.{expires} > %s))"
            f" OR EXISTS (SELECT 1 FROM {block} b WHERE (b.{blocker} = %s AND b.{blocked} = "
            f"{author}) OR (b.{blocked} = %s AND b.{blocker} = {author})))",
            [viewer_id, now, viewer_id, viewer_id],
            output_field=BooleanField(),
        )

    def did(table: str, model: type[Model], who: str, what: str) -> RawSQL:
        return RawSQL(  # noqa: S611 - names from the models, values as parameters
            f"EXISTS (SELECT 1 FROM {table} x WHERE x.{col(model, who)} = %s"  # noqa: S608
            f" AND x.{col(model, what)} = {shown})",
            [viewer_id],
            output_field=BooleanField(),
        )

    return {
        "_hidden_author": hidden(f"{post}.{col(Post, 'author')}"),
        "_hidden_original": hidden(original_author),
        "_viewer_liked": did(like, Like, "user", "post"),
        "_viewer_reblogged": did(post, Post, "author", "reblog_of"),
        "_viewer_bookmarked": did(bookmark, Bookmark, "user", "post"),
    }


def hidden_for_viewer(post: Post) -> bool | None:
    """Whether the viewer ``posts_thin`` was given mutes or has a block with the post's author
    or, for a repost, the original's author; None when the post was loaded without a viewer.
    """
    if not hasattr(post, "_hidden_author"):
        return None
    return bool(post._hidden_author) or (  # type: ignore[attr-defined]
        post.reblog_of_id is not None and bool(post._hidden_original)  # type: ignore[attr-defined]
    )


def is_thin(obj: Post | User) -> bool:
    """True for an instance from :func:`posts_thin` (its text or profile is not loaded)."""
    return ("html" if isinstance(obj, Post) else "bio") not in obj.__dict__


def posts_full(posts: Iterable[Post], *, with_reblogged: bool = True) -> dict[int, Post]:
    """Fully loaded posts (display relations included) for ``posts``, thin or not, by id.

    ``with_reblogged=False`` leaves out the reposted originals (and their media): for callers
    that render every post on its own, originals included, like the API's statuses.
    """
    result: dict[int, Post] = {}
    missing: list[int] = []
    for post in posts:
        if is_thin(post):
            missing.append(post.pk)
        else:
            result[post.pk] = post
    if missing:
        queryset = Post.objects.filter(pk__in=missing)
        if with_reblogged:
            queryset = with_display_relations(queryset)
        else:
            queryset = queryset.select_related("author", "link_card").prefetch_related("media")
        result.update(queryset.in_bulk(missing))
    return result


def _stamp(value: datetime | None) -> str:
    return f"{value.timestamp():.6f}" if value is not None else "-"


def post_version(post: Post) -> str:
    """Changes whenever what a post shows changes, counters aside (they are overlaid).

    Text, content warning, mentions and tags change only by an edit (``edited_at``); the link
    card by its fetch (``status``, ``fetched_at``); an accepted answer by ``accepted_answer_id``.
    Media descriptions are the one thing edited in place: ``posts.services.media_update`` drops
    the post's cached renderings instead.
    """
    card = post.link_card if post.link_card_id is not None else None
    card_part = f"{card.pk}.{card.status}.{_stamp(card.fetched_at)}" if card else "-"
    return (
        f"{_stamp(post.edited_at)}:{card_part}:{post.accepted_answer_id or '-'}:"
        f"{post.in_reply_to_author_id or '-'}:{post.visibility}"
    )


# Cache keys of a post's renderings: the API's status and the web UI's card (one card per
# displayed post, so a repost's card includes its original). Versioned values: a stale entry
# is simply not used. Here so that services can drop them without importing api/ or web/.
def status_cache_key(post_id: int) -> str:
    return f"status:{post_id}"


def card_cache_key(post_id: int) -> str:
    return f"card:{post_id}"


def account_cache_key(user_id: int) -> str:
    return f"account:{user_id}"


def profile_version(user: User) -> str:
    """Changes with what a post card shows of its author (name, headline, avatar)."""
    return f"{user.username}:{_stamp(user.profile_changed_at)}"


def account_version(user: User) -> str:
    """Changes with anything of Mastodon's Account entity: profile, counters, suspension."""
    return (
        f"{profile_version(user)}:{user.followers_count}.{user.following_count}."
        f"{user.posts_count}:{_stamp(user.suspended_at)}"
    )


@dataclass(frozen=True)
class Thread:
    ancestors: list[Post]
    descendants: list[Post]


def thread_context(post: Post, viewer: User | None) -> Thread:
    """Ancestors (oldest first) and descendants (in reply order) the viewer may see."""
    root_id = post.thread_root_id or post.pk
    in_thread = list(
        with_display_relations(visible_posts(viewer))
        .filter(Q(pk=root_id) | Q(thread_root_id=root_id), reblog_of__isnull=True)
        .order_by("id")
    )
    by_id = {p.pk: p for p in in_thread}
    ancestors: list[Post] = []
    parent_id = post.in_reply_to_id
    while parent_id is not None and parent_id in by_id:
        parent = by_id[parent_id]
        ancestors.append(parent)
        parent_id = parent.in_reply_to_id
    ancestors.reverse()
    children: dict[int, list[Post]] = {}
    for p in in_thread:
        if p.in_reply_to_id is not None:
            children.setdefault(p.in_reply_to_id, []).append(p)
    descendants: list[Post] = []
    stack = list(reversed(children.get(post.pk, [])))
    while stack:  # depth-first, so each reply sits under the post it answers
        current = stack.pop()
        descendants.append(current)
        stack.extend(reversed(children.get(current.pk, [])))
    return Thread(ancestors=ancestors, descendants=descendants)


def bookmarks_of(viewer: User) -> QuerySet[Bookmark]:
    """The viewer's bookmarks of posts they can still see, with each post ready to show."""
    return Bookmark.objects.filter(user=viewer, post__in=visible_posts(viewer)).select_related(
        "post"
    )


def likes_of(viewer: User) -> QuerySet[Like]:
    """The viewer's likes (Mastodon's favourites) of posts they can still see."""
    return Like.objects.filter(user=viewer, post__in=visible_posts(viewer)).select_related("post")


def likers_of(post: Post) -> QuerySet[Like]:
    """Who liked ``post`` (suspended people left out), newest like first by id."""
    return Like.objects.filter(post=post, user__suspended_at__isnull=True).select_related("user")


def reblogs_of(post: Post) -> QuerySet[Post]:
    """The reposts of ``post``, each with its author (suspended people left out)."""
    return Post.objects.filter(reblog_of=post, author__suspended_at__isnull=True).select_related(
        "author"
    )


def media_of(owner: User, media_id: int) -> MediaAttachment | None:
    """An uploaded image, only for the person who uploaded it."""
    return MediaAttachment.objects.filter(owner=owner, pk=media_id).first()
