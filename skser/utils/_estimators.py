"""What is inside an estimator: one walk of nested estimators, fitted or not."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sklearn.pipeline import FeatureUnion
from sklearn.pipeline import Pipeline as _SklearnPipeline
from sklearn.utils import Bunch

__all__ = ["iter_estimators", "set_where_accepted"]


def iter_estimators(estimator, fitted: bool = False) -> Iterator[tuple[str, Any]]:
    """Yield ``estimator`` and every estimator nested in it, each with its path.

    An estimator is any object with a ``get_params`` method (not a class).
    The walk is depth first: an estimator comes before the estimators inside
    it, and those in the order they are found. Each object is yielded once,
    at the first path it is met (cycles end there).

    Parameters
    ----------
    estimator : estimator
        The estimator to walk, such as a pipeline.
    fitted : bool, default=False
        What "inside" means.

        * ``False``: scikit-learn's own notion, the one of
          ``get_params(deep=True)``: every constructor parameter (of
          ``get_params(deep=False)``) whose value is an estimator, and every
          estimator of a parameter that is a list of ``(name, estimator, ...)``
          tuples (a pipeline's ``steps``, a vote's ``estimators``, a
          ``FeatureUnion`` or ``ColumnTransformer``).
        * ``True``: the fitted estimators that predict. The steps of a
          pipeline or ``FeatureUnion`` (fitted in place), and the estimators
          held by public fitted attributes (names ending in ``_``): an
          estimator (a search's ``best_estimator_``, a wrapper's
          ``transformer_``); a list or tuple of estimators (``estimators_``),
          of ``(name, estimator, ...)`` tuples (``transformers_``), or of
          objects holding their estimator as ``estimator`` (scikit-learn's
          ``CalibratedClassifierCV.calibrated_classifiers_``); a
          :class:`~sklearn.utils.Bunch` of named estimators
          (``named_estimators_``). Other dictionaries are data (a search's
          ``best_params_``) and constructor parameters are templates, so
          neither is followed. On an estimator that is not fitted, only the
          steps of pipelines are found.

    Yields
    ------
    path : str
        Where the estimator sits: the names that lead to it from
        ``estimator``, joined by ``"/"``; ``""`` for ``estimator`` itself. A
        name is a step or member name where the container names its
        estimators (``votingclassifier/cnn/melimage``), else the parameter or
        attribute name (``speakernormalizer/transformer``), followed by the
        position in a list (``seedensembleclassifier/estimators_/0``). With
        ``fitted=False``, ``path.replace("/", "__")`` is the estimator's key in
        ``estimator.get_params(deep=True)``, the prefix of its parameters in
        ``set_params``.
    estimator : estimator
        The estimator at ``path``.

    Raises
    ------
    TypeError
        If ``estimator`` has no ``get_params`` method.

    See Also
    --------
    sklearn.base.BaseEstimator.get_params : the parameters of an estimator,
        nested ones included with ``deep=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import VotingClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skser.utils import iter_estimators
    >>> vote = VotingClassifier([
    ...     ("scaled", make_pipeline(StandardScaler(), LogisticRegression())),
    ...     ("plain", LogisticRegression()),
    ... ], voting="soft")
    >>> [path for path, _ in iter_estimators(vote)]
    ['', 'scaled', 'scaled/standardscaler', 'scaled/logisticregression', 'plain']
    >>> X, y = np.random.default_rng(0).normal(size=(20, 2)), [0, 1] * 10
    >>> [path for path, _ in iter_estimators(vote.fit(X, y), fitted=True)]
    ['', 'scaled', 'scaled/standardscaler', 'scaled/logisticregression', 'plain', 'le_']
    """
    if not _is_estimator(estimator):
        raise TypeError(
            f"iter_estimators expects an estimator (an object with get_params), got "
            f"{type(estimator).__name__}"
        )
    children = _fitted_children if fitted else _param_children
    seen: set[int] = set()
    stack = [("", estimator)]
    while stack:
        path, est = stack.pop()
        if id(est) in seen:
            continue
        seen.add(id(est))
        yield path, est
        inner = [(f"{path}/{name}" if path else name, child) for name, child in children(est)]
        stack.extend(reversed(inner))


def _is_estimator(obj) -> bool:
    return hasattr(obj, "get_params") and not isinstance(obj, type)


def _is_named_list(value) -> bool:
    """A non-empty list of ``(name, estimator, ...)`` tuples (steps, members, transformers)."""
    return (
        isinstance(value, list | tuple) and len(value) > 0
        and all(isinstance(item, tuple) and len(item) >= 2 and isinstance(item[0], str)
                for item in value)
    )


def _named(value) -> Iterator[tuple[str, Any]]:
    """The estimators of a list of ``(name, estimator, ...)`` tuples, by name ("drop",
    "passthrough" and None are not estimators)."""
    for name, est, *_ in value:
        if _is_estimator(est):
            yield name, est


def _param_children(est) -> Iterator[tuple[str, Any]]:
    """The estimators among ``est``'s constructor parameters (``get_params(deep=False)``)."""
    for key, value in est.get_params(deep=False).items():
        if _is_estimator(value):
            yield key, value
        elif _is_named_list(value):
            yield from _named(value)


def _fitted_children(est) -> Iterator[tuple[str, Any]]:
    """The fitted estimators ``est`` predicts with (see :func:`iter_estimators`)."""
    if isinstance(est, _SklearnPipeline | FeatureUnion):
        steps = est.steps if isinstance(est, _SklearnPipeline) else est.transformer_list
        yield from _named(steps)
    fitted = [(name, value) for name, value in getattr(est, "__dict__", {}).items()
              if name.endswith("_") and not name.startswith("_")]
    # Named containers first, so that an estimator both named and listed (a vote's
    # named_estimators_ and estimators_) is found under its name.
    for _, value in fitted:
        if isinstance(value, Bunch):
            yield from ((str(k), v) for k, v in value.items() if _is_estimator(v))
        elif _is_named_list(value):
            yield from _named(value)
    for name, value in fitted:
        if _is_estimator(value):
            yield name, value
        elif isinstance(value, list | tuple) and not _is_named_list(value):
            for i, item in enumerate(value):
                if _is_estimator(item):
                    yield f"{name}/{i}", item
                elif _is_estimator(getattr(item, "estimator", None)):
                    yield f"{name}/{i}/estimator", item.estimator


def set_where_accepted(estimators, params: dict) -> None:
    """Set each of ``params`` on every estimator of ``estimators`` that has a parameter of
    that name (in ``get_params(deep=False)``); the others are left alone.

    Parameters
    ----------
    estimators : iterable of estimators
    params : dict
        Parameter name -> value, e.g. ``{"n_jobs": 2, "verbose": 1}``.
    """
    for est in estimators:
        own = est.get_params(deep=False)
        est.set_params(**{k: v for k, v in params.items() if k in own})
