"""Trained networks that predict without TensorFlow: :class:`FrozenClassifier` and :func:`freeze`.

A fitted Keras classifier of skser is a chain of standard layers (convolutions,
pooling, batch normalization, dense layers, statistics pooling). Frozen, the
same chain runs in numpy with the trained weights: the probabilities agree with
Keras's to float32 rounding, a prediction needs neither TensorFlow's import
(seconds, and several hundred megabytes of memory) nor its per-call overhead,
and the model file holds only arrays. A frozen classifier cannot be trained
further; :func:`freeze` makes one from a fitted model, replacing every Keras
classifier inside it (pipeline steps, ensemble members).
"""

from __future__ import annotations

import contextlib
import copy
import sys
from collections.abc import Callable, Mapping

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from .exceptions import InputTypeError, SkserError

__all__ = ["FrozenClassifier", "freeze"]

_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "softmax": lambda x: _softmax(x, axis=-1),
}


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# -- layers: Keras layer -> spec (plain values and arrays) ---------------------------
def _spec(layer) -> dict | None:
    """The numpy description of one Keras layer; None for layers that are the
    identity at inference (dropout, SpecAugment, the input)."""
    kind = type(layer).__name__
    cfg = layer.get_config()
    weights = [np.asarray(w, dtype=np.float32) for w in layer.get_weights()]
    if kind in ("InputLayer", "Dropout", "SpecAugment", "SpatialDropout1D",
                "SpatialDropout2D", "GaussianNoise"):
        return None
    if kind == "Normalization":
        mean = np.asarray(layer.mean, dtype=np.float32)
        variance = np.asarray(layer.variance, dtype=np.float32)
        return {"type": "normalize", "mean": mean,
                "scale": 1.0 / np.maximum(np.sqrt(variance), 1e-7).astype(np.float32)}
    if kind in ("Conv1D", "Conv2D"):
        if any(d != 1 for d in np.atleast_1d(cfg["dilation_rate"])) or cfg.get("groups", 1) != 1:
            raise SkserError(f"cannot freeze {layer.name}: dilated or grouped convolution")
        kernel, *bias = weights
        return {"type": "conv", "kernel": kernel, "bias": bias[0] if bias else None,
                "strides": list(np.atleast_1d(cfg["strides"]).tolist()),
                "padding": cfg["padding"], "activation": cfg["activation"]}
    if kind in ("MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D"):
        return {"type": "maxpool" if kind.startswith("Max") else "avgpool",
                "pool": list(np.atleast_1d(cfg["pool_size"]).tolist()),
                "strides": list(np.atleast_1d(cfg["strides"] or cfg["pool_size"]).tolist()),
                "padding": cfg["padding"]}
    if kind == "BatchNormalization":
        gamma, beta, mean, variance = (weights if cfg["scale"] and cfg["center"] else
                                       _bn_defaults(weights, cfg))
        scale = gamma / np.sqrt(variance + cfg["epsilon"])
        return {"type": "affine", "axis": cfg["axis"] if isinstance(cfg["axis"], int)
                else cfg["axis"][0], "scale": scale.astype(np.float32),
                "shift": (beta - mean * scale).astype(np.float32)}
    if kind == "Dense":
        kernel, *bias = weights
        return {"type": "dense", "kernel": kernel, "bias": bias[0] if bias else None,
                "activation": cfg["activation"]}
    if kind == "Activation":
        return {"type": "activation", "activation": cfg["activation"]}
    if kind == "Reshape":
        return {"type": "reshape", "shape": list(cfg["target_shape"])}
    if kind == "Permute":
        return {"type": "permute", "dims": list(cfg["dims"])}
    if kind == "Flatten":
        return {"type": "flatten"}
    if kind in ("GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
                "GlobalMaxPooling2D"):
        return {"type": "globalmax" if "Max" in kind else "globalavg"}
    if kind == "StatsPooling":
        return {"type": "stats", "epsilon": float(layer.epsilon)}
    if kind == "AttentionPooling":
        w1, b1, w2 = weights
        return {"type": "attention", "kernel": w1, "bias": b1, "score": w2}
    raise SkserError(
        f"cannot freeze layer {layer.name!r} ({kind}): only convolutional, pooling, "
        "normalization and dense layers run in numpy; keep the Keras classifier"
    )


def _bn_defaults(weights: list, cfg: dict) -> tuple:
    it = iter(weights)
    gamma = next(it) if cfg["scale"] else None
    beta = next(it) if cfg["center"] else None
    mean, variance = next(it), next(it)
    ones = np.ones_like(mean)
    return (ones if gamma is None else gamma, ones * 0 if beta is None else beta, mean,
            variance)


