import numpy as np
import pandas as pd
import pytest
import sklearn.preprocessing
from sklearn.exceptions import NotFittedError

import skser.preprocessing._scaler as scaler_module
import skser.utils._stats as stats_module
from skser.exceptions import SkserError
from skser.preprocessing import StandardScaler


@pytest.fixture
def images(rng):
    """(n, bins, frames): each bin with its own level and spread."""
    levels = np.linspace(-60, 0, 6)[None, :, None]
    spreads = np.linspace(1, 6, 6)[None, :, None]
    return (levels + spreads * rng.normal(size=(20, 6, 15))).astype(np.float32)


def test_table_per_column_matches_scikit_learn(rng):
    X = rng.normal(3.0, [1.0, 5.0, 0.1], size=(50, 3))
    ours = StandardScaler().fit(X)
    theirs = sklearn.preprocessing.StandardScaler().fit(X)
    np.testing.assert_allclose(ours.mean_, theirs.mean_)
    np.testing.assert_allclose(ours.scale_, theirs.scale_)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X))
    assert ours.n_features_in_ == 3 and ours.sample_shape_ == (3,)


def test_table_global_uses_one_mean_and_std(rng):
    X = rng.normal(size=(30, 4)) * [1, 2, 3, 4]
    scaler = StandardScaler(axis="global").fit(X)
    assert np.ndim(scaler.mean_) == 0 and np.ndim(scaler.scale_) == 0
    np.testing.assert_allclose(scaler.transform(X), (X - X.mean()) / X.std())


def test_images_per_bin_pool_samples_and_frames(images):
    scaler = StandardScaler().fit(images)
    assert scaler.mean_.shape == (6,) and scaler.n_features_in_ == 6
    mean = images.astype(np.float64).mean(axis=(0, 2))
    std = images.astype(np.float64).std(axis=(0, 2))
    np.testing.assert_allclose(scaler.mean_, mean)
    np.testing.assert_allclose(scaler.scale_, std)
    Z = scaler.transform(images)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z, (images - mean[:, None]) / std[:, None], atol=1e-5)


