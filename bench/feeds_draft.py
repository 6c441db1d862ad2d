"""Time drafting a promotion post (summary + hashtags + template fit) per blog article.

Articles are composed from real news headlines (shared/data/text/non_clickbait_data.txt) turned
into multi-paragraph text, or from a built-in sample when that file is absent. Prints p50/p99
per step and writes bench/results/feeds_draft.json.

    .venv/bin/python bench/feeds_draft.py [--articles 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

from rookery.feeds.summary import Article, draft_post, extract_article, suggest_hashtags, summarise

ROOT = Path(__file__).resolve().parent
HEADLINES = ROOT.parent.parent / "shared" / "data" / "text" / "non_clickbait_data.txt"
FALLBACK_HEADLINES = [
    "Postgres replication lag spikes during nightly batch jobs",
    "Team moves build pipeline from Jenkins to GitHub Actions",
    "Rust rewrite cuts memory use of the ingestion service by half",
    "Kubernetes upgrade breaks ingress for legacy services",
    "New caching layer reduces median page load time to 300 ms",
    "Engineers debate monorepo versus many repositories",
    "Security audit finds outdated TLS configuration on internal APIs",
    "Feature flags let the team ship small changes every day",
]
TOPICS = ["postgres", "rust", "kubernetes", "security", "python", "devops", "machine learning"]
POST_MAX = 500
LINK_LENGTH = 23
TEMPLATE = "{title}\n\n{summary}\n\n{link}\n\n{hashtags}"


def load_headlines() -> list[str]:
    if HEADLINES.exists():
        lines = [line.strip() for line in HEADLINES.read_text(errors="replace").splitlines()]
        return [line for line in lines if len(line.split()) >= 5]
    return FALLBACK_HEADLINES


def compose_article(rng: random.Random, headlines: list[str]) -> tuple[str, str]:
    title = rng.choice(headlines)
    paragraphs = []
    # Sized like real blog posts: 6-14 paragraphs of 3-7 sentences, roughly 1.5-7 kB of text.
    for _ in range(rng.randint(6, 14)):
        sentences = []
        for _ in range(rng.randint(3, 7)):
            sentence = rng.choice(headlines).rstrip(".!?")
            if rng.random() < 0.3:
                sentence += ", " + rng.choice(headlines)[0].lower() + rng.choice(headlines)[1:]
            sentences.append(sentence.rstrip(".!?") + rng.choice([".", ".", ".", "!", "?"]))
        paragraphs.append(" ".join(sentences))
    return title, "\n\n".join(paragraphs)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    headlines = load_headlines()
    articles = [compose_article(rng, headlines) for _ in range(args.articles)]

    # Warm-up: imports, yake's stopword tables, regex compilation.
    warm_title, warm_text = articles[0]
    draft_post(
        Article(title=warm_title, text=warm_text, description=None, author=None, date=None),
        post_max_chars=POST_MAX,
        link_length=LINK_LENGTH,
        link="https://blog.example.com/warm-up",
    )

    timings: dict[str, list[float]] = {"summarise": [], "hashtags": [], "draft": [], "extract": []}
    # CPU time beside wall time: on a shared 2-core machine wall time mostly measures the
    # neighbours.
    draft_cpu: list[float] = []
    lengths: list[int] = []
    for n, (title, text) in enumerate(articles, 1):
        topics = rng.sample(TOPICS, 3)
        t0 = time.perf_counter()
        summarise(text, title=title, max_chars=300)
        t1 = time.perf_counter()
        suggest_hashtags(text, title=title, author_topics=topics)
        t2 = time.perf_counter()
        c2 = time.process_time()
        draft_post(
            Article(title=title, text=text, description=None, author=None, date=None),
            post_max_chars=POST_MAX,
            link_length=LINK_LENGTH,
            link=f"https://blog.example.com/posts/{n}",
            template=TEMPLATE,
            author_topics=topics,
        )
        t3 = time.perf_counter()
        draft_cpu.append((time.process_time() - c2) * 1000)
        html = (
            f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            + "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
            + "</article></body></html>"
        ).encode()
        extract_article(html, f"https://blog.example.com/posts/{n}")
        t4 = time.perf_counter()
        timings["summarise"].append((t1 - t0) * 1000)
        timings["hashtags"].append((t2 - t1) * 1000)
        timings["draft"].append((t3 - t2) * 1000)
        timings["extract"].append((t4 - t3) * 1000)
        lengths.append(len(text))
        if n % 25 == 0 or n == len(articles):
            print(f"  {n}/{len(articles)} articles", file=sys.stderr, flush=True)

    results: dict[str, object] = {
        "articles": len(articles),
        "article_chars_p50": statistics.median(lengths),
        "source": str(HEADLINES) if HEADLINES.exists() else "built-in sample",
        "python": platform.python_version(),
        "target_draft_p50_ms": 50,
    }
    print(f"{len(articles)} articles, median {statistics.median(lengths):.0f} characters")
    print(f"{'step':<12}{'p50 ms':>10}{'p99 ms':>10}")
    for step, values in timings.items():
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        results[f"{step}_p50_ms"] = round(p50, 2)
        results[f"{step}_p99_ms"] = round(p99, 2)
        print(f"{step:<12}{p50:>10.1f}{p99:>10.1f}")
    cpu50, cpu99 = percentile(draft_cpu, 0.5), percentile(draft_cpu, 0.99)
    results["draft_cpu_p50_ms"] = round(cpu50, 2)
    results["draft_cpu_p99_ms"] = round(cpu99, 2)
    results["load_average_1m"] = os.getloadavg()[0]
    print(f"{'draft (CPU)':<12}{cpu50:>10.1f}{cpu99:>10.1f}")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("(draft = summary + hashtags + fitting the template; extract = trafilatura, not drafted)")

    out = ROOT / "results" / "feeds_draft.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
