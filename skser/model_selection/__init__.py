"""Honest evaluation: splits that keep speakers (or corpora) apart.

See :mod:`skser.model_selection._split` for why speaker-independent splits are
the default protocol.
"""

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
    "speaker_groups",
    "speaker_train_test_split",
]
