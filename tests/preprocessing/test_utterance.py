"""UtteranceNormalizer: each image relative to its own active frames."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skser.exceptions import SkserError
from skser.preprocessing import UtteranceNormalizer


def _images(n=3, bins=6, frames=40, seed=0):
    return np.random.default_rng(seed).normal(-40.0, 6.0, (n, bins, frames)).astype("float32")


def test_a_level_change_and_a_fixed_filter_cancel_out():
    X = _images()
    tilt = np.linspace(-12.0, 6.0, X.shape[1])[None, :, None]   # a microphone's response
    norm = UtteranceNormalizer().fit(X)
    np.testing.assert_allclose(norm.transform(X + 20.0 + tilt), norm.transform(X), atol=1e-4)


def test_each_bin_has_zero_mean_over_the_active_frames_only():
    X = _images(frames=40)
    X[:, :, 25:] = -100.0                    # padding, 60 dB below the speech
    out = UtteranceNormalizer(active_db=40.0).fit_transform(X)
    np.testing.assert_allclose(out[:, :, :25].mean(axis=2), 0.0, atol=1e-4)
    # the padding is shifted by the same means, so it stays below the speech
    assert (out[:, :, 25:] < out[:, :, :25].min()).all()
    # averaging every frame lets the padding set the means instead
    every = UtteranceNormalizer(active_db=None).fit_transform(X)
    np.testing.assert_allclose(every.mean(axis=2), 0.0, atol=1e-4)
    assert not np.allclose(every[:, :, :25].mean(axis=2), 0.0, atol=1.0)


def test_the_same_speech_padded_to_other_lengths_gives_the_same_speech():
    speech = _images(n=1, frames=30)
    short = np.concatenate([speech, np.full((1, 6, 10), -100.0, "float32")], axis=2)
    long_ = np.concatenate([speech, np.full((1, 6, 40), -100.0, "float32")], axis=2)
    a = UtteranceNormalizer().fit_transform(short)[:, :, :30]
    b = UtteranceNormalizer().fit_transform(long_)[:, :, :30]
    np.testing.assert_allclose(a, b, atol=1e-4)


def test_with_std_gives_unit_variance_and_keeps_constant_bins():
    X = _images()
    X[:, 2, :] = -30.0
    out = UtteranceNormalizer(with_std=True, active_db=None).fit_transform(X)
    std = out.std(axis=2)
    np.testing.assert_allclose(np.delete(std, 2, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(out[:, 2, :], 0.0)
    only_std = UtteranceNormalizer(with_mean=False, with_std=True,
                                   active_db=None).fit_transform(X)
    std = X.astype(np.float64).std(axis=2, keepdims=True)
    np.testing.assert_allclose(only_std, X / np.where(std > 1e-6, std, 1.0), rtol=1e-5)


def test_channels_are_normalized_apart_over_the_first_channels_active_frames():
    X = _images()
    X[:, :, 30:] = -100.0
    deltas = np.random.default_rng(1).normal(0.0, 1.0, X.shape).astype("float32") + 3.0
    stack = np.stack([X, deltas], axis=-1)
    out = UtteranceNormalizer(active_db=40.0).fit_transform(stack)
    assert out.shape == stack.shape and out.dtype == np.float32
    np.testing.assert_allclose(out[:, :, :30, 1].mean(axis=2), 0.0, atol=1e-4)
    np.testing.assert_allclose(out[..., 0], UtteranceNormalizer(active_db=40.0)
                               .fit_transform(X), atol=1e-5)


def test_nothing_is_learnt_in_fit():
    a, b = _images(seed=1), _images(seed=2)
    np.testing.assert_array_equal(UtteranceNormalizer().fit(a).transform(b),
                                  UtteranceNormalizer().fit(b).transform(b))


@pytest.mark.parametrize("bad, match", [
    (np.array([[[1.0, np.nan]]]), "NaN"),
    (np.zeros((2, 3, 4, 1, 1)), "4-D"),
])
def test_bad_input_is_named(bad, match):
    with pytest.raises(SkserError, match=match):
        UtteranceNormalizer().fit(bad)


def test_a_sample_shape_other_than_fit_is_refused():
    norm = UtteranceNormalizer().fit(_images(frames=40))
    with pytest.raises(SkserError, match="UtteranceNormalizer was fitted on samples"):
        norm.transform(_images(frames=41))


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 5), st.integers(1, 20)),
              elements=st.floats(-120, 40)),
       st.floats(-30, 30), st.one_of(st.none(), st.floats(0, 80)))
def test_property_output_is_finite_and_invariant_to_level(X, gain, active_db):
    norm = UtteranceNormalizer(active_db=active_db).fit(X)
    out = norm.transform(X)
    assert out.shape == X.shape and np.isfinite(out).all()
    np.testing.assert_allclose(norm.transform(X + gain), out, atol=1e-6)


def test_saves_and_loads_without_pickles(tmp_path):
    import skser
    from skser.persistence import get_untrusted_types

    X = _images()
    norm = UtteranceNormalizer(with_std=True, active_db=30.0).fit(X)
    path = skser.save(norm, tmp_path / "norm.skser")
    assert get_untrusted_types(path) == []
    loaded = skser.load(path)
    assert loaded.get_params() == norm.get_params()
    np.testing.assert_array_equal(loaded.transform(X), norm.transform(X))