def _chain(model) -> list:
    """The layers of ``model`` in order, checking that they form one chain."""
    layers = list(model.layers)
    for prev, layer in zip(layers, layers[1:]):
        inbound = [t._keras_history.operation for t in _inputs_of(layer)]
        if inbound != [prev]:
            raise SkserError(f"cannot freeze {model.name}: layer {layer.name!r} does not read "
                             "the layer before it (only chains of layers are supported)")
    return layers


def _inputs_of(layer) -> list:
    node = layer._inbound_nodes[0]
    return list(node.input_tensors)


_SPEC_KEYS = {
    "normalize": {"type", "mean", "scale"},
    "conv": {"type", "kernel", "bias", "strides", "padding", "activation"},
    "maxpool": {"type", "pool", "strides", "padding"},
    "avgpool": {"type", "pool", "strides", "padding"},
    "affine": {"type", "axis", "scale", "shift"},
    "dense": {"type", "kernel", "bias", "activation"},
    "activation": {"type", "activation"},
    "reshape": {"type", "shape"},
    "permute": {"type", "dims"},
    "flatten": {"type"},
    "globalavg": {"type"},
    "globalmax": {"type"},
    "stats": {"type", "epsilon"},
    "attention": {"type", "kernel", "bias", "score"},
}
_MAX_WINDOW = 1024


def _small_ints(value, low: int, high: int) -> bool:
    return (isinstance(value, list) and 1 <= len(value) <= 3
            and all(type(v) is int and low <= v <= high for v in value))


def _spec_problem(spec) -> str | None:
    """What is wrong with one layer's description, or None."""
    if not isinstance(spec, dict) or spec.get("type") not in _SPEC_KEYS:
        return "unknown layer type"
    kind = spec["type"]
    if set(spec) != _SPEC_KEYS[kind]:
        return f"{kind} layer with keys {sorted(spec)}"
    arrays = [v for k, v in spec.items() if k in ("mean", "scale", "kernel", "bias", "shift",
                                                   "score") and v is not None]
    if not all(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in arrays):
        return f"{kind} layer weights must be float32 arrays"
    if "activation" in spec and spec["activation"] not in _ACTIVATIONS:
        return f"unknown activation {spec['activation']!r}"
    if "padding" in spec and spec["padding"] not in ("same", "valid"):
        return "padding must be 'same' or 'valid'"
    if kind == "conv":
        kernel = spec["kernel"]
        if kernel.ndim not in (3, 4) or not _small_ints(spec["strides"], 1, _MAX_WINDOW) \
                or len(spec["strides"]) != kernel.ndim - 2:
            return "conv layer with an invalid kernel or strides"
    if kind in ("maxpool", "avgpool") and not (
            _small_ints(spec["pool"], 1, _MAX_WINDOW)
            and _small_ints(spec["strides"], 1, _MAX_WINDOW)
            and len(spec["pool"]) == len(spec["strides"])):
        return "pooling layer with an invalid window or strides"
    if kind in ("dense", "attention") and spec["kernel"].ndim != 2:
        return f"{kind} layer with an invalid kernel"
    if kind == "reshape" and not (isinstance(spec["shape"], list) and
                                  all(type(v) is int and v >= -1 for v in spec["shape"])):
        return "reshape layer with an invalid shape"
    if kind == "permute" and not (isinstance(spec["dims"], list) and
                                  sorted(spec["dims"]) == list(range(1, len(spec["dims"]) + 1))):
        return "permute layer with invalid dims"
    if kind == "affine" and type(spec["axis"]) is not int:
        return "affine layer with an invalid axis"
    if kind == "stats" and type(spec["epsilon"]) is not float:
        return "stats layer with an invalid epsilon"
    return None


# -- numpy forward ----------------------------------------------------------------------
def _pads(size: int, window: int, stride: int, padding: str) -> tuple[int, int, int]:
    """(pad before, pad after, output size) of one axis, as TensorFlow pads."""
    if padding == "valid":
        return 0, 0, (size - window) // stride + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2, out


def _padded(x: np.ndarray, window: list, strides: list, padding: str, fill: float):
    """``x`` (batch, *spatial, channels) padded as TensorFlow pads, and the output sizes."""
    spatial = x.shape[1:-1]
    pads = [_pads(n, w, s, padding) for n, w, s in zip(spatial, window, strides)]
    if any(p[2] < 1 for p in pads):
        raise SkserError(f"input of spatial shape {spatial} is smaller than the window {window}")
    if any(p[0] or p[1] for p in pads):
        x = np.pad(x, [(0, 0), *[(p[0], p[1]) for p in pads], (0, 0)], constant_values=fill)
    return x, [p[2] for p in pads]


