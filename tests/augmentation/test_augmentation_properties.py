"""Properties of the augmentation that must hold for any input waveform."""

import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skser.audio import fix_length
from skser.augmentation import (
    Augmenter,
    add_noise,
    add_peak_scaled_noise,
    apply_gain,
    pitch_shift,
    time_shift,
    time_stretch,
)

samples = st.floats(-1, 1, width=32)
waveform = arrays(np.float32, st.integers(4, 400), elements=samples)
waveform_lists = st.lists(waveform, min_size=1, max_size=4)
sample_rates = st.sampled_from([800, 1000, 2000])
durations = st.sampled_from([0.1, 0.15, 0.3])


def _augmenter(sr, duration, n_copies, p, seed):
    return Augmenter(n_copies=n_copies, p=p, sr=sr, duration=duration,
                     shift_s=(-0.05, 0.05), random_state=seed)


@given(waveforms=waveform_lists, sr=sample_rates, duration=durations,
       n_copies=st.integers(0, 3), p=st.floats(0, 1), seed=st.integers(0, 2**31 - 1))
def test_augmenter_output_shape_labels_and_determinism(waveforms, sr, duration, n_copies, p,
                                                       seed):
    y = np.arange(len(waveforms)) * 10
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no librosa warnings on short signals either
        aug = _augmenter(sr, duration, n_copies, p, seed)
        X_out, y_out = aug.fit_resample(waveforms, y)
    n, n_samples = len(waveforms), int(round(duration * sr))
    assert X_out.shape == (n * (1 + n_copies), n_samples) and X_out.dtype == np.float32
    assert np.isfinite(X_out).all()
    np.testing.assert_array_equal(y_out, np.tile(y, 1 + n_copies))
    np.testing.assert_array_equal(y_out, y[aug.sample_indices_])
    for i, w in enumerate(waveforms):
        np.testing.assert_array_equal(X_out[i], fix_length(w, n_samples))
    again, _ = _augmenter(sr, duration, n_copies, p, seed).fit_resample(waveforms, y)
    np.testing.assert_array_equal(X_out, again)


@given(waveforms=waveform_lists, sr=sample_rates, duration=durations)
def test_noise_and_stretch_pitch_preset_shape_and_finiteness(waveforms, sr, duration):
    X_out, y_out = Augmenter(preset="noise_and_stretch_pitch", sr=sr, duration=duration,
                             random_state=0).fit_resample(waveforms, ["x"] * len(waveforms))
    assert X_out.shape == (3 * len(waveforms), int(round(duration * sr)))
    assert np.isfinite(X_out).all() and len(y_out) == len(X_out)


@given(y=waveform, sr=sample_rates, n_steps=st.floats(-4, 4), rate=st.floats(0.5, 2.0),
       gain_db=st.floats(-20, 20), shift_s=st.floats(-1, 1), snr_db=st.floats(-10, 60),
       seed=st.integers(0, 2**31 - 1))
def test_functions_return_finite_float32_of_documented_length(y, sr, n_steps, rate, gain_db,
                                                              shift_s, snr_db, seed):
    same_length = [
        pitch_shift(y, sr, n_steps), apply_gain(y, gain_db), time_shift(y, shift_s, sr),
        add_noise(y, snr_db, seed), add_peak_scaled_noise(y, seed),
    ]
    for out in same_length:
        assert out.dtype == np.float32 and out.shape == y.shape and np.isfinite(out).all()
    stretched = time_stretch(y, rate)
    assert stretched.dtype == np.float32 and np.isfinite(stretched).all()
    assert abs(len(stretched) - len(y) / rate) <= 1
    np.testing.assert_array_equal(add_noise(y, snr_db, seed), add_noise(y, snr_db, seed))
