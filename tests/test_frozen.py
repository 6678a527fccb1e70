"""Frozen networks: Keras classifiers run in numpy, with the same probabilities."""

import copy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skser.exceptions import ModelFileError, SkserError
from skser.frozen import FrozenClassifier, freeze

REPO = Path(__file__).resolve().parents[1]
rng = np.random.default_rng(0)
Y = np.repeat(["angry", "calm", "sad"], 8)


def _cnn2d(**kw):
    from skser.models import CNN2DClassifier

    return CNN2DClassifier(epochs=1, random_state=0, **kw)


def _conv1d(**kw):
    from skser.models import Conv1DClassifier

    return Conv1DClassifier(epochs=1, random_state=0, **kw)


ARCHITECTURES = {
    # the default 2-D CNN: per-bin normalization, SpecAugment, strided stem, stats pooling
    "cnn2d-default": (lambda: _cnn2d(filters=(4, 8)), (16, 30)),
    "cnn2d-valid-avg-global": (lambda: _cnn2d(filters=(4, 8), conv_padding="valid",
                                              stem_stride=1, pooling="avg",
                                              normalize="global"), (16, 30)),
    "cnn2d-max-dense-odd-sizes": (lambda: _cnn2d(filters=(4,), pooling="max", dense_units=5,
                                                 batch_norm=False, kernel_size=(3, 5),
                                                 pool_size=(3, 2)), (17, 23)),
    "conv1d-flatten-table": (lambda: _conv1d(filters=(8, 8), dense_units=6), (40,)),
    "conv1d-stats-bn-image": (lambda: _conv1d(filters=(6, 6), pooling="stats",
                                              batch_norm=True), (12, 25)),
    "conv1d-attention": (lambda: _conv1d(filters=(6,), pooling="attention"), (12, 25)),
    "conv1d-avg": (lambda: _conv1d(filters=(6,), pooling="avg", normalize=None), (12, 26)),
}


@pytest.fixture(scope="module", params=list(ARCHITECTURES), ids=list(ARCHITECTURES))
def fitted(request):
    make, shape = ARCHITECTURES[request.param]
    X = rng.normal(size=(len(Y), *shape)).astype(np.float32)
    X[Y == "angry"] += 0.5
    return make().fit(X, Y), X


def test_frozen_probabilities_equal_keras(fitted):
    clf, X = fitted
    frozen = FrozenClassifier.from_keras(clf)
    np.testing.assert_allclose(frozen.predict_proba(X), clf.predict_proba(X), atol=2e-6)
    np.testing.assert_array_equal(frozen.predict(X), clf.predict(X))
    np.testing.assert_array_equal(frozen.classes_, clf.classes_)
    # one sample at a time (the single-thread path) gives the same
    np.testing.assert_allclose(frozen.predict_proba(X[:1]), clf.predict_proba(X[:1]), atol=2e-6)
    assert frozen.fit(X, Y) is frozen  # inference only: fit changes nothing


def test_frozen_checks_its_input(fitted):
    clf, X = fitted
    frozen = FrozenClassifier.from_keras(clf)
    with pytest.raises(SkserError, match="expected samples of shape"):
        frozen.predict_proba(X[:, :-1])
    bad = X[:2].copy()
    bad[0].flat[0] = np.nan
    with pytest.raises(SkserError, match="NaN"):
        frozen.predict_proba(bad)


def test_an_unfitted_frozen_classifier_cannot_be_trained():
    with pytest.raises(SkserError, match="cannot be trained"):
        FrozenClassifier().fit(np.zeros((2, 3)), ["a", "b"])


@pytest.mark.slow
def test_recurrent_networks_are_refused_by_name():
    from skser.models import CRNNClassifier

    X = rng.normal(size=(len(Y), 8, 12)).astype(np.float32)
    clf = CRNNClassifier(filters=(4,), rnn_units=4, epochs=1, random_state=0).fit(X, Y)
    with pytest.raises(SkserError, match="cannot freeze layer .*Bidirectional"):
        FrozenClassifier.from_keras(clf)


