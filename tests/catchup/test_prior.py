"""The nightly prior: all readers' noise feedback, pooled."""

from __future__ import annotations

from django.utils import timezone

from rookery.algorithms.catchup import Candidate, ReaderModel
from rookery.catchup import selectors, tasks
from rookery.catchup.models import CatchupFeedback, CatchupPrior
from rookery.catchup.services import catchup_prior_retrain
from tests.factories import UserFactory, make_post
from tests.texts import TECH

BAIT = [f"{n} shocking photos that will make you cry, number {n % 7} is unreal" for n in range(12)]


def as_candidate(text: str) -> Candidate:
    return Candidate(
        post_id=1,
        author_id=1,
        text=text,
        created_at=timezone.now(),
        hashtags=(),
        link_url=None,
        link_domain=None,
        is_question=False,
        is_open_question=False,
        likes=0,
        reposts=0,
        replies=0,
        author_followers=10,
        from_network=True,
    )


def test_too_little_feedback_keeps_the_current_prior(db):
    assert catchup_prior_retrain() is None
    assert not CatchupPrior.objects.exists()


def test_retrain_learns_from_everyones_noise_clicks(db):
    selectors._prior_cache.row_id = None
    author = UserFactory(username="author")
    readers = [UserFactory(username=f"reader{i}") for i in range(3)]
    now = timezone.now()
    for i, text in enumerate(BAIT):
        post = make_post(author, text)
        CatchupFeedback.objects.create(
            user=readers[i % 3], post=post, label="noise", created_at=now
        )
    for i, text in enumerate(TECH):
        post = make_post(author, text)
        CatchupFeedback.objects.create(
            user=readers[i % 3], post=post, label="not_noise", created_at=now
        )
    before = ReaderModel(selectors.current_prior()).predict_candidates(
        [as_candidate("17 shocking photos that will make you cry, number 3 is unreal")]
    )[0][0]
    tasks.catchup_prior_retrain_task.call_local()
    row = CatchupPrior.objects.get()
    assert row.examples == len(BAIT) + len(TECH)
    after = ReaderModel(selectors.current_prior()).predict_candidates(
        [as_candidate("17 shocking photos that will make you cry, number 3 is unreal")]
    )[0][0]
    assert after < 0.25 and after < before - 0.2
    selectors._prior_cache.row_id = None
