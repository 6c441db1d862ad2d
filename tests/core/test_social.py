from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from rookery.social.models import Follow
from rookery.social.services import (
    EXPORT_HEADER,
    MAX_IMPORT_ROWS,
    follow_create,
    follow_delete,
    follower_remove,
    follows_export_csv,
    follows_import_csv,
)
from tests.factories import UserFactory, make_follow

pytestmark = pytest.mark.django_db

DOMAIN = "rookery.example"


def counts(*users) -> list[tuple[int, int]]:
    for user in users:
        user.refresh_from_db()
    return [(u.following_count, u.followers_count) for u in users]


def test_follow_and_unfollow_keep_counters(alice, bob, carol):
    make_follow(alice, bob)
    make_follow(carol, bob)
    make_follow(alice, bob)  # again: nothing changes
    assert counts(alice, bob, carol) == [(1, 0), (0, 2), (1, 0)]
    follow_delete(follower=alice, followee=bob)
    follow_delete(follower=alice, followee=bob)  # again: no negative counts
    assert counts(alice, bob, carol) == [(0, 0), (0, 1), (1, 0)]
    follower_remove(user=bob, follower=carol)
    assert counts(alice, bob, carol) == [(0, 0), (0, 0), (0, 0)]


def test_cannot_follow_yourself(alice):
    with pytest.raises(ValidationError):
        follow_create(follower=alice, followee=alice)


def test_export_import_round_trip_in_mastodon_format(alice, bob, carol):
    dave = UserFactory(username="dave")
    make_follow(alice, bob)
    follow_create(follower=alice, followee=carol, show_reposts=False)
    exported = follows_export_csv(user=alice, domain=DOMAIN)
    assert exported.splitlines() == [
        ",".join(EXPORT_HEADER),
        f"bob@{DOMAIN},true,false,",
        f"carol@{DOMAIN},false,false,",
    ]
    report = follows_import_csv(user=dave, content=exported, domain=DOMAIN)
    assert (report.followed, report.errors) == (["bob", "carol"], [])
    assert dict(
        Follow.objects.filter(follower=dave).values_list("followee__username", "show_reposts")
    ) == {
        "bob": True,
        "carol": False,
    }
    assert follows_export_csv(user=dave, domain=DOMAIN) == exported


def test_import_accepts_bare_addresses_and_reports_bad_lines_by_number(alice, bob, carol):
    bob.locked = True
    bob.save()
    make_follow(alice, carol)
    content = "\n".join(
        [
            "Account address,Show boosts",
            "@bob",  # 2: locked -> request
            "CAROL@rookery.example",  # 3: already followed
            "",  # 4: blank, skipped
            "ghost@rookery.example",  # 5: unknown
            "someone@mastodon.social",  # 6: remote
            "alice",  # 7: oneself
        ]
    )
    report = follows_import_csv(user=alice, content=content, domain=DOMAIN)
    assert report.requested == ["bob"]
    assert report.already == ["carol"]
    assert report.followed == []
    assert report.errors == [
        "line 5: no account named ghost",
        "line 6: someone@mastodon.social is on another server",
        "line 7: alice: You can't follow yourself.",
    ]


def test_import_refuses_oversized_files_without_following_anyone(alice, bob):
    content = "\n".join(["bob"] * (MAX_IMPORT_ROWS + 2))
    with pytest.raises(ValidationError, match="At most"):
        follows_import_csv(user=alice, content=content, domain=DOMAIN)
    assert not Follow.objects.exists()
