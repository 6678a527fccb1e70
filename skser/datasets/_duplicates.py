"""The recordings that the original corpus releases hold twice."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..exceptions import CorpusError
from ..utils._columns import CORPUS_COLUMN, PATH_COLUMN

__all__ = ["KNOWN_DUPLICATES", "drop_known_duplicates"]

# corpus -> file stems to drop. RAVDESS: two Actor_07 files are byte-identical
# in the original release; one copy is kept. CREMA-D: three recordings appear
# under two labels each; both copies go, since the true label is unknown.
KNOWN_DUPLICATES: dict[str, frozenset[str]] = {
    "ravdess": frozenset({"03-01-03-01-02-02-07"}),
    "cremad": frozenset({
        "1006_TIE_HAP_XX", "1006_TIE_NEU_XX",
        "1013_WSI_DIS_XX", "1013_WSI_SAD_XX",
        "1017_IWW_ANG_XX", "1017_IWW_FEA_XX",
    }),
}


def drop_known_duplicates(df: pd.DataFrame) -> pd.DataFrame:
    """Remove the recordings that the original corpus releases hold twice.

    * RAVDESS: ``03-01-03-01-02-01-07`` and ``03-01-03-01-02-02-07`` (Actor_07)
      are identical; the second is dropped and the first kept.
    * CREMA-D: ``1006_TIE_HAP_XX``/``1006_TIE_NEU_XX``,
      ``1013_WSI_DIS_XX``/``1013_WSI_SAD_XX`` and
      ``1017_IWW_ANG_XX``/``1017_IWW_FEA_XX`` are each one recording under two
      labels; both members are dropped, since the true label is ambiguous.

    Rows are matched by ``corpus`` and file stem, so files of other corpora
    (the synthetic one uses RAVDESS names) are never dropped.

    Parameters
    ----------
    df : pandas.DataFrame
        A corpus DataFrame with ``path`` and ``corpus`` columns.

    Returns
    -------
    df : pandas.DataFrame
        The remaining rows, in order, with a fresh index (7 fewer rows for the
        complete corpora).

    Raises
    ------
    CorpusError
        If ``df`` lacks the ``path`` or ``corpus`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> from skser.datasets import drop_known_duplicates
    >>> df = pd.DataFrame({"path": ["/c/1006_TIE_HAP_XX.wav", "/c/1006_TIE_ANG_XX.wav"],
    ...                    "corpus": ["cremad", "cremad"]})
    >>> drop_known_duplicates(df)["path"].tolist()
    ['/c/1006_TIE_ANG_XX.wav']
    """
    missing = [c for c in (PATH_COLUMN, CORPUS_COLUMN) if c not in df.columns]
    if missing:
        raise CorpusError(
            f"drop_known_duplicates needs a corpus DataFrame; missing column(s) {missing}"
        )
    stems = df[PATH_COLUMN].map(lambda p: Path(str(p)).stem)
    drop = [
        stem in KNOWN_DUPLICATES.get(corpus, ())
        for corpus, stem in zip(df[CORPUS_COLUMN], stems)
    ]
    return df.loc[~pd.Series(drop, index=df.index, dtype=bool)].reset_index(drop=True)
