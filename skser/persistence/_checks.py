"""What a rebuilt estimator must satisfy, and how its arrays and network are read."""

from __future__ import annotations

import inspect
import io
import math
import sys
from collections.abc import Callable
from typing import NoReturn

import numpy as np

from ..utils._text import escape_control
from ._types import ARRAY_KINDS, KERAS_RUNTIME, MAX_HEADER, is_keras_classifier

#: Raises the caller's error with a message (never returns).
Fail = Callable[[str], NoReturn]


def read_npy(data: bytes, member: str, fail: Fail) -> np.ndarray:
    """An array from ``.npy`` bytes: header parsed and checked against the data's
    length before anything is allocated; never pickle."""
    fp = io.BytesIO(data)
    fmt = np.lib.format
    try:
        version = fmt.read_magic(fp)
        reader = {(1, 0): fmt.read_array_header_1_0, (2, 0): fmt.read_array_header_2_0}.get(
            version)
        if reader is None:
            fail(f"{member}: unsupported .npy version {version}")
        shape, fortran, dtype = reader(fp, max_header_size=MAX_HEADER)
    except (ValueError, TypeError, SyntaxError, OverflowError) as exc:
        fail(f"{member}: invalid .npy header ({escape_control(exc)[:200]})")
    if (dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None
            or dtype.kind not in ARRAY_KINDS):
        fail(f"{member}: arrays of dtype {escape_control(dtype)} are not allowed")
    count = math.prod(shape)
    offset = fp.tell()
    if count * dtype.itemsize != len(data) - offset:
        fail(f"{member}: the header declares {count:,} items of {dtype}, but the member "
             f"holds {len(data) - offset:,} bytes of data")
    arr = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    return arr.reshape(shape, order="F" if fortran else "C").copy(order="K")


def check_state_keys(cls, state: dict, name: str, fail: Fail) -> None:
    """Saved attributes may not replace methods, properties or other class attributes."""
    for key in state:
        found = inspect.getattr_static(cls, key, _MISSING)
        if found is not _MISSING:
            fail(f"{name} state sets {key!r}, which would replace a class attribute")
        if key in KERAS_RUNTIME and is_keras_classifier_class(cls):
            fail(f"{name} state sets {key!r}, which only the loader builds")


_MISSING = object()


def is_keras_classifier_class(cls) -> bool:
    base = sys.modules.get("skser.models._base")
    return base is not None and issubclass(cls, base.BaseKerasClassifier)


def validate(obj, name: str, fail: Fail) -> None:
    """Check a rebuilt estimator's parameters and the arrays compiled code will index."""
    from sklearn.utils._param_validation import InvalidParameterError

    try:
        if is_keras_classifier(obj):
            obj._validate_hyperparams()
        elif hasattr(obj, "_validate_params") and hasattr(type(obj), "_parameter_constraints"):
            obj._validate_params()
    except (InvalidParameterError, ValueError, TypeError) as exc:
        fail(f"{name} has invalid parameters: {escape_control(exc)[:300]}")
    if type(obj).__name__ == "FunctionTransformer" and (
            obj.func is not None or obj.inverse_func is not None):
        fail(f"{name} with a function is not allowed")
    if hasattr(obj, "support_vectors_"):
        _check_svm(obj, name, fail)
    if hasattr(obj, "check_layers") and hasattr(obj, "layers_"):  # a FrozenClassifier
        try:
            obj.check_layers()
        except ValueError as exc:
            fail(f"{name}: {escape_control(exc)[:300]}")


def _check_svm(svc, name: str, fail: Fail) -> None:
    """libsvm indexes these arrays by each other's sizes: check that they agree."""

    def arr(attr, dtype, ndim):
        value = getattr(svc, attr, None)
        if not (isinstance(value, np.ndarray) and value.dtype == dtype and value.ndim == ndim
                and value.flags.c_contiguous):
            fail(f"{name}.{attr} must be a C-contiguous {ndim}-D {dtype} array")
        return value

    sv = arr("support_vectors_", np.float64, 2)
    n_sv = sv.shape[0]
    classes = getattr(svc, "classes_", None)
    if not isinstance(classes, np.ndarray) or classes.ndim != 1 or len(classes) < 2:
        fail(f"{name}.classes_ must list at least two classes")
    n_classes = len(classes)
    n_pairs = n_classes * (n_classes - 1) // 2
    n_support = arr("_n_support", np.int32, 1)
    checks = [
        (getattr(svc, "_sparse", None) is False, "_sparse must be False"),
        (getattr(svc, "_impl", None) in ("c_svc", "nu_svc"), "_impl must be c_svc or nu_svc"),
        (svc.kernel in ("linear", "poly", "rbf", "sigmoid"), "kernel must be a named kernel"),
        (len(n_support) == n_classes and int(n_support.sum()) == n_sv
         and bool((n_support >= 0).all()), "_n_support must count the support vectors"),
        (arr("support_", np.int32, 1).shape == (n_sv,), "support_ must have one entry per "
         "support vector"),
        (arr("_dual_coef_", np.float64, 2).shape == (n_classes - 1, n_sv),
         "_dual_coef_ has the wrong shape"),
        (arr("_intercept_", np.float64, 1).shape == (n_pairs,), "_intercept_ has the wrong "
         "shape"),
        (arr("_probA", np.float64, 1).shape[0] in (0, n_pairs), "_probA has the wrong shape"),
        (arr("_probB", np.float64, 1).shape[0] in (0, n_pairs), "_probB has the wrong shape"),
        (isinstance(svc._gamma, float | np.floating), "_gamma must be a float"),
    ]
    for ok, problem in checks:
        if not ok:
            fail(f"{name}: {problem}")


def attach_network(clf, weights: list, name: str, fail: Fail) -> None:
    """Rebuild ``clf``'s network from its parameters and load ``weights`` into it.

    The architecture is first built without allocating its variables, so a
    file cannot make this allocate more than the weights it holds.
    """
    import keras

    if not all(isinstance(w, np.ndarray) and w.dtype.kind == "f" for w in weights):
        fail(f"{name} network weights must be float arrays")
    try:
        from keras.src.backend.common import global_state

        pending = global_state.get_global_attribute("uninitialized_variables", [],
                                                    set_to_default=True)
    except ImportError:  # pragma: no cover - a Keras without the registry
        pending = []
    n_pending = len(pending)
    try:
        with keras.StatelessScope(initialize_variables=False):
            expected = [tuple(w.shape) for w in clf._build_model().weights]
    except Exception as exc:  # a Keras error of any type means: cannot build this network
        fail(f"{name}: cannot build its network from its parameters "
             f"({type(exc).__name__}: {escape_control(exc)[:300]})")
    finally:
        del pending[n_pending:]  # the probe's variables are never initialized
    given = [tuple(w.shape) for w in weights]
    if given != expected:
        fail(f"{name}: the file holds {len(given)} weight arrays that do not fit the network "
             f"its parameters build ({len(expected)} arrays); first difference at "
             f"{next((i for i, (a, b) in enumerate(zip(given, expected)) if a != b), 0)}")
    model = clf._keras_build_fn()
    model.set_weights(weights)
    clf.model_ = model
    clf._make_forward_fn()
    clf._initialize_callbacks()
