import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import recall_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skser.exceptions import SkserError
from skser.plotting import (
    plot_confusion_matrix,
    plot_emotion_examples,
    plot_recall_per_emotion,
    plot_search_results,
    plot_spectrogram,
    plot_training_history,
    plot_waveform,
    save_figure,
)
from tests.conftest import tone

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
Y_TRUE = ["sad", "sad", "sad", "angry", "angry", "happy"]
Y_PRED = ["sad", "sad", "angry", "angry", "sad", "happy"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_confusion_matrix_counts_are_annotated():
    ax = plot_confusion_matrix(Y_TRUE, Y_PRED, labels=["sad", "angry", "happy"])
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["2", "1", "0", "1", "1", "0", "0", "0", "1"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["sad", "angry", "happy"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["sad", "angry", "happy"]
    assert ax.get_images()[0].get_array().shape == (3, 3)


def test_confusion_matrix_row_normalized():
    ax = plot_confusion_matrix(Y_TRUE, Y_PRED, labels=["sad", "angry", "happy"], normalize="true")
    values = np.array([float(t.get_text()) for t in ax.texts]).reshape(3, 3)
    np.testing.assert_allclose(values, [[0.67, 0.33, 0], [0.5, 0.5, 0], [0, 0, 1]], atol=0.005)
    assert "normalized" in ax.get_title()


def test_confusion_matrix_draws_on_given_axes_and_rejects_bad_normalize():
    fig, ax = plt.subplots()
    assert plot_confusion_matrix(Y_TRUE, Y_PRED, ax=ax) is ax
    with pytest.raises(ValueError, match="normalize"):
        plot_confusion_matrix(Y_TRUE, Y_PRED, normalize="all")


def test_recall_bars_equal_recalls_with_chance_line():
    labels = ["sad", "angry", "happy"]
    ax = plot_recall_per_emotion(Y_TRUE, Y_PRED, labels=labels)
    heights = [bar.get_height() for bar in ax.patches]
    np.testing.assert_allclose(heights, recall_score(Y_TRUE, Y_PRED, labels=labels, average=None))
    assert [t.get_text() for t in ax.get_xticklabels()] == labels
    (chance,) = [line for line in ax.lines if line.get_label() == "chance"]
    np.testing.assert_allclose(chance.get_ydata(), 1 / 3)


class _FakeClassifier(BaseEstimator):
    def fit(self, X, y):
        self.history_ = {"loss": [1.0, 0.8, 0.7], "val_loss": [1.1, 0.9, 0.95],
                         "accuracy": [0.3, 0.5, 0.6], "val_accuracy": [0.2, 0.4, 0.5]}
        return self


def test_training_history_from_pipeline_and_dict():
    pipe = Pipeline([("clf", _FakeClassifier())]).fit([[0]], [0])
    fig = plot_training_history(pipe)
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["train", "validation"]
    np.testing.assert_allclose(loss_ax.lines[1].get_ydata(), [1.1, 0.9, 0.95])
    np.testing.assert_allclose(acc_ax.lines[0].get_xdata(), [1, 2, 3])
    fig = plot_training_history({"loss": [1.0, 0.5]}, metrics=("loss",))
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1


def test_training_history_errors_name_the_problem():
    with pytest.raises(SkserError, match=r"not in the training history; it has \['loss'\]"):
        plot_training_history({"loss": [1.0]})
    with pytest.raises(SkserError, match="no training history"):
        plot_training_history(LogisticRegression())
    two = _TwoNetworks().fit([[0]], [0])
    with pytest.raises(SkserError, match=r"holds 2 trained networks \(first_, second_\)"):
        plot_training_history(two)
    assert len(plot_training_history(two.first_).axes) == 2


class _TwoNetworks(BaseEstimator):
    def fit(self, X, y):
        self.first_ = _FakeClassifier().fit(X, y)
        self.second_ = _FakeClassifier().fit(X, y)
        return self


def test_waveform_time_axis_in_seconds():
    ax = plot_waveform(tone(sr=8000, seconds=0.5), 8000)
    (line,) = ax.lines
    assert line.get_xdata()[-1] == pytest.approx(0.5 - 1 / 8000)
    assert ax.get_xlabel() == "Time (s)"


@pytest.mark.parametrize("kind", ["mel", "mfcc"])
def test_spectrogram(kind, rng):
    image = rng.normal(size=(20, 50)).astype(np.float32)
    ax = plot_spectrogram(image, sr=16000, hop_length=160, kind=kind)
    (mesh,) = ax.collections
    assert mesh.get_array().size == image.size
    low, high = ax.get_xlim()
    assert high - low == pytest.approx(50 * 160 / 16000)  # 50 frames in seconds
    assert (ax.get_ylabel() == "MFCC") == (kind == "mfcc")
    with pytest.raises(ValueError, match="kind"):
        plot_spectrogram(image, sr=16000, hop_length=160, kind="cqt")


@pytest.fixture
def tiny_corpus(tmp_path):
    rows = []
    for i, (emotion, freq) in enumerate([("sad", 150.0), ("angry", 300.0), ("sad", 200.0)]):
        path = tmp_path / f"{i}_{emotion}.wav"
        sf.write(path, tone(freq, sr=16000, seconds=0.5), 16000)
        rows.append({"path": str(path), "emotion": emotion})
    return pd.DataFrame(rows)


def test_emotion_examples_one_row_per_emotion(tiny_corpus):
    fig = plot_emotion_examples(tiny_corpus)
    waveform_axes = [ax for ax in fig.axes if ax.lines]
    assert [ax.get_title(loc="left") for ax in waveform_axes] == ["sad: 0_sad.wav",
                                                                  "angry: 1_angry.wav"]
    image_axes = [ax for ax in fig.axes if ax.collections and ax.get_label() != "<colorbar>"]
    assert len(image_axes) == 2
    assert all(ax.get_ylabel() == "Hz" for ax in image_axes)  # mel frequency axis
    with pytest.raises(SkserError, match="no file for emotions"):
        plot_emotion_examples(tiny_corpus, emotions=["calm"])


class _ConstantImage(TransformerMixin, BaseEstimator):
    def __init__(self, sr=16000, hop_length=100, n_mfcc=13):
        self.sr, self.hop_length, self.n_mfcc = sr, hop_length, n_mfcc

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.ones((len(X), self.n_mfcc, 7), dtype=np.float32)


def test_emotion_examples_with_a_transformer(tiny_corpus):
    fig = plot_emotion_examples(tiny_corpus, transformer=_ConstantImage(), emotions=["angry"])
    image_ax = next(ax for ax in fig.axes if ax.collections and ax.get_label() != "<colorbar>")
    assert image_ax.collections[0].get_array().size == 13 * 7
    assert image_ax.get_ylabel() == "MFCC"


def test_search_results_one_bar_per_candidate(rng):
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    search = GridSearchCV(LogisticRegression(), {"C": [0.01, 1.0, 100.0]}, cv=2).fit(X, y)
    ax = plot_search_results(search, param="C")
    bars = ax.patches
    np.testing.assert_allclose([bar.get_width() for bar in bars],
                               search.cv_results_["mean_test_score"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.01", "1.0", "100.0"]
    best = search.cv_results_["rank_test_score"].tolist().index(1)
    assert bars[best].get_facecolor() != bars[best - 1].get_facecolor()
    labels = [t.get_text() for t in plot_search_results(search).get_yticklabels()]
    assert labels == ["C=0.01", "C=1.0", "C=100.0"]
    with pytest.raises(SkserError, match="not a searched parameter"):
        plot_search_results(search, param="penalty")


def test_search_results_names_searched_estimators_by_class(rng):
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    grid = {"scale": [StandardScaler(), MinMaxScaler(feature_range=(-1, 1))], "clf__C": [1.0]}
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    labels = [t.get_text() for t in plot_search_results(search).get_yticklabels()]
    assert labels == ["C=1.0, scale=StandardScaler", "C=1.0, scale=MinMaxScaler"]
    labels = [t.get_text() for t in plot_search_results(search, param="scale")
              .get_yticklabels()]
    assert labels == ["StandardScaler", "MinMaxScaler"]


def test_long_labels_stay_inside_a_new_figure():
    labels = ["surprised and delighted", "neutral but slightly bored", "sad"]
    y = [labels[i % 3] for i in range(9)]
    ax = plot_confusion_matrix(y, y[1:] + y[:1])
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    for text in [*ax.get_xticklabels(), *ax.get_yticklabels(), ax.xaxis.label,
                 ax.yaxis.label, ax.title]:
        extent = text.get_window_extent(renderer)
        assert extent.x0 >= box.x0 - 1 and extent.y0 >= box.y0 - 1, text.get_text()
        assert extent.x1 <= box.x1 + 1 and extent.y1 <= box.y1 + 1, text.get_text()


def test_save_figure_writes_png(tmp_path):
    ax = plot_confusion_matrix(Y_TRUE, Y_PRED)
    path = save_figure(ax, tmp_path / "cm.png")
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 1000
    fig = plot_training_history({"loss": [1.0, 0.5]}, metrics=("loss",))
    assert save_figure(fig, tmp_path / "h.png").read_bytes().startswith(PNG_SIGNATURE)


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install skser\[plot\]"):
        plot_waveform(np.zeros(10), 16000)
