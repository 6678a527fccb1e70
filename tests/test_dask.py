"""skser's joblib parallelism on a Dask cluster (two local worker processes)."""

import numpy as np
import pytest
from joblib import parallel_config

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

SR = 8000
DURATION = 1.0
TINY_FEATURES = dict(features=("zcr", "rms", "mfcc"), n_mfcc=8, n_mels=32, n_fft=512,
                     hop_length=256)


@pytest.fixture(scope="module")
def dask_client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def small_corpus(synthetic_corpus):
    """Two files per emotion of the synthetic corpus."""
    return synthetic_corpus.groupby("emotion").head(2).reset_index(drop=True)


def _features():
    from skser.features import AcousticFeatures

    return AcousticFeatures(sr=SR, duration=DURATION, offset=0.0, **TINY_FEATURES)


@pytest.mark.slow  # starts a cluster of two worker processes
def test_transforms_on_dask_match_local_results(dask_client, small_corpus):
    from skser.augmentation import Augmenter

    paths, y = small_corpus["path"], small_corpus["emotion"]
    local = _features().fit_transform(paths)
    aug = Augmenter(n_copies=1, sr=SR, duration=DURATION, random_state=0)
    X_local, y_local = aug.fit_resample(paths, y)
    with parallel_config(backend="dask"):
        on_dask = _features().fit_transform(paths)
        X_dask, y_dask = aug.fit_resample(paths, y)
    assert local.shape == (len(paths), _features().fit(paths).n_features_out_)
    # Equal up to float32 rounding: the workers may run BLAS on fewer threads.
    np.testing.assert_allclose(on_dask, local, rtol=1e-5, atol=1e-7)
    # Every random draw happens before the parallel part: the copies are identical.
    np.testing.assert_array_equal(X_dask, X_local)
    np.testing.assert_array_equal(y_dask, y_local)


@pytest.mark.slow
def test_grid_search_of_a_keras_pipeline_runs_on_dask(dask_client, small_corpus):
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from skser.augmentation import Augmenter
    from skser.models import Conv1DClassifier
    from skser.pipeline import make_pipeline

    pipe = make_pipeline(
        Augmenter(n_copies=1, sr=SR, duration=DURATION, random_state=0),
        _features(),
        Conv1DClassifier(filters=(4,), kernel_size=3, dense_units=4, epochs=2, batch_size=16,
                         validation_split=0.0, early_stopping=False, random_state=0),
    )
    search = GridSearchCV(pipe, {"augmenter__n_copies": [0, 1]}, n_jobs=2,
                          cv=StratifiedKFold(2, shuffle=True, random_state=0))
    X, y = small_corpus["path"], small_corpus["emotion"]
    with parallel_config(backend="dask"):
        search.fit(X, y)
    assert len(search.cv_results_["mean_test_score"]) == 2
    predicted = search.best_estimator_.predict(X[:5])
    assert predicted.shape == (5,) and set(predicted) <= set(y)
