import io
import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skser.audio import AudioLoader
from skser.exceptions import ModelFileError
from skser.persistence import _sha256, get_untrusted_types, load, read_manifest, save
from skser.pipeline import make_pipeline

REPO = Path(__file__).resolve().parents[1]


def _rewrite(src: Path, dst: Path, edit) -> Path:
    """Copy a model file, letting ``edit`` change its members (a dict name -> bytes)."""
    with zipfile.ZipFile(src) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    edit(members)
    with zipfile.ZipFile(dst, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dst


def _edit_manifest(members: dict, change) -> None:
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()


@pytest.fixture(scope="module")
def sklearn_file(tmp_path_factory):
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    clf = LogisticRegression().fit(X, ["sad", "sad", "angry", "angry"])
    path = tmp_path_factory.mktemp("skl") / "clf.skser"
    return save(clf, path, metadata={"classes": clf.classes_}), clf, X


@pytest.fixture(scope="module")
def waves():
    rng = np.random.default_rng(0)
    X = (0.1 * rng.normal(size=(24, 2000))).astype(np.float32)
    y = np.repeat(["sad", "angry", "happy"], 8)
    X[y == "angry"] *= 3
    return X, y


def _tiny_classifier():
    from skser.models import Conv1DClassifier

    return Conv1DClassifier(filters=(4,), dense_units=4, epochs=1, random_state=0)


@pytest.fixture(scope="module")
def fitted_pipeline(waves):
    return make_pipeline(AudioLoader(sr=8000, duration=0.25), _tiny_classifier()).fit(*waves)


# -- round trips --------------------------------------------------------------------
@pytest.mark.slow
def test_pipeline_round_trip_gives_identical_probabilities(fitted_pipeline, waves, tmp_path):
    X, _ = waves
    attributes = set(vars(fitted_pipeline[-1]))
    path = save(fitted_pipeline, tmp_path / "model.skser",
                metadata={"classes": fitted_pipeline.classes_, "protocol": "random split"})
    assert set(vars(fitted_pipeline[-1])) == attributes  # saving leaves it untouched
    loaded = load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted_pipeline.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), fitted_pipeline.predict(X))
    assert loaded.steps[-1][1].history_ == fitted_pipeline.steps[-1][1].history_

    manifest = read_manifest(path)
    assert manifest["metadata"] == {"classes": ["angry", "happy", "sad"],
                                    "protocol": "random split"}
    (entry,) = manifest["keras_models"]
    assert entry["step"] == "conv1dclassifier" and entry["class"] == "Conv1DClassifier"
    assert entry["n_weights"] == len(fitted_pipeline[-1].model_.get_weights())
    assert manifest["untrusted_types"] == []
    assert manifest["estimator"]["class"] == "skser.pipeline.Pipeline"
    assert set(manifest["versions"]) == {"skser", "scikit-learn", "keras", "tensorflow",
                                         "numpy", "python"}


@pytest.mark.slow
def test_bare_and_nested_classifiers_round_trip(fitted_pipeline, waves, tmp_path):
    clf = fitted_pipeline.steps[-1][1]
    features = fitted_pipeline[:-1].transform(waves[0])
    bare = load(save(clf, tmp_path / "bare.skser"))
    np.testing.assert_array_equal(bare.predict_proba(features), clf.predict_proba(features))
    np.testing.assert_array_equal(bare.classes_, clf.classes_)
    assert clone(bare).get_params() == clf.get_params()
    # The callbacks, not stored, are rebuilt from the parameters.
    assert [type(c).__name__ for c in bare._fit_callbacks] == \
           [type(c).__name__ for c in clf._fit_callbacks]

    nested = Pipeline([("load", fitted_pipeline[0]), ("inner", Pipeline([("net", clf)]))])
    path = save(nested, tmp_path / "nested.skser")
    assert [m["step"] for m in read_manifest(path)["keras_models"]] == ["inner/net"]
    np.testing.assert_array_equal(load(path).predict_proba(waves[0]),
                                  nested.predict_proba(waves[0]))


class _Box:
    def __init__(self, clf):
        self.clf = clf


class _Holder(BaseEstimator):
    """An estimator of the user's own, holding a classifier in a plain object."""

    def fit(self, clf):
        self.box_ = _Box(clf)
        return self


