"""iter_estimators: one walk of the estimators nested in another, unfitted or fitted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skser.ensemble import SeedEnsembleClassifier, SpeakerAdaptiveClassifier
from skser.preprocessing import SpeakerNormalizer
from skser.utils import iter_estimators


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.where(X[:, 0] > 0, "happy", "sad")
    return X, y


def _paths(estimator, fitted=False):
    return [path for path, _ in iter_estimators(estimator, fitted=fitted)]


def _vote():
    return VotingClassifier([
        ("scaled", make_pipeline(StandardScaler(), LogisticRegression())),
        ("calibrated", CalibratedClassifierCV(LogisticRegression(), cv=2)),
        ("dropped", "drop"),
    ], voting="soft")


def test_unfitted_paths_are_the_nested_parameter_prefixes():
    pipe = make_pipeline(StandardScaler(), _vote())
    assert _paths(pipe) == [
        "",
        "standardscaler",
        "votingclassifier",
        "votingclassifier/scaled",
        "votingclassifier/scaled/standardscaler",
        "votingclassifier/scaled/logisticregression",
        "votingclassifier/calibrated",
        "votingclassifier/calibrated/estimator",
    ]
    # scikit-learn's own notion of what is inside: get_params(deep=True)
    params = pipe.get_params(deep=True)
    walked = dict(iter_estimators(pipe))
    assert walked.pop("") is pipe
    assert all(params[path.replace("/", "__")] is est for path, est in walked.items())
    nested = {key for key, value in params.items()
              if hasattr(value, "get_params") and not isinstance(value, type)}
    assert nested == {path.replace("/", "__") for path in walked}


def test_fitted_walk_finds_the_fitted_members_not_the_templates(data):
    X, y = data
    vote = _vote()
    templates = {id(est) for _, est in iter_estimators(vote)}
    vote.fit(X, y)
    walked = dict(iter_estimators(vote, fitted=True))
    assert list(walked) == [
        "",
        "scaled",
        "scaled/standardscaler",
        "scaled/logisticregression",
        "calibrated",
        "calibrated/calibrated_classifiers_/0/estimator",
        "calibrated/calibrated_classifiers_/1/estimator",
        "le_",
    ]
    assert walked["scaled"] is vote.named_estimators_["scaled"]
    assert walked["calibrated/calibrated_classifiers_/1/estimator"] is (
        vote.named_estimators_["calibrated"].calibrated_classifiers_[1].estimator)
    assert all(id(est) not in templates for path, est in walked.items() if path)
    assert all(hasattr(walked[p], "coef_") for p in walked if p.endswith("estimator"))


def test_a_pipelines_steps_are_fitted_in_place(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    # Not fitted yet: only the steps (constructor parameters are templates elsewhere)
    assert _paths(pipe, fitted=True) == ["", "standardscaler", "logisticregression"]
    pipe.fit(X, y)
    walked = dict(iter_estimators(pipe, fitted=True))
    assert walked["logisticregression"] is pipe[-1] and hasattr(pipe[-1], "coef_")


def test_searches(data):
    X, y = data
    search = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression()),
                          {"logisticregression__C": [0.1, 1.0]}, cv=2)
    assert _paths(search) == ["", "estimator", "estimator/standardscaler",
                              "estimator/logisticregression"]
    search.fit(X, y)
    walked = dict(iter_estimators(search, fitted=True))
    assert list(walked) == ["", "best_estimator_", "best_estimator_/standardscaler",
                            "best_estimator_/logisticregression"]
    assert walked["best_estimator_"] is search.best_estimator_


def test_a_search_over_estimators_does_not_yield_its_best_params(data):
    X, y = data
    search = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression()),
                          {"logisticregression": [LogisticRegression(C=0.1)]}, cv=2).fit(X, y)
    candidate = search.best_params_["logisticregression"]
    assert all(est is not candidate for _, est in iter_estimators(search, fitted=True))


def _columns(df):
    return df.drop(columns="speaker").to_numpy(dtype=np.float64)


def test_skser_wrappers(data):
    X, y = data
    table = pd.DataFrame(X, columns=["a", "b", "c"]).assign(speaker=["ann", "bob"] * 20)
    adaptive = SpeakerAdaptiveClassifier(
        make_pipeline(SpeakerNormalizer(FunctionTransformer(_columns), keep_raw=False),
                      LogisticRegression()),
        make_pipeline(FunctionTransformer(_columns), LogisticRegression()))
    assert _paths(adaptive) == [
        "",
        "estimator",
        "estimator/speakernormalizer",
        "estimator/speakernormalizer/transformer",
        "estimator/logisticregression",
        "fallback",
        "fallback/functiontransformer",
        "fallback/logisticregression",
    ]
    adaptive.fit(table, y)
    assert _paths(adaptive, fitted=True) == [
        "",
        "estimator_",
        "estimator_/speakernormalizer",
        "estimator_/speakernormalizer/transformer_",
        "estimator_/logisticregression",
        "fallback_",
        "fallback_/functiontransformer",
        "fallback_/logisticregression",
    ]
    seeds = SeedEnsembleClassifier(LogisticRegression(), n_estimators=2, random_state=0)
    assert _paths(seeds) == ["", "estimator"]
    seeds.fit(X, y)
    walked = dict(iter_estimators(seeds, fitted=True))
    assert list(walked) == ["", "estimators_/0", "estimators_/1"]
    assert walked["estimators_/1"] is seeds.estimators_[1]


def test_unions_column_transformers_and_stacks(data):
    X, y = data
    union = FeatureUnion([("scale", StandardScaler()), ("same", FunctionTransformer())])
    columns = ColumnTransformer([("first", StandardScaler(), [0]), ("rest", "drop", [1, 2])])
    stack = StackingClassifier([("union", make_pipeline(union, LogisticRegression())),
                                ("columns", make_pipeline(columns, LogisticRegression()))],
                               final_estimator=LogisticRegression(), cv=2)
    unfitted = _paths(stack)
    assert "union/featureunion/scale" in unfitted and "final_estimator" in unfitted
    assert "columns/columntransformer/first" in unfitted
    stack.fit(X, y)
    fitted = dict(iter_estimators(stack, fitted=True))
    union_ = stack.named_estimators_["union"][0]
    assert fitted["union/featureunion/scale"] is union_.transformer_list[0][1]
    assert "columns/columntransformer/first" in fitted  # ColumnTransformer.transformers_
    assert hasattr(fitted["final_estimator_"], "coef_")


class _Holder(ClassifierMixin, BaseEstimator):
    def __init__(self, inner=None, other=None):
        self.inner = inner
        self.other = other


def test_each_object_once_and_cycles_end():
    shared = LogisticRegression()
    assert _paths(_Holder(shared, shared)) == ["", "inner"]
    loop = _Holder()
    loop.inner = _Holder(loop)
    assert _paths(loop) == ["", "inner"]


def test_not_an_estimator_is_refused():
    with pytest.raises(TypeError, match="expects an estimator"):
        list(iter_estimators([LogisticRegression()]))
    with pytest.raises(TypeError, match="expects an estimator"):
        list(iter_estimators(LogisticRegression))


def test_a_recipe_holds_its_speaker_normalizers():
    from skser.recipes import make_recipe

    paths = _paths(make_recipe("spk-mel-cnn2d+spk-svc"))
    assert "votingclassifier/cnn/estimator/speakernormalizer/transformer" in paths
    assert "votingclassifier/svc/fallback/acousticfeatures" in paths
