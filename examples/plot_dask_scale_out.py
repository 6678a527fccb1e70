"""
Scaling out with Dask
=====================

Everything skser runs in parallel goes through joblib: feature extraction over
files, the :class:`~skser.augmentation.Augmenter`, and scikit-learn's searches
and cross-validation. Inside ``joblib.parallel_config(backend="dask")`` that
work goes to a Dask cluster, with no change to the estimators.

This example starts a local cluster of two worker processes, extracts features
from a synthetic corpus with and without it, then runs a small speaker-grouped
grid search of an augmenting Keras pipeline on it. To use a real cluster, give
:class:`distributed.Client` the scheduler's address instead of a
``LocalCluster``. It needs the ``dask`` extra (``pip install skser[dask]``).

Worker processes import the script that starts them, so the work sits under
``if __name__ == "__main__":``.
"""

# Run time on this machine (2 shared CPU cores): about 75 s.

import os
import time

import numpy as np
from joblib import parallel_config

# %%
# The pieces
# ----------
# Files are read at 16 kHz, 1 s each; the features are AcousticFeatures'
# default 162 frame means. The Augmenter and the feature step
# must agree on ``sr``, ``duration`` and ``offset``: at predict time the
# Augmenter is skipped and the feature step reads the files itself (the
# pipeline checks this when fitting).
SR, DURATION = 16000, 1.0
# Quiet TensorFlow's start-up logs, here and in the workers (they inherit it).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def make_features():
    from skser.features import AcousticFeatures

    return AcousticFeatures(sr=SR, duration=DURATION, offset=0.0)


def make_pipeline_to_search():
    from skser.augmentation import Augmenter
    from skser.models import Conv1DClassifier
    from skser.pipeline import make_pipeline
    from skser.preprocessing import StandardScaler

    return make_pipeline(
        Augmenter(n_copies=1, sr=SR, duration=DURATION, offset=0.0, random_state=0),
        make_features(),
        StandardScaler(),
        Conv1DClassifier(filters=(16, 16), dense_units=16, epochs=8, batch_size=32,
                         validation_split=0.0, early_stopping=False, random_state=0),
    )


# %%
# Feature extraction, locally and on the cluster
# ----------------------------------------------
# The same transformer gives the same values either way, up to float32
# rounding: matrix products may run on another number of BLAS threads in the
# workers. Only where the work runs changes.
def compare_feature_extraction(paths):
    start = time.perf_counter()
    local = make_features().fit_transform(paths)
    local_s = time.perf_counter() - start
    start = time.perf_counter()
    with parallel_config(backend="dask"):
        on_dask = make_features().fit_transform(paths)
    dask_s = time.perf_counter() - start
    relative = np.abs(on_dask - local) / np.maximum(np.abs(local), 1e-6)
    print(f"features of {len(paths)} files, {local.shape[1]} values each: "
          f"{local_s:.1f} s in this process, {dask_s:.1f} s on the cluster; "
          f"largest relative difference {relative.max():.1e}")


# %%
# A grid search on the cluster
# ----------------------------
# Folds group the files by speaker, so every test speaker is unseen in
# training; the Augmenter runs on each fold's training files only. Each
# candidate-fold fit is one task on the cluster.
def search_on_dask(corpus):
    from sklearn.model_selection import GridSearchCV, GroupKFold

    from skser.model_selection import speaker_groups

    search = GridSearchCV(
        make_pipeline_to_search(), {"augmenter__n_copies": [0, 1]},
        cv=GroupKFold(n_splits=3), scoring="balanced_accuracy", n_jobs=-1,
    )
    start = time.perf_counter()
    with parallel_config(backend="dask"):
        search.fit(corpus["path"], corpus["emotion"], groups=speaker_groups(corpus))
    print(f"grid search: {time.perf_counter() - start:.1f} s")
    for n_copies, score in zip(search.cv_results_["param_augmenter__n_copies"],
                               search.cv_results_["mean_test_score"]):
        print(f"  n_copies={n_copies}: speaker-independent balanced accuracy {score:.2f}")
    # The refitted best pipeline came back from the cluster and predicts here.
    print("predictions:", search.best_estimator_.predict(corpus["path"][:4]).tolist())


def main():
    from distributed import Client, LocalCluster

    from skser.datasets import make_synthetic_corpus

    corpus = make_synthetic_corpus(n_speakers=6, n_statements=2, n_repetitions=1,
                                   duration=DURATION, random_state=0)
    print(f"{len(corpus)} files, {corpus['speaker'].nunique()} speakers")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        print("cluster:", client)
        compare_feature_extraction(corpus["path"])
        search_on_dask(corpus)


if __name__ == "__main__":
    main()
