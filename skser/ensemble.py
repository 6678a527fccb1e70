"""Averaging copies of one model trained from different random seeds.

A neural network's accuracy depends on its random initialization and on the
order of its mini-batches. Averaging the class probabilities of a few copies
trained from different seeds removes part of that variance: on reference B's
split in ``docs/benchmarks.md``, two log-mel CNNs that scored 0.717 and 0.725
alone scored 0.741 together. :class:`SeedEnsembleClassifier` is that average
as one estimator, so it fits in a pipeline, a vote and a grid search like the
model it copies.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted, check_random_state

from .exceptions import SkserError

__all__ = ["SeedEnsembleClassifier"]


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
