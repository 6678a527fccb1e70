import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_validate

from skser.audio import AudioLoader
from skser.augmentation import Augmenter
from skser.exceptions import SkserError
from skser.pipeline import Pipeline, make_pipeline

SR = 1000
DURATION = 0.3
N_SAMPLES = int(SR * DURATION)

# Rows each ProbeClassifier.fit received, in call order (searches run with
# n_jobs=None, so every fit happens in this process).
FIT_LOG: list[np.ndarray] = []


class ProbeClassifier(ClassifierMixin, BaseEstimator):
    """Records the rows it is trained on and the rows it is asked to predict."""

    def fit(self, X, y):
        self.X_fit_ = np.array(X, copy=True)
        self.y_fit_ = np.asarray(y)
        self.classes_ = np.unique(y)
        FIT_LOG.append(self.X_fit_)
        return self

    def predict(self, X):
        self.X_predict_ = np.array(X, copy=True)
        return np.full(len(X), self.classes_[0])


@pytest.fixture
def noise_inputs(rng):
    """Independent white-noise waveforms: a copy correlates only with its source."""
    X = rng.normal(scale=0.1, size=(12, N_SAMPLES)).astype(np.float32)
    y = np.array(["sad", "angry", "happy"] * 4)
    FIT_LOG.clear()
    return X, y


def _sources(rows, inputs):
    """Index of the input each row was made from (highest cosine similarity)."""
    rows = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    inputs = inputs / np.linalg.norm(inputs, axis=1, keepdims=True)
    similarity = rows @ inputs.T
    best = similarity.argmax(axis=1)
    # A copy keeps > 0.9 similarity with its source; unrelated noise stays near 0.
    assert (similarity[np.arange(len(rows)), best] > 0.9).all()
    assert (np.sort(similarity, axis=1)[:, -2] < 0.6).all()
    return best


def _augmenting_pipeline(n_copies=2):
    # Gain and noise keep a copy recognisable; shifts and pitch would decorrelate noise.
    return make_pipeline(
        Augmenter(n_copies=n_copies, pitch_semitones=None, stretch_rate=None, shift_s=None,
                  p=1.0, sr=SR, duration=DURATION, random_state=0),
        AudioLoader(sr=SR, duration=DURATION),
        ProbeClassifier(),
    )


def test_cross_validation_never_trains_on_copies_of_test_files(noise_inputs):
    X, y = noise_inputs
    result = cross_validate(
        _augmenting_pipeline(n_copies=2), X, y, cv=KFold(3, shuffle=True, random_state=0),
        return_estimator=True, return_indices=True,
    )
    folds = zip(result["estimator"], result["indices"]["train"], result["indices"]["test"])
    for pipe, train, test in folds:
        probe = pipe[-1]
        seen = _sources(probe.X_fit_, X)
        assert set(seen) == set(train)
        # each training file three times (itself and 2 copies), with its own label
        np.testing.assert_array_equal(np.bincount(seen, minlength=len(X))[train], 3)
        np.testing.assert_array_equal(probe.y_fit_, y[seen])
        # scoring predicted the test files, unaugmented, one row each
        np.testing.assert_array_equal(probe.X_predict_, X[test])


