"""Speaker- and corpus-independent splits of a corpus DataFrame.

A random split of acted emotional speech puts recordings of the same speaker
on both sides: the model learns the voice along with the emotion, and the score
flatters it (the benchmarks page of the documentation compares both kinds of
split on the same pipelines). Splitting by speaker,
so that every test speaker is unseen in training, is the honest default here:
:func:`speaker_train_test_split` for one split, or any scikit-learn group
splitter with ``groups=speaker_groups(df)`` for cross-validation.
:class:`LeaveOneCorpusOut` goes one step further and tests on a whole corpus
(recording conditions, language variety, actors) never seen in training.

The functions take the DataFrames of :mod:`skser.datasets` (columns ``path``,
``emotion``, ``speaker``, ``corpus``); speaker ids are unique across corpora.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupShuffleSplit, LeaveOneGroupOut, StratifiedGroupKFold

from ..exceptions import CorpusError, SkserError
from ..utils._columns import CORPUS_COLUMN, SPEAKER_COLUMN

__all__ = [
    "speaker_groups",
    "corpus_groups",
    "LeaveOneCorpusOut",
    "speaker_train_test_split",
    "check_speaker_independent",
]


def _column(df, name: str) -> np.ndarray:
    """The values of column ``name``, checked to be present and complete."""
    if not isinstance(df, pd.DataFrame):
        raise CorpusError(
            f"expected a corpus DataFrame with a {name!r} column, got {type(df).__name__}"
        )
    if name not in df.columns:
        raise CorpusError(
            f"the corpus DataFrame has no {name!r} column (columns: {list(df.columns)})"
        )
    values = df[name]
    missing = values.isna().to_numpy()
    if missing.any():
        rows = list(df.index[missing][:5])
        raise CorpusError(
            f"column {name!r} has {int(missing.sum())} missing value(s), e.g. at rows {rows}"
        )
    return values.to_numpy()


def speaker_groups(df: pd.DataFrame) -> np.ndarray:
    """The speaker of every row, for ``groups=`` of a group splitter.

    Parameters
    ----------
    df : DataFrame
        A corpus table with a ``speaker`` column without missing values.

    Returns
    -------
    ndarray of shape (n_rows,)

    Raises
    ------
    CorpusError
        If ``df`` is not a DataFrame, lacks the column, or has missing values.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.model_selection import GroupKFold
    >>> from skser.model_selection import speaker_groups
    >>> df = pd.DataFrame({"speaker": ["ravdess_01", "ravdess_01", "tess_OAF", "tess_YAF"]})
    >>> [test.tolist() for _, test in GroupKFold(3).split(df, groups=speaker_groups(df))]
    [[0, 1], [3], [2]]
    """
    return _column(df, SPEAKER_COLUMN)


def corpus_groups(df: pd.DataFrame) -> np.ndarray:
    """The corpus of every row (``"ravdess"``, ``"cremad"``, ...), for ``groups=``.

    Parameters
    ----------
    df : DataFrame
        A corpus table with a ``corpus`` column without missing values.

    Returns
    -------
    ndarray of shape (n_rows,)

    Raises
    ------
    CorpusError
        If ``df`` is not a DataFrame, lacks the column, or has missing values.

    Examples
    --------
    >>> import pandas as pd
    >>> from skser.model_selection import corpus_groups
    >>> corpus_groups(pd.DataFrame({"corpus": ["tess", "savee"]})).tolist()
    ['tess', 'savee']
    """
    return _column(df, CORPUS_COLUMN)


class LeaveOneCorpusOut(LeaveOneGroupOut):
    """Cross-validation that tests on each corpus in turn, training on the others.

    scikit-learn's :class:`~sklearn.model_selection.LeaveOneGroupOut` over
    the corpus of each row: one fold per corpus, in sorted order of the corpus
    names. Pass ``groups=corpus_groups(df)``; when ``groups`` is omitted and
    ``X`` is a DataFrame with a ``corpus`` column, that column is used, so
    ``cross_validate(pipe, df, df["emotion"], cv=LeaveOneCorpusOut())``
    works as is. Labels that a held-out corpus lacks in training (e.g. calm
    exists only in RAVDESS) cannot be predicted right on that fold.

    See Also
    --------
    corpus_groups, speaker_groups

    Examples
    --------
    >>> import pandas as pd
    >>> from skser.model_selection import LeaveOneCorpusOut, corpus_groups
    >>> df = pd.DataFrame({"corpus": ["tess", "savee", "tess", "ravdess"]})
    >>> cv = LeaveOneCorpusOut()
    >>> cv.get_n_splits(groups=corpus_groups(df))
    3
    >>> [test.tolist() for _, test in cv.split(df)]
    [[3], [1], [0, 2]]
    """

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        """Number of folds: the number of distinct corpora.

        Parameters
        ----------
        X : DataFrame or None, default=None
            Read for its ``corpus`` column when ``groups`` is None.
        y : ignored
        groups : array-like of shape (n_samples,), default=None
            Corpus of every row.

        Returns
        -------
        int
        """
        return super().get_n_splits(X, y, _corpus_groups_of(X, groups))

    def split(self, X, y=None, groups=None):
        """Yield ``(train, test)`` index arrays, one pair per corpus.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, ...)
            The data; its ``corpus`` column is used when ``groups`` is None.
        y : array-like of shape (n_samples,), default=None
        groups : array-like of shape (n_samples,), default=None
            Corpus of every row.

        Yields
        ------
        train, test : ndarray of int
        """
        return super().split(X, y, _corpus_groups_of(X, groups))


def _corpus_groups_of(X, groups):
    if groups is None and isinstance(X, pd.DataFrame) and "corpus" in X.columns:
        return corpus_groups(X)
    return groups


def speaker_train_test_split(
    df: pd.DataFrame,
    test_size: float = 0.2,
    random_state: int | np.random.RandomState | None = None,
    stratify_by: str | None = "emotion",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a corpus table into train and test with no speaker on both sides.

    Guarantees: every speaker's rows all land on one side, and both sides are
    non-empty. Best effort: the test side holds about ``test_size`` of the
    speakers (hence of the rows, when speakers have similar numbers of rows),
    and, with ``stratify_by``, about the same class proportions as the train
    side, as far as whole speakers allow.

    Parameters
    ----------
    df : DataFrame
        A corpus table with a ``speaker`` column (and the ``stratify_by`` column).
    test_size : float, default=0.2
        Fraction of speakers to hold out, in (0, 1). With ``stratify_by`` it is
        rounded to ``1 / k`` for an integer ``k`` (0.2 -> 1/5, 0.3 -> 1/3): the
        test side is one fold of ``StratifiedGroupKFold(n_splits=k)``, with
        ``k`` at most the number of speakers.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling of speakers.
    stratify_by : str or None, default="emotion"
        Column whose class proportions the split should preserve; ``None``
        draws speakers at random (``GroupShuffleSplit``).

    Returns
    -------
    train_df, test_df : DataFrame
        Rows of ``df`` (index kept), in their original order.

    Raises
    ------
    CorpusError
        If a needed column is missing or incomplete, or there are fewer than
        2 speakers.

    See Also
    --------
    check_speaker_independent : verify a split made elsewhere.

    Examples
    --------
    >>> import pandas as pd
    >>> from skser.model_selection import speaker_train_test_split
    >>> df = pd.DataFrame({
    ...     "speaker": [f"s{i // 4}" for i in range(40)],
    ...     "emotion": ["sad", "angry"] * 20,
    ... })
    >>> train, test = speaker_train_test_split(df, test_size=0.2, random_state=0)
    >>> len(train), len(test), set(train.speaker) & set(test.speaker)
    (32, 8, set())
    """
    if not (isinstance(test_size, Real) and 0 < test_size < 1):
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    speakers = speaker_groups(df)
    n_speakers = len(np.unique(speakers))
    if n_speakers < 2:
        raise CorpusError(
            f"a speaker-independent split needs at least 2 speakers, got {n_speakers}"
        )
    if stratify_by is None:
        splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
        y = None
    else:
        n_splits = min(max(2, round(1 / test_size)), n_speakers)
        splitter = StratifiedGroupKFold(n_splits, shuffle=True, random_state=random_state)
        y = _column(df, stratify_by)
    train, test = next(splitter.split(df, y, groups=speakers))
    return df.iloc[np.sort(train)], df.iloc[np.sort(test)]


