"""Hashed features shared by the global prior, the per-reader model and the benchmark.

Hashing (rather than a fitted vocabulary) means a model trained today can score words it has
never seen without refitting, per-reader weights can be stored sparsely by index, and nothing
about the corpus ships with the code. Changing anything here changes the meaning of stored
weights, so bump FEATURE_VERSION; persisted models carrying another version are refused.

One pass of our own instead of scikit-learn's HashingVectorizer: its analysers build every
n-gram as a Python string, which was over half of a 2,000-post catch-up. Here a word is hashed
once per process (CRC-32, cached), bigrams combine two word hashes arithmetically, and
character 4-grams are hashed with numpy over the code points of all texts at once. The hashes
are fixed functions (not Python's per-process `hash`), so stored weights stay meaningful
across restarts and machines.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from .types import Candidate

FEATURE_VERSION = "catchup-hash-v2"

WORD_BITS = 18
CHAR_BITS = 18
META_BITS = 16
WORD_DIM = 1 << WORD_BITS
CHAR_DIM = 1 << CHAR_BITS
META_DIM = 1 << META_BITS
CHAR_OFFSET = WORD_DIM
META_OFFSET = WORD_DIM + CHAR_DIM
N_FEATURES = WORD_DIM + CHAR_DIM + META_DIM

# Block weights after each block is L2-normalised. Words carry most of the signal; character
# 4-grams catch spelling variants and clickbait style ("You'll", "!!!", numbers-lists) that
# word tokens split badly; metadata is a nudge, not a verdict.
WORD_WEIGHT = 1.0
CHAR_WEIGHT = 0.7
META_WEIGHT = 0.5
_BLOCK_WEIGHTS = np.array([WORD_WEIGHT, CHAR_WEIGHT, META_WEIGHT])

# The opening of a post carries its style, headline-length, so the character block sees only
# that; words still cover the whole text.
CHAR_TEXT_LIMIT = 120

_URL_RE = re.compile(r"https?://\S+")
# Single-character tokens ("a", "I", "5") matter for clickbait-style headlines.
_TOKEN_RE = re.compile(r"\b\w+\b")

# Multiply-shift hashing (odd 64-bit multipliers, wrap-around product, top bits kept): one
# multiplier per block and bigram position, so unigrams, bigrams and 4-grams land
# independently.
_M_WORD = np.uint64(0x9E3779B97F4A7C15)
_M_BIGRAM_A = np.uint64(0xC2B2AE3D27D4EB4F)
_M_BIGRAM_B = np.uint64(0x165667B19E3779F9)
_M_CHAR = np.uint64(0xD6E8FEB86659FD93)
_M_META = np.uint64(0xFF51AFD7ED558CCD)
_P_CHAR = np.uint64(0x100000001B3)  # FNV prime: polynomial over code points before mixing
_SPACE = 32

# Word -> CRC-32, shared by every catch-up in the process; words repeat across posts and
# readers (Zipf), so most lookups hit. Cleared when full rather than evicted one by one.
_word_hashes: dict[str, int] = {}
_WORD_CACHE_MAX = 500_000


def clean_text(text: str) -> str:
    # URLs are represented by the domain token; their path fragments are mostly noise.
    return _URL_RE.sub(" ", text)


def meta_tokens(candidate: Candidate) -> list[str]:
    tokens = [f"tag={t.lower().lstrip('#')}" for t in candidate.hashtags]
    if candidate.link_url or candidate.link_domain:
        tokens.append("has_link")
    if candidate.link_domain:
        tokens.append(f"domain={normalise_domain(candidate.link_domain)}")
    if candidate.is_question:
        tokens.append("question")
    tokens.append(f"author={candidate.author_id}")
    return tokens


def normalise_domain(domain: str) -> str:
    domain = domain.lower().strip().rstrip(".")
    return domain.removeprefix("www.")


def featurize_texts(texts: Sequence[str]) -> sp.csr_matrix:
    """Text-only features (the metadata block stays empty)."""
    return _assemble(texts, [[] for _ in texts])


def featurize(candidates: Sequence[Candidate]) -> sp.csr_matrix:
    return _assemble([c.text for c in candidates], [meta_tokens(c) for c in candidates])


def _crc(tokens: list[str]) -> np.ndarray:
    cache = _word_hashes
    if len(cache) > _WORD_CACHE_MAX:
        cache.clear()
    out = []
    for token in tokens:
        h = cache.get(token)
        if h is None:
            h = cache[token] = zlib.crc32(token.encode())
        out.append(h)
    return np.array(out, dtype=np.uint64)


def _top_bits(values: np.ndarray, bits: int) -> np.ndarray:
    return (values >> np.uint64(64 - bits)).astype(np.int64)


def _word_block(lowered: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    per_text = [_TOKEN_RE.findall(t) for t in lowered]
    counts = np.fromiter((len(t) for t in per_text), dtype=np.int64, count=len(per_text))
    hashes = _crc([tok for toks in per_text for tok in toks])
    rows = np.repeat(np.arange(len(per_text)), counts)
    with np.errstate(over="ignore"):
        uni = _top_bits(hashes * _M_WORD, WORD_BITS)
        # A bigram is a pair of neighbours within one text, never across two texts.
        same = rows[:-1] == rows[1:]
        bi = _top_bits(hashes[:-1][same] * _M_BIGRAM_A + hashes[1:][same] * _M_BIGRAM_B, WORD_BITS)
    return np.concatenate([rows, rows[:-1][same]]), np.concatenate([uni, bi])


def _char_block(lowered: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Word-bounded character 4-grams (like scikit-learn's "char_wb") of each text's opening.

    Each text becomes " w1 w2 … " and a 4-gram counts if no space falls strictly inside it,
    i.e. it lies within one space-padded word.
    """
    padded = [f" {' '.join(t[:CHAR_TEXT_LIMIT].split())} " for t in lowered]
    lengths = np.fromiter((len(p) for p in padded), dtype=np.int64, count=len(padded))
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = codes.size
    if n < 4:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    rows_all = np.repeat(np.arange(len(padded)), lengths)
    starts = np.arange(n - 3)
    space = codes == _SPACE
    valid = (rows_all[:-3] == rows_all[3:]) & ~space[1:-2] & ~space[2:-1]
    i = starts[valid]
    with np.errstate(over="ignore"):
        g = ((codes[i] * _P_CHAR + codes[i + 1]) * _P_CHAR + codes[i + 2]) * _P_CHAR + codes[i + 3]
        cols = _top_bits(g * _M_CHAR, CHAR_BITS)
    return rows_all[i], cols


