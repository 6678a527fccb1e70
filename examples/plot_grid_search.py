"""
Choosing features and a classifier with a grid search
=====================================================

Pipeline steps are parameters too: a :class:`~sklearn.model_selection.GridSearchCV`
can swap whole steps. This example searches over two feature extractors
(handcrafted utterance features and a log-mel image) crossed with two Keras
classifiers (a 1-D CNN and a 2-D CNN), scoring each combination on folds that
keep speakers apart, and plots the results.

The models are tiny and the corpus is synthetic, so the search takes about a
minute; with real corpora the same code runs unchanged, for hours.
"""

# Run time on this machine (2 shared CPU cores): about 70 s.

import shutil
import tempfile

import matplotlib.pyplot as plt
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold

from skser.datasets import make_synthetic_corpus
from skser.features import AcousticFeatures, MelImage
from skser.metrics import emotion_report, format_report
from skser.model_selection import speaker_groups, speaker_train_test_split
from skser.models import CNN2DClassifier, Conv1DClassifier
from skser.pipeline import Pipeline
from skser.plotting import plot_search_results

# %%
# Data
# ----
# Eight speakers and four emotions; two speakers are kept out of the search
# altogether, for a final test of the model it picks.
workdir = tempfile.mkdtemp(prefix="skser_grid_search_")
corpus = make_synthetic_corpus(
    f"{workdir}/corpus", n_speakers=8, n_statements=2, n_repetitions=1, duration=1.0,
    emotions=["neutral", "happy", "sad", "angry"], random_state=0,
)
train, test = speaker_train_test_split(corpus, test_size=0.25, random_state=0)
print(f"search on {len(train)} files of {train['speaker'].nunique()} speakers, "
      f"test on {len(test)} files of {test['speaker'].nunique()} others")

# %%
# The candidates
# --------------
# A :class:`~skser.pipeline.Pipeline` with named steps; the grid lists
# estimators for the steps ``features`` and ``classifier``. Both feature
# extractors cache their output per file (``memory=``), so each file is
# processed once per extractor however many times the search refits.
#
# :class:`~skser.features.AcousticFeatures` gives a vector of 162 values per
# file; :class:`~skser.features.MelImage` a (mel bands x frames) image.
# :class:`~skser.models.Conv1DClassifier` convolves along the vector, or over
# time with the mel bands as channels; :class:`~skser.models.CNN2DClassifier`
# reads the image, or the vector as a one-column image. Both standardize their
# input inside the network, so no scaler step is needed.
cache = f"{workdir}/cache"
audio = {"sr": 16000, "duration": 1.0, "offset": 0.0, "memory": cache}
training = {"epochs": 20, "batch_size": 16, "class_weight": "balanced", "random_state": 0}

features = {
    "acoustic": AcousticFeatures(**audio),
    "log-mel": MelImage(n_mels=32, **audio),
}
classifiers = {
    "1-D CNN": Conv1DClassifier(filters=(32, 32), dense_units=16, **training),
    "2-D CNN": CNN2DClassifier(filters=(8, 16), **training),
}
pipe = Pipeline([("features", features["acoustic"]), ("classifier", classifiers["1-D CNN"])])
param_grid = {"features": list(features.values()), "classifier": list(classifiers.values())}

# %%
# Search
# ------
# Three folds, each testing on speakers the candidate did not train on, scored
# by unweighted average recall (``balanced_accuracy``). The best combination is
# then refitted on all the search's files.
search = GridSearchCV(pipe, param_grid, cv=StratifiedGroupKFold(n_splits=3),
                      scoring="balanced_accuracy")
search.fit(train["path"], train["emotion"], groups=speaker_groups(train))


def candidate_name(params):
    """``"log-mel + 2-D CNN"`` for a candidate's parameters."""
    feature = next(k for k, v in features.items() if v is params["features"])
    classifier = next(k for k, v in classifiers.items() if v is params["classifier"])
    return f"{feature} + {classifier}"


for params, mean, std in zip(search.cv_results_["params"],
                             search.cv_results_["mean_test_score"],
                             search.cv_results_["std_test_score"]):
    print(f"{candidate_name(params):<22} UAR {mean:.3f} ± {std:.3f}")
print("best:", candidate_name(search.best_params_))

# %%
# :func:`~skser.plotting.plot_search_results` draws one bar per candidate,
# the best in orange; the candidates are labelled here by the short names
# above rather than by the estimators' full parameters.
ax = plot_search_results(search)
ax.set_yticklabels([candidate_name(p) for p in search.cv_results_["params"]])
ax.set_xlabel("Mean UAR over speaker folds (± std)")
plt.show()

# %%
# The chosen pipeline on the held-out speakers
# --------------------------------------------
# The search's score is optimistic: it is the best of four. The held-out
# speakers give an unbiased estimate for the chosen pipeline.
y_pred = search.predict(test["path"])
print(format_report(emotion_report(test["emotion"], y_pred, labels=search.classes_)))

# %%
shutil.rmtree(workdir)
