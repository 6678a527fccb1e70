"""skser's STFT, mel filters, decibels, MFCC DCT and deltas against librosa's.

skser computes these with numpy and scipy (see ``skser.features._spectrogram``);
they must give librosa's results to within float32 rounding, so that features,
trained models and the benchmarks do not depend on which of the two computed them.
"""

import warnings

import librosa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skser.features import log_mel_spectrogram, mfcc, stack_deltas
from skser.features._spectrogram import _mel_basis, _power_spectrum, _power_to_db

FRAMES = st.tuples(
    st.sampled_from([256, 512, 1024, 2048]),            # n_fft
    st.sampled_from([1, 2, 4]),                         # n_fft // hop_length
    st.integers(min_value=0, max_value=30_000),         # samples beyond n_fft
    st.sampled_from([8000, 16000, 22050, 44100]),       # sr
    st.integers(min_value=0, max_value=2**31 - 1),      # seed
)


def _signal(n, seed, scale=0.3):
    return (scale * np.random.default_rng(seed).standard_normal(n)).astype(np.float32)


@settings(max_examples=25, deadline=None)
@given(FRAMES)
def test_stft_magnitude_is_librosas(params):
    n_fft, ratio, extra, _, seed = params
    y = _signal(n_fft + extra, seed)
    ours = _power_spectrum(y, n_fft, n_fft // ratio, 1.0)
    theirs = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=n_fft // ratio))
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6 * theirs.max())


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([8000, 16000, 22050, 44100]), st.sampled_from([512, 1024, 2048]),
       st.sampled_from([20, 40, 64, 128]), st.sampled_from([0.0, 50.0, 300.0]),
       st.sampled_from([None, 0.45, 0.3]))
def test_mel_filters_are_librosas(sr, n_fft, n_mels, fmin, fmax_share):
    fmax = None if fmax_share is None else fmax_share * sr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # empty bands: compared below
        ours = _mel_basis(sr, n_fft, n_mels, fmin, fmax)
        theirs = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7 * theirs.max())


def test_empty_mel_bands_warn_as_librosa_does():
    with pytest.warns(UserWarning, match="hold no FFT bin"):
        _mel_basis(16000, 256, 128, 0.0, None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _mel_basis(16000, 1024, 64, 0.0, None)


@pytest.mark.parametrize("ref", [1.0, 0.01, np.max])
@pytest.mark.parametrize("top_db", [None, 80.0, 0.0])
def test_decibels_are_librosas(ref, top_db):
    S = np.abs(librosa.stft(_signal(16000, 1), n_fft=512)) ** 2
    S[:, :3] = 0.0  # floored at amin
    np.testing.assert_allclose(_power_to_db(S, ref, 1e-10, top_db),
                               librosa.power_to_db(S, ref=ref, amin=1e-10, top_db=top_db),
                               rtol=0, atol=1e-4)


@settings(max_examples=15, deadline=None)
@given(FRAMES, st.sampled_from([13, 20, 40]))
def test_log_mel_mfcc_and_deltas_are_librosas(params, n_mfcc):
    n_fft, ratio, extra, sr, seed = params
    hop = n_fft // ratio
    y = _signal(n_fft + extra, seed)
    ours = log_mel_spectrogram(y, sr=sr, n_mels=64, n_fft=n_fft, hop_length=hop, top_db=80.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=n_fft, hop_length=hop, n_mels=64)
    theirs = librosa.power_to_db(S, top_db=80.0)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-3)
    ours = mfcc(y, sr=sr, n_mfcc=n_mfcc, n_mels=64, n_fft=n_fft, hop_length=hop)
    theirs = librosa.feature.mfcc(S=theirs, n_mfcc=n_mfcc)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-2)
    if ours.shape[-1] >= 9:
        stacked = stack_deltas(ours, 2)
        for k in (1, 2):
            np.testing.assert_allclose(
                stacked[..., k], librosa.feature.delta(ours, order=k, width=9), rtol=0, atol=1e-3)