def _shifts(x: np.ndarray, window: list, strides: list, out: list):
    """Each offset of the window: the strided slice of ``x`` it sees, in the kernel's
    (row-major) order of offsets."""
    for offset in np.ndindex(*window):
        index = (slice(None),) + tuple(slice(o, o + n * s, s)
                                       for o, n, s in zip(offset, out, strides))
        yield x[index]


def _conv(x, spec):
    kernel = spec["kernel"]  # (*window, in_channels, filters)
    window = list(kernel.shape[:-2])
    x, out = _padded(x, window, spec["strides"], spec["padding"], 0.0)
    # im2col: the patches' last axis runs over (*window, in_channels), as the kernel's rows.
    patches = np.concatenate(list(_shifts(x, window, spec["strides"], out)), axis=-1)
    result = patches @ kernel.reshape(-1, kernel.shape[-1])
    if spec["bias"] is not None:
        result += spec["bias"]
    return _ACTIVATIONS[spec["activation"]](result)


def _pool(x, spec):
    fill = -np.inf if spec["type"] == "maxpool" else 0.0
    padded, out = _padded(x, spec["pool"], spec["strides"], spec["padding"], fill)
    shifts = _shifts(padded, spec["pool"], spec["strides"], out)
    if spec["type"] == "maxpool":
        result = next(shifts)
        for shifted in shifts:
            result = np.maximum(result, shifted)
        return result
    total = sum(shifts)
    if spec["padding"] == "same":  # Keras averages over the cells inside the input only
        ones, _ = _padded(np.ones((1, *x.shape[1:-1], 1), x.dtype), spec["pool"],
                          spec["strides"], "same", 0.0)
        return total / sum(_shifts(ones, spec["pool"], spec["strides"], out))
    return total / np.prod(spec["pool"])


def _apply(x: np.ndarray, spec: Mapping) -> np.ndarray:
    kind = spec["type"]
    if kind == "normalize":
        return (x - spec["mean"]) * spec["scale"]
    if kind == "conv":
        return _conv(x, spec)
    if kind in ("maxpool", "avgpool"):
        return _pool(x, spec)
    if kind == "affine":
        shape = [1] * x.ndim
        shape[spec["axis"]] = -1
        return x * spec["scale"].reshape(shape) + spec["shift"].reshape(shape)
    if kind == "dense":
        out = x @ spec["kernel"]
        if spec["bias"] is not None:
            out += spec["bias"]
        return _ACTIVATIONS[spec["activation"]](out)
    if kind == "activation":
        return _ACTIVATIONS[spec["activation"]](x)
    if kind == "reshape":
        return x.reshape(len(x), *spec["shape"])
    if kind == "permute":
        return x.transpose(0, *spec["dims"])
    if kind == "flatten":
        return x.reshape(len(x), -1)
    if kind in ("globalavg", "globalmax"):
        axes = tuple(range(1, x.ndim - 1))
        return x.mean(axis=axes) if kind == "globalavg" else x.max(axis=axes)
    if kind == "stats":
        mean = x.mean(axis=1)
        var = (x * x).mean(axis=1) - mean * mean
        return np.concatenate([mean, np.sqrt(np.maximum(var, spec["epsilon"]))], axis=-1)
    if kind == "attention":
        scores = np.tanh(x @ spec["kernel"] + spec["bias"]) @ spec["score"]
        weights = _softmax(scores, axis=1)
        return (weights * x).sum(axis=1)
    raise SkserError(f"unknown frozen layer type {kind!r}")


_SMALL_BATCH = 16
_CONTROLLER = None


def _blas_threads(limit: int | None):
    """A context limiting BLAS to ``limit`` threads (None: no limit)."""
    global _CONTROLLER
    if limit is None:
        return contextlib.nullcontext()
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=limit, user_api="blas")


