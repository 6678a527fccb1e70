"""Meta-classifiers: classifiers made of other classifiers.

:class:`SeedEnsembleClassifier` averages copies of one model trained from
different random seeds. A neural network's accuracy depends on its random
initialization and on the order of its mini-batches. Averaging the class
probabilities of a few copies trained from different seeds removes part of that
variance, which can lift the score above that of every copy alone (the
benchmarks page of the documentation has a measurement). The class is that
average as one estimator, so it fits in a pipeline, a vote and a grid search
like the model it copies.

:class:`SpeakerAdaptiveClassifier` answers each row with a speaker-normalizing
model where the row's speaker has statistics, and with a plain model elsewhere.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, check_random_state

from .exceptions import SkserError
from .preprocessing._speaker import SpeakerNormalizer

__all__ = ["SeedEnsembleClassifier", "SpeakerAdaptiveClassifier"]


class SeedEnsembleClassifier(ClassifierMixin, BaseEstimator):
    """The mean of the class probabilities of copies of a model, each from its own seed.

    Fits ``n_estimators`` clones of ``estimator`` on the same data, the ``i``-th
    with ``random_state = random_state + i``, and predicts the class of highest
    mean probability: a soft vote of the same model trained from different
    seeds. Unlike bagging, every copy sees all of the training data, so only the
    randomness of training (initial weights, batch order, augmentation)
    differs between them.

    Parameters
    ----------
    estimator : classifier
        A classifier with ``predict_proba`` and a ``random_state`` parameter,
        e.g. :class:`~skser.models.CNN2DClassifier`. Its own ``random_state``
        is replaced by each copy's seed.
    n_estimators : int, default=2
        Copies to train. Training and prediction cost grow in proportion.
    random_state : int, RandomState instance or None, default=None
        The seeds: with an int ``s``, the copies get ``s, s + 1, ...``, so
        ``SeedEnsembleClassifier(CNN2DClassifier(), n_estimators=1,
        random_state=s)`` is ``CNN2DClassifier(random_state=s)``; a
        RandomState draws them; ``None`` leaves every copy unseeded
        (different results on each run).
    verbose : int, default=0
        With ``verbose > 0``, prints which copy is being trained.

    Attributes
    ----------
    estimators_ : list of fitted estimators
        The copies, in seed order.
    seeds_ : list of int or None
        The ``random_state`` each copy was trained with.
    classes_ : ndarray
        The labels, in the order of ``predict_proba``'s columns.
    n_features_in_ : int
        The copies', where they have one.

    See Also
    --------
    sklearn.ensemble.VotingClassifier : a soft vote of different models.
    sklearn.ensemble.BaggingClassifier : copies trained on resampled data.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skser.ensemble import SeedEnsembleClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 3))
    >>> y = np.where(X[:, 0] > 0, "happy", "sad")
    >>> clf = SeedEnsembleClassifier(SGDClassifier(loss="log_loss"), n_estimators=3,
    ...                              random_state=0).fit(X, y)
    >>> clf.seeds_
    [0, 1, 2]
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, estimator, n_estimators: int = 2, *, random_state=None,
                 verbose: int = 0):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y, **fit_params):
        """Fit ``n_estimators`` copies of ``estimator`` on ``(X, y)``.

        Parameters
        ----------
        X : input of ``estimator``
        y : array-like of shape (n_samples,)
        **fit_params
            Passed to every copy's ``fit``.

        Returns
        -------
        self

        Raises
        ------
        SkserError
            If ``estimator`` has no ``random_state`` parameter, or if the copies
            learned different classes.
        """
        self._validate_params()
        if "random_state" not in self.estimator.get_params(deep=False):
            raise SkserError(
                f"SeedEnsembleClassifier needs an estimator with a random_state parameter; "
                f"{type(self.estimator).__name__} has none, so its copies would be identical"
            )
        self.seeds_ = self._seeds()
        self.estimators_ = []
        for i, seed in enumerate(self.seeds_):
            if self.verbose:
                print(f"[SeedEnsembleClassifier] training copy {i + 1}/{self.n_estimators} "
                      f"(random_state={seed})", flush=True)
            model = clone(self.estimator).set_params(random_state=seed)
            self.estimators_.append(model.fit(X, y, **fit_params))
        self.classes_ = self.estimators_[0].classes_
        for model in self.estimators_[1:]:
            if list(model.classes_) != list(self.classes_):
                raise SkserError(
                    f"the copies learned different classes: {list(self.classes_)} and "
                    f"{list(model.classes_)}"
                )
        if hasattr(self.estimators_[0], "n_features_in_"):
            self.n_features_in_ = self.estimators_[0].n_features_in_
        return self

    def predict_proba(self, X) -> np.ndarray:
        """The mean of the copies' class probabilities.

        Parameters
        ----------
        X : input of ``estimator``

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "estimators_")
        return np.mean([model.predict_proba(X) for model in self.estimators_], axis=0)

    def predict(self, X) -> np.ndarray:
        """The class of highest mean probability.

        Parameters
        ----------
        X : input of ``estimator``

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "estimators_")
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.input_tags = inner.input_tags
        tags.non_deterministic = self.random_state is None or inner.non_deterministic
        return tags

    def _seeds(self) -> list:
        if self.random_state is None:
            return [None] * self.n_estimators
        if isinstance(self.random_state, Integral):
            return [int(self.random_state) + i for i in range(self.n_estimators)]
        rng = check_random_state(self.random_state)
        return rng.randint(np.iinfo(np.int32).max, size=self.n_estimators).tolist()


