"""Reads of the social graph: who follows, blocks and mutes whom."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from rookery.accounts.models import User
from rookery.social.models import Block, Follow, FollowRequest, Mute


def is_following(follower_id: int, followee_id: int) -> bool:
    return Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists()


def is_blocked_either_way(a_id: int, b_id: int) -> bool:
    return Block.objects.filter(
        Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)
    ).exists()


def blocked_user_ids(user_id: int) -> set[int]:
    """Everyone ``user_id`` blocked or was blocked by: they never see each other."""
    pairs = Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id)).values_list(
        "blocker_id", "blocked_id"
    )
    return {a if b == user_id else b for a, b in pairs}


def muted_user_ids(user_id: int, *, notifications: bool = False) -> set[int]:
    """People ``user_id`` has muted, leaving out mutes that have run out."""
    mutes = Mute.objects.filter(muter_id=user_id).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )
    if notifications:
        mutes = mutes.filter(hide_notifications=True)
    return set(mutes.values_list("muted_id", flat=True))


def following_ids(user_id: int) -> QuerySet:
    return Follow.objects.filter(follower_id=user_id).values("followee_id")


def followers_of(user: User) -> QuerySet[User]:
    return User.objects.filter(following_set__followee=user).order_by("-following_set__id")


def following_of(user: User) -> QuerySet[User]:
    return User.objects.filter(follower_set__follower=user).order_by("-follower_set__id")


def follow_lists_visible(owner: User, viewer: User | None) -> bool:
    """Follow lists are hidden from everyone but their owner when the owner asks."""
    return not owner.hide_follows or (viewer is not None and viewer.pk == owner.pk)


def pending_requests(user: User) -> QuerySet[FollowRequest]:
    return FollowRequest.objects.filter(target=user).select_related("requester").order_by("-id")


def relationships(viewer: User, other_ids: list[int]) -> dict[int, dict[str, bool]]:
    """The viewer's relationship to each of ``other_ids`` in five queries, for lists and API."""
    following = set(
        Follow.objects.filter(follower=viewer, followee_id__in=other_ids).values_list(
            "followee_id", flat=True
        )
    )
    followed_by = set(
        Follow.objects.filter(followee=viewer, follower_id__in=other_ids).values_list(
            "follower_id", flat=True
        )
    )
    requested = set(
        FollowRequest.objects.filter(requester=viewer, target_id__in=other_ids).values_list(
            "target_id", flat=True
        )
    )
    requested_by = set(
        FollowRequest.objects.filter(target=viewer, requester_id__in=other_ids).values_list(
            "requester_id", flat=True
        )
    )
    blocking = set(
        Block.objects.filter(blocker=viewer, blocked_id__in=other_ids).values_list(
            "blocked_id", flat=True
        )
    )
    blocked_by = set(
        Block.objects.filter(blocked=viewer, blocker_id__in=other_ids).values_list(
            "blocker_id", flat=True
        )
    )
    muting = muted_user_ids(viewer.pk) & set(other_ids)
    return {
        other: {
            "following": other in following,
            "followed_by": other in followed_by,
            "requested": other in requested,
            "requested_by": other in requested_by,
            "blocking": other in blocking,
            "blocked_by": other in blocked_by,
            "muting": other in muting,
        }
        for other in other_ids
    }


def follower_links(user: User) -> QuerySet[Follow]:
    """Follows of ``user`` with the follower loaded; the Follow id pages the list."""
    return Follow.objects.filter(followee=user, follower__suspended_at__isnull=True).select_related(
        "follower"
    )


def following_links(user: User) -> QuerySet[Follow]:
    return Follow.objects.filter(follower=user, followee__suspended_at__isnull=True).select_related(
        "followee"
    )


def familiar_followers(
    viewer: User, other_ids: list[int], *, limit: int = 40
) -> dict[int, list[User]]:
    """For each of ``other_ids``: people the viewer follows who follow them too."""
    result: dict[int, list[User]] = {other: [] for other in other_ids}
    links = (
        Follow.objects.filter(
            followee_id__in=other_ids,
            follower_id__in=following_ids(viewer.pk),
            follower__suspended_at__isnull=True,
        )
        .select_related("follower")
        .order_by("-id")
    )
    for link in links[: limit * max(1, len(other_ids))]:
        bucket = result[link.followee_id]
        if len(bucket) < limit:
            bucket.append(link.follower)
    return result