def test_grid_search_folds_and_refit_see_only_their_training_files(noise_inputs):
    X, y = noise_inputs
    cv = KFold(3, shuffle=True, random_state=1)
    search = GridSearchCV(_augmenting_pipeline(), {"augmenter__n_copies": [1, 2]}, cv=cv)
    search.fit(X, y)
    trains = [train for train, _ in cv.split(X, y)]
    assert len(FIT_LOG) == 2 * 3 + 1
    # candidate-major order: (n_copies=1, folds 0-2), (n_copies=2, folds 0-2), refit
    for j, rows in enumerate(FIT_LOG[:-1]):
        n_copies, train = (1, 2)[j // 3], trains[j % 3]
        counts = np.bincount(_sources(rows, X), minlength=len(X))
        np.testing.assert_array_equal(np.flatnonzero(counts), np.sort(train))
        assert (counts[train] == 1 + n_copies).all()
    best_copies = search.best_params_["augmenter__n_copies"]
    assert (np.bincount(_sources(FIT_LOG[-1], X)) == 1 + best_copies).all()
    assert search.predict(X[:5]).shape == (5,)


def test_predict_never_resamples(noise_inputs, monkeypatch):
    X, y = noise_inputs
    calls = []
    original = Augmenter.fit_resample

    def counting(self, X, y):
        calls.append(len(X))
        return original(self, X, y)

    monkeypatch.setattr(Augmenter, "fit_resample", counting)
    pipe = _augmenting_pipeline(n_copies=3).fit(X, y)
    assert calls == [len(X)] and len(pipe[-1].X_fit_) == 4 * len(X)
    assert pipe.predict(X[:7]).shape == (7,)
    np.testing.assert_array_equal(pipe[-1].X_predict_, X[:7])
    pipe.score(X, y)
    assert calls == [len(X)]


def test_nested_set_params_reach_the_augmenter(noise_inputs):
    X, y = noise_inputs
    pipe = _augmenting_pipeline(n_copies=1).set_params(augmenter__n_copies=4)
    assert pipe.get_params()["augmenter__n_copies"] == 4
    assert len(pipe.fit(X, y)[-1].X_fit_) == 5 * len(X)


def test_make_pipeline_names_steps_like_sklearn():
    pipe = make_pipeline(Augmenter(), AudioLoader(), LogisticRegression(), verbose=False)
    assert isinstance(pipe, Pipeline)
    assert [name for name, _ in pipe.steps] == ["augmenter", "audioloader", "logisticregression"]


@pytest.mark.parametrize(
    "steps, message",
    [
        ([Augmenter(sr=SR, duration=DURATION), AudioLoader(sr=2 * SR, duration=DURATION)],
         "'augmenter' and 'audioloader' disagree on sr: 'augmenter' has sr=1000 Hz but "
         "'audioloader' has sr=2000 Hz"),
        ([AudioLoader(sr=SR, duration=DURATION), "passthrough",
          AudioLoader(sr=2 * SR, duration=DURATION)],
         "'audioloader-1' and 'audioloader-2' disagree on sr"),
        ([Augmenter(sr=SR, duration=DURATION), AudioLoader(sr=SR, duration=0.4)],
         "disagree on duration: 'augmenter' has duration=0.3 s"),
        ([Augmenter(sr=SR, duration=DURATION, offset=0.1), AudioLoader(sr=SR, duration=DURATION)],
         "disagree on offset"),
        ([AudioLoader(sr=SR, duration=DURATION), Augmenter(sr=2 * SR, duration=DURATION),
          AudioLoader(sr=2 * SR, duration=DURATION)],
         "'audioloader-1' and 'augmenter' disagree on sr"),
    ],
    ids=["augmenter-sr", "loader-sr-through-passthrough", "duration", "offset", "chain"],
)
def test_mismatched_audio_steps_raise_naming_both(noise_inputs, steps, message):
    X, y = noise_inputs
    with pytest.raises(SkserError, match=message.replace("(", r"\(")):
        make_pipeline(*steps, ProbeClassifier()).fit(X, y)


def _vote_after_loader(member_sr):
    from sklearn.ensemble import VotingClassifier

    members = [("a", make_pipeline(AudioLoader(sr=SR, duration=DURATION), ProbeClassifier())),
               ("b", make_pipeline(AudioLoader(sr=member_sr, duration=DURATION),
                                   ProbeClassifier()))]
    return make_pipeline(AudioLoader(sr=SR, duration=DURATION), VotingClassifier(members))


def test_ensemble_members_must_read_the_loaders_rate(noise_inputs):
    X, y = noise_inputs
    with pytest.raises(SkserError, match="'audioloader' and 'votingclassifier__b__audioloader' "
                                         "disagree on sr"):
        _vote_after_loader(2 * SR).fit(X, y)
    fitted = _vote_after_loader(SR).fit(X, y)
    assert all(len(m[-1].X_fit_) == len(X) for m in fitted[-1].estimators_)


def _wrapped_after_loader(member_sr):
    """A loader, then a step holding the audio steps: a vote of a speaker-normalized
    pipeline and a speaker-adaptive classifier, each reading the loader's waveforms."""
    from sklearn.ensemble import VotingClassifier
    from sklearn.preprocessing import FunctionTransformer

    from skser.ensemble import SpeakerAdaptiveClassifier
    from skser.preprocessing import SpeakerNormalizer

    def normalized(sr):
        return make_pipeline(SpeakerNormalizer(AudioLoader(sr=sr, duration=DURATION)),
                             ProbeClassifier())

    adaptive = SpeakerAdaptiveClassifier(
        normalized(SR), make_pipeline(AudioLoader(sr=member_sr, duration=DURATION),
                                      ProbeClassifier()))
    # A later step of a pipeline reads what the steps before it make, not the waveforms.
    later = make_pipeline(FunctionTransformer(), AudioLoader(sr=2 * SR, duration=DURATION),
                          ProbeClassifier())
    members = [("normalized", normalized(member_sr)), ("adaptive", adaptive),
               ("later", later)]
    return make_pipeline(AudioLoader(sr=SR, duration=DURATION), VotingClassifier(members))


@pytest.mark.parametrize("member, path", [
    ("normalized", "votingclassifier__normalized__speakernormalizer__transformer"),
    ("adaptive", "votingclassifier__adaptive__fallback__audioloader"),
])
def test_audio_steps_inside_any_wrapper_must_read_the_loaders_rate(noise_inputs, member, path):
    X, y = noise_inputs
    pipe = _wrapped_after_loader(SR)
    pipe.set_params(**{f"{path}__sr": 2 * SR})
    with pytest.raises(SkserError, match=f"'audioloader' and '{path}' disagree on sr"):
        pipe.fit(X, y)


def test_audio_steps_inside_a_wrapper_after_the_first_step_are_not_compared():
    from skser.pipeline import _first_audio_steps

    vote = _wrapped_after_loader(SR)[-1]
    assert [path for path, _ in _first_audio_steps(vote)] == [
        "normalized/speakernormalizer/transformer",
        "adaptive/estimator/speakernormalizer/transformer",
        "adaptive/fallback/audioloader",
    ]


def test_consistent_audio_steps_fit(noise_inputs):
    X, y = noise_inputs
    # The Augmenter reads waveforms from the loader here, so offsets need not match.
    pipe = make_pipeline(
        AudioLoader(sr=SR, duration=DURATION, offset=0.05),
        Augmenter(sr=SR, duration=DURATION, random_state=0),
        AudioLoader(sr=SR, duration=DURATION, offset=0.3),
        ProbeClassifier(),
    )
    assert len(pipe.fit(X, y)[-1].X_fit_) == 2 * len(X)


def test_memory_with_an_augmenter_warns_that_it_freezes_augmentation(noise_inputs, tmp_path):
    X, y = noise_inputs
    pipe = _augmenting_pipeline()
    pipe.set_params(memory=str(tmp_path))
    with pytest.warns(UserWarning, match="would be frozen"):
        pipe.fit(X, y)
    no_augmenter = make_pipeline(AudioLoader(sr=SR, duration=DURATION), ProbeClassifier(),
                                 memory=str(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        no_augmenter.fit(X, y)
