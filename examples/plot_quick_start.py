"""
Quick start: train and evaluate an emotion classifier
=====================================================

The whole of skser in one page: generate a small corpus, hold out whole
speakers for testing, fit a pipeline that goes from file paths to emotions,
report accuracy, unweighted average recall (UAR) and F1, and plot the
confusion matrix.

The corpus is synthetic (:func:`skser.datasets.make_synthetic_corpus`):
speech-like signals whose prosody depends on the emotion, laid out like
RAVDESS. For the real corpora, :func:`skser.datasets.load_corpora` returns a
table of the same shape.
"""

# Run time on this machine (2 shared CPU cores): about 25 s.

import os
import shutil
import tempfile

import matplotlib.pyplot as plt

from skser import AcousticFeatures, Conv1DClassifier, StandardScaler, make_pipeline
from skser.datasets import make_synthetic_corpus
from skser.metrics import emotion_report, format_report
from skser.model_selection import speaker_train_test_split
from skser.plotting import plot_confusion_matrix, plot_training_history

# %%
# A corpus
# --------
# Six speakers say two phrases twice in four emotions (neutral at normal
# intensity, the others at normal and strong intensity): 168 one-second files
# at 16 kHz. The result is a :class:`pandas.DataFrame` with one row per file.
root = tempfile.mkdtemp(prefix="skser_quick_start_")
corpus = make_synthetic_corpus(
    root, n_speakers=6, n_statements=2, n_repetitions=2, duration=1.0,
    emotions=["neutral", "happy", "sad", "angry"], random_state=0,
)
print(corpus.assign(file=corpus["path"].map(os.path.basename))
      [["file", "emotion", "speaker", "intensity"]].head())
print(corpus["emotion"].value_counts().to_dict())

# %%
# Hold out whole speakers
# -----------------------
# A random split would put recordings of every speaker on both sides, and the
# model would be scored partly on voices it trained on. Here two of the six
# speakers are kept for testing only.
train, test = speaker_train_test_split(corpus, test_size=0.25, random_state=0)
print("training speakers:", sorted(train["speaker"].unique()))
print("test speakers:    ", sorted(test["speaker"].unique()))

# %%
# A pipeline from paths to emotions
# ---------------------------------
# :class:`~skser.features.AcousticFeatures` reads each file (1 s from its start
# at 16 kHz) and computes 162 utterance features (means over frames of the
# zero-crossing rate, chroma, MFCCs, RMS energy and mel bands);
# :class:`~skser.preprocessing.StandardScaler` standardizes them; a small
# :class:`~skser.models.Conv1DClassifier` (a Keras network) classifies them.
# ``fit`` takes the file paths and the emotion labels. Neutral has half as many
# files as the other emotions, so the classes are weighted to count equally.
pipe = make_pipeline(
    AcousticFeatures(sr=16000, duration=1.0, offset=0.0),
    StandardScaler(),
    Conv1DClassifier(filters=(32, 32), dense_units=16, epochs=30, batch_size=16,
                     class_weight="balanced", random_state=0),
)
pipe.fit(train["path"], train["emotion"])

# %%
# Evaluate
# --------
# :func:`~skser.metrics.emotion_report` gives accuracy, UAR (the mean of the
# per-emotion recalls, which does not reward always guessing the most common
# emotion), macro F1, a per-emotion table and the confusion matrix.
y_pred = pipe.predict(test["path"])
report = emotion_report(test["emotion"], y_pred, labels=pipe.classes_)
print(format_report(report))

# %%
# The confusion matrix, each row normalized to the true emotion's files:
ax = plot_confusion_matrix(test["emotion"], y_pred, labels=pipe.classes_, normalize="true")
ax.set_title("Speaker-independent test set")
plt.show()

# %%
# The training curves: loss and accuracy on the training data and on the
# validation split that the classifier holds out for early stopping. The
# validation files are recordings of the training speakers, so their accuracy
# runs well above the test accuracy on new speakers: the optimism of a random
# split, in miniature.
fig = plot_training_history(pipe[-1])
plt.show()

# %%
shutil.rmtree(root)