def check_speaker_independent(train_df: pd.DataFrame, test_df: pd.DataFrame) -> None:
    """Raise if a speaker has rows in both the train and the test table.

    Parameters
    ----------
    train_df, test_df : DataFrame
        Corpus tables with a ``speaker`` column.

    Raises
    ------
    SkserError
        Naming the shared speakers (up to 10) and how many there are.
    CorpusError
        If a table lacks the ``speaker`` column or has missing speakers.

    Examples
    --------
    >>> import pandas as pd
    >>> from skser.model_selection import check_speaker_independent
    >>> train = pd.DataFrame({"speaker": ["savee_DC", "savee_JE"]})
    >>> check_speaker_independent(train, pd.DataFrame({"speaker": ["savee_KL"]}))
    >>> leaky_test = pd.DataFrame({"speaker": ["savee_JE"]})
    >>> check_speaker_independent(train, leaky_test)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    skser.exceptions.SkserError: 1 speaker(s) appear in both train and test: 'savee_JE'; ...
    """
    shared = sorted(set(speaker_groups(train_df)) & set(speaker_groups(test_df)), key=str)
    if shared:
        shown = ", ".join(repr(s) for s in shared[:10])
        more = f" and {len(shared) - 10} more" if len(shared) > 10 else ""
        raise SkserError(
            f"{len(shared)} speaker(s) appear in both train and test: {shown}{more}; "
            "the test score would reward recognising voices, not emotions. Split by "
            "speaker: speaker_train_test_split(df), or a group splitter with "
            "groups=speaker_groups(df)."
        )
