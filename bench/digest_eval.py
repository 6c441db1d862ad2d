"""Quality of the morning catch-up (issue #6). Two parts:

1. Noise model on public data: clickbait headlines = noise, news headlines = signal
   (../shared/data/text/, Chakraborty et al. 2016), 80/20 split with a fixed seed, trained with
   the production `train_prior` (same hashed features as production). Target accuracy >= 0.97.
2. A simulated reader with hidden tastes gives feedback on a generated network for 14 days.
   Target: precision@20 of liked items on day 14 >= 1.5x day 1 and >= 1.5x a reverse-
   chronological list of the same day's candidates.

The headline files are read here at bench time only, as text material; nothing from them is
stored in the repository or needed by the production code.

Run: .venv/bin/python bench/digest_eval.py [--readers 8] [--days 14]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from tqdm import tqdm

from rookery.algorithms.catchup import (
    Candidate,
    GlobalPrior,
    Reader,
    ReaderModel,
    build_catchup,
    default_prior,
    train_prior,
)
from rookery.algorithms.catchup.features import featurize_texts

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "text"
RESULTS = ROOT / "bench" / "results" / "digest_eval.json"
SEED = 20240611


def words(text: str) -> list[str]:
    # A word list written as one string reads better than a column of quoted words.
    return text.split()


TOPIC_WORDS: dict[str, list[str]] = {
    "python": words(
        "python asyncio pip wheels typing pytest virtualenv cpython decorators "
        "generators packaging interpreter"
    ),
    "postgres": words(
        "postgres postgresql vacuum replication wal index planner explain partitioning "
        "pgbouncer queries transactions"
    ),
    "rust": words(
        "rust cargo borrow checker lifetimes tokio traits crates unsafe ownership macros clippy"
    ),
    "kubernetes": words(
        "kubernetes pods helm operators ingress kubelet scheduler cluster nodes "
        "deployments manifests etcd"
    ),
    "security": words(
        "security vulnerability cve patch exploit tls certificates phishing audit "
        "authentication secrets sandbox"
    ),
    "ml": words(
        "model training embeddings inference transformer dataset gpu fine-tuning "
        "evaluation tokenizer gradients checkpoints"
    ),
    "frontend": words(
        "css javascript react components browser accessibility layout bundler htmx "
        "rendering dom animations"
    ),
    "devops": words(
        "ci pipeline terraform ansible monitoring alerts grafana prometheus on-call "
        "runbooks deploys rollbacks"
    ),
    "data": words(
        "spark parquet warehouse etl dbt airflow pipelines lakehouse columnar duckdb "
        "schemas ingestion"
    ),
    "mobile": words(
        "ios android swift kotlin app store push notifications offline sync gestures simulator"
    ),
}
TOPICS = list(TOPIC_WORDS)
TEMPLATES = [
    "New write-up: how we handled {a} and {b} in production",
    "Notes on {a}: what changed in the latest release and why {b} matters",
    "Benchmarked {a} against {b}; the results surprised our team",
    "A practical guide to {a} with {b}, with code samples",
    "Lessons from migrating our {a} setup to use {b}",
    "Thread: debugging {a} issues caused by {b}",
    "Talk slides on {a} and {b} from this week's meetup",
    "Why {a} is harder than it looks: a story about {b}",
]
QUESTION_TEMPLATES = [
    "How do you handle {a} together with {b}? Looking for advice",
    "Has anyone seen {a} break because of {b}? What did you do?",
]
NOW0 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


def load_headlines() -> tuple[list[str], list[str]]:
    def read(name: str) -> list[str]:
        path = DATA / name
        return [
            line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]

    return read("clickbait_data.txt"), read("non_clickbait_data.txt")


# --- part 1 ------------------------------------------------------------------------------


def eval_noise(clickbait: list[str], news: list[str]) -> dict[str, float]:
    texts = clickbait + news
    labels = np.array([0] * len(clickbait) + [1] * len(news))
    order = np.random.default_rng(SEED).permutation(len(texts))
    cut = int(0.8 * len(texts))
    train, test = order[:cut], order[cut:]
    print(f"noise model: training on {len(train)} headlines, testing on {len(test)} ...")
    prior = train_prior([(texts[i], bool(labels[i])) for i in train])
    x_test = featurize_texts([texts[i] for i in test])
    accuracy = float(((prior.logit(x_test) > 0).astype(int) == labels[test]).mean())
    seed_accuracy = float(((default_prior().logit(x_test) > 0).astype(int) == labels[test]).mean())
    print(f"  accuracy on held-out 20%: {accuracy:.4f} (target >= 0.97)")
    print(f"  shipped seed prior on the same 20% (cold start, for reference): {seed_accuracy:.4f}")
    return {
        "accuracy": accuracy,
        "target": 0.97,
        "seed_prior_accuracy": seed_accuracy,
        "train": len(train),
        "test": len(test),
    }


# --- part 2 ------------------------------------------------------------------------------


@dataclass
class Author:
    author_id: int
    topics: list[str]
    noise_rate: float
    followers: int


@dataclass
class SimReader:
    liked_topics: set[str]
    declared_topics: frozenset[str]
    follows: set[int]
    affinity: dict[int, float] = field(default_factory=dict)


def make_world(rng: random.Random, n_authors: int = 150) -> list[Author]:
    authors = []
    for a in range(1, n_authors + 1):
        noise_rate = rng.choice([0.05, 0.1, 0.3, 0.6])
        authors.append(
            Author(
                a,
                rng.sample(TOPICS, rng.randint(1, 2)),
                noise_rate,
                int(rng.lognormvariate(5.0, 1.2)) + 5,
            )
        )
    return authors


def make_day(
    rng: random.Random,
    day: int,
    authors: list[Author],
    reader: SimReader,
    clickbait: list[str],
    news: list[str],
    next_id: int,
    per_day: int,
) -> tuple[list[Candidate], dict[int, bool]]:
    """One day's candidates and, hidden from the ranker, whether the reader likes each."""
    posts: list[Candidate] = []
    liked: dict[int, bool] = {}
    start = NOW0 + timedelta(days=day - 1) - timedelta(hours=24)
    shared_links = [f"https://{t}.example.org/article/{day}-{k}" for t in TOPICS for k in range(2)]
    for k in range(per_day):
        author = rng.choice(authors)
        pid = next_id + k
        topic = rng.choice(author.topics)
        roll = rng.random()
        tags: tuple[str, ...] = ()
        link = None
        is_q = False
        if roll < author.noise_rate:
            kind, text = "noise", rng.choice(clickbait)
        elif roll < author.noise_rate + 0.2:
            kind, text = "news", rng.choice(news)
            if rng.random() < 0.6:
                link = f"https://news{rng.randint(1, 5)}.example.com/{pid}"
        else:
            kind = "tech"
            a, b = rng.sample(TOPIC_WORDS[topic], 2)
            is_q = rng.random() < 0.1
            template = rng.choice(QUESTION_TEMPLATES if is_q else TEMPLATES)
            text = template.format(a=a, b=b)
            # Half the posts carry no hashtag: the reader's taste has to be learnt from words.
            if rng.random() < 0.5:
                tags = (topic,)
                text += f" #{topic}"
            if rng.random() < 0.4:
                link = (
                    rng.choice([u for u in shared_links if u.startswith(f"https://{topic}.")])
                    if rng.random() < 0.3
                    else f"https://blog{author.author_id}.example.net/{pid}"
                )
        # Clickbait gets more engagement per follower: popularity alone is a poor guide.
        boost = 3.0 if kind == "noise" else 1.0
        likes = int(rng.expovariate(1.0) * author.followers * 0.02 * boost)
        posts.append(
            Candidate(
                post_id=pid,
                author_id=author.author_id,
                text=text,
                created_at=start + timedelta(minutes=rng.randint(0, 24 * 60 - 1)),
                hashtags=tags,
                link_url=link,
                link_domain=link.split("/")[2] if link else None,
                is_question=is_q,
                is_open_question=is_q,
                likes=likes,
                reposts=likes // 5,
                replies=likes // 4,
                author_followers=author.followers,
                from_network=author.author_id in reader.follows,
            )
        )
        if kind == "tech":
            liked[pid] = topic in reader.liked_topics
        elif kind == "news":
            # The reader cares about some industry news, stably per headline.
            liked[pid] = zlib.crc32(text.encode()) % 3 == 0
        else:
            liked[pid] = False
    return posts, liked