def test_multichannel_images_pool_channels_too(images):
    stack = np.stack([images, 2 * images + 1], axis=-1)
    scaler = StandardScaler().fit(stack)
    assert scaler.mean_.shape == (6,)
    np.testing.assert_allclose(scaler.mean_, stack.astype(np.float64).mean(axis=(0, 2, 3)))
    Z = scaler.transform(stack)
    np.testing.assert_allclose(Z.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(Z.std(axis=(0, 2, 3)), 1, rtol=1e-5)


def test_global_image_scaling_uses_one_mean_and_std(images):
    Z = StandardScaler(axis="global").fit_transform(images)
    x = images.astype(np.float64)
    np.testing.assert_allclose(Z, (x - x.mean()) / x.std(), atol=1e-5)


def test_statistics_come_from_training_data_only(images):
    scaler = StandardScaler().fit(images)
    shifted = scaler.transform(images + 3 * scaler.scale_[None, :, None].astype(np.float32))
    np.testing.assert_allclose(shifted.mean(axis=(0, 2)), 3.0, atol=1e-4)


def test_constant_bins_get_scale_one(images):
    images[:, 2] = -42.0
    scaler = StandardScaler().fit(images)
    assert scaler.scale_[2] == 1.0
    Z = scaler.transform(images)
    np.testing.assert_array_equal(Z[:, 2], 0.0)
    assert np.isfinite(Z).all()


def test_float32_keeps_precision_around_a_large_level(rng):
    X = (1000.0 + 1e-3 * rng.normal(size=(200, 2, 10))).astype(np.float32)
    Z = StandardScaler().fit_transform(X)
    np.testing.assert_allclose(Z.mean(axis=(0, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(Z.std(axis=(0, 2)), 1, rtol=1e-3)


def test_chunked_computation_matches_one_pass(images, monkeypatch):
    expected = StandardScaler().fit(images)
    original = stats_module.sample_blocks

    def small_blocks(X, max_values=None):
        return original(X, max_values=7)

    # the statistics of fit and the arithmetic of transform, in blocks of 7 values
    monkeypatch.setattr(stats_module, "sample_blocks", small_blocks)
    monkeypatch.setattr(scaler_module, "sample_blocks", small_blocks)
    chunked = StandardScaler().fit(images)
    np.testing.assert_allclose(chunked.mean_, expected.mean_)
    np.testing.assert_allclose(chunked.scale_, expected.scale_)
    np.testing.assert_allclose(chunked.transform(images), expected.transform(images), atol=1e-6)


@pytest.mark.parametrize("with_mean, with_std", [(True, False), (False, True), (False, False)])
def test_with_mean_and_with_std(images, with_mean, with_std):
    scaler = StandardScaler(with_mean=with_mean, with_std=with_std).fit(images)
    x = images.astype(np.float64)
    mean = x.mean(axis=(0, 2))[:, None] if with_mean else 0.0
    std = x.std(axis=(0, 2))[:, None] if with_std else 1.0
    assert (scaler.scale_ is None) == (not with_std)
    Z = scaler.transform(images)
    assert Z is not images
    np.testing.assert_allclose(Z, (x - mean) / std, atol=1e-4)
    np.testing.assert_allclose(scaler.inverse_transform(Z), images, atol=1e-4)


@pytest.mark.parametrize("axis", ["per_bin", "global"])
def test_inverse_transform_round_trips(images, axis):
    scaler = StandardScaler(axis=axis).fit(images)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(images)), images,
                               atol=1e-4)


def test_axis_bin_is_a_deprecated_spelling_of_per_bin(images):
    assert StandardScaler().axis == "per_bin"
    old = StandardScaler(axis="bin")
    with pytest.warns(FutureWarning, match="axis='per_bin'"):
        old.fit(images)
    new = StandardScaler(axis="per_bin").fit(images)
    np.testing.assert_array_equal(old.mean_, new.mean_)
    np.testing.assert_array_equal(old.transform(images), new.transform(images))


def test_dtypes(images):
    assert StandardScaler().fit_transform(images.astype(np.float64)).dtype == np.float64
    assert StandardScaler().fit_transform(np.arange(12).reshape(4, 3)).dtype == np.float64


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_raise_a_clear_error(images, bad):
    broken = images.copy()
    broken[3, 1, 4] = bad
    with pytest.raises(SkserError, match=r"1 NaN or infinite value\(s\).*\(3, 1, 4\)"):
        StandardScaler().fit(broken)
    scaler = StandardScaler().fit(images)
    with pytest.raises(SkserError, match="on_error='warn'"):
        scaler.transform(broken)


@pytest.mark.parametrize(
    "make",
    [lambda X: X[:, :, :10], lambda X: X[:, :4], lambda X: X[..., None], lambda X: X[:, :, 0]],
    ids=["fewer-frames", "fewer-bins", "extra-axis", "table"],
)
def test_shape_mismatch_names_both_shapes(images, make):
    scaler = StandardScaler().fit(images)
    other = make(images)
    with pytest.raises(SkserError) as info:
        scaler.transform(other)
    message = str(info.value)
    assert str(other.shape[1:]) in message and "(6, 15)" in message
    with pytest.raises(SkserError):
        scaler.inverse_transform(other)


def test_table_feature_count_mismatch(rng):
    scaler = StandardScaler().fit(rng.normal(size=(5, 4)))
    with pytest.raises(ValueError, match="X has 3 features.*expecting 4"):
        scaler.transform(rng.normal(size=(5, 3)))


def test_feature_names_for_tables_only(images, rng):
    frame = pd.DataFrame(rng.normal(size=(5, 2)), columns=["zcr_mean", "rms_mean"])
    assert list(StandardScaler().fit(frame).get_feature_names_out()) == ["zcr_mean", "rms_mean"]
    with pytest.raises(SkserError, match="only for 2-D tables"):
        StandardScaler().fit(images).get_feature_names_out()


def test_bad_inputs_and_parameters(images):
    with pytest.raises(ValueError, match="'axis' parameter"):
        StandardScaler(axis="time").fit(images)
    with pytest.raises(SkserError, match="got an array of shape"):
        StandardScaler().fit(images[..., None, None])
    with pytest.raises(NotFittedError):
        StandardScaler().transform(images)
