"""Estimators as data: a JSON tree of allowed classes and their state, arrays as ``.npy``.

The tree (member ``estimator.json``) holds JSON values and tagged objects
(``{"$": tag, ...}``); numpy arrays are members of their own, read back from
their ``.npy`` header and raw bytes without pickle. An estimator node names its
class by one of the exact names of :data:`ALLOWED_TYPES` (never a module
prefix); loading imports only the modules that list names, and builds an
instance with ``cls.__new__`` and the saved ``__dict__`` as pickle would,
minus everything pickle could do besides. Keras networks are not stored as
models at all: a classifier node carries its network's weights, and loading
rebuilds the architecture from the classifier's own (validated) parameters
before copying the weights in, after checking every shape without allocating
the network. An object of any other type is pickled into a member of its own
and listed in the manifest as untrusted; only ``load(..., trusted=True)`` reads
such members.
"""

from __future__ import annotations

import io
import re
import sys

import numpy as np

STATE_MEMBER = "estimator.json"
#: Largest ``estimator.json`` read: arrays live in members of their own, so the
#: tree of even a large ensemble is a few hundred kilobytes.
MAX_STATE_BYTES = 4 << 20
MAX_DEPTH = 200
MAX_HEADER = 10_000
MAX_OBJECT_ITEMS = 1_000_000

#: The classes a model file may hold without pickles: public name -> (module, attribute).
#: Only exact classes count, not their subclasses.
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    f"{module}.{name}": (module, name)
    for module, names in {
        "skser.audio": ("AudioLoader",),
        "skser.augmentation": ("Augmenter",),
        "skser.features": ("AcousticFeatures", "MelImage", "MFCCImage"),
        "skser.preprocessing": ("StandardScaler", "SpeakerNormalizer", "UtteranceNormalizer"),
        "skser.models": ("Conv1DClassifier", "CNN2DClassifier", "CRNNClassifier"),
        "skser.pipeline": ("Pipeline",),
        "skser.svm": ("SVC",),
        "skser.ensemble": ("SeedEnsembleClassifier", "SpeakerAdaptiveClassifier"),
        "skser.frozen": ("FrozenClassifier",),
        "sklearn.pipeline": ("Pipeline",),
        "imblearn.pipeline": ("Pipeline",),
        "sklearn.ensemble": ("VotingClassifier",),
        "sklearn.calibration": ("CalibratedClassifierCV", "_CalibratedClassifier",
                                "_SigmoidCalibration"),
        "sklearn.isotonic": ("IsotonicRegression",),
        "sklearn.preprocessing": ("LabelEncoder", "OrdinalEncoder", "FunctionTransformer",
                                  "StandardScaler"),
        "sklearn.linear_model": ("LogisticRegression",),
        "sklearn.svm": ("SVC",),
        "scikeras.utils.transformers": ("ClassifierLabelEncoder", "TargetReshaper"),
    }.items()
    for name in names
}

#: numpy scalar types and builtin types that parameters hold (e.g. ``dtype=np.float64``).
TYPES = {f"{t.__module__}.{t.__name__}": t for t in (
    np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8,
    np.bool_, float, int, bool, str)}

# Attributes of a Keras classifier that are the network and its runtime, rebuilt
# at load time rather than stored.
KERAS_RUNTIME = ("model_", "_fit_callbacks", "_predict_callbacks", "_forward_fn")
DTYPE_PATTERN = re.compile(r"[<>|=]?(b1|[iu][1248]|f[248]|U\d{1,6}|O)")
ARRAY_KINDS = "biufU"
STATE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


def is_keras_classifier(obj) -> bool:
    # Without skser.models imported there can be no Keras classifier, and the
    # check must not pay TensorFlow's import for plain scikit-learn models.
    base = sys.modules.get("skser.models._base")
    return base is not None and isinstance(obj, base.BaseKerasClassifier)


def is_named_steps(value) -> bool:
    """A list of ``(name, estimator, ...)`` tuples, as Pipeline ``steps``."""
    return (type(value) is list and len(value) > 0
            and all(type(s) is tuple and len(s) >= 2 and type(s[0]) is str for s in value))


def allowed_names() -> dict[type, str]:
    """Allowed class -> its public name, over the modules already imported."""
    names: dict[type, str] = {}
    for name, (module, attr) in ALLOWED_TYPES.items():
        mod = sys.modules.get(module)
        cls = getattr(mod, attr, None) if mod is not None else None
        if isinstance(cls, type):
            names.setdefault(cls, name)
    return names


def npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    return buf.getvalue()
