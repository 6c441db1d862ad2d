"""Folding: several posts that are "the same thing" become one catch-up item.

Two rules, applied together through one union-find:
* the same link (after URL normalisation) shared by several people;
* near-duplicate texts (cross-posts, copy-paste announcements): MinHash over the hashed
  word unigrams and bigrams from features.py, LSH banding to find candidate pairs cheaply, then the
  exact Jaccard similarity of the shingle sets to confirm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np

from .features import featurize_texts, word_shingles
from .types import Candidate

NEAR_DUP_JACCARD = 0.6
# 32 hashes in 8 bands of 4 rows: pairs above Jaccard ~0.6 collide in some band with high
# probability, pairs below ~0.3 rarely do; the exact check removes the false positives.
N_HASHES = 32
BANDS = 8
ROWS = N_HASHES // BANDS
# Very short texts ("Congrats!", "+1") share most of their few shingles by chance; 9
# unigram+bigram shingles is about five words.
MIN_SHINGLES = 9
# A bucket holding many posts (a meme everyone copies) is checked against its first few
# members only; union-find still joins the whole cluster through them, and the cost stays
# linear instead of quadratic in the bucket size.
MAX_BUCKET_COMPARISONS = 8

_rng = np.random.default_rng(20240611)
# Multiply-shift hashing (Dietzfelbinger): odd 64-bit multipliers, wrap-around product, top
# bits kept. Universal enough for MinHash and avoids a costly modulo over ~10^5 x 32 values.
_A = _rng.integers(0, np.iinfo(np.uint64).max, size=N_HASHES, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, np.iinfo(np.uint64).max, size=N_HASHES, dtype=np.uint64)
_SHIFT = np.uint64(32)

_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ref", "ref_src")


@dataclass(frozen=True, slots=True)
class FoldedGroup:
    representative: int  # index into the candidates sequence
    members: tuple[int, ...]  # indices, representative first
    shared_by: tuple[int, ...]  # people, most relevant to the reader first


def normalise_url(url: str) -> str:
    """A key under which the same article shared with different decorations compares equal."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/") or "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PARAMS)
    ]
    query.sort()
    # Scheme and fragment are dropped: http/https and #section point at the same article.
    return f"{host}{path}" + (f"?{urlencode(query)}" if query else "")


def minhash_signatures(shingles: Sequence[np.ndarray]) -> np.ndarray:
    """(n, N_HASHES) MinHash signatures; rows without shingles are all max-uint64."""
    n = len(shingles)
    sig = np.full((n, N_HASHES), np.iinfo(np.uint64).max, dtype=np.uint64)
    lengths = np.array([len(s) for s in shingles])
    nonempty = np.flatnonzero(lengths)
    if nonempty.size == 0:
        return sig
    flat = np.concatenate([shingles[i] for i in nonempty]).astype(np.uint64)
    starts = np.concatenate(([0], np.cumsum(lengths[nonempty])[:-1]))
    # In place after the one (shingles x hashes) allocation: the array is tens of megabytes for
    # a 2,000-post morning, and two temporaries of it cost more than the arithmetic.
    # Hashes as rows, shingles as columns, so the per-post minimum runs along contiguous memory.
    hashed = np.multiply.outer(_A, flat)
    np.add(hashed, _B[:, None], out=hashed)
    np.right_shift(hashed, _SHIFT, out=hashed)
    sig[nonempty] = np.minimum.reduceat(hashed, starts, axis=1).T
    return sig


