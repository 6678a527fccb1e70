"""AudioLoader: file paths -> fixed-length mono waveforms."""

from __future__ import annotations

import numpy as np

from ..utils._columns import WAVEFORM_COLUMN
from ._base import BaseAudioTransformer
from ._io import DEFAULT_DURATION, DEFAULT_OFFSET, DEFAULT_SR

__all__ = ["AudioLoader"]


class AudioLoader(BaseAudioTransformer):
    """Decode audio files into fixed-length mono float32 waveforms.

    Files are decoded with soundfile, averaged to mono, resampled with soxr,
    read from ``offset`` seconds for ``duration`` seconds, and zero-padded at
    the end when shorter. Waveforms given as arrays pass through the same
    pad/trim and validation, so the step is idempotent.

    Parameters
    ----------
    sr : int, default=skser.audio.DEFAULT_SR (16000)
        Output sample rate in Hz.
    duration : float, default=skser.audio.DEFAULT_DURATION (3.0)
        Output length in seconds; every row has ``round(duration * sr)`` samples.
    offset : float, default=skser.audio.DEFAULT_OFFSET (0.0)
        Seconds skipped at the start of each file.
    trim_db : float or None, default=None
        Remove the leading and trailing audio quieter than the loudest 25 ms frame
        by this many dB (:func:`~skser.audio.trim_silence`) before cutting to
        ``duration``, so that silence at the start of a recording does not take
        the place of speech (up to 10 s of it); ``None`` keeps the audio as it is.
    n_jobs : int or None, default=None
        Files decoded in parallel (joblib); ``-1`` uses all cores.
    verbose : int, default=0
        0 silent; 1 a progress bar on stderr; 2 or more a plain line on stderr at
        each tenth of the files, with the time left (for logs).
    on_error : {"raise", "warn"}, default="raise"
        ``"raise"`` stops at the first bad file with an error naming it;
        ``"warn"`` returns NaN rows for bad files and warns once, listing them.
    memory : str, joblib.Memory or None, default=None
        Cache of decoded files (rarely worth it for raw audio; see the feature
        transformers).
    keep_columns : tuple of str, default=()
        Columns of a DataFrame input passed on beside the waveforms, e.g.
        ``("speaker",)`` for a :class:`~skser.preprocessing.SpeakerNormalizer`
        further on. When a DataFrame input has any of them, the output is a
        DataFrame with a ``waveform`` column (one 1-D float32 array per row,
        which skser's audio steps read) and those columns; otherwise it is the
        array below.

    Attributes
    ----------
    n_samples_ : int
        Samples per output row.
    output_shape_ : tuple of int
        ``(n_samples_,)``.

    See Also
    --------
    skser.features.MelImage, skser.features.AcousticFeatures

    Examples
    --------
    >>> import numpy as np
    >>> from skser import AudioLoader
    >>> X = AudioLoader(sr=8000, duration=0.5).fit_transform(np.zeros((2, 100)))
    >>> X.shape, X.dtype
    ((2, 4000), dtype('float32'))
    """

    _progress_desc = "loading audio"
    _parameter_constraints: dict = {
        **BaseAudioTransformer._parameter_constraints, "keep_columns": [tuple, list],
    }

    def __init__(
        self,
        sr: int = DEFAULT_SR,
        duration: float = DEFAULT_DURATION,
        offset: float = DEFAULT_OFFSET,
        *,
        n_jobs: int | None = None,
        verbose: int = 0,
        on_error: str = "raise",
        memory=None,
        trim_db: float | None = None,
        keep_columns: tuple = (),
    ):
        self.sr = sr
        self.duration = duration
        self.offset = offset
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.on_error = on_error
        self.memory = memory
        self.trim_db = trim_db
        self.keep_columns = keep_columns

    def transform(self, X):
        """Decode (or pad/trim) each input into a fixed-length waveform.

        Parameters
        ----------
        X : list of paths, array of shape (n_samples, n_times), or DataFrame
            Audio files, mono waveforms at ``sr`` Hz, or a DataFrame with a
            ``path`` (or ``waveform``) column.

        Returns
        -------
        ndarray of shape ``(n_samples, n_samples_)``, dtype float32, or DataFrame
            A DataFrame with a ``waveform`` column and the ``keep_columns``
            of a DataFrame input that has any of them.
        """
        waveforms = super().transform(X)
        kept = [c for c in self.keep_columns if c in getattr(X, "columns", ())]
        if not kept:
            return waveforms
        out = X[kept].reset_index(drop=True)
        out.insert(0, WAVEFORM_COLUMN, list(waveforms))
        return out

    def _output_shape(self) -> tuple[int, ...]:
        return (self.n_samples_,)

    def _extract(self, y: np.ndarray) -> np.ndarray:
        return y
