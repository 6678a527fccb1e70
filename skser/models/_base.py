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
* inputs are checked here with skser's own errors before scikeras sees them;
* small batches are predicted through a cached ``tf.function`` instead of
  ``Model.predict``, whose fixed cost per call dwarfs one sample's work.
"""

from __future__ import annotations

import inspect
import os
import warnings
from numbers import Integral, Real

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from scikeras.wrappers import KerasClassifier  # noqa: E402
from sklearn.exceptions import DataConversionWarning  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402
from sklearn.utils._param_validation import (  # noqa: E402
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils._tags import ClassifierTags  # noqa: E402
from tensorflow.python.framework import config as _tf_config  # noqa: E402

from ..exceptions import (  # noqa: E402
    InputTypeError,
    InvalidHyperparameterError,
    LabelError,
    SkserError,
)
from ..utils._stats import mean_and_variance  # noqa: E402
from ._layers import SpecAugment  # noqa: E402

# Reading the flag makes TensorFlow cache it now, while TF_DETERMINISTIC_OPS is
# still unset; scikeras sets it later around seeded fits (see module docstring).
_tf_config.is_op_determinism_enabled()

__all__ = ["BaseKerasClassifier"]


#: Batches up to this size skip ``Model.predict`` (see ``_predict_raw``).
FAST_PREDICT_MAX_SAMPLES = 64

_COMMON_PARAMETERS_DOC = """learning_rate : float, default=1e-3
        Adam's learning rate.
    epochs : int, default=50
    batch_size : int, default=%(batch_size)s
    validation_split : float, default=0.1
        Fraction of the (shuffled) training data held out for early stopping
        and learning-rate reduction; 0 monitors the training loss instead.
    early_stopping : bool, default=True
        Stop when the monitored loss has not improved for ``patience`` epochs
        and restore the best weights.
    patience : int, default=10
    reduce_lr_patience : int or None, default=4
        Halve the learning rate after this many epochs without improvement.
    normalize : {"per_bin", "global"} or None, default="per_bin"
        Standardize inputs inside the network (a Keras ``Normalization``
        layer) with statistics of the training data: one mean/variance per
        feature or frequency bin ("per_bin"), one for all ("global"), or none,
        as :class:`~skser.preprocessing.StandardScaler`'s ``axis`` spells them.
        No separate scaler step is needed.
    class_weight : "balanced", dict or None, default=None
    checkpoint_dir : str, path or None, default=None
        Folder where training state (weights, optimizer, epoch) is saved at
        the end of every epoch (Keras's ``BackupAndRestore``). If a fit is
        interrupted, calling ``fit`` again with the same data and folder
        resumes from the last finished epoch instead of starting over; the
        folder's checkpoint is deleted when a fit finishes.
    spec_augment : bool, default=%(spec_augment)s
        During training, mask two random bands of frequency bins and two
        random spans of frames of each (standardized) image
        (:class:`~skser.models.SpecAugment`); no effect on 2-D tables or at
        prediction time.
    random_state : int or None, default=None
        Seed of weight initialisation, shuffling and dropout; with a seed,
        training is deterministic and repeats exactly.
    verbose : int, default=0
        Keras's progress output during fit."""

_COMMON_ATTRIBUTES_DOC = """classes_ : ndarray of shape (n_classes,)
        The labels, in the order of ``predict_proba``'s columns.
    model_ : keras.Model
        The trained network; ``model_.save("model.keras")`` stores it in
        Keras's own format (load it after ``import skser.models``).
    history_ : dict of lists
        Per-epoch ``loss``, ``accuracy`` (and ``val_*``) values.
    input_mean_, input_var_ : float, ndarray or None
        Normalization statistics of the training data."""


class BaseKerasClassifier(KerasClassifier):
    """Private base of skser's Keras classifiers.

    Subclasses define ``__init__`` (keyword arguments stored unchanged, always
    including the keys of ``_common_constraints``) and
    ``_build_network(inputs, n_classes)`` returning the softmax output tensor
    of a functional Keras model. This class adds input normalization, compiles
    with Adam and sparse categorical cross-entropy, and sets up early stopping
    and learning-rate reduction from the ``__init__`` arguments.

    A subclass docstring may hold ``%(common_parameters)s`` and
    ``%(common_attributes)s`` (indented by four spaces), filled in with the
    documentation of the common arguments and fitted attributes;
    ``_default_batch_size`` names its default batch size there.
    """

    #: Input ranks (including the sample axis) that the network reads.
    _input_ndims: tuple[int, ...] = (2, 3, 4)
    _default_batch_size = 64

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # scikit-learn's checks expect one constraint per __init__ argument.
        cls._parameter_constraints = {
            **BaseKerasClassifier._common_constraints, **cls._parameter_constraints
        }
        if cls.__doc__ and "%(common_parameters)s" in cls.__doc__:
            cls.__doc__ = cls.__doc__ % {
                "common_parameters": _COMMON_PARAMETERS_DOC % {
                    "batch_size": cls._default_batch_size,
                    "spec_augment": inspect.signature(cls.__init__)
                    .parameters["spec_augment"].default},
                "common_attributes": _COMMON_ATTRIBUTES_DOC,
            }

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
        "checkpoint_dir": [str, os.PathLike, None],
        "spec_augment": ["boolean"],
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

    @classmethod
    def _from_preset(cls, preset: dict, params: dict):
        """An instance with ``preset`` arguments, overridden by ``params``."""
        unknown = sorted(set(params) - set(cls._get_param_names()))
        if unknown:
            raise SkserError(f"{cls.__name__} has no parameter(s) {unknown}")
        return cls(**{**preset, **params})

    def _validate_hyperparams(self):
        params = self.get_params()
        try:
            validate_parameter_constraints(
                {k: v for k, v in self._parameter_constraints.items() if k in params}, params,
                caller_name=type(self).__name__,
            )
        except InvalidParameterError as exc:
            raise InvalidHyperparameterError(str(exc)) from None

    # -- input checks -------------------------------------------------------
    def _check_X(self, X, fitting: bool) -> np.ndarray:
        name = type(self).__name__
        if hasattr(X, "tocsr") or hasattr(X, "todense"):
            raise InputTypeError(
                f"{name}: sparse input is not supported; pass a dense array (X.toarray())"
            )
        if isinstance(X, list | tuple) and X and isinstance(X[0], str | os.PathLike):
            raise SkserError(
                f"{name} expects numeric features, got file paths; put a feature step "
                "before it, e.g. make_pipeline(MelImage(), " + name + "())"
            )
        try:
            X = np.asarray(X, dtype=np.float32)
        except TypeError as exc:
            raise InputTypeError(f"{name}: X cannot be converted to float32: {exc}") from None
        except ValueError as exc:
            raise SkserError(f"{name}: X cannot be converted to float32: {exc}") from None
        if X.ndim < 2 and min(self._input_ndims) == 2:
            raise SkserError(
                f"{name}: expected a 2-D array (n_samples, n_features), got {X.ndim}-D array "
                f"of shape {X.shape}. Reshape your data either using array.reshape(-1, 1) if "
                "your data has a single feature or array.reshape(1, -1) if it contains a "
                "single sample."
            )
        if X.ndim not in self._input_ndims:
            shapes = {2: "(n, features)", 3: "(n, height, width)",
                      4: "(n, height, width, channels)"}
            expected = " or ".join(shapes[d] for d in self._input_ndims)
            raise SkserError(f"{name}: expected X of shape {expected}, got shape {X.shape}")
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
            fitted = tuple(self.X_shape_[1:])
            raise SkserError(
                f"X has {int(np.prod(X.shape[1:]))} features, but {name} is expecting "
                f"{int(np.prod(fitted))} features as input: it was fitted on samples of "
                f"shape {fitted}, got {X.shape[1:]}; use the same feature parameters for "
                "training and prediction"
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
        if y is None:
            raise SkserError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; it is raveled.",
                DataConversionWarning, stacklevel=2,
            )
            y = y.ravel()
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
            sample_weight = np.asarray(sample_weight, dtype=float)
            if sample_weight.shape != (len(X),):
                raise LabelError(
                    f"{type(self).__name__}: sample_weight must have shape ({len(X)},), got "
                    f"{sample_weight.shape}"
                )
            sample_weight = sample_weight[order]
        return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    def partial_fit(self, X, y, sample_weight=None, **kwargs):
        """Train the network (built on the first call) for one epoch on ``(X, y)``."""
        self._validate_hyperparams()
        return super().partial_fit(self._check_X(X, fitting=not self.initialized_), y,
                                   sample_weight=sample_weight, **kwargs)

    def initialize(self, X, y=None):
        """Build the network for data like ``(X, y)`` without training it."""
        self._validate_hyperparams()
        return super().initialize(self._check_X(X, fitting=True), y)

    def predict_proba(self, X, **kwargs):
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        X = self._check_X(X, fitting=False)
        if self._fast_path(X, kwargs):
            # The network's softmax output is the probabilities, in classes_ order: what
            # scikeras returns after its own input checks (_check_X made them) and a
            # decoding of the predicted classes that predict_proba then discards.
            return self._forward(X).reshape(len(X), -1)
        # scikeras squeezes a one-sample result to shape (n_classes,).
        return np.asarray(super().predict_proba(X, **kwargs)).reshape(len(X), -1)

    def predict(self, X, **kwargs):
        """Predicted labels, shape (n_samples,), from ``classes_``."""
        return super().predict(self._check_X(X, fitting=False), **kwargs)

    def score(self, X, y, sample_weight=None):
        """Accuracy on ``(X, y)``."""
        return super().score(self._check_X(X, fitting=False), y, sample_weight=sample_weight)

    def _initialize(self, X, y=None):
        # Here rather than in fit, so that initialize() and partial_fit() build
        # the same normalized network.
        self.input_mean_, self.input_var_ = self._input_stats(X)
        result = super()._initialize(X, y)
        self._make_forward_fn()
        return result

    def _make_forward_fn(self) -> None:
        """Trace the forward pass used for small batches.

        Built once per network (not at predict time, which must not change
        the estimator's ``__dict__``). The trace leaves the batch size free
        and reads the model's variables, so it serves every batch size and
        follows further training.
        """
        model = self.model_
        spec = tf.TensorSpec((None, *model.input_shape[1:]), tf.float32)
        self._forward_fn = tf.function(
            lambda x: model(x, training=False), autograph=False
        ).get_concrete_function(spec)

    def _fast_path(self, X, kwargs) -> bool:
        """Whether a batch of ``X`` runs the traced forward pass (``_forward``)."""
        return (not kwargs and self.initialized_ and len(X) <= FAST_PREDICT_MAX_SAMPLES
                and getattr(self, "_forward_fn", None) is not None)

    def _forward(self, X: np.ndarray) -> np.ndarray:
        """The network's output for ``X`` (checked by ``_check_X``), float32."""
        X = self.feature_encoder_.transform(X)
        return self._forward_fn(tf.convert_to_tensor(X, tf.float32)).numpy()

    def _predict_raw(self, X, **kwargs):
        # Model.predict costs tens of milliseconds per call whatever the batch;
        # a compiled call of the model costs a few. Both run the same graph
        # in inference mode, so the probabilities agree.
        if not self._fast_path(X, kwargs):
            return super()._predict_raw(X, **kwargs)
        X, _ = self._validate_data(X=X, y=None)
        return self._forward(X)

    def __getstate__(self):
        # A tf.function does not pickle; __setstate__ compiles a new one. The
        # parent may return the live __dict__, so filter into a new dict.
        return {k: v for k, v in super().__getstate__().items() if k != "_forward_fn"}

    def __setstate__(self, state):
        super().__setstate__(state)
        if "model_" in state:
            self._make_forward_fn()

    def _input_stats(self, X: np.ndarray):
        if self.normalize is None:
            return None, None
        # In X's float32, all samples at once: what the Normalization layer computes with.
        if self.normalize == "global":
            mean, var = mean_and_variance(X, dtype=X.dtype, max_values=None)
            return float(mean), float(var)
        # per_bin: one mean/variance per feature (2-D) or per row of an image
        # (frequency bin), shared across time and channels.
        axes = (0,) if X.ndim == 2 else tuple(i for i in range(X.ndim) if i != 1)
        return mean_and_variance(X, axes, dtype=X.dtype, max_values=None)

    # -- Keras ---------------------------------------------------------------
    def _keras_build_fn(self):
        model = self._build_model()
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=self.learning_rate),
            loss=self.loss,
            metrics=["accuracy"],
        )
        return model

    def _build_model(self) -> keras.Model:
        """The uncompiled network for the fitted input shape and classes."""
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
        if self.spec_augment and len(input_shape) >= 2:
            x = SpecAugment(seed=self.random_state, name="spec_augment")(x)
        outputs = self._build_network(x, self.n_classes_)
        return keras.Model(inputs, outputs, name=type(self).__name__)

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
        if self.checkpoint_dir is not None:
            extra.append(keras.callbacks.BackupAndRestore(os.fspath(self.checkpoint_dir)))
        self._fit_callbacks: list = list(self._fit_callbacks) + extra
