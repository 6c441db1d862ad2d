"""Reads of posts, always through the viewer's permissions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from rookery.accounts.models import User
from rookery.posts.models import Bookmark, Like, MediaAttachment, Post, Visibility
from rookery.social.models import Block, Follow


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
    ids = {p.reblog_of_id or p.pk for p in posts}
    return ViewerState(
        liked=frozenset(
            Like.objects.filter(user=viewer, post_id__in=ids).values_list("post_id", flat=True)
        ),
        reblogged=frozenset(
            Post.objects.filter(author=viewer, reblog_of_id__in=ids).values_list(
                "reblog_of_id", flat=True
            )
        ),
        bookmarked=frozenset(
            Bookmark.objects.filter(user=viewer, post_id__in=ids).values_list("post_id", flat=True)
        ),
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
