"""Speed of one reader's morning catch-up over 2,000 candidate posts (issue #6).

Target: p50 <= 200 ms for build_catchup (featurize, fold, score, select), with a reader model
that has already learnt from some feedback. Synthetic posts only; no data files needed.

With --email-readers N (10,000 for the issue's figure) it also measures the morning email run
on one worker: a fresh SQLite network (bench/_network.py: power-law follows, posts moved into
the last 24 hours, timelines as fan-out leaves them, plus likes so affinity and second-degree
shares have data) with N readers subscribed across time zones, then, in a child process so its
memory is its own, every reader's catch-up built, rendered (HTML + text) and handed to a mail
backend that serialises the message and throws it away. Reported: total time, CPU time,
per-reader p50, peak memory (ru_maxrss) and the process's memory before the run.

Run: .venv/bin/python bench/digest_speed.py [--runs 30] [--candidates 2000]
     .venv/bin/python bench/digest_speed.py --email-readers 10000 [--skip-generate]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tqdm import tqdm

from rookery.algorithms.catchup import Candidate, Reader, ReaderModel, build_catchup

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "digest_speed.json"
EMAIL_RESULTS = BENCH_DIR / "results" / "digest_email.json"
NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


def word_list(text: str) -> list[str]:
    # A word list written as one string reads better than a column of quoted words.
    return text.split()


TOPICS = word_list("python postgres django rust kubernetes security ml frontend")
WORDS = word_list(
    "database query index migration release deploy latency cache queue worker test "
    "benchmark memory thread async api schema replica backup cluster container "
    "build team meeting coffee weekend conference talk slides blog article thread "
    "amazing believe photos secret trick reasons things people love hate today "
    "finally new performance bug fix outage incident review design pattern library "
    "framework"
)


def make_vocabulary(rng: random.Random, size: int = 4000) -> tuple[list[str], list[float]]:
    # Pseudo-words with a Zipf frequency profile, like real text: a few very common words, a
    # long tail. A tiny vocabulary would make every post a near-duplicate of every other.
    syllables = word_list("ka lo mi ne ru ta shi po ve dra qu ex on")
    words = list(WORDS)
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choices(syllables, k=rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    rng.shuffle(words)
    return words, [1.0 / (rank + 1) for rank in range(len(words))]


def make_candidates(n: int, rng: random.Random) -> list[Candidate]:
    links = [f"https://blog{k}.example.com/post/{k}" for k in range(n // 20)]
    vocab, weights = make_vocabulary(rng)
    out: list[Candidate] = []
    for i in range(n):
        words = rng.randint(8, 60)
        if out and rng.random() < 0.05:
            # Cross-posted copies with a small edit, so near-duplicate folding has work to do.
            text = rng.choice(out).text.split(" #")[0] + " " + rng.choice(vocab)
        else:
            text = " ".join(rng.choices(vocab, weights=weights, k=words))
        tags = tuple(rng.sample(TOPICS, k=rng.randint(0, 2)))
        link = rng.choice(links) if rng.random() < 0.3 else None
        out.append(
            Candidate(
                post_id=i,
                author_id=rng.randint(1, 400),
                text=text + "".join(f" #{t}" for t in tags),
                created_at=NOW - timedelta(minutes=rng.randint(1, 24 * 60)),
                hashtags=tags,
                link_url=link,
                link_domain=link.split("/")[2] if link else None,
                is_question=(q := rng.random() < 0.08),
                is_open_question=q and rng.random() < 0.7,
                likes=rng.randint(0, 50),
                reposts=rng.randint(0, 10),
                replies=rng.randint(0, 10),
                author_followers=rng.randint(5, 5000),
                from_network=rng.random() < 0.7,
                shared_by=tuple(rng.sample(range(1, 400), k=rng.choice([0, 0, 0, 1, 2]))),
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--email-readers", type=int, default=0, help="Also time the email run.")
    parser.add_argument("--skip-generate", action="store_true", help="Reuse the email network.")
    parser.add_argument("--email-phase", choices=["generate", "run"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.email_phase:
        from _digest_email import email_phase

        email_phase(args.email_phase, args.email_readers, args.seed)
        return

    rng = random.Random(args.seed)
    candidates = make_candidates(args.candidates, rng)
    reader = Reader(
        user_id=1,
        topics=frozenset({"python", "postgres", "django"}),
        muted_author_ids=frozenset(rng.sample(range(1, 400), 10)),
        blocked_ids=frozenset(rng.sample(range(1, 400), 3)),
        muted_words=("crypto", "web3", "nft", "giveaway", "hustle"),
        affinity={a: rng.random() * 3 for a in rng.sample(range(1, 400), 80)},
    )
    model = ReaderModel()
    for c in rng.sample(candidates, 40):
        model.learn(c, rng.choice(["more", "less", "noise", "not_noise"]))

    # Warm-up: first use trains the shipped default prior and fills the caches.
    build_catchup(candidates, reader, model, now=NOW)
    # Wall time is the target; CPU time is printed beside it because the bench machine is
    # shared, and when other processes hold the cores wall time measures them, not us.
    times, cpu_times = [], []
    for _ in tqdm(range(args.runs), desc="catch-ups", unit="run"):
        t0, c0 = time.perf_counter(), time.process_time()
        catchup = build_catchup(candidates, reader, model, now=NOW)
        times.append((time.perf_counter() - t0) * 1000)
        cpu_times.append((time.process_time() - c0) * 1000)
    times.sort()
    cpu_p50 = statistics.median(cpu_times)
    load = os.getloadavg()[0]
    p50 = statistics.median(times)
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    shown = len(catchup.ranked())
    print(f"candidates: {args.candidates}, runs: {args.runs}")
    print(f"build_catchup p50: {p50:.1f} ms (target <= 200 ms), p99: {p99:.1f} ms")
    print(f"CPU time p50: {cpu_p50:.1f} ms; load average {load:.2f} on {os.cpu_count()} cores")
    print(f"shown items: {shown}, skipped as noise: {catchup.skipped_count}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "candidates": args.candidates,
                "runs": args.runs,
                "p50_ms": round(p50, 2),
                "p99_ms": round(p99, 2),
                "min_ms": round(times[0], 2),
                "cpu_p50_ms": round(cpu_p50, 2),
                "load_average_1min": round(load, 2),
                "cpu_count": os.cpu_count(),
                "target_p50_ms": 200,
                "meets_target": p50 <= 200,
                "shown_items": shown,
                "skipped_noise": catchup.skipped_count,
                "machine": platform.platform(),
                "email_run": "see digest_email.json (--email-readers)",
            },
            indent=2,
        )
    )
    print(f"wrote {RESULTS}")
    if args.email_readers:
        email_run(args)


def email_run(args: argparse.Namespace) -> None:
    """Generation and the run each in a child process, so each one's peak memory is its own."""
    base = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--email-readers",
        str(args.email_readers),
    ]
    base += ["--seed", str(args.seed)]
    if not args.skip_generate:
        subprocess.run([*base, "--email-phase", "generate"], check=True)
    subprocess.run([*base, "--email-phase", "run"], check=True)
    print(f"wrote {EMAIL_RESULTS}")


if __name__ == "__main__":
    main()
