"""Morning catch-up (issue #6): what's new since you last looked, noise skipped, learning
from "more / less like this". Pure Python; the Django layer supplies candidates and persists
`ReaderModel.to_bytes()` per reader and `GlobalPrior.to_bytes()` per instance.
"""

from .folding import fold, normalise_url, shared_by_phrase
from .noise import (
    LABELS,
    GlobalPrior,
    Label,
    ReaderModel,
    default_prior,
    train_prior,
)
from .ranking import (
    DEFAULT_LIMITS,
    DEFAULT_WEIGHTS,
    CatchupLimits,
    ScoreWeights,
    build_catchup,
    reading_seconds,
)
from .types import SECTIONS, Candidate, Catchup, CatchupItem, Reader

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_WEIGHTS",
    "LABELS",
    "SECTIONS",
    "Candidate",
    "Catchup",
    "CatchupItem",
    "CatchupLimits",
    "GlobalPrior",
    "Label",
    "Reader",
    "ReaderModel",
    "ScoreWeights",
    "build_catchup",
    "default_prior",
    "fold",
    "normalise_url",
    "reading_seconds",
    "shared_by_phrase",
    "train_prior",
]