@pytest.fixture(scope="module")
def small_frozen():
    make, shape = ARCHITECTURES["cnn2d-default"]
    X = rng.normal(size=(len(Y), *shape)).astype(np.float32)
    return FrozenClassifier.from_keras(make().fit(X, Y))


@pytest.mark.parametrize("edit,match", [
    (lambda s: s.update(type="exec"), "unknown layer type"),
    (lambda s: s.update(activation="evil"), "unknown activation"),
    (lambda s: s.update(strides=[10**9, 1]), "invalid kernel or strides"),
    (lambda s: s.update(kernel=s["kernel"].astype(np.float64)), "float32"),
    (lambda s: s.update(extra=1), "with keys"),
])
def test_check_layers_refuses_invalid_descriptions(small_frozen, edit, match):
    frozen = copy.deepcopy(small_frozen)
    conv = next(s for s in frozen.layers_ if s["type"] == "conv")
    edit(conv)
    with pytest.raises(SkserError, match=match):
        frozen.check_layers()


@pytest.fixture(scope="module")
def frozen_recipe(tmp_path_factory):
    """The speaker vote (spk-mel-cnn2d+spk-svc) on a synthetic corpus, fitted and frozen."""
    from skser.datasets import make_synthetic_corpus
    from skser.recipes import make_recipe

    root = tmp_path_factory.mktemp("corpus")
    df = make_synthetic_corpus(root, n_speakers=3, n_statements=1, n_repetitions=1,
                               duration=1.0, emotions=["neutral", "happy", "sad", "angry"])
    model = make_recipe("spk-mel-cnn2d+spk-svc", epochs=1,
                        votingclassifier__cnn__estimator__cnn2dclassifier__filters=(4, 8),
                        votingclassifier__cnn__fallback__cnn2dclassifier__filters=(4, 8))
    model.fit(df[["path", "speaker"]], df["emotion"])
    return model, freeze(model), df


@pytest.mark.slow
def test_freeze_replaces_every_network_and_predicts_the_same(frozen_recipe):
    from skser.models._base import BaseKerasClassifier
    from skser.utils import iter_estimators

    model, frozen, df = frozen_recipe
    X = df[["path", "speaker"]]
    np.testing.assert_allclose(frozen.predict_proba(X), model.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(frozen.predict_proba(df["path"]), model.predict_proba(df["path"]),
                               atol=1e-6)
    for fitted in (False, True):
        found = [e for _, e in iter_estimators(frozen, fitted=fitted)]
        assert not any(isinstance(e, BaseKerasClassifier) for e in found)
    n_networks = sum(isinstance(e, BaseKerasClassifier)
                     for _, e in iter_estimators(model, fitted=True))
    assert n_networks == 2
    # the original keeps its networks
    assert any(isinstance(e, BaseKerasClassifier) for _, e in iter_estimators(model, fitted=True))


@pytest.mark.slow
def test_a_frozen_model_file_loads_and_predicts_without_tensorflow(frozen_recipe, tmp_path):
    import skser

    _, frozen, df = frozen_recipe
    path = skser.save(frozen, tmp_path / "frozen.skser")
    assert skser.read_manifest(path)["keras_models"] == []
    files = list(df["path"][:2])
    expected = frozen.predict_proba(files)
    code = (
        "import sys, numpy as np, skser\n"
        f"m = skser.load({str(path)!r})\n"
        f"p = m.predict_proba({files!r})\n"
        f"np.testing.assert_allclose(p, np.array({expected.tolist()!r}), atol=1e-6)\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_a_hostile_frozen_layer_is_refused_at_load(small_frozen, tmp_path):
    import hashlib
    import json
    import zipfile

    import skser

    path = skser.save(small_frozen, tmp_path / "f.skser")
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    tree = members["estimator.json"].decode()
    members["estimator.json"] = tree.replace('"maxpool"', '"exec"', 1).encode()
    manifest = json.loads(members["manifest.json"])
    manifest["members"]["estimator.json"] = {
        "sha256": hashlib.sha256(members["estimator.json"]).hexdigest(),
        "size": len(members["estimator.json"])}
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(ModelFileError, match="unknown layer type"):
        skser.load(path)
