"""The reader's noise and taste model.

Two logistic "heads" over the same hashed features (see features.py):

* noise head: logit p(signal) = global prior logit + the reader's own correction. The prior is
  shared by every reader of an instance; the correction is learnt from this reader's
  "noise" / "not noise" (and, weakly, "more") feedback.
* taste head: logit p(more | shown) learnt from "more like this" / "less like this". It starts
  at zero (no opinion) and moves only with this reader's feedback.

Learning is a normalised logistic gradient step on the single example (w += eta (y - p) x /
|x|^2), so one click moves that post's own logit by eta (y - p) at once and moves other posts in
proportion to their feature overlap with it: a "less like this" visibly pushes similar posts
down in the very next catch-up, without a batch refit.

"Mute this topic" is not a label: the caller adds the topic to the reader's muted words, which
filter deterministically (ranking.py), because a mute must be absolute, not a learnt tilt.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Literal

import numpy as np
import scipy.sparse as sp

from .features import FEATURE_VERSION, N_FEATURES, featurize, featurize_texts
from .types import Candidate

Label = Literal["more", "less", "not_noise", "noise"]
LABELS: frozenset[str] = frozenset({"more", "less", "not_noise", "noise"})

# Step sizes in logit units for the clicked post itself (see module docstring). 4 takes a
# neutral post to p ~ 0.88 in one click: strong enough to be seen the next morning, not so
# strong that one misclick buries a whole topic (similar posts move by eta x cosine).
NOISE_ETA = 4.0
TASTE_ETA = 4.0
# "More like this" also says "this is not noise", but with less certainty than the explicit
# button: the reader may like a fun post while still calling it noise in general.
MORE_AS_SIGNAL_ETA = 1.5
# Bounds the persisted size per reader (a few hundred feedback clicks reach it); the weights
# closest to zero are dropped first.
MAX_WEIGHTS_PER_HEAD = 60_000

_PRIOR_MAGIC = b"RKCP1"
_MODEL_MAGIC = b"RKCM1"


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))


class GlobalPrior:
    """Instance-wide p(signal) from text and metadata, shared by all readers."""

    def __init__(self, weights: np.ndarray, intercept: float) -> None:
        if weights.shape != (N_FEATURES,):
            raise ValueError(f"prior weights must have shape ({N_FEATURES},)")
        self.weights = weights.astype(np.float64, copy=False)
        self.intercept = float(intercept)

    def logit(self, features: sp.csr_matrix) -> np.ndarray:
        return features @ self.weights + self.intercept

    def to_bytes(self) -> bytes:
        nz = np.flatnonzero(self.weights).astype(np.int32)
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            idx=nz,
            w=self.weights[nz].astype(np.float32),
            intercept=np.array([self.intercept]),
            version=np.array([FEATURE_VERSION]),
        )
        return _PRIOR_MAGIC + buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> GlobalPrior:
        if not data.startswith(_PRIOR_MAGIC):
            raise ValueError("not a serialised catch-up prior")
        with np.load(io.BytesIO(data[len(_PRIOR_MAGIC) :]), allow_pickle=False) as z:
            if str(z["version"][0]) != FEATURE_VERSION:
                raise ValueError(
                    f"prior built for features {z['version'][0]}, need {FEATURE_VERSION}"
                )
            weights = np.zeros(N_FEATURES)
            weights[z["idx"]] = z["w"]
            return cls(weights, float(z["intercept"][0]))


PriorExample = tuple[Candidate | str, bool | str]


def train_prior(
    examples: Iterable[PriorExample], *, c: float = 20.0, signal_bias: float = 0.0
) -> GlobalPrior:
    """Fit the shared prior from (post or text, label) pairs pooled over many readers.

    A label is True/False (signal/noise) or a feedback label: "noise" -> noise, "not_noise" and
    "more" -> signal; "less" is skipped, since disliking a post says nothing about it being
    noise. `signal_bias` is added to the intercept: a positive value makes the prior hesitate
    to skip what it is unsure about.
    """
    candidates: list[Candidate] = []
    texts: list[str] = []
    y_cand: list[int] = []
    y_text: list[int] = []
    for item, label in examples:
        if isinstance(label, str):
            if label not in LABELS:
                raise ValueError(f"unknown label {label!r}")
            if label == "less":
                continue
            target = int(label != "noise")
        else:
            target = int(bool(label))
        if isinstance(item, str):
            texts.append(item)
            y_text.append(target)
        else:
            candidates.append(item)
            y_cand.append(target)
    blocks = []
    if candidates:
        blocks.append(featurize(candidates))
    if texts:
        blocks.append(featurize_texts(texts))
    y = np.array(y_cand + y_text)
    if len(set(y.tolist())) < 2:
        raise ValueError("train_prior needs examples of both signal and noise")
    x = sp.vstack(blocks, format="csr")
    # Imported here: scikit-learn takes ~1.5 s to import and only training needs it, not
    # every web process that ranks a catch-up.
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, solver="liblinear", max_iter=2000)
    model.fit(x, y)
    return GlobalPrior(model.coef_.ravel().copy(), float(model.intercept_[0]) + signal_bias)


@lru_cache(maxsize=1)
def default_prior() -> GlobalPrior:
    """The prior a brand-new instance starts with, fitted from seed.py's hand-written examples.

    It is trained in well under a second on first use and cached per process. Regularised hard
    and biased toward "signal", so it only skips what looks unmistakably like clickbait; an
    instance should replace it with `train_prior` over its readers' pooled feedback.
    """
    from .seed import SEED_NOISE, SEED_SIGNAL

    examples: list[PriorExample] = [(t, False) for t in SEED_NOISE]
    examples += [(t, True) for t in SEED_SIGNAL]
    return train_prior(examples, c=4.0, signal_bias=1.0)


class _Head:
    """Sparse per-reader weights with the normalised single-example logistic step."""

    __slots__ = ("_dense", "weights")

    def __init__(self, weights: dict[int, float] | None = None) -> None:
        self.weights: dict[int, float] = weights or {}
        self._dense: np.ndarray | None = None

    def dense(self) -> np.ndarray:
        if self._dense is None:
            dense = np.zeros(N_FEATURES)
            if self.weights:
                idx = np.fromiter(self.weights.keys(), dtype=np.int64, count=len(self.weights))
                dense[idx] = np.fromiter(self.weights.values(), dtype=np.float64)
            self._dense = dense
        return self._dense

    def logit(self, features: sp.csr_matrix) -> np.ndarray:
        if not self.weights:
            return np.zeros(features.shape[0])
        return features @ self.dense()

    def step(self, row: sp.csr_matrix, base_logit: float, target: float, eta: float) -> None:
        z = base_logit + float(self.logit(row)[0])
        norm2 = float(row.multiply(row).sum())
        if norm2 == 0.0:
            return
        delta = eta * (target - float(_sigmoid(np.array(z)))) / norm2
        for i, v in zip(row.indices.tolist(), row.data.tolist(), strict=True):
            self.weights[i] = self.weights.get(i, 0.0) + delta * v
        if len(self.weights) > MAX_WEIGHTS_PER_HEAD:
            keep = sorted(self.weights.items(), key=lambda kv: abs(kv[1]), reverse=True)
            self.weights = dict(keep[:MAX_WEIGHTS_PER_HEAD])
        self._dense = None

    def to_json(self) -> dict[str, list]:
        items = sorted(self.weights.items())
        return {"i": [i for i, _ in items], "w": [round(w, 6) for _, w in items]}

    @classmethod
    def from_json(cls, data: dict[str, list]) -> _Head:
        return cls({int(i): float(w) for i, w in zip(data["i"], data["w"], strict=True)})


class ReaderModel:
    """One reader's model: the shared prior plus that reader's own weights.

    Only the reader's part is serialised (`to_bytes`); the prior is passed in again on load,
    so the instance can retrain the prior without touching per-reader rows.
    """

    def __init__(self, prior: GlobalPrior | None = None) -> None:
        self.prior = prior if prior is not None else default_prior()
        self._noise = _Head()
        self._taste = _Head()
        self.feedback_counts: dict[str, int] = dict.fromkeys(sorted(LABELS), 0)

    def predict(self, features: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """(p_signal, p_less) per row."""
        p_signal = _sigmoid(self.prior.logit(features) + self._noise.logit(features))
        p_less = 1.0 - _sigmoid(self._taste.logit(features))
        return p_signal, p_less

    def predict_candidates(self, candidates: Sequence[Candidate]) -> tuple[np.ndarray, np.ndarray]:
        return self.predict(featurize(candidates))

    def learn(self, candidate: Candidate, label: Label) -> None:
        if label not in LABELS:
            raise ValueError(f"unknown feedback label {label!r}; expected one of {sorted(LABELS)}")
        row = featurize([candidate])
        prior_logit = float(self.prior.logit(row)[0])
        if label == "noise":
            self._noise.step(row, prior_logit, 0.0, NOISE_ETA)
        elif label == "not_noise":
            self._noise.step(row, prior_logit, 1.0, NOISE_ETA)
        elif label == "more":
            self._taste.step(row, 0.0, 1.0, TASTE_ETA)
            self._noise.step(row, prior_logit, 1.0, MORE_AS_SIGNAL_ETA)
        else:
            self._taste.step(row, 0.0, 0.0, TASTE_ETA)
        self.feedback_counts[label] += 1

    def reset(self) -> None:
        """Forget everything this reader taught; the shared prior stays."""
        self._noise = _Head()
        self._taste = _Head()
        self.feedback_counts = dict.fromkeys(sorted(LABELS), 0)

    @property
    def is_untrained(self) -> bool:
        return not self._noise.weights and not self._taste.weights

    def to_bytes(self) -> bytes:
        payload = {
            "features": FEATURE_VERSION,
            "noise": self._noise.to_json(),
            "taste": self._taste.to_json(),
            "counts": self.feedback_counts,
        }
        return _MODEL_MAGIC + zlib.compress(json.dumps(payload, separators=(",", ":")).encode())

    @classmethod
    def from_bytes(cls, data: bytes, prior: GlobalPrior | None = None) -> ReaderModel:
        if not data.startswith(_MODEL_MAGIC):
            raise ValueError("not a serialised catch-up reader model")
        try:
            payload = json.loads(zlib.decompress(data[len(_MODEL_MAGIC) :]))
        except (zlib.error, ValueError) as exc:
            raise ValueError(f"corrupt catch-up reader model: {exc}") from exc
        if payload.get("features") != FEATURE_VERSION:
            # Hashed indices mean nothing under another feature layout; the caller should
            # start a fresh model rather than silently mis-score.
            raise ValueError(
                f"reader model built for features {payload.get('features')!r}, "
                f"need {FEATURE_VERSION!r}"
            )
        model = cls(prior)
        model._noise = _Head.from_json(payload["noise"])
        model._taste = _Head.from_json(payload["taste"])
        model.feedback_counts.update({k: int(v) for k, v in payload["counts"].items()})
        return model
