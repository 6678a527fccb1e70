"""mean_and_variance: the one computation of per-feature, per-bin and global statistics."""

from __future__ import annotations

import numpy as np
import pytest

from skser.utils._stats import mean_and_variance


@pytest.mark.parametrize("shape, axes", [
    ((50, 7), (0,)),
    ((30, 6, 20), (0, 2)),
    ((30, 6, 20, 2), (0, 2)),
    ((30, 6, 20, 2), (0, 2, 3)),
    ((30, 6, 20), None),
])
@pytest.mark.parametrize("max_values", [None, 7, 10_000])
def test_blocks_give_numpys_statistics(rng, shape, axes, max_values):
    X = rng.normal(5.0, 2.0, shape).astype(np.float32)
    mean, var = mean_and_variance(X, axes, max_values=max_values)
    assert mean.dtype == var.dtype == np.float64
    expected = X.astype(np.float64)
    np.testing.assert_allclose(mean, expected.mean(axis=axes), rtol=1e-12)
    np.testing.assert_allclose(var, expected.var(axis=axes), rtol=1e-10)
    kept_mean, kept_var = mean_and_variance(X, axes, max_values=max_values, keepdims=True)
    np.testing.assert_allclose(kept_mean, expected.mean(axis=axes, keepdims=True), rtol=1e-12)
    assert kept_mean.shape == kept_var.shape == expected.mean(axis=axes, keepdims=True).shape


def test_in_float32_at_once_it_is_numpys_own_mean_and_var(rng):
    # What the Keras classifiers normalize with: the same float32 values as X.mean, X.var.
    X = rng.normal(-30.0, 10.0, (40, 8, 25)).astype(np.float32)
    for axes in [(0, 2), None]:
        mean, var = mean_and_variance(X, axes, dtype=np.float32, max_values=None)
        np.testing.assert_array_equal(mean, X.mean(axis=axes))
        np.testing.assert_array_equal(var, X.var(axis=axes))
        assert np.asarray(mean).dtype == np.float32


def test_global_statistics_are_scalars(rng):
    mean, var = mean_and_variance(rng.normal(size=(10, 4)))
    assert np.ndim(mean) == np.ndim(var) == 0 and isinstance(mean, np.floating)
