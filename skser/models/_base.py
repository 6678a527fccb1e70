"""The one place that touches scikeras.

scikeras 0.13.0 is unmaintained; every workaround it needs on scikit-learn >= 1.6
and Keras 3 lives here, so the model classes never depend on its quirks:

* classifier tags (scikeras's are empty, so ``is_classifier`` was False and an
  integer ``cv`` silently became unstratified KFold);
* hyperparameters are explicit ``__init__`` arguments read by
  ``_keras_build_fn`` (``model__*`` routing fails in subclass mode), and
  ``get_params`` lists exactly those arguments, so ``clone`` works;
* ``random_state`` must be an int or None (a RandomState always became seed 0);
* TensorFlow's op-determinism flag is read once at import, before scikeras sets
  ``TF_DETERMINISTIC_OPS``, so a seeded fit does not break later unseeded ones;
* inputs are checked here with skser's own errors before scikeras sees them.
"""

from __future__ import annotations

import inspect
import os
from numbers import Integral, Real

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from tensorflow.python.framework import config as _tf_config  # noqa: E402
from scikeras.wrappers import KerasClassifier  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints  # noqa: E402,E501
from sklearn.utils._tags import ClassifierTags  # noqa: E402

from ..exceptions import SkserError  # noqa: E402

# Reading the flag makes TensorFlow cache it now, while TF_DETERMINISTIC_OPS is
# still unset; scikeras sets it later around seeded fits (see module docstring).
_tf_config.is_op_determinism_enabled()

__all__ = ["BaseKerasClassifier"]