class FrozenClassifier(ClassifierMixin, BaseEstimator):
    """A trained skser network that predicts in numpy, without TensorFlow.

    Made from a fitted Keras classifier by :meth:`from_keras` (or, for every
    classifier inside a model, by :func:`freeze`). Its probabilities equal the
    Keras classifier's to float32 rounding. Inference only: like scikit-learn's
    ``FrozenEstimator``, ``fit`` leaves a fitted instance unchanged.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    layers_ : list of dict
        The network as data: one entry per layer, with its type, weights
        (float32 arrays) and settings.
    input_shape_ : tuple of int
        The shape of one sample, as the Keras classifier was fitted on.
    source_ : str
        The class of the Keras classifier it was made from.

    See Also
    --------
    freeze : Freeze every Keras classifier inside a fitted model.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.models import CNN2DClassifier
    >>> from skser.frozen import FrozenClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(20, 8, 10)).astype("float32")
    >>> y = np.repeat(["calm", "angry"], 10)
    >>> clf = CNN2DClassifier(filters=(4,), epochs=1, random_state=0).fit(X, y)
    >>> frozen = FrozenClassifier.from_keras(clf)
    >>> bool(np.allclose(frozen.predict_proba(X), clf.predict_proba(X), atol=1e-5))
    True
    >>> bool((frozen.predict(X) == clf.predict(X)).all())
    True
    """

    @classmethod
    def from_keras(cls, clf) -> FrozenClassifier:
        """A frozen copy of fitted Keras classifier ``clf``."""
        check_is_fitted(clf, "model_")
        frozen = cls()
        frozen.layers_ = [s for s in map(_spec, _chain(clf.model_)) if s is not None]
        frozen.classes_ = np.asarray(clf.classes_)
        frozen.input_shape_ = tuple(int(n) for n in clf.X_shape_[1:])
        frozen.source_ = type(clf).__name__
        frozen.n_features_in_ = int(np.prod(frozen.input_shape_))
        frozen.check_layers()
        return frozen

    def check_layers(self) -> None:
        """Check that ``layers_`` describes a network this class can run.

        Called when a model file is loaded: every layer's type, settings and
        weight shapes must be valid, so a file cannot make a prediction
        allocate out of proportion to its weights.

        Raises
        ------
        SkserError
            Naming the first invalid layer.
        """
        if not isinstance(self.layers_, list):
            raise SkserError("FrozenClassifier.layers_ must be a list")
        for i, spec in enumerate(self.layers_):
            problem = _spec_problem(spec)
            if problem:
                raise SkserError(f"FrozenClassifier layer {i}: {problem}")

    def fit(self, X=None, y=None):
        """Do nothing: a frozen network is not trained further.

        Raises
        ------
        SkserError
            If this instance was never made from a trained classifier.
        """
        if not hasattr(self, "layers_"):
            raise SkserError("a FrozenClassifier is made from a fitted Keras classifier "
                             "(FrozenClassifier.from_keras or skser.frozen.freeze); it "
                             "cannot be trained")
        return self

    def _check_X(self, X) -> np.ndarray:
        name = type(self).__name__
        check_is_fitted(self, "layers_")
        if hasattr(X, "tocsr") or hasattr(X, "todense"):
            raise InputTypeError(f"{name}: sparse input is not supported")
        try:
            X = np.asarray(X, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise InputTypeError(f"{name}: X cannot be converted to float32: {exc}") from None
        if X.ndim < 2 or X.shape[1:] != self.input_shape_:
            raise SkserError(f"{name}: expected samples of shape {self.input_shape_}, got X "
                             f"of shape {X.shape}")
        if not np.isfinite(X).all():
            raise SkserError(f"{name}: X holds NaN or infinite values")
        return X

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        x = self._check_X(X)
        # A few samples make matrices too small to share between BLAS threads: on a busy
        # machine the threads' hand-offs cost more than the arithmetic.
        with _blas_threads(1 if len(x) <= _SMALL_BATCH else None):
            for spec in self.layers_:
                x = _apply(x, spec)
        return x.reshape(len(x), -1)

    def predict(self, X) -> np.ndarray:
        """Predicted labels, shape (n_samples,), from ``classes_``."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def freeze(estimator):
    """A copy of a fitted model whose Keras classifiers are :class:`FrozenClassifier`\\ s.

    Every Keras classifier anywhere inside ``estimator`` (pipeline steps,
    ensemble members, the unfitted templates of a vote) is replaced in the copy,
    so the copy predicts, saves and loads without TensorFlow. ``estimator`` is
    left unchanged.

    Parameters
    ----------
    estimator : estimator
        Fitted.

    Returns
    -------
    estimator
        The frozen copy; it predicts as ``estimator`` does, to float32 rounding.

    Raises
    ------
    SkserError
        If a network holds a layer that has no numpy version (recurrent layers).
    """
    base = sys.modules.get("skser.models._base")
    if base is None:
        return copy.deepcopy(estimator)
    memo: dict = {}
    for obj in _objects(estimator):
        if isinstance(obj, base.BaseKerasClassifier):
            fitted = getattr(obj, "model_", None) is not None
            memo[id(obj)] = FrozenClassifier.from_keras(obj) if fitted else FrozenClassifier()
    return copy.deepcopy(estimator, memo)


def _objects(obj, seen=None):
    """Every object reachable from ``obj`` through attributes and containers."""
    seen = set() if seen is None else seen
    stack = [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, BaseEstimator) or type(item).__module__.startswith("sklearn."):
            if not type(item).__module__.startswith(("keras", "tensorflow")):
                stack.extend(getattr(item, "__dict__", {}).values())
