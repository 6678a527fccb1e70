"""PretrainedEmbedding: a speech encoder in a local file, built here at test time."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from conftest import tiny_onnx_encoder
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from skser.exceptions import AudioLoadWarning, SkserError
from skser.features import PretrainedEmbedding

SR, DURATION = 800, 0.5  # 400 samples: 50 frames of 8


@pytest.fixture
def encoder(tmp_path):
    path = tmp_path / "tiny.onnx"
    return path, tiny_onnx_encoder(path)


def _reference(X, W, pooling=("mean", "std"), normalize=True):
    X = np.asarray(X, np.float64)
    if normalize:
        X = (X - X.mean(1, keepdims=True)) / X.std(1, keepdims=True)
    H = X.reshape(len(X), -1, W.shape[0]) @ W
    stats = {"mean": H.mean(1), "std": H.std(1), "max": H.max(1)}
    return np.concatenate([stats[p] for p in pooling], axis=1)


@pytest.mark.parametrize("pooling", [("mean", "std"), ("max",), ("std", "mean", "max")])
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("batch_size", [1, 3, 64])
def test_pools_the_encoders_frames(encoder, pooling, normalize, batch_size, rng):
    path, W = encoder
    X = rng.standard_normal((7, 400)).astype(np.float32)
    emb = PretrainedEmbedding(path, pooling=pooling, normalize=normalize,
                              batch_size=batch_size, sr=SR, duration=DURATION).fit(X)
    out = emb.transform(X)
    assert out.dtype == np.float32 and out.shape == (7, len(pooling) * W.shape[1])
    assert emb.embedding_dim_ == W.shape[1] and emb.output_shape_ == out.shape[1:]
    np.testing.assert_allclose(out, _reference(X, W, pooling, normalize), rtol=1e-4, atol=1e-5)


def test_files_in_a_pipeline_and_cross_validation(encoder, synthetic_corpus):
    path, _ = encoder
    df = synthetic_corpus
    model = make_pipeline(PretrainedEmbedding(path, sr=SR, duration=DURATION),
                          LogisticRegression(max_iter=500))
    scores = cross_val_score(model, df["path"].tolist(), df["emotion"], cv=2)
    assert scores.shape == (2,) and np.isfinite(scores).all()
    cloned = clone(model)
    assert cloned.get_params()["pretrainedembedding__encoder"] == path
    cloned.set_params(pretrainedembedding__pooling=("mean",))
    assert cloned.fit(df["path"].tolist(), df["emotion"]).predict(
        df["path"].tolist()[:2]).shape == (2,)


def test_cache_is_keyed_by_the_encoders_content(encoder, synthetic_corpus, tmp_path):
    path, W = encoder
    files = synthetic_corpus["path"].tolist()[:4]
    cache = tmp_path / "cache"
    first = PretrainedEmbedding(path, sr=SR, duration=DURATION, memory=cache).fit_transform(files)
    plain = PretrainedEmbedding(path, sr=SR, duration=DURATION).fit_transform(files)
    np.testing.assert_allclose(first, plain, rtol=1e-5, atol=1e-6)
    assert any(cache.rglob("*.npy"))
    # another encoder at the same path: recomputed, not read from the cache
    W2 = tiny_onnx_encoder(path, seed=1)
    assert not np.allclose(W, W2)
    second = PretrainedEmbedding(path, sr=SR, duration=DURATION, memory=cache).fit_transform(files)
    assert not np.allclose(first, second)
    np.testing.assert_allclose(
        second, PretrainedEmbedding(path, sr=SR, duration=DURATION).fit_transform(files),
        rtol=1e-5, atol=1e-6)


def test_pickles_without_its_probe(encoder, rng):
    path, _ = encoder
    X = rng.standard_normal((2, 400)).astype(np.float32)
    emb = PretrainedEmbedding(path, sr=SR, duration=DURATION).fit(X)
    state = emb.__getstate__()
    assert "_probed" not in state and "encoder_sha256_" in state
    again = pickle.loads(pickle.dumps(emb))
    np.testing.assert_array_equal(again.transform(X), emb.transform(X))


def test_an_encoder_changed_after_fit_is_refused(encoder, rng):
    path, _ = encoder
    X = rng.standard_normal((2, 400)).astype(np.float32)
    emb = PretrainedEmbedding(path, sr=SR, duration=DURATION).fit(X)
    tiny_onnx_encoder(path, seed=7)
    with pytest.raises(SkserError, match="changed since fit"):
        emb.transform(X)
    assert emb.fit(X).transform(X).shape == (2, 6)  # a new fit accepts it


def test_an_unchanged_encoder_is_hashed_once(encoder, rng, monkeypatch):
    import os

    from skser.features import _embedding

    path, _ = encoder
    hour_ago = os.stat(path).st_mtime - 3600
    os.utime(path, (hour_ago, hour_ago))
    calls = []
    real = _embedding._sha256
    monkeypatch.setattr(_embedding, "_sha256", lambda p: calls.append(p) or real(p))
    X = rng.standard_normal((2, 400)).astype(np.float32)
    emb = PretrainedEmbedding(path, sr=SR, duration=DURATION).fit(X)
    for _ in range(3):
        emb.transform(X)
    assert len(calls) == 1
    tiny_onnx_encoder(path, seed=7)  # rewritten now: a new modification time
    with pytest.raises(SkserError, match="changed since fit"):
        emb.transform(X)
    assert len(calls) == 2


def test_a_just_written_encoder_is_hashed_each_time(encoder, rng, monkeypatch):
    """A file modified moments before it was hashed could change again within one tick
    of the file system's clock: its hash is not reused."""
    import os

    from skser.features import _embedding

    path, _ = encoder
    os.utime(path)  # modified now
    calls = []
    real = _embedding._sha256
    monkeypatch.setattr(_embedding, "_sha256", lambda p: calls.append(p) or real(p))
    X = rng.standard_normal((2, 400)).astype(np.float32)
    emb = PretrainedEmbedding(path, sr=SR, duration=DURATION).fit(X)
    emb.transform(X)
    assert len(calls) == 2


