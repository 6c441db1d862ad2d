"""A reader with a noisy network uses Today in a real browser and teaches it "less like this"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rookery.posts.services import like_create
from tests.catchup.conftest import store_prior
from tests.factories import UserFactory, make_follow, make_post
from tests.texts import CLICKBAIT

pytestmark = pytest.mark.browser

KUBE = [
    "Kubernetes operators in practice: reconcile loops, finalizers and status updates",
    "Writing a Kubernetes operator: reconcile loops, finalizers and CRDs explained",
    "Kubernetes operator patterns: reconcile loops and finalizers done right",
]
POSTGRES = [
    "Tuning PostgreSQL autovacuum on a 2 TB cluster stopped the bloat #postgres",
    "PostgreSQL 17 incremental backups: restoring them with pg_combinebackup #postgres",
    "Reading EXPLAIN ANALYZE output to find the slow join in our report #postgres",
]
CHAT = [
    "Great to catch up with the team at the offsite yesterday, thanks everyone",
    "Lunch at the new place downstairs was good, would go again",
]


def noisy_network():
    reader = UserFactory(username="reader", display_name="Rae Reader")
    kube_people = [UserFactory(username=f"kube{i}") for i in range(3)]
    pg_people = [UserFactory(username=f"pg{i}") for i in range(3)]
    loud = UserFactory(username="loud")
    for person in [*kube_people, *pg_people, loud]:
        make_follow(reader, person)
    # The reader often liked the Kubernetes people's older posts, so theirs start on top.
    for person in kube_people:
        for n in range(2):
            old = make_post(
                person,
                f"Older note {n} about cluster upgrades",
                created_at=timezone.now() - timedelta(days=3),
            )
            like_create(user=reader, post=old)
    for person, text in zip(kube_people, KUBE, strict=True):
        make_post(person, f"{text} https://{person.username}.example.com/operators")
    for person, text in zip(pg_people, POSTGRES, strict=True):
        make_post(person, f"{text} https://{person.username}.example.org/postgres")
    for text in CHAT:
        make_post(loud, text)
    for text in [*CLICKBAIT, "You won't believe what this one weird trick does to your code"]:
        make_post(loud, text)
    return reader


def technical_texts(page) -> list[str]:
    return page.locator("#section-technical .catchup-item .post-content").all_inner_texts()


def kube_positions(texts: list[str]) -> list[int]:
    return [i for i, t in enumerate(texts) if "Kubernetes" in t]


def test_reader_sees_technical_first_skipped_noise_and_less_like_this_drops_similar(
    live_server, transactional_db, browser_page
):
    store_prior()
    noisy_network()
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "reader")
    page.fill("input[name=password]", "correct horse battery")
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/home/")

    page.goto(f"{live_server.url}/today/")
    sections = page.locator("section.catchup-section h2").all_inner_texts()
    assert sections[0] == "Technical & industry"
    assert page.locator("[data-testid=noise-count]").inner_text() == "4"
    before = technical_texts(page)
    assert kube_positions(before) == [0, 1, 2]

    first = page.locator("#section-technical .catchup-item").first
    first.locator("button[data-feedback=less]").click()
    page.wait_for_selector("text=Got it: less like this.")

    page.reload()
    after = technical_texts(page)
    assert sorted(after) == sorted(before)
    # The similar posts drop below the ones the reader did not object to.
    assert kube_positions(after) == [3, 4, 5]

    # The noise can be opened without leaving the page.
    page.click("text=show")
    page.wait_for_selector("button[data-feedback=not_noise]")
    assert page.locator("#catchup-noise .catchup-item").count() == 4