@pytest.mark.slow
def test_classes_of_your_own_need_trusted(fitted_pipeline, waves, tmp_path):
    clf = fitted_pipeline.steps[-1][1]
    path = save(_Holder().fit(clf), tmp_path / "own.skser")
    manifest = read_manifest(path)
    assert manifest["untrusted_types"] == [f"{__name__}._Holder"]
    assert get_untrusted_types(path) == [f"{__name__}._Holder"]
    with pytest.raises(ModelFileError, match=r"pickled objects of type\(s\) [\w.]*_Holder.*"
                                             r"trusted=True"):
        load(path)
    features = fitted_pipeline[:-1].transform(waves[0])
    np.testing.assert_array_equal(load(path, trusted=True).box_.clf.predict_proba(features),
                                  clf.predict_proba(features))


@pytest.mark.slow
def test_file_holds_no_pickle_and_no_keras_model(fitted_pipeline, tmp_path):
    path = save(fitted_pipeline, tmp_path / "model.skser")
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    arrays = [name for name in members if name.startswith("arrays/")]
    assert set(members) == {"manifest.json", "estimator.json", *arrays}
    # Every array, the network's weights included, reads without pickle.
    n_weights = sum(w.size for w in fitted_pipeline[-1].model_.get_weights())
    loaded = [np.load(io.BytesIO(members[name]), allow_pickle=False) for name in arrays]
    assert sum(a.size for a in loaded) >= n_weights
    assert b"pickle" not in members["estimator.json"]
    assert get_untrusted_types(path) == []


def test_plain_scikit_learn_estimator_round_trip(sklearn_file):
    path, clf, X = sklearn_file
    np.testing.assert_array_equal(load(path).predict_proba(X), clf.predict_proba(X))
    assert read_manifest(path)["keras_models"] == []


def test_read_manifest_does_not_import_tensorflow(sklearn_file):
    code = (
        "import sys; from skser.persistence import read_manifest; "
        f"m = read_manifest({str(sklearn_file[0])!r}); "
        "assert m['metadata'] == {'classes': ['angry', 'sad']}, m; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# -- refusals -----------------------------------------------------------------------
def test_unfitted_estimator_is_refused(tmp_path):
    with pytest.raises(NotFittedError, match="needs a fitted estimator.*call fit first"):
        save(make_pipeline(StandardScaler(), LogisticRegression()), tmp_path / "m.skser")
    assert not (tmp_path / "m.skser").exists()


def test_metadata_must_be_json(sklearn_file, tmp_path):
    with pytest.raises(TypeError, match="metadata must be JSON-serialisable"):
        save(sklearn_file[1], tmp_path / "m.skser", metadata={"model": object()})


def test_truncated_file(sklearn_file, tmp_path):
    data = sklearn_file[0].read_bytes()
    path = tmp_path / "truncated.skser"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match=rf"{path}: not a skser model file, or truncated"):
        load(path)


def test_random_bytes_and_missing_file(tmp_path):
    path = tmp_path / "random.skser"
    path.write_bytes(np.random.default_rng(0).bytes(2000))
    with pytest.raises(ModelFileError, match=str(path)):
        load(path)
    with pytest.raises(ModelFileError, match="no such model file"):
        read_manifest(tmp_path / "absent.skser")