def near_duplicate_pairs(
    shingles: Sequence[np.ndarray], threshold: float = NEAR_DUP_JACCARD
) -> list[tuple[int, int]]:
    eligible = [i for i, s in enumerate(shingles) if len(s) >= MIN_SHINGLES]
    if len(eligible) < 2:
        return []
    sig = minhash_signatures([shingles[i] for i in eligible])
    candidates: set[tuple[int, int]] = set()
    for band in range(BANDS):
        block = np.ascontiguousarray(sig[:, band * ROWS : (band + 1) * ROWS])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * ROWS))).ravel()
        buckets: dict[bytes, list[int]] = {}
        for row, key in enumerate(keys.tolist()):
            buckets.setdefault(key, []).append(row)
        for rows in buckets.values():
            for k in range(1, len(rows)):
                for j in range(min(k, MAX_BUCKET_COMPARISONS)):
                    candidates.add((rows[j], rows[k]))
    sets: dict[int, set[int]] = {}
    pairs = []
    for a, b in sorted(candidates):
        ia, ib = eligible[a], eligible[b]
        sa = sets.get(ia) or sets.setdefault(ia, set(shingles[ia].tolist()))
        sb = sets.get(ib) or sets.setdefault(ib, set(shingles[ib].tolist()))
        if len(sa & sb) / len(sa | sb) >= threshold:
            pairs.append((ia, ib))
    return pairs


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def fold(
    candidates: Sequence[Candidate],
    *,
    shingles: Sequence[np.ndarray] | None = None,
    affinity: Mapping[int, float] | None = None,
) -> list[FoldedGroup]:
    """Group candidates; every candidate lands in exactly one group, in first-seen order.

    `shingles` are the per-candidate character shingles if the caller already featurized
    (ranking.py does); otherwise they are computed here.
    """
    n = len(candidates)
    if n == 0:
        return []
    affinity = affinity or {}
    uf = _UnionFind(n)
    by_link: dict[str, int] = {}
    for i, c in enumerate(candidates):
        if c.link_url:
            key = normalise_url(c.link_url)
            if key in by_link:
                uf.union(by_link[key], i)
            else:
                by_link[key] = i
    if shingles is None:
        shingles = word_shingles(featurize_texts([c.text for c in candidates]))
    for a, b in near_duplicate_pairs(shingles):
        uf.union(a, b)

    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(uf.find(i), []).append(i)

    groups = []
    for idx in members.values():
        if len(idx) == 1:
            # Most posts fold with nothing; skip the ordering work below for them.
            c = candidates[idx[0]]
            sharers = (c.author_id,) if not c.shared_by else _sharers(candidates, idx, affinity)
            groups.append(FoldedGroup(idx[0], (idx[0],), sharers))
            continue
        # The representative is the version the reader is most likely to want to open:
        # from someone they follow, then from someone they interact with, then the most
        # engaged-with, then the earliest.
        rep = min(
            idx,
            key=lambda i: (
                not candidates[i].from_network,
                -affinity.get(candidates[i].author_id, 0.0),
                -_engagement(candidates[i]),
                candidates[i].created_at,
                candidates[i].post_id,
            ),
        )
        ordered = (rep, *(i for i in idx if i != rep))
        groups.append(FoldedGroup(rep, ordered, _sharers(candidates, ordered, affinity)))
    return groups


def _engagement(c: Candidate) -> int:
    return c.likes + 2 * c.reposts + c.replies


def _sharers(
    candidates: Sequence[Candidate], members: Sequence[int], affinity: Mapping[int, float]
) -> tuple[int, ...]:
    first_seen: dict[int, int] = {}
    for order, i in enumerate(members):
        c = candidates[i]
        for person in (c.author_id, *c.shared_by):
            first_seen.setdefault(person, order)
    # "Shared by Ana, Bo and 4 others" should name the people the reader knows best.
    return tuple(sorted(first_seen, key=lambda p: (-affinity.get(p, 0.0), first_seen[p], p)))


def shared_by_phrase(names: Sequence[str], shown: int = 2) -> str:
    """ "shared by Ana", "shared by Ana and Bo", "shared by Ana, Bo and Cy",
    "shared by Ana, Bo and 4 others"."""
    if not names:
        return ""
    if len(names) == 1:
        return f"shared by {names[0]}"
    if len(names) <= shown + 1:
        return f"shared by {', '.join(names[:-1])} and {names[-1]}"
    return f"shared by {', '.join(names[:shown])} and {len(names) - shown} others"