def _meta_block(metas: Sequence[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    counts = np.fromiter((len(m) for m in metas), dtype=np.int64, count=len(metas))
    hashes = _crc([tok for m in metas for tok in m])
    with np.errstate(over="ignore"):
        cols = _top_bits(hashes * _M_META, META_BITS)
    return np.repeat(np.arange(len(metas)), counts), cols


def _assemble(texts: Sequence[str], metas: Sequence[list[str]]) -> sp.csr_matrix:
    n = len(texts)
    lowered = [clean_text(t).lower() for t in texts]
    w_rows, w_cols = _word_block(lowered)
    c_rows, c_cols = _char_block(lowered)
    m_rows, m_cols = _meta_block(metas)
    rows = np.concatenate([w_rows, c_rows, m_rows])
    cols = np.concatenate([w_cols, c_cols + CHAR_OFFSET, m_cols + META_OFFSET])
    # COO -> CSR sums repeated n-grams into counts, as a count vectoriser would.
    out = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, N_FEATURES), dtype=np.float64)
    out.sum_duplicates()
    # Each block L2-normalised per row, then weighted.
    nnz_rows = np.repeat(np.arange(n), np.diff(out.indptr))
    block = (out.indices >= CHAR_OFFSET).astype(np.int64) + (out.indices >= META_OFFSET)
    key = nnz_rows * 3 + block
    norms = np.sqrt(np.bincount(key, weights=out.data**2, minlength=3 * n))
    out.data *= _BLOCK_WEIGHTS[block] / norms[key]
    return out


def word_shingles(matrix: sp.csr_matrix) -> list[np.ndarray]:
    """Per row, the sorted hashed word unigram and bigram ids, reused as MinHash shingles.

    Word shingles rather than character ones: a post has a few dozen instead of hundreds, and
    a one-word edit of a 20-word post still leaves a Jaccard similarity above 0.8.
    """
    indptr, indices = matrix.indptr, matrix.indices
    out = []
    for i in range(matrix.shape[0]):
        cols = indices[indptr[i] : indptr[i + 1]]
        out.append(np.sort(cols[cols < CHAR_OFFSET]))
    return out
