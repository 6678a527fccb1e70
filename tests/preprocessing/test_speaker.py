"""SpeakerNormalizer: per-speaker standardization of a feature step's output."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.preprocessing import FunctionTransformer

from skser.exceptions import SkserError
from skser.preprocessing import SpeakerNormalizationWarning, SpeakerNormalizer, speakers_of


def _columns(df):
    return df.drop(columns="speaker").to_numpy(dtype=np.float64)


def _table(features: np.ndarray, speakers) -> pd.DataFrame:
    df = pd.DataFrame(features, columns=[f"f{i}" for i in range(features.shape[1])])
    df["speaker"] = speakers
    return df


def _normalizer(**params) -> SpeakerNormalizer:
    return SpeakerNormalizer(FunctionTransformer(_columns), **params)


@pytest.fixture
def two_speakers(rng):
    # ann speaks low and quietly, bob high and loudly: the same "emotion" offsets on top
    base = np.r_[rng.normal(0, 1, (20, 3)), rng.normal(50, 5, (20, 3))]
    return _table(base, ["ann"] * 20 + ["bob"] * 20)


def test_each_known_speaker_is_standardized_with_own_statistics(two_speakers):
    norm = _normalizer(keep_raw=False).fit(two_speakers)
    assert sorted(norm.speaker_stats_) == ["ann", "bob"]
    out = norm.transform(two_speakers)
    assert out.shape == (40, 3) and out.dtype == np.float32
    for rows in (slice(0, 20), slice(20, 40)):
        np.testing.assert_allclose(out[rows].mean(axis=0), 0, atol=1e-5)
        np.testing.assert_allclose(out[rows].std(axis=0), 1, atol=1e-5)
    # fit_transform is fit then transform, in one pass of the feature step
    np.testing.assert_allclose(norm.fit_transform(two_speakers), out, atol=1e-6)


def test_no_rows_give_no_rows(two_speakers, rng):
    norm = _normalizer().fit(two_speakers)
    assert norm.transform(two_speakers.iloc[:0]).shape == (0, 6)
    images, speakers = _images(rng)
    image_norm = SpeakerNormalizer(_Images(images)).fit(_image_table(len(images), speakers))
    assert image_norm.transform(_image_table(0, [])).shape == (0, 4, 7, 2)


def test_keep_raw_puts_the_features_first(two_speakers):
    norm = _normalizer().fit(two_speakers)
    out = norm.transform(two_speakers)
    assert out.shape == (40, 6) and norm.n_features_out_ == 6
    np.testing.assert_allclose(out[:, :3], _columns(two_speakers), rtol=1e-6)
    names = norm.get_feature_names_out()
    assert names[0] == "x0" and names[3] == "spknorm_x0"


def test_known_speaker_uses_training_statistics_at_transform_time(two_speakers):
    norm = _normalizer(keep_raw=False).fit(two_speakers)
    one = two_speakers.iloc[[25]]  # a single file of bob: his training statistics apply
    mean, scale = norm.speaker_stats_["bob"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = norm.transform(one)
    np.testing.assert_allclose(out[0], (_columns(one)[0] - mean) / scale, rtol=1e-5)


def test_new_speaker_with_enough_files_uses_the_batch(two_speakers, rng):
    norm = _normalizer(keep_raw=False, min_files=5).fit(two_speakers)
    new = _table(rng.normal(-30, 2, (8, 3)), ["cat"] * 8)
    out = norm.transform(new)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)
    assert "cat" not in norm.speaker_stats_  # transform learns nothing


@pytest.mark.parametrize("case", ["no column", "unknown single file", "missing speaker"])
def test_rows_without_statistics_use_the_population_and_warn(two_speakers, case):
    norm = _normalizer(keep_raw=False).fit(two_speakers)
    mean, scale = norm.population_stats_
    if case == "no column":
        X = two_speakers.iloc[:2].assign(speaker=None)
    elif case == "unknown single file":
        X = two_speakers.iloc[:1].assign(speaker="dan")
    else:
        X = two_speakers.iloc[:1].assign(speaker=np.nan)
    with pytest.warns(SpeakerNormalizationWarning, match=f"{len(X)} of {len(X)} row"):
        out = norm.transform(X)
    np.testing.assert_allclose(out, (_columns(X) - mean) / scale, rtol=1e-5)


def test_speakers_with_too_few_training_files_get_no_statistics(two_speakers):
    X = pd.concat([two_speakers, two_speakers.iloc[:3].assign(speaker="eve")])
    norm = _normalizer(min_files=10).fit(X)
    assert sorted(norm.speaker_stats_) == ["ann", "bob"]


def test_without_speakers_it_is_a_standard_scaler(rng):
    X = rng.normal(3, 2, (30, 4))
    norm = SpeakerNormalizer(FunctionTransformer(), keep_raw=False)
    with pytest.warns(SpeakerNormalizationWarning):
        out = norm.fit_transform(X)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)
    assert norm.speaker_stats_ == {}


def test_constant_feature_gets_scale_one(two_speakers):
    X = two_speakers.assign(f0=7.0)
    out = _normalizer(keep_raw=False).fit_transform(X)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out[:, 0], 0)


def test_bad_inner_output_is_named(two_speakers):
    flat = SpeakerNormalizer(FunctionTransformer(lambda df: np.zeros(len(df))))
    with pytest.raises(SkserError, match=r"2-D output .* or images .* got shape \(40,\)"):
        flat.fit(two_speakers)
    five = SpeakerNormalizer(FunctionTransformer(lambda df: np.zeros((len(df), 2, 3, 1, 1))))
    with pytest.raises(SkserError, match="got shape"):
        five.fit(two_speakers)
    nan_image = np.zeros((40, 2, 3))
    nan_image[5, 1, 2] = np.nan
    with pytest.raises(SkserError, match=r"not finite.*rows \[5\]"):
        SpeakerNormalizer(FunctionTransformer(lambda df: nan_image)).fit(two_speakers)
    nan = SpeakerNormalizer(FunctionTransformer(lambda df: np.full((len(df), 2), np.nan)))
    with pytest.raises(SkserError, match="not finite"):
        nan.fit(two_speakers)
    short = SpeakerNormalizer(FunctionTransformer(lambda df: np.zeros((3, 2))))
    with pytest.raises(SkserError, match="one row per input row"):
        short.fit(two_speakers)


def test_params_clone_and_pickle(two_speakers):
    norm = _normalizer(min_files=4)
    assert norm.get_params()["min_files"] == 4
    assert "transformer__func" in norm.get_params(deep=True)
    assert clone(norm).set_params(keep_raw=False).keep_raw is False
    norm.fit(two_speakers)
    back = pickle.loads(pickle.dumps(norm))
    np.testing.assert_array_equal(back.transform(two_speakers), norm.transform(two_speakers))
    with pytest.raises(ValueError, match="min_files"):
        _normalizer(min_files=1).fit(two_speakers)


def test_speakers_of():
    df = pd.DataFrame({"path": ["a", "b", "c"], "speaker": ["x", None, 3]})
    assert speakers_of(df).tolist() == ["x", "", "3"]
    assert speakers_of(df[["path"]]) is None
    assert speakers_of(np.zeros((2, 2))) is None


@given(
    offsets=st.lists(st.floats(-100, 100), min_size=2, max_size=4),
    scale=st.floats(0.1, 10),
    seed=st.integers(0, 2**16),
)
def test_property_speaker_offsets_and_scales_are_removed(offsets, scale, seed):
    # The same recordings spoken by speakers who differ by an offset and a scale give the
    # same normalized features: exactly what per-speaker normalization is for.
    rng = np.random.default_rng(seed)
    base = rng.normal(0, 1, (12, 3))
    X = np.vstack([o + scale * (i + 1) * base for i, o in enumerate(offsets)])
    speakers = np.repeat([f"s{i}" for i in range(len(offsets))], 12)
    out = _normalizer(keep_raw=False).fit_transform(_table(X, speakers))
    for i in range(1, len(offsets)):
        np.testing.assert_allclose(out[12 * i:12 * (i + 1)], out[:12], rtol=1e-3, atol=1e-3)


# -- images (MelImage's (rows, bins, frames) output) --------------------------------------
def _images(rng, n_frames=7):
    # ann's spectra sit low and vary little, bob's high with a wide spread, per bin
    ann = rng.normal(-60, 2, (12, 4, n_frames)) + np.arange(4)[:, None]
    bob = rng.normal(-20, 9, (12, 4, n_frames)) - 3 * np.arange(4)[:, None]
    return np.concatenate([ann, bob]).astype(np.float32), ["ann"] * 12 + ["bob"] * 12


class _Images(FunctionTransformer):
    """Rows of a table -> the images at its ``row`` column (a feature step's output)."""

    def __init__(self, images=None):
        self.images = images
        super().__init__(lambda df: self.images[df["row"].to_numpy()])


def _image_table(n, speakers):
    return pd.DataFrame({"row": np.arange(n), "speaker": speakers})


def test_images_are_standardized_per_bin_over_each_speakers_rows_and_frames(rng):
    images, speakers = _images(rng)
    X = _image_table(len(images), speakers)
    norm = SpeakerNormalizer(_Images(images), keep_raw=False).fit(X)
    out = norm.transform(X)
    assert out.shape == images.shape and out.dtype == np.float32
    for rows in (slice(0, 12), slice(12, 24)):
        np.testing.assert_allclose(out[rows].mean(axis=(0, 2)), 0, atol=1e-4)
        np.testing.assert_allclose(out[rows].std(axis=(0, 2)), 1, atol=1e-4)
        # the statistics are numpy's over the speaker's rows and frames, bin by bin
        mean = images[rows].astype(np.float64).mean(axis=(0, 2))[:, None]
        std = images[rows].astype(np.float64).std(axis=(0, 2))[:, None]
        np.testing.assert_allclose(out[rows], (images[rows] - mean) / std, rtol=1e-4, atol=1e-5)
    assert norm.speaker_stats_["ann"][0].shape == (4, 1)
    assert norm.n_features_out_ == 4 * 7
    # one file of a known speaker is normalized with that speaker's training statistics
    np.testing.assert_allclose(norm.transform(X.iloc[[13]]), out[[13]], rtol=1e-6)
    with pytest.raises(SkserError, match="images"):
        norm.get_feature_names_out()


def test_image_keep_raw_adds_the_normalized_image_as_a_channel(rng):
    images, speakers = _images(rng)
    X = _image_table(len(images), speakers)
    out = SpeakerNormalizer(_Images(images)).fit_transform(X)
    alone = SpeakerNormalizer(_Images(images), keep_raw=False).fit_transform(X)
    assert out.shape == (*images.shape, 2)
    np.testing.assert_array_equal(out[..., 0], images)
    np.testing.assert_array_equal(out[..., 1], alone)
    # images with channels (e.g. deltas): the normalized channels follow the raw ones
    stacked = np.stack([images, 2 * images], axis=-1)
    out4 = SpeakerNormalizer(_Images(stacked)).fit_transform(X)
    assert out4.shape == (*images.shape, 4)
    np.testing.assert_array_equal(out4[..., :2], stacked)
    np.testing.assert_allclose(out4[..., 2], alone, atol=1e-5)
    np.testing.assert_allclose(out4[..., 3], alone, atol=1e-5)  # per channel: scale-free


def test_images_of_unknown_speakers_get_the_population_statistics(rng):
    images, speakers = _images(rng)
    norm = SpeakerNormalizer(_Images(images), keep_raw=False).fit(
        _image_table(len(images), speakers))
    with pytest.warns(SpeakerNormalizationWarning, match="1 of 1 row"):
        out = norm.transform(pd.DataFrame({"row": [3], "speaker": ["carl"]}))
    mean = images.astype(np.float64).mean(axis=(0, 2))[:, None]
    std = images.astype(np.float64).std(axis=(0, 2))[:, None]
    np.testing.assert_allclose(out[0], (images[3] - mean) / std, rtol=1e-4, atol=1e-5)
