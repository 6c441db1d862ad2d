"""Offline evaluation of "who to follow" on the public graphs in shared/data/graphs.

Protocols (shared/data/README.md):
- cold start: users with >= 15 follows keep 3 random follows as seeds; the rest are hidden and must
  be recovered. The scoring graph is the full graph minus the hidden follows of every evaluated
  user.
  GitHub (musae) is undirected: each edge is two follows, and hiding a follow hides both directions
  (otherwise the hidden friend still "follows you" and follow-back alone would recover it).
  500 sampled users for GitHub; every eligible user for the smaller graphs.
  --strict also removes the reverse of every hidden follow on the directed graphs. The README
  protocol keeps them, and on bitcoin-alpha (trades are rated both ways) and email-Eu a hidden
  follow is often already following the user, which follow-back and undirected walks pick up;
  --strict shows what is left without that signal, closer to a brand-new user.
- temporal (bitcoin-alpha): train on the first 80% of positive ratings by time, predict the later
  new follows between users who already exist in the training graph.

Blend tuning (--tune): logistic regressions on the blend features of every candidate, on
TUNE_SEEDS, which are disjoint from REPORT_SEEDS: one over the directed graphs (bitcoin-alpha,
email-Eu) and one over the mutual-follow graph (GitHub), split by `FollowGraph.is_mutual` exactly as
the production code picks its weights. The temporal protocol is never tuned on. While iterating,
evaluate on other non-report seeds (--seeds 102 103) so the report seeds stay unseen.

    .venv/bin/python bench/wtf_eval.py [--quick] [--tune] [--seeds 102 103] [--only github]

Results (README protocol, seeds 0-2, mean P@10 / R@10 / MRR; weights fitted on seeds 100-101):

    graph              method      P@10   R@10   MRR    reference P@10   target
    GitHub (500)       ppr         .238   .083   .587   .234
                       salsa       .281   .097   .627   .262
                       blend       .282   .097   .624                    .28
    bitcoin-alpha      blend       .759   .303   .938   .299 (best)      .31
    email-Eu           blend       .604   .191   .870   .449 (best)      .46
    bitcoin temporal   blend       .085   .189   .267   .067 (best)      .07

GitHub before the mutual-graph path: ppr .200, salsa .223, blend .240. The GitHub blend is within
a seed's noise of the target (per-seed sd .017): on tuning seeds 102-103 it was .281, and the
blend adds almost nothing to SALSA there (PPR over odd steps, two-hop counts and a gradient-boosted
ranker all rank much the same people). Full per-method tables go to bench/results/wtf_eval.json.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from rookery.algorithms.wtf import METHODS, FollowGraph, candidate_table, rank
from rookery.algorithms.wtf.blend import (
    BLEND_WEIGHTS,
    FEATURES,
    MUTUAL_BLEND_WEIGHTS,
    weight_vector,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "graphs"
RESULTS = ROOT / "bench" / "results"

# Three reporting seeds, two tuning seeds: a full run takes ~15 minutes on a shared 2-core box.
TUNE_SEEDS = (100, 101)
REPORT_SEEDS = (0, 1, 2)
K = 10
MIN_FOLLOWS = 15
KEEP = 3
TARGETS = {"github": 0.28, "bitcoin": 0.31, "email": 0.46, "bitcoin_temporal": 0.07}
REFERENCE = {
    "github": {
        "popularity": 0.176,
        "common_neighbours": 0.189,
        "adamic_adar": 0.172,
        "ppr": 0.234,
        "salsa": 0.262,
    },
    "email": {
        "popularity": 0.274,
        "common_neighbours": 0.430,
        "adamic_adar": 0.446,
        "ppr": 0.449,
        "salsa": 0.352,
    },
    "bitcoin": {
        "popularity": 0.243,
        "common_neighbours": 0.267,
        "adamic_adar": 0.236,
        "ppr": 0.262,
        "salsa": 0.299,
    },
    "bitcoin_temporal": {
        "popularity": 0.051,
        "common_neighbours": 0.058,
        "adamic_adar": 0.059,
        "ppr": 0.067,
    },
}

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Dataset:
    name: str
    src: IntArray
    dst: IntArray
    undirected: bool
    sample: int | None  # evaluate this many eligible users (None: all)
    topics: Mapping[int, AbstractSet[str]] | None = None
    time: IntArray | None = None


def load_github() -> Dataset:
    edges = np.loadtxt(DATA / "musae_git_edges.csv", delimiter=",", skiprows=1, dtype=np.int64)
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    # musae_git_target.csv has one attribute, web or ML developer. As a "topic" it splits 37,700
    # users into two groups: no lift (its fitted blend weight was -0.36) for 230 ms per user of
    # group scanning, so it is left out; shared topics are covered by the unit tests instead.
    return Dataset("github", src, dst, undirected=True, sample=500)


def load_bitcoin() -> Dataset:
    raw = np.loadtxt(DATA / "soc-sign-bitcoinalpha.csv", delimiter=",", skiprows=1, dtype=np.int64)
    positive = raw[raw[:, 2] > 0]
    return Dataset(
        "bitcoin",
        positive[:, 0],
        positive[:, 1],
        undirected=False,
        sample=None,
        time=positive[:, 3],
    )


def load_email() -> Dataset:
    edges = np.loadtxt(DATA / "email-Eu-core.txt", dtype=np.int64)
    return Dataset("email", edges[:, 0], edges[:, 1], undirected=False, sample=None)


@dataclass(frozen=True)
class Task:
    """One evaluation round: a scoring graph and, per evaluated user, the follows to recover."""

    graph: FollowGraph
    hidden: dict[int, frozenset[int]]


def cold_start_task(data: Dataset, seed: int, sample: int | None, strict: bool = False) -> Task:
    rng = np.random.default_rng(seed)
    full = FollowGraph.from_edges(data.src, data.dst)
    eligible = full.ids[full.out_degree >= MIN_FOLLOWS]
    if sample is not None and sample < eligible.size:
        eligible = np.sort(rng.choice(eligible, size=sample, replace=False))
    hidden: dict[int, frozenset[int]] = {}
    drop_src: list[IntArray] = []
    drop_dst: list[IntArray] = []
    for user in eligible:
        follows = full.following(int(user))
        kept = rng.choice(follows.size, size=KEEP, replace=False)
        gone = np.delete(follows, kept)
        hidden[int(user)] = frozenset(int(x) for x in gone)
        drop_src.append(np.full(gone.size, user))
        drop_dst.append(gone)
    a, b = np.concatenate(drop_src), np.concatenate(drop_dst)
    if data.undirected or strict:
        a, b = np.concatenate([a, b]), np.concatenate([b, a])
    return Task(full.without_edges(a, b), hidden)


def temporal_task(data: Dataset) -> Task:
    assert data.time is not None
    order = np.argsort(data.time, kind="stable")
    src, dst = data.src[order], data.dst[order]
    cut = int(0.8 * src.size)
    train = FollowGraph.from_edges(src[:cut], dst[:cut])
    hidden: dict[int, set[int]] = {}
    for a, b in zip(src[cut:], dst[cut:], strict=True):
        a, b = int(a), int(b)
        if a != b and a in train and b in train and not train.follows(a, b):
            hidden.setdefault(a, set()).add(b)
    return Task(train, {u: frozenset(v) for u, v in hidden.items()})


@dataclass
class Metrics:
    precision: list[float]
    recall: list[float]
    rr: list[float]

    @classmethod
    def new(cls) -> Metrics:
        return cls([], [], [])

    def add(self, ranked: list[int], truth: frozenset[int]) -> None:
        hits = [i for i, c in enumerate(ranked[:K]) if c in truth]
        self.precision.append(len(hits) / K)
        self.recall.append(len(hits) / len(truth))
        self.rr.append(1.0 / (hits[0] + 1) if hits else 0.0)

    def summary(self) -> dict[str, float]:
        return {
            "p@10": float(np.mean(self.precision)),
            "r@10": float(np.mean(self.recall)),
            "mrr": float(np.mean(self.rr)),
        }


def run_task(
    task: Task,
    data: Dataset,
    seed: int,
    weights: Mapping[bool, npt.NDArray[np.float64]] | None,
    collect: bool,
    label: str,
) -> tuple[
    dict[str, dict[str, float]], list[tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]]
]:
    metrics = {method: Metrics.new() for method in METHODS}
    # The production code picks the mutual or directed weights from the graph; so does the bench.
    blend_weights = None if weights is None else weights[task.graph.is_mutual]
    rows: list[tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]] = []
    for user, truth in tqdm(task.hidden.items(), desc=label, leave=False, mininterval=1.0):
        table = candidate_table(
            task.graph, user, topics=data.topics, rng_seed=seed * 1_000_003 + user
        )
        for method in METHODS:
            chosen, _ = rank(table, method, K, blend_weights if method == "blend" else None)
            metrics[method].add([int(x) for x in task.graph.ids[chosen]], truth)
        if collect and table.candidates.size:
            labels = np.isin(task.graph.ids[table.candidates], np.fromiter(truth, np.int64))
            rows.append((table.features, labels))
    return {m: metrics[m].summary() for m in METHODS}, rows


def tune(
    datasets: list[Dataset], seeds: tuple[int, ...], sample_scale: float, strict: bool
) -> dict[bool, dict[str, float]]:
    """One logistic regression per kind of graph (mutual or directed, as the graph reports)."""
    from sklearn.linear_model import LogisticRegression

    groups: dict[bool, tuple[list[npt.NDArray[np.float64]], list[npt.NDArray[np.bool_]]]] = {}
    for data in datasets:
        for seed in seeds:
            sample = None if data.sample is None else int(data.sample * sample_scale)
            task = cold_start_task(data, seed, sample, strict)
            _, rows = run_task(task, data, seed, None, True, f"tune {data.name} seed {seed}")
            x = np.concatenate([r[0] for r in rows])
            y = np.concatenate([r[1] for r in rows])
            features, labels = groups.setdefault(task.graph.is_mutual, ([], []))
            features.append(x)
            labels.append(y)
    fitted: dict[bool, dict[str, float]] = {}
    for mutual, (features, labels) in groups.items():
        # Each graph and seed gets equal say, whatever its number of users and candidates.
        weights = [np.full(x.shape[0], 1.0 / x.shape[0]) for x in features]
        x, y, w = np.concatenate(features), np.concatenate(labels), np.concatenate(weights)
        model = LogisticRegression(C=1.0, max_iter=2000)
        model.fit(x, y, sample_weight=w * x.shape[0])
        fitted[mutual] = {
            name: round(float(c), 3) for name, c in zip(FEATURES, model.coef_[0], strict=True)
        }
    return fitted


def mean_over(runs: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for method in runs[0]:
        out[method] = {}
        for key in runs[0][method]:
            values = [r[method][key] for r in runs]
            out[method][key] = float(np.mean(values))
            out[method][key + "_sd"] = float(np.std(values))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 200 GitHub users")
    parser.add_argument("--tune", action="store_true", help="refit blend weights on TUNE_SEEDS")
    parser.add_argument("--strict", action="store_true", help="also hide reverse follows")
    parser.add_argument("--only", nargs="*", help="graph names to run (github bitcoin email)")
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="*",
        help="evaluate on these seeds instead (e.g. 100 101 102 while iterating, to keep the "
        "report seeds unseen until the final run)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    seeds = REPORT_SEEDS[:1] if args.quick else REPORT_SEEDS
    if args.seeds:
        seeds = tuple(args.seeds)
    scale = 0.4 if args.quick else 1.0
    datasets = [load_github(), load_bitcoin(), load_email()]
    if args.only:
        datasets = [d for d in datasets if d.name in args.only]

    weights_used = {False: dict(BLEND_WEIGHTS), True: dict(MUTUAL_BLEND_WEIGHTS)}
    if args.tune:
        fitted = tune(datasets, TUNE_SEEDS[:1] if args.quick else TUNE_SEEDS, scale, args.strict)
        weights_used.update(fitted)
        for mutual, fit in fitted.items():
            kind = "mutual" if mutual else "directed"
            print(f"tuned {kind} blend weights:", json.dumps(fit, indent=1))
    w = {mutual: weight_vector(values) for mutual, values in weights_used.items()}

    results: dict[str, dict[str, dict[str, float]]] = {}
    for data in datasets:
        runs = []
        for seed in seeds:
            sample = None if data.sample is None else int(data.sample * scale)
            task = cold_start_task(data, seed, sample, args.strict)
            summary, _ = run_task(task, data, seed, w, False, f"{data.name} seed {seed}")
            runs.append(summary)
        results[data.name] = mean_over(runs)
        results[data.name]["_users"] = {"n": float(len(task.hidden))}
        if data.name == "bitcoin" and not args.strict:
            task = temporal_task(data)
            runs = [
                run_task(task, data, seed, w, False, f"bitcoin temporal seed {seed}")[0]
                for seed in seeds
            ]
            results["bitcoin_temporal"] = mean_over(runs)
            results["bitcoin_temporal"]["_users"] = {"n": float(len(task.hidden))}

    elapsed = time.perf_counter() - started
    protocol = "strict" if args.strict else "README"
    print(f"\nwho-to-follow, {protocol} protocol, seeds {list(seeds)}, K={K} ({elapsed:.0f} s)")
    print(
        f"{'graph (users)':24} {'method':18} {'P@10':>7} {'(sd)':>6} {'R@10':>7} {'MRR':>7} "
        f"{'ref P@10':>9} {'target':>7}"
    )
    for graph, per_method in results.items():
        users = int(per_method["_users"]["n"])
        for method in METHODS:
            m = per_method[method]
            ref = REFERENCE.get(graph, {}).get(method)
            target = TARGETS.get(graph) if method == "blend" else None
            print(
                f"{graph + f' ({users})':24} {method:18} {m['p@10']:7.3f} {m['p@10_sd']:6.3f} "
                f"{m['r@10']:7.3f} {m['mrr']:7.3f} {'' if ref is None else f'{ref:.3f}':>9} "
                f"{'' if target is None else f'{target:.2f}':>7}"
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "wtf_eval" + ("_strict" if args.strict else "") + ("_quick" if args.quick else "")
    if args.seeds:
        name += "_seeds_" + "_".join(str(s) for s in seeds)
    out = RESULTS / f"{name}.json"
    out.write_text(
        json.dumps(
            {
                "protocol": protocol,
                "seeds": list(seeds),
                "weights": {
                    "mutual" if mutual else "directed": values
                    for mutual, values in weights_used.items()
                },
                "results": results,
                "targets": TARGETS,
            },
            indent=1,
        )
    )
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