def precision_at(ids: list[int], liked: dict[int, bool], k: int = 20) -> float:
    return sum(liked.get(i, False) for i in ids[:k]) / k


def simulate_reader(
    index: int,
    clickbait: list[str],
    news: list[str],
    days: int,
    per_day: int,
    prior: GlobalPrior,
    progress: tqdm,
) -> dict[str, list[float]]:
    noise_texts = set(clickbait)
    rng = random.Random(SEED + index)
    authors = make_world(rng)
    liked_topics = set(rng.sample(TOPICS, 3))
    stale = rng.choice([t for t in TOPICS if t not in liked_topics])
    # The profile says one liked topic and one the reader no longer cares about: what people
    # type into a profile is a weak guide, which is why the catch-up has to learn.
    declared = frozenset({sorted(liked_topics)[0], stale})
    sim = SimReader(liked_topics, declared, {a.author_id for a in rng.sample(authors, 60)})
    model = ReaderModel(prior)
    next_id = 1
    curve, chrono = [], []
    for day in range(1, days + 1):
        posts, liked = make_day(rng, day, authors, sim, clickbait, news, next_id, per_day)
        next_id += per_day
        reader = Reader(
            user_id=index,
            topics=sim.declared_topics,
            muted_author_ids=frozenset(),
            blocked_ids=frozenset(),
            muted_words=(),
            affinity=dict(sim.affinity),
        )
        now = NOW0 + timedelta(days=day - 1)
        catchup = build_catchup(posts, reader, model, now=now)
        shown = catchup.ranked()
        curve.append(precision_at([i.post_id for i in shown], liked))
        by_time = sorted(posts, key=lambda p: p.created_at, reverse=True)
        chrono.append(precision_at([p.post_id for p in by_time], liked))

        # Feedback, as a person gives it: a few clicks on what they saw, not on everything.
        by_id = {p.post_id: p for p in posts}
        sim.affinity = {a: w * 0.85 for a, w in sim.affinity.items()}
        for item in shown:
            post = by_id[item.post_id]
            if rng.random() > 0.35:
                continue
            if liked[item.post_id]:
                model.learn(post, "more")
                sim.affinity[post.author_id] = sim.affinity.get(post.author_id, 0.0) + 1.0
            elif post.text in noise_texts:
                model.learn(post, "noise")
            else:
                model.learn(post, "less")
        for item in catchup.skipped_noise[:10]:
            if liked[item.post_id] and rng.random() < 0.3:
                model.learn(by_id[item.post_id], "not_noise")
        progress.update(1)
    return {"curve": curve, "chrono": chrono}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--per-day", type=int, default=250)
    args = parser.parse_args()

    clickbait, news = load_headlines()
    noise = eval_noise(clickbait, news)

    # The simulated instance starts from a prior trained on the headline data, as an
    # instance would after pooling its readers' noise feedback (see noise.train_prior).
    prior = train_prior([(t, False) for t in clickbait[::2]] + [(t, True) for t in news[::2]])
    curves, chronos = [], []
    with tqdm(total=args.readers * args.days, desc="simulated reader-days") as progress:
        for r in range(args.readers):
            out = simulate_reader(r, clickbait, news, args.days, args.per_day, prior, progress)
            curves.append(out["curve"])
            chronos.append(out["chrono"])
    mean_curve = [statistics.mean(c[d] for c in curves) for d in range(args.days)]
    chrono_last = statistics.mean(c[-1] for c in chronos)
    day1, last = mean_curve[0], mean_curve[-1]
    print(f"simulated readers: {args.readers}, {args.per_day} candidates/day, {args.days} days")
    print("  precision@20 by day: " + " ".join(f"{p:.2f}" for p in mean_curve))
    print(
        f"  day 1: {day1:.3f}; day {args.days}: {last:.3f} "
        f"({last / day1 if day1 else float('inf'):.2f}x, target >= 1.5x)"
    )
    print(
        f"  reverse-chronological on day {args.days}: {chrono_last:.3f} "
        f"({last / chrono_last if chrono_last else float('inf'):.2f}x, target >= 1.5x)"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "noise_model": noise,
                "simulation": {
                    "readers": args.readers,
                    "days": args.days,
                    "candidates_per_day": args.per_day,
                    "precision_at_20_by_day": mean_curve,
                    "day1": day1,
                    "last_day": last,
                    "ratio_vs_day1": last / day1 if day1 else None,
                    "reverse_chronological_last_day": chrono_last,
                    "ratio_vs_reverse_chronological": last / chrono_last if chrono_last else None,
                    "target_ratio": 1.5,
                },
            },
            indent=2,
        )
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