def test_tampered_member_is_refused(sklearn_file, tmp_path):
    def flip_byte(members):
        data = bytearray(members["estimator.json"])
        data[len(data) // 2] ^= 0x01
        members["estimator.json"] = bytes(data)

    path = _rewrite(sklearn_file[0], tmp_path / "tampered.skser", flip_byte)
    with pytest.raises(ModelFileError,
                       match=rf"{path}: checksum mismatch for member 'estimator.json'"):
        load(path)


def test_unlisted_member_is_refused(sklearn_file, tmp_path):
    path = _rewrite(sklearn_file[0], tmp_path / "extra.skser",
                    lambda m: m.update({"arrays/extra.npy": b"x"}))
    with pytest.raises(ModelFileError, match="not listed in the manifest"):
        load(path)


def test_incompatible_skser_major_version_is_refused(sklearn_file, tmp_path):
    def claim_future_skser(members):
        _edit_manifest(members, lambda m: m["versions"].update(skser="99.0.0"))

    path = _rewrite(sklearn_file[0], tmp_path / "future.skser", claim_future_skser)
    with pytest.raises(ModelFileError, match=rf"{path}: saved with skser 99.0.0, but skser"):
        load(path)


def test_minor_version_difference_warns(sklearn_file, tmp_path):
    import sklearn

    major = sklearn.__version__.split(".")[0]

    def older_minor(members):
        _edit_manifest(members, lambda m: m["versions"].update({"scikit-learn": f"{major}.0.0"}))

    path = _rewrite(sklearn_file[0], tmp_path / "older.skser", older_minor)
    with pytest.warns(UserWarning, match=rf"saved with scikit-learn {major}\.0\.0"):
        load(path)


def test_unknown_format_version_is_refused(sklearn_file, tmp_path):
    path = _rewrite(sklearn_file[0], tmp_path / "v9.skser",
                    lambda m: _edit_manifest(m, lambda man: man.update(format_version=9)))
    with pytest.raises(ModelFileError, match="format version 9 is not supported"):
        load(path)


# -- signatures ---------------------------------------------------------------------
class _RunsCode:
    def __reduce__(self):
        return os.getcwd, ()


def _forged(src: Path, dst: Path) -> Path:
    """An attacker's file: a pickle in place of the estimator, the manifest rewritten to match."""
    payload = pickle.dumps(_RunsCode())
    tree = json.dumps({"$": "pickle", "type": "builtins.str",
                       "member": "pickles/000000.pkl"}).encode()

    def forge(members):
        members["pickles/000000.pkl"] = payload
        members["estimator.json"] = tree

        def fix(manifest):
            for name in ("pickles/000000.pkl", "estimator.json"):
                manifest["members"][name] = {"sha256": _sha256(members[name]),
                                             "size": len(members[name])}
            manifest["untrusted_types"] = ["builtins.str"]

        _edit_manifest(members, fix)

    return _rewrite(src, dst, forge)


def test_pickled_members_load_only_when_trusted(sklearn_file, tmp_path):
    path = _forged(sklearn_file[0], tmp_path / "forged.skser")
    with pytest.raises(ModelFileError, match=rf"{path}: the file holds pickled objects"):
        load(path)
    # trusted=True unpickles anything: here the harmless os.getcwd runs.
    assert load(path, trusted=True) == os.getcwd()
def test_signed_file_detects_a_forged_manifest(sklearn_file, tmp_path):
    key = b"secret"
    signed = save(sklearn_file[1], tmp_path / "signed.skser", key=key)
    np.testing.assert_array_equal(load(signed, key=key).classes_, sklearn_file[1].classes_)
    with pytest.raises(ModelFileError, match="signature does not match"):
        load(signed, key=b"wrong")
    forged = _forged(signed, tmp_path / "forged.skser")
    with pytest.raises(ModelFileError, match=rf"{forged}: signature does not match"):
        load(forged, key=key, trusted=True)
    with pytest.raises(ModelFileError, match="not signed"):
        load(sklearn_file[0], key=key)


# -- the other public estimators and the scikit-learn classes recipes are made of ---------
def _isotonic_svc_pipeline():
    from sklearn.calibration import CalibratedClassifierCV

    from skser.preprocessing import StandardScaler as SkserScaler
    from skser.svm import SVC

    return make_pipeline(SkserScaler(), CalibratedClassifierCV(SVC(C=1.0), method="isotonic",
                                                               cv=2))


@pytest.mark.parametrize("make", [
    _isotonic_svc_pipeline,
    lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)),
], ids=["isotonic-calibrated-svc", "sklearn-scaler-logistic"])
def test_scikit_learn_building_blocks_round_trip(make, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    y = np.repeat(["angry", "sad"], 20)
    X[y == "angry"] += 1.0
    model = make().fit(X, y)
    loaded = load(save(model, tmp_path / "m.skser"))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert get_untrusted_types(tmp_path / "m.skser") == []


@pytest.mark.slow
def test_seed_ensemble_and_frozen_networks_round_trip(waves, tmp_path):
    from skser.ensemble import SeedEnsembleClassifier
    from skser.frozen import freeze

    X, y = waves
    model = make_pipeline(AudioLoader(sr=8000, duration=0.25),
                          SeedEnsembleClassifier(_tiny_classifier(), n_estimators=2,
                                                 random_state=0)).fit(X, y)
    for candidate in (model, freeze(model)):
        path = save(candidate, tmp_path / "m.skser")
        assert get_untrusted_types(path) == []
        np.testing.assert_array_equal(load(path).predict_proba(X), candidate.predict_proba(X))