class BaseKerasClassifier(KerasClassifier):
    """Private base of skser's Keras classifiers.

    Subclasses define ``__init__`` (keyword arguments stored unchanged, always
    including the common ones of :meth:`_common_params`) and
    ``_build_network(inputs, n_classes)`` returning the logits-free softmax
    output tensor of a functional Keras model. This class adds input
    normalization, compiles with Adam and sparse categorical cross-entropy, and
    sets up early stopping and learning-rate reduction from the ``__init__``
    arguments.
    """

    # scikeras reads these; they are fixed, not hyperparameters.
    model = None
    build_fn = None
    warm_start = False
    optimizer = "adam"
    loss = "sparse_categorical_crossentropy"
    metrics = None
    validation_batch_size = None
    callbacks = None
    shuffle = True
    run_eagerly = False

    _common_constraints: dict = {
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "validation_split": [Interval(Real, 0, 1, closed="left")],
        "early_stopping": ["boolean"],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "reduce_lr_patience": [Interval(Integral, 1, None, closed="left"), None],
        "normalize": [StrOptions({"global", "per_bin"}), None],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "random_state": [Integral, None],
        "verbose": [Integral],
    }
    _parameter_constraints: dict = {}

    # -- scikit-learn plumbing ---------------------------------------------
    @classmethod
    def _get_param_names(cls):
        sig = inspect.signature(cls.__init__)
        return sorted(
            p.name for p in sig.parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        )

    def get_params(self, deep=True):
        return {name: getattr(self, name) for name in self._get_param_names()}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        tags.input_tags.three_d_array = True
        return tags

    _estimator_type = "classifier"

    def _validate_hyperparams(self):
        constraints = {**self._common_constraints, **self._parameter_constraints}
        params = self.get_params()
        validate_parameter_constraints(
            {k: v for k, v in constraints.items() if k in params}, params,
            caller_name=type(self).__name__,
        )

    # -- input checks -------------------------------------------------------
    def _check_X(self, X, fitting: bool) -> np.ndarray:
        name = type(self).__name__
        if isinstance(X, list | tuple) and X and isinstance(X[0], str | os.PathLike):
            raise SkserError(
                f"{name} expects numeric features, got file paths; put a feature step "
                "before it, e.g. make_pipeline(MelImage(), " + name + "())"
            )
        try:
            X = np.asarray(X, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise SkserError(f"{name}: X cannot be converted to float32 ({exc})") from None
        if X.ndim not in (2, 3, 4):
            raise SkserError(
                f"{name}: expected X of shape (n, features), (n, height, width) or "
                f"(n, height, width, channels), got shape {X.shape}"
            )
        if X.shape[0] == 0:
            raise SkserError(f"{name}: got 0 samples")
        if not np.isfinite(X).all():
            rows = np.flatnonzero(~np.isfinite(X.reshape(len(X), -1)).all(axis=1))
            raise SkserError(
                f"{name}: X holds NaN or infinite values in {len(rows)} row(s), first "
                f"rows {rows[:5].tolist()}; check the feature step (on_error='warn' marks "
                "failed files with NaN rows)"
            )
        if not fitting and hasattr(self, "X_shape_") and X.shape[1:] != tuple(self.X_shape_[1:]):
            raise SkserError(
                f"{name} was fitted on samples of shape {tuple(self.X_shape_[1:])}, got "
                f"{X.shape[1:]}; use the same feature parameters for training and prediction"
            )
        return X

    # -- fit / predict --------------------------------------------------------
    def fit(self, X, y, sample_weight=None, **kwargs):
        """Train a new network on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Features: 2-D tables or 3-D/4-D image stacks.
        y : array-like of shape (n_samples,)
            Labels (strings or integers); predictions use the same labels.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        self._validate_hyperparams()
        X = self._check_X(X, fitting=True)
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise SkserError(
                f"{type(self).__name__}: y must be 1-D with one label per sample; got "
                f"{len(X)} samples and y of shape {y.shape}"
            )
        # Keras's validation_split takes the *last* rows: shuffle first, so the
        # validation set is a random draw from the training data.
        order = check_random_state(self.random_state).permutation(len(X))
        X, y = X[order], y[order]
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight)[order]
        self.input_mean_, self.input_var_ = self._input_stats(X)
        return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    def predict_proba(self, X, **kwargs):
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        return super().predict_proba(self._check_X(X, fitting=False), **kwargs)

    def predict(self, X, **kwargs):
        """Predicted labels, shape (n_samples,), from ``classes_``."""
        return super().predict(self._check_X(X, fitting=False), **kwargs)

    def score(self, X, y, sample_weight=None):
        """Accuracy on ``(X, y)``."""
        return super().score(self._check_X(X, fitting=False), y, sample_weight=sample_weight)

    def _input_stats(self, X: np.ndarray):
        if self.normalize is None:
            return None, None
        if self.normalize == "global":
            return float(X.mean()), float(X.var())
        # per_bin: one mean/variance per feature (2-D) or per row of an image
        # (frequency bin), shared across time and channels.
        axes = (0,) if X.ndim == 2 else tuple(i for i in range(X.ndim) if i != 1)
        return X.mean(axis=axes), X.var(axis=axes)

    # -- Keras ---------------------------------------------------------------
    def _keras_build_fn(self):
        input_shape = tuple(self.X_shape_[1:])
        inputs = keras.Input(shape=input_shape, name="features")
        x = inputs
        if self.normalize is not None:
            # axis=1 keeps one statistic per feature / frequency bin; None is global.
            axis = None if self.normalize == "global" else 1
            x = keras.layers.Normalization(
                axis=axis, mean=self.input_mean_, variance=self.input_var_ + 1e-12,
                name="normalization",
            )(x)
        outputs = self._build_network(x, self.n_classes_)
        model = keras.Model(inputs, outputs, name=type(self).__name__)
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=self.learning_rate),
            loss=self.loss,
            metrics=["accuracy"],
        )
        return model

    def _build_network(self, x, n_classes: int):  # pragma: no cover - abstract
        raise NotImplementedError

    def _initialize_callbacks(self) -> None:
        super()._initialize_callbacks()
        monitor = "val_loss" if self.validation_split > 0 else "loss"
        extra = []
        if self.early_stopping:
            extra.append(
                keras.callbacks.EarlyStopping(
                    monitor=monitor, patience=self.patience, restore_best_weights=True
                )
            )
        if self.reduce_lr_patience is not None:
            extra.append(
                keras.callbacks.ReduceLROnPlateau(
                    monitor=monitor, factor=0.5, patience=self.reduce_lr_patience, min_lr=1e-5
                )
            )
        self._fit_callbacks = list(self._fit_callbacks) + extra