class SpeakerAdaptiveClassifier(ClassifierMixin, BaseEstimator):
    """A speaker-normalizing classifier, with a plain one for rows of unknown speakers.

    A model trained on speaker-normalized features (a pipeline with a
    :class:`SpeakerNormalizer`) is the better one where a row's speaker has
    statistics, and markedly worse where they must be guessed from the whole
    training population: one recording of a new speaker, or input without a
    ``speaker`` column. This classifier trains both ``estimator`` and
    ``fallback`` on the same data and answers each row with ``estimator``
    where its speaker has statistics
    (:meth:`~skser.preprocessing.SpeakerNormalizer.has_statistics`)
    and with ``fallback`` elsewhere. With ``fallback_weight > 0``, the rows
    with statistics get a weighted mean of both models' probabilities: two
    different models averaged are often better than either.

    Parameters
    ----------
    estimator : Pipeline
        A classifier pipeline with a
        :class:`~skser.preprocessing.SpeakerNormalizer` step.
    fallback : classifier
        Trained on the same ``X`` and ``y``; answers the rows without speaker
        statistics.
    fallback_weight : float in [0, 1], default=0.0
        Weight of ``fallback``'s probabilities on the rows with speaker
        statistics: ``0`` answers them with ``estimator`` alone, ``0.5`` with
        the mean of the two models' probabilities. Above 0, both models need
        ``predict_proba``, and ``predict`` is the class of highest mean
        probability. Where ``estimator`` is ``SpeakerNormalizer(T)`` -> ... and
        ``fallback`` is ``T`` -> ... with the same stateless feature step ``T``
        (same class and parameters, e.g. :class:`~skser.features.MelImage`),
        ``T``'s features are computed once for both models.

    Attributes
    ----------
    estimator_, fallback_ : fitted clones of ``estimator`` and ``fallback``
    classes_ : ndarray
        The labels, in the order of ``predict_proba``'s columns.
    n_features_in_ : int
        The fitted estimator's, where it has one.

    See Also
    --------
    skser.preprocessing.SpeakerNormalizer

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skser.ensemble import SpeakerAdaptiveClassifier
    >>> from skser.preprocessing import SpeakerNormalizer
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"f": rng.normal(size=40), "speaker": ["ann", "bob"] * 20})
    >>> y = np.where(X["f"] > 0, "happy", "sad")
    >>> features = FunctionTransformer(lambda df: df[["f"]].to_numpy())
    >>> clf = SpeakerAdaptiveClassifier(
    ...     make_pipeline(SpeakerNormalizer(features), LogisticRegression()),
    ...     make_pipeline(features, LogisticRegression())).fit(X, y)
    >>> clf.predict(X.iloc[:4]).tolist() == y[:4].tolist()  # known speakers: normalized
    True
    >>> clf.predict(X[["f"]].iloc[:4]).tolist() == y[:4].tolist()  # no speakers: fallback
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "fallback": [HasMethods(["fit", "predict"])],
        "fallback_weight": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(self, estimator, fallback, *, fallback_weight: float = 0.0):
        self.estimator = estimator
        self.fallback = fallback
        self.fallback_weight = fallback_weight

    def fit(self, X, y):
        """Fit ``estimator`` and ``fallback`` on ``(X, y)``.

        Parameters
        ----------
        X : DataFrame with a ``speaker`` column, or any input of the two models
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        self._validate_params()
        if self.fallback_weight > 0 and not all(
                hasattr(m, "predict_proba") for m in (self.estimator, self.fallback)):
            raise SkserError("fallback_weight > 0 averages probabilities: estimator and "
                             "fallback both need predict_proba")
        self.estimator_ = clone(self.estimator)
        self._normalizer(self.estimator_)  # fail before training anything
        self.estimator_.fit(X, y)
        self.fallback_ = clone(self.fallback).fit(X, y)
        if list(self.estimator_.classes_) != list(self.fallback_.classes_):
            raise SkserError(
                f"estimator and fallback learned different classes: "
                f"{list(self.estimator_.classes_)} and {list(self.fallback_.classes_)}"
            )
        self.classes_ = self.estimator_.classes_
        self._shared_features = self._find_shared_features()
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        return self

    @available_if(lambda self: hasattr(self.estimator, "predict_proba")
                  and hasattr(self.fallback, "predict_proba"))
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, from ``estimator`` where a row's speaker has statistics.

        Available when both models have ``predict_proba``.

        Parameters
        ----------
        X : DataFrame with a ``speaker`` column, or any input of the two models

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "classes_")
        return self._route("predict_proba", X, (len(self.classes_),), np.float64)

    def predict(self, X) -> np.ndarray:
        """The class of each row, from ``estimator`` where its speaker has statistics.

        Parameters
        ----------
        X : DataFrame with a ``speaker`` column, or any input of the two models

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "classes_")
        if self.fallback_weight > 0:
            return self.classes_[self.predict_proba(X).argmax(axis=1)]
        return self._route("predict", X, (), self.classes_.dtype)

    def _route(self, method: str, X, shape: tuple, dtype) -> np.ndarray:
        adapted = self._normalizer(self.estimator_).has_statistics(X)
        if not adapted.any():  # the fallback for all: X as it is
            return getattr(self.fallback_, method)(X)
        out = np.empty((len(adapted), *shape), dtype=dtype)
        rows = np.flatnonzero(adapted)
        X_adapted = X if adapted.all() else _safe_indexing(X, rows)
        if self.fallback_weight > 0:  # method is predict_proba: the weighted mean
            w = self.fallback_weight
            adapted_proba, fallback_proba = self._both_probas(X_adapted)
            out[rows] = (1 - w) * adapted_proba + w * fallback_proba
        else:
            out[rows] = getattr(self.estimator_, method)(X_adapted)
        if not adapted.all():
            rest = np.flatnonzero(~adapted)
            out[rest] = getattr(self.fallback_, method)(_safe_indexing(X, rest))
        return out

    def _both_probas(self, X) -> tuple[np.ndarray, np.ndarray]:
        """``estimator_``'s and ``fallback_``'s probabilities of ``X``; where both start
        from the same stateless features (``_find_shared_features``), computed once."""
        if not getattr(self, "_shared_features", False):
            return self.estimator_.predict_proba(X), self.fallback_.predict_proba(X)
        normalizer, features = self.estimator_.steps[0][1], self.fallback_.steps[0][1]
        F = features.transform(X)
        normalized = normalizer.normalize(F, X)
        return (self.estimator_[1:].predict_proba(normalized),
                self.fallback_[1:].predict_proba(F))

    def _find_shared_features(self) -> bool:
        """Whether ``estimator_`` is ``SpeakerNormalizer(T)`` -> ... and ``fallback_`` is
        ``T`` -> ...: the same stateless feature step (same class and parameters), such
        as ``MelImage()`` in both, whose output the two models can then share."""
        first, second = (getattr(m, "steps", None) for m in (self.estimator_, self.fallback_))
        if not first or not second or len(first) < 2 or len(second) < 2:
            return False
        normalizer, features = first[0][1], second[0][1]
        if not isinstance(normalizer, SpeakerNormalizer):
            return False
        inner = normalizer.transformer_
        if type(inner) is not type(features) or get_tags(features).requires_fit:
            return False
        try:
            a, b = inner.get_params(deep=False), features.get_params(deep=False)
            return a.keys() == b.keys() and all(
                type(a[k]) is type(b[k]) and bool(a[k] == b[k]) for k in a)
        except (TypeError, ValueError):  # parameters that do not compare (arrays ...)
            return False

    @staticmethod
    def _normalizer(estimator) -> SpeakerNormalizer:
        for _, step in getattr(estimator, "steps", []):
            if isinstance(step, SpeakerNormalizer):
                return step
        raise SkserError(
            f"SpeakerAdaptiveClassifier's estimator must be a pipeline with a "
            f"SpeakerNormalizer step, got {type(estimator).__name__}"
        )
