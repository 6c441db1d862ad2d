"""The Today page: marker, folding, filters, noise, feedback, sections and controls."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from rookery.catchup.models import CatchupFeedback, CatchupSettings
from rookery.catchup.services import (
    catchup_feedback,
    catchup_mark_caught_up,
    catchup_model_reset,
    catchup_topic_mute,
)
from rookery.catchup.today import catchup_today
from rookery.social.services import block_create, mute_create
from rookery.timelines.services import marker_set
from tests.factories import UserFactory, make_follow, make_post
from tests.texts import CLICKBAIT, TECH


def today_ids(user) -> list[int]:
    return [entry.post.pk for entry in catchup_today(user, now=timezone.now()).items()]


def everything(user) -> set[int]:
    digest = catchup_today(user, now=timezone.now())
    ids = set()
    for entry in [*digest.items(), *digest.skipped]:
        ids.add(entry.post.pk)
        ids.update(p.pk for p in entry.folded)
    return ids


def test_marker_hides_what_was_read_and_shows_what_is_new(alice, bob, prior):
    make_follow(alice, bob)
    old = make_post(bob, TECH[0])
    marker_set(user_id=alice.pk, timeline="home", last_read_id=old.pk)
    new = make_post(bob, TECH[1])
    assert everything(alice) == {new.pk}


def test_a_new_reader_gets_the_last_day(alice, bob, prior):
    make_follow(alice, bob)
    stale = make_post(bob, TECH[2], created_at=timezone.now() - timezone.timedelta(days=3))
    fresh = make_post(bob, TECH[3])
    ids = everything(alice)
    assert fresh.pk in ids and stale.pk not in ids


def test_own_posts_are_not_in_the_catch_up(alice, bob, prior):
    make_follow(alice, bob)
    make_post(alice, TECH[4])
    theirs = make_post(bob, TECH[5])
    assert everything(alice) == {theirs.pk}


def test_mark_all_caught_up_moves_the_marker_to_what_the_page_showed(client, alice, bob, prior):
    make_follow(alice, bob)
    shown = make_post(bob, TECH[0])
    client.force_login(alice)
    page = client.get(reverse("catchup:today"))
    assert page.context["today"].newest_post_id == shown.pk
    later = make_post(bob, TECH[1])  # arrives while the reader reads
    response = client.post(reverse("catchup:caught_up"), {"last_read_id": shown.pk})
    assert response.status_code == 302
    assert everything(alice) == {later.pk}
    # A stale tab cannot move the marker back.
    catchup_mark_caught_up(user=alice, last_read_id=0)
    assert everything(alice) == {later.pk}
    assert client.post(reverse("catchup:caught_up"), {"last_read_id": 10**9}).status_code == 400


def test_same_link_shared_by_several_people_is_one_item_naming_them(alice, prior):
    sharers = [UserFactory(username=n, display_name=n.title()) for n in ("ana", "bo", "cy", "di")]
    for person in sharers:
        make_follow(alice, person)
    posts = [
        make_post(
            p, f"Worth reading about backups ({i}) https://blog.example.org/pg17?utm_source={i}"
        )
        for i, p in enumerate(sharers)
    ]
    digest = catchup_today(alice, now=timezone.now())
    entries = [e for e in [*digest.items(), *digest.skipped] if e.post.pk in {p.pk for p in posts}]
    assert len(entries) == 1
    entry = entries[0]
    assert {entry.post.pk, *(p.pk for p in entry.folded)} == {p.pk for p in posts}
    assert any(r.startswith("shared by ") and "and 2 others" in r for r in entry.reasons)


def test_reposts_fold_into_the_original_with_the_reposter_named(alice, bob, carol, prior):
    from rookery.posts.services import reblog_create

    make_follow(alice, carol)
    original = make_post(bob, TECH[6])
    reblog_create(user=carol, post=original)
    digest = catchup_today(alice, now=timezone.now())
    entry = next(e for e in digest.items() if e.post.pk == original.pk)
    assert "shared by Bob Brown and Carol Chen" in entry.reasons


def test_widely_liked_second_degree_posts_come_in_capped(alice, bob, carol, prior):
    from rookery.posts.services import like_create

    stranger = UserFactory(username="stranger")
    make_follow(alice, bob)
    make_follow(alice, carol)
    popular = make_post(stranger, TECH[7])
    once = make_post(stranger, TECH[8])
    like_create(user=bob, post=popular)
    like_create(user=carol, post=popular)
    like_create(user=bob, post=once)
    ids = everything(alice)
    assert popular.pk in ids and once.pk not in ids


def test_mutes_blocks_and_muted_words_filter(alice, bob, carol, prior):
    dave = UserFactory(username="dave")
    for person in (bob, carol, dave):
        make_follow(alice, person)
    make_post(bob, TECH[0])
    make_post(carol, TECH[1])
    crypto = make_post(dave, "My thoughts on crypto custody and key ceremonies")
    tagged = make_post(dave, "Ledger design notes for wallets #web3")
    kept = make_post(dave, TECH[9])
    mute_create(muter=alice, muted=bob)
    block_create(blocker=alice, blocked=carol)
    CatchupSettings.objects.create(user=alice, muted_words=["crypto", "web3"])
    assert everything(alice) == {kept.pk}
    assert crypto.pk and tagged.pk


def test_mute_this_topic_hides_posts_tagged_with_it(client, alice, bob, prior):
    make_follow(alice, bob)
    rusty = make_post(bob, "Notes from the tokio meetup #rust")
    other = make_post(bob, TECH[1])
    client.force_login(alice)
    response = client.post(
        reverse("catchup:mute_topic"), {"topic": "#Rust"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b"Muted #rust" in response.content
    assert CatchupSettings.objects.get(user=alice).muted_words == ["rust"]
    assert everything(alice) == {other.pk}
    catchup_topic_mute(user=alice, topic="rust")
    assert CatchupSettings.objects.get(user=alice).muted_words == ["rust"]
    assert rusty.pk


def test_noise_is_skipped_counted_and_revealed(client, alice, bob, prior):
    make_follow(alice, bob)
    tech = [make_post(bob, t) for t in TECH[:3]]
    bait = [make_post(bob, t) for t in CLICKBAIT]
    digest = catchup_today(alice, now=timezone.now())
    assert digest.skipped_count == 3
    assert {e.post.pk for e in digest.skipped} == {p.pk for p in bait}
    assert {e.post.pk for e in digest.items()} == {p.pk for p in tech}

    client.force_login(alice)
    page = client.get(reverse("catchup:today")).content.decode()
    assert "3 posts skipped as noise — show" in strip_tags(page)
    assert CLICKBAIT[0][:20] not in page
    assert "?show_noise=1" in page
    revealed = client.get(reverse("catchup:today") + "?show_noise=1").content.decode()
    assert CLICKBAIT[0][:20] in revealed and 'data-feedback="not_noise"' in revealed
    partial = client.get(reverse("catchup:noise"), HTTP_HX_REQUEST="true").content.decode()
    assert CLICKBAIT[0][:20] in partial and "<html" not in partial


def test_not_noise_rescues_a_skipped_post_at_once(client, alice, bob, prior):
    make_follow(alice, bob)
    bait = make_post(bob, CLICKBAIT[0])
    client.force_login(alice)
    assert catchup_today(alice, now=timezone.now()).skipped_count == 1
    response = client.post(reverse("catchup:feedback"), {"post_id": bait.pk, "label": "not_noise"})
    assert response.status_code == 302
    digest = catchup_today(alice, now=timezone.now())
    assert digest.skipped_count == 0 and [e.post.pk for e in digest.items()] == [bait.pk]
    assert CatchupFeedback.objects.filter(user=alice, post=bait, label="not_noise").exists()


def test_less_like_this_pushes_similar_posts_down_and_reset_undoes_it(alice, prior):
    kube_people = [UserFactory(username=f"kube{i}") for i in range(3)]
    other_people = [UserFactory(username=f"other{i}") for i in range(3)]
    for person in kube_people + other_people:
        make_follow(alice, person)
    kube_texts = [
        "Kubernetes operators in practice: reconcile loops and finalizers",
        "Writing a Kubernetes operator: reconcile loops, finalizers and CRDs",
        "Kubernetes operator patterns: reconcile loops done right",
    ]
    kube = [make_post(p, t) for p, t in zip(kube_people, kube_texts, strict=True)]
    # The first one was read yesterday; the reader says "less like this" about it now.
    marker_set(user_id=alice.pk, timeline="home", last_read_id=kube[0].pk)
    for person, text in zip(other_people, [TECH[1], TECH[3], TECH[6]], strict=True):
        make_post(person, text)
    # Engagement puts the Kubernetes posts on top before any feedback.
    from rookery.posts.services import like_create

    for post in kube[1:]:
        like_create(user=alice, post=post)
    before = today_ids(alice)
    assert set(before[:2]) == {kube[1].pk, kube[2].pk}

    catchup_feedback(user=alice, post_id=kube[0].pk, label="less")
    after = today_ids(alice)
    assert set(after[-2:]) == {kube[1].pk, kube[2].pk}

    catchup_model_reset(user=alice)
    assert today_ids(alice) == before


def test_feedback_over_htmx_answers_with_a_small_fragment(client, alice, bob, prior):
    make_follow(alice, bob)
    post = make_post(bob, TECH[0])
    client.force_login(alice)
    response = client.post(
        reverse("catchup:feedback"), {"post_id": post.pk, "label": "more"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.content.decode().strip() == "Got it: more like this."
    assert CatchupSettings.objects.get(user=alice).model_bytes


def test_feedback_on_a_post_the_reader_cannot_see_is_a_404_and_changes_nothing(
    client, alice, bob, prior
):
    hidden = make_post(bob, TECH[0], visibility="followers")
    client.force_login(alice)
    response = client.post(reverse("catchup:feedback"), {"post_id": hidden.pk, "label": "less"})
    assert response.status_code == 404
    assert not CatchupFeedback.objects.exists()
    bad = client.post(reverse("catchup:feedback"), {"post_id": hidden.pk, "label": "meh"})
    assert bad.status_code == 400


def test_sections_reasons_and_new_followers_and_mentions(client, alice, bob, carol, prior):
    from rookery.posts.models import Hashtag

    alice.topics.add(Hashtag.objects.get_or_create(name="postgres")[0])
    make_follow(alice, bob)
    make_follow(carol, alice)
    tagged = make_post(bob, "Tuning PostgreSQL autovacuum for a large table #postgres")
    question = make_post(
        bob, "How do I avoid N+1 queries with PostgreSQL and an ORM? #postgres", is_question=True
    )
    chat = make_post(bob, "Great to catch up with the team at the offsite yesterday, thanks all")
    mention = make_post(carol, "@alice what do you think about the new release notes?")
    digest = catchup_today(alice, now=timezone.now())
    by_section = {s.key: [e.post.pk for e in s.items] for s in digest.sections}
    assert tagged.pk in by_section["technical"]
    assert by_section["questions"] == [question.pk]
    assert chat.pk in by_section["network"]
    assert [s.key for s in digest.sections] == ["technical", "questions", "network"]
    kinds = {(n.kind, n.actor_id) for n in digest.notifications}
    assert kinds == {("follow", carol.pk), ("mention", carol.pk)}

    client.force_login(alice)
    page = client.get(reverse("catchup:today")).content.decode()
    for heading in ("Technical &amp; industry", "Questions you could answer", "From your network"):
        assert heading in page
    assert "New followers and mentions" in page
    assert "technical: #postgres" in page
    assert page.index("Technical &amp; industry") < page.index("From your network")
    assert mention.pk


def test_reading_budget_and_settings_form(client, alice):
    client.force_login(alice)
    assert client.get(reverse("catchup:settings")).status_code == 200
    assert CatchupSettings.objects.get(user=alice).budget_minutes == 15
    response = client.post(
        reverse("catchup:settings"),
        {
            "budget_minutes": "5",
            "email_enabled": "on",
            "email_time": "06:45",
            "muted_words": "Crypto\n\n#nft\ncrypto",
        },
    )
    assert response.status_code == 302
    prefs = CatchupSettings.objects.get(user=alice)
    assert prefs.budget_minutes == 5 and prefs.email_enabled
    assert prefs.email_time.strftime("%H:%M") == "06:45"
    assert prefs.muted_words == ["crypto", "#nft"]
    bad = client.post(
        reverse("catchup:settings"),
        {"budget_minutes": "0", "email_time": "25:00", "muted_words": ""},
    )
    assert bad.status_code == 400
    assert CatchupSettings.objects.get(user=alice).budget_minutes == 5


def test_today_needs_login_and_renders_empty(client, alice):
    assert client.get(reverse("catchup:today")).status_code == 302
    client.force_login(alice)
    page = client.get(reverse("catchup:today"))
    assert page.status_code == 200
    assert "Nothing new since you last caught up" in page.content.decode()
    assert not CatchupSettings.objects.filter(user=alice).exists()


def test_the_page_costs_the_same_queries_for_few_or_many_posts(client, alice, prior):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = [UserFactory(username=f"p{i}") for i in range(10)]
    for person in people:
        make_follow(alice, person)
    client.force_login(alice)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("catchup:today") + "?show_noise=1").status_code == 200
        return len(ctx.captured_queries)

    for person, text in zip(people[:2], TECH[:2], strict=True):
        make_post(person, text + " #python")
    few = page_queries()
    for person, text in zip(people[2:], TECH[2:10], strict=True):
        make_post(person, text + " #postgres")
    # Not one query more per post (an N+1 on cards, tags or media would show here).
    assert page_queries() <= few