def test_failed_files_are_nan_rows_with_a_warning(encoder, synthetic_corpus, tmp_path):
    path, _ = encoder
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not audio")
    files = [*synthetic_corpus["path"].tolist()[:2], str(broken)]
    emb = PretrainedEmbedding(path, sr=SR, duration=DURATION, on_error="warn")
    with pytest.warns(AudioLoadWarning, match="broken.wav"):
        out = emb.fit_transform(files)
    assert np.isfinite(out[:2]).all() and np.isnan(out[2]).all()
    with pytest.raises(SkserError, match="broken.wav"):
        PretrainedEmbedding(path, sr=SR, duration=DURATION).fit_transform(files)


def test_bad_encoders_get_clear_errors(tmp_path, rng):
    X = rng.standard_normal((2, 400)).astype(np.float32)

    def refused(encoder, match, **params):
        with pytest.raises(SkserError, match=match):
            PretrainedEmbedding(encoder, sr=SR, duration=DURATION, **params).fit(X)

    refused(tmp_path / "missing.onnx", "no such file")
    refused(tmp_path, "is a folder")
    (tmp_path / "model.pt").write_bytes(b"x")
    refused(tmp_path / "model.pt", "ends in .onnx or .keras")
    (tmp_path / "garbage.onnx").write_bytes(b"\x00garbage" * 100)
    refused(tmp_path / "garbage.onnx", r"garbage.onnx: not an ONNX model")
    tiny_onnx_encoder(tmp_path / "rank4.onnx", output_rank=4)
    refused(tmp_path / "rank4.onnx", r"output has shape \(1, 1, 50, 3\)")
    tiny_onnx_encoder(tmp_path / "ok.onnx")
    refused(tmp_path / "ok.onnx", "no output named 'logits'", output_name="logits")
    # a clip whose length the encoder cannot take fails with the file named, no traceback
    # from inside onnxruntime
    with pytest.raises(SkserError, match="ok.onnx: the encoder failed"):
        PretrainedEmbedding(tmp_path / "ok.onnx", sr=SR, duration=0.501).fit(X)
    with pytest.raises(ValueError, match="pooling"):
        PretrainedEmbedding(tmp_path / "ok.onnx", pooling=("median",), sr=SR,
                            duration=DURATION).fit(X)


@pytest.mark.slow
def test_keras_encoder_in_safe_mode(tmp_path, rng):
    import keras

    inputs = keras.Input(shape=(400,))
    frames = keras.layers.Reshape((50, 8))(inputs)
    model = keras.Model(inputs, keras.layers.Dense(4, use_bias=False)(frames))
    model.save(tmp_path / "enc.keras")
    W = model.layers[-1].get_weights()[0]
    X = rng.standard_normal((3, 400)).astype(np.float32)
    out = PretrainedEmbedding(tmp_path / "enc.keras", sr=SR, duration=DURATION).fit_transform(X)
    np.testing.assert_allclose(out, _reference(X, W), rtol=1e-4, atol=1e-5)
    # a Lambda layer (Python code in the file) is not deserialized
    lam = keras.Model(inputs, keras.layers.Lambda(lambda t: t * 2.0)(frames))
    lam.save(tmp_path / "lambda.keras")
    with pytest.raises(SkserError, match="lambda.keras: not a Keras model that loads in safe"):
        PretrainedEmbedding(tmp_path / "lambda.keras", sr=SR, duration=DURATION).fit(X)


def test_saved_model_with_an_encoder_needs_trust(encoder, synthetic_corpus, tmp_path):
    import skser
    from skser.exceptions import ModelFileError

    path, _ = encoder
    df = synthetic_corpus
    model = make_pipeline(PretrainedEmbedding(path, sr=SR, duration=DURATION),
                          LogisticRegression(max_iter=500)).fit(df["path"].tolist(),
                                                                df["emotion"])
    saved = skser.save(model, tmp_path / "model.skser")
    with pytest.raises(ModelFileError, match="PretrainedEmbedding"):
        skser.load(saved)
    loaded = skser.load(saved, trusted=True)
    files = df["path"].tolist()[:3]
    np.testing.assert_allclose(loaded.predict_proba(files), model.predict_proba(files))
