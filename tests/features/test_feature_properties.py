"""Properties of the feature transformers and the scaler for arbitrary inputs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from skser.features import AcousticFeatures, MelImage, MFCCImage
from skser.features._functional import FEATURE_GROUPS, STATISTICS
from skser.preprocessing import StandardScaler

# 1000-sample clips at 4 kHz keep every example to milliseconds.
SR = 4000
FRAMES = dict(sr=SR, duration=0.25, n_fft=256, hop_length=64)
ESTIMATORS = {
    "mel": MelImage(**FRAMES, n_mels=16, deltas=2),
    "mel-min": MelImage(**FRAMES, n_mels=16, ref="min", top_db=80.0),
    "mfcc": MFCCImage(**FRAMES, n_mfcc=8, n_mels=16),
    "acoustic": AcousticFeatures(
        **FRAMES, offset=0.0, features=FEATURE_GROUPS, stats=STATISTICS,
        n_mfcc=8, n_mels=16, deltas=2,
    ),
}
for _est in ESTIMATORS.values():
    _est.fit(np.zeros((1, 10)))

# From shorter than one frame to four times the clip length.
waveforms = arrays(np.float32, st.integers(1, 4000), elements=st.floats(-1, 1, width=32))


def _extreme_signals():
    rng = np.random.default_rng(0)
    n = 1000
    square = np.sign(np.sin(2 * np.pi * 300 * np.arange(n) / SR))
    return {
        "silence": np.zeros(n),
        "one sample": np.array([1.0]),
        "dc at full scale": np.ones(n),
        "clipped square": square,
        "full-scale noise": rng.uniform(-1, 1, 4 * n),
        "clipped loud noise": np.clip(rng.normal(0, 5, n), -1, 1),
        "impulse": np.eye(1, n, 500)[0],
    }


@pytest.mark.parametrize("name", ESTIMATORS)
@given(y=waveforms)
def test_fixed_shape_finite_and_deterministic(name, y):
    est = ESTIMATORS[name]
    out = est.transform([y])
    assert out.shape == (1, *est.output_shape_)
    assert out.dtype == np.float32
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out, est.transform([y.copy()]))


@pytest.mark.parametrize("name", ESTIMATORS)
def test_extreme_signals_give_finite_fixed_shape_output(name):
    est = ESTIMATORS[name]
    signals = list(_extreme_signals().values())
    out = est.transform(signals)
    assert out.shape == (len(signals), *est.output_shape_)
    assert np.isfinite(out).all()


# -- StandardScaler ---------------------------------------------------------
stacks = st.integers(2, 4).flatmap(
    lambda ndim: arrays(
        np.float32,
        array_shapes(min_dims=ndim, max_dims=ndim, min_side=1, max_side=5),
        elements=st.floats(-1, 1, width=32),
    )
)


def _pooled(X, axis):
    """(n_groups, n_values): the values each mean/scale of the scaler covers."""
    if axis == "global":
        return X.reshape(1, -1).astype(np.float64)
    return np.moveaxis(X, 1, 0).reshape(X.shape[1], -1).astype(np.float64)


@pytest.mark.parametrize("axis", ["per_bin", "global"])
@given(X=stacks)
def test_scaler_round_trips(axis, X):
    scaler = StandardScaler(axis=axis).fit(X)
    Z = scaler.transform(X)
    assert Z.shape == X.shape and Z.dtype == np.float32
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("axis", ["per_bin", "global"])
@given(X=stacks)
def test_scaler_standardizes_its_training_data(axis, X):
    Z = _pooled(StandardScaler(axis=axis).fit_transform(X), axis)
    constant = np.ptp(_pooled(X, axis), axis=1) == 0
    np.testing.assert_allclose(Z.mean(axis=1), 0.0, atol=1e-5)
    np.testing.assert_allclose(Z[~constant].std(axis=1), 1.0, rtol=1e-4)
    np.testing.assert_array_equal(Z[constant], 0.0)
