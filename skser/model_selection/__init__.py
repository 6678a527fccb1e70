"""Honest evaluation: splits that keep speakers (or corpora) apart, and held-out files
recorded so that a saved model can be scored on them again.

See :mod:`skser.model_selection._split` for why speaker-independent splits are
the default protocol.
"""

from ._held_out import record_held_out, select_held_out
from ._split import (
    LeaveOneCorpusOut,
    check_speaker_independent,
    corpus_groups,
    speaker_groups,
    speaker_train_test_split,
)

__all__ = [
    "LeaveOneCorpusOut",
    "check_speaker_independent",
    "corpus_groups",
    "record_held_out",
    "select_held_out",
    "speaker_groups",
    "speaker_train_test_split",
]
