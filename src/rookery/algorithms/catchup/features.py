"""Hashed features shared by the global prior, the per-reader model and the benchmark.

Hashing (rather than a fitted vocabulary) means a model trained today can score words it has
never seen without refitting, per-reader weights can be stored sparsely by index, and nothing
about the corpus ships with the code. Changing anything here changes the meaning of stored
weights, so bump FEATURE_VERSION; persisted models carrying another version are refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

from .types import Candidate

FEATURE_VERSION = "catchup-hash-v1"

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

# Character n-grams are the slowest part of a 2,000-post catch-up (about 3x the word block
# per character). The opening of a post carries its style, headline-length, so the character
# block sees only that; words still cover the whole text.
CHAR_TEXT_LIMIT = 120

_URL_RE = re.compile(r"https?://\S+")

_words = HashingVectorizer(
    n_features=WORD_DIM,
    ngram_range=(1, 2),
    alternate_sign=False,
    norm=None,
    # Single-character tokens ("a", "I", "5") matter for clickbait-style headlines.
    token_pattern=r"(?u)\b\w+\b",
)
_chars = HashingVectorizer(
    n_features=CHAR_DIM,
    analyzer="char_wb",
    ngram_range=(4, 4),
    alternate_sign=False,
    norm=None,
)
_meta = FeatureHasher(n_features=META_DIM, input_type="string", alternate_sign=False)


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


def _assemble(texts: Sequence[str], metas: Sequence[list[str]]) -> sp.csr_matrix:
    cleaned = [clean_text(t) for t in texts]
    words = normalize(_words.transform(cleaned)) * WORD_WEIGHT
    chars = normalize(_chars.transform([t[:CHAR_TEXT_LIMIT] for t in cleaned])) * CHAR_WEIGHT
    meta = normalize(_meta.transform(metas)) * META_WEIGHT
    out = sp.hstack([words, chars, meta], format="csr", dtype=np.float64)
    out.sum_duplicates()
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
