"""Figures of a classifier's inputs: waveforms, spectrogram images, one example per
emotion."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.base import clone

from ..audio._io import DEFAULT_SR
from ..exceptions import SkserError
from ..utils._columns import EMOTION_COLUMN, PATH_COLUMN
from ._base import _axes, _pyplot

__all__ = ["plot_waveform", "plot_spectrogram", "plot_emotion_examples"]


def plot_waveform(y, sr: int, ax=None):
    """Draw a waveform against time in seconds.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
    sr : int
        Sample rate in Hz.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skser.plotting import plot_waveform
    >>> y = 0.5 * np.sin(2 * np.pi * 220 * np.arange(8000) / 16000)
    >>> ax = plot_waveform(y, sr=16000)
    >>> [float(x) for x in ax.get_xlim()], ax.get_xlabel()
    ([0.0, 0.5], 'Time (s)')
    """
    y = np.asarray(y, dtype=np.float32).ravel()
    ax = _axes(ax, figsize=(8, 2.5))
    ax.plot(np.arange(len(y)) / sr, y, linewidth=0.6)
    ax.set_xlim(0, max(len(y) / sr, 1 / sr))
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Amplitude")
    return ax


def plot_spectrogram(image, *, sr: int, hop_length: int, kind: str = "mel", ax=None):
    """Draw a mel spectrogram (in dB) or an MFCC image against time.

    Parameters
    ----------
    image : array-like of shape (n_bins, n_frames) or (n_bins, n_frames, n_channels)
        E.g. one row of :class:`~skser.features.MelImage`'s output; of a 3-D
        image (MFCCs with deltas) the first channel is drawn.
    sr : int
        Sample rate in Hz of the audio the image was computed from.
    hop_length : int
        Samples between frames.
    kind : {"mel", "mfcc"}, default="mel"
        Sets the frequency axis: mel-spaced in Hz, or coefficient numbers.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skser.features import MelImage, MFCCImage
    >>> from skser.plotting import plot_spectrogram
    >>> waves = np.random.default_rng(0).uniform(-0.1, 0.1, (1, 16000))
    >>> mel = MelImage(duration=1.0)
    >>> image = mel.fit_transform(waves)[0]
    >>> image.shape
    (64, 63)
    >>> ax = plot_spectrogram(image, sr=mel.sr, hop_length=mel.hop_length)
    >>> ax.get_xlabel(), ax.get_ylabel(), len(ax.figure.axes)  # the image and its colorbar
    ('Time', 'Hz', 2)
    >>> mfcc = MFCCImage(duration=1.0, deltas=1)
    >>> image = mfcc.fit_transform(waves)[0]  # the first channel is drawn
    >>> image.shape
    (40, 63, 2)
    >>> plot_spectrogram(image, sr=mfcc.sr, hop_length=mfcc.hop_length, kind="mfcc").get_ylabel()
    'MFCC'
    """
    if kind not in ("mel", "mfcc"):
        raise ValueError(f"kind must be 'mel' or 'mfcc', got {kind!r}")
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3:
        image = image[..., 0]
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (n_bins, n_frames), got shape {image.shape}")
    _pyplot()
    import librosa.display

    ax = _axes(ax, figsize=(8, 3))
    mesh = librosa.display.specshow(image, sr=sr, hop_length=hop_length, x_axis="time",
                                    y_axis="mel" if kind == "mel" else None, ax=ax)
    ax.figure.colorbar(mesh, ax=ax, format="%+.0f dB" if kind == "mel" else "%.1f")
    if kind == "mfcc":
        ax.set_ylabel("MFCC")
    return ax


def plot_emotion_examples(df, *, transformer=None, emotions: Sequence[str] | None = None,
                          sr: int = DEFAULT_SR):
    """One row per emotion: the waveform and the image of one example file.

    Parameters
    ----------
    df : DataFrame
        A corpus with ``path`` and ``emotion`` columns (see
        :mod:`skser.datasets`); the first file of each emotion is shown.
    transformer : skser feature transformer, optional
        Computes the image from a path, e.g. ``MelImage()`` or
        ``MFCCImage()`` (cloned, then fitted on the one file; its ``sr`` and
        ``hop_length`` label the axes). Default: a 128-band mel spectrogram in
        dB (n_fft 2048, hop 512).
    emotions : sequence of str, optional
        Rows, in order; default: every emotion of ``df`` in order of appearance.
    sr : int, default=skser.audio.DEFAULT_SR (16000)
        Sample rate in Hz for decoding the waveforms (and the default image).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_corpus
    >>> from skser.plotting import plot_emotion_examples
    >>> df = make_synthetic_corpus(tempfile.mkdtemp(), n_speakers=1, n_statements=1,
    ...                            n_repetitions=1, duration=0.5)
    >>> fig = plot_emotion_examples(df, emotions=["sad", "angry"])
    >>> len(fig.axes)  # two rows of a waveform and an image, and two colorbars
    6
    >>> [ax.get_title(loc="left") for ax in fig.axes[:4:2]]
    ['sad: 03-01-04-01-01-01-01.wav', 'angry: 03-01-05-01-01-01-01.wav']
    """
    from ..audio import load_audio

    if emotions is None:
        emotions = list(dict.fromkeys(df[EMOTION_COLUMN]))
    missing = [e for e in emotions if not (df[EMOTION_COLUMN] == e).any()]
    if missing or not emotions:
        raise SkserError(f"no file for emotions {missing} in the DataFrame"
                         if missing else "the DataFrame holds no files")
    fig, axes = _pyplot().subplots(len(emotions), 2, figsize=(11, 2.2 * len(emotions)),
                                   squeeze=False, layout="constrained")
    for row, emotion in zip(axes, emotions):
        path = df.loc[df[EMOTION_COLUMN] == emotion, PATH_COLUMN].iloc[0]
        y = load_audio(path, sr=sr)
        plot_waveform(y, sr, ax=row[0])
        row[0].set_title(f"{emotion}: {Path(path).name}", loc="left", fontsize=10)
        if transformer is None:
            import librosa

            hop, image_sr, kind = 512, sr, "mel"
            image = librosa.power_to_db(
                librosa.feature.melspectrogram(y=y, sr=sr, n_fft=2048, hop_length=hop,
                                               n_mels=128), ref=np.max)
        else:
            hop = getattr(transformer, "hop_length", 512)
            image_sr = getattr(transformer, "sr", sr)
            kind = "mfcc" if hasattr(transformer, "n_mfcc") else "mel"
            image = clone(transformer).fit_transform([path])[0]
        plot_spectrogram(image, sr=image_sr, hop_length=hop, kind=kind, ax=row[1])
    for ax in axes[:-1].ravel():
        ax.set_xlabel("")
    return fig
