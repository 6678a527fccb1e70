"""Saving and loading fitted estimators: :func:`save`, :func:`load`, :func:`read_manifest`.

File format (version 1)
-----------------------
A model file is a zip archive (suggested suffix ``.skser``) with these members:

``manifest.json``
    UTF-8 JSON object: ``format`` (``"skser-model"``), ``format_version`` (1),
    ``created`` (UTC, ISO 8601), ``versions`` (skser, scikit-learn, keras,
    tensorflow, numpy and python at save time), ``estimator`` (its ``class`` as
    ``module.QualName`` and its ``repr``), ``keras_models`` (one entry per Keras
    classifier: ``member``, ``step`` and ``class``), ``metadata`` (the user's
    JSON object, e.g. classes, training corpora, protocol, scores) and
    ``members`` (the SHA-256 and size in bytes of every other member).
``estimator.pkl``
    The fitted estimator or pipeline, pickled (protocol 5) with every Keras
    model left out: each classifier's ``model_`` is replaced by a reference to
    its ``.keras`` member, and its Keras callbacks (which hold a copy of the
    best weights) are dropped and rebuilt from its parameters at load time.
``keras/<step>.keras``
    One per fitted Keras classifier, written by Keras's own ``model.save``.
    ``<step>`` is the classifier's path in the estimator, e.g.
    ``conv1dclassifier`` for a pipeline step, ``best_estimator_/conv1dclassifier``
    inside a fitted search, or the class name for a bare classifier.
``manifest.hmac``
    Only in signed files (``save(..., key=...)``): the hex HMAC-SHA256 of the
    exact bytes of ``manifest.json``.

:func:`load` checks the manifest (format version; a different major version of
skser, scikit-learn or Keras is refused, a different minor version warns),
verifies the SHA-256 of every member (and the HMAC when given a ``key``), then
unpickles the estimator and loads each Keras model with ``safe_mode=True``.

Security
--------
The checksums detect truncation, corruption and accidental edits. They do not
stop a deliberate attacker, who can rewrite the manifest along with a member.
A ``key`` does: without the key nobody can produce a valid signature, so a
signed file that verifies was written by someone holding the key and is
unchanged since.

Unpickling can run arbitrary code. By default (``trusted=False``) the pickle
is read by a restricted unpickler that resolves only classes of skser,
scikit-learn, imbalanced-learn and scikeras, numpy's arrays, masked arrays,
dtypes and random states, scikit-learn's metric functions (used by fitted
searches' scorers) and a few builtin containers;
anything else (``os.system``, ``subprocess``, ``eval``, your own classes) is
refused with a :class:`~skser.exceptions.ModelFileError` before it runs. This
blocks the usual pickle payloads but is not a sandbox: the allowed classes
still run code while being rebuilt. Only load files you trust, and pass
``trusted=True`` for a file you trust that holds your own classes.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import io
import json
import os
import pickle
import platform
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from importlib import metadata as _metadata
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._version import __version__
from .exceptions import ModelFileError

__all__ = ["save", "load", "read_manifest", "FORMAT_NAME", "FORMAT_VERSION"]

FORMAT_NAME = "skser-model"
FORMAT_VERSION = 1

_MANIFEST = "manifest.json"
_SIGNATURE = "manifest.hmac"
_PICKLE = "estimator.pkl"
# Attributes of a fitted scikeras wrapper that are not pickled: the network
# (stored as .keras) and the callbacks (EarlyStopping keeps the best weights).
_KERAS_STATE = ("model_", "_fit_callbacks", "_predict_callbacks")
# Libraries whose major version must match; the others only warn.
_STRICT = ("skser", "scikit-learn", "keras")


# -- versions -------------------------------------------------------------------
def _dist_version(*names: str) -> str | None:
    for name in names:
        try:
            return _metadata.version(name)
        except _metadata.PackageNotFoundError:
            continue
    return None


def _versions() -> dict[str, str | None]:
    # From package metadata, so writing a manifest does not import TensorFlow.
    return {
        "skser": __version__,
        "scikit-learn": _dist_version("scikit-learn"),
        "keras": _dist_version("keras"),
        "tensorflow": _dist_version("tensorflow", "tensorflow-cpu", "tf-nightly"),
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def _major_minor(version: str) -> tuple[int, int]:
    # "2.21.0rc1" -> (2, 21); a missing minor part counts as 0.
    numbers = [int("".join(filter(str.isdigit, part)) or 0) for part in version.split(".")[:2]]
    major, minor = (numbers + [0, 0])[:2]
    return major, minor


# -- finding Keras classifiers --------------------------------------------------
def _is_keras_classifier(obj) -> bool:
    # Without skser.models imported there can be no fitted Keras classifier, and
    # checking must not pay TensorFlow's import for plain scikit-learn models.
    base = sys.modules.get("skser.models._base")
    return base is not None and isinstance(obj, base.BaseKerasClassifier)


def _walk(obj, path: tuple[str, ...], seen: set[int]) -> Iterator[tuple[str, Any]]:
    """Yield ``(step_path, classifier)`` for every fitted Keras classifier in ``obj``.

    Descends into estimators' attributes, lists, tuples and dicts; a list of
    ``(name, estimator, ...)`` tuples (Pipeline ``steps``, FeatureUnion, ...)
    contributes the step names instead of the attribute name.
    """
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if _is_keras_classifier(obj):
        if getattr(obj, "model_", None) is not None:
            yield "/".join(path) or type(obj).__name__.lower(), obj
        return
    if isinstance(obj, BaseEstimator):
        for name, value in vars(obj).items():
            if _is_named_steps(value):
                for step in value:
                    yield from _walk(step[1], (*path, str(step[0])), seen)
            else:
                yield from _walk(value, (*path, name), seen)
    elif isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            yield from _walk(value, (*path, str(i)), seen)
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            yield from _walk(value, (*path, str(key)), seen)


def _is_named_steps(value) -> bool:
    return (
        isinstance(value, list | tuple) and len(value) > 0
        and all(isinstance(s, tuple) and len(s) >= 2 and isinstance(s[0], str) for s in value)
    )


def _restore_keras_classifier(cls, state: dict):
    """Unpickling hook: rebuild a Keras classifier whose ``model_`` is already loaded."""
    obj = cls.__new__(cls)
    obj.__setstate__(state)
    obj._initialize_callbacks()
    return obj


class _DetachingPickler(pickle.Pickler):
    """Pickles fitted Keras classifiers without their network: ``model_``
    becomes a persistent reference to a ``.keras`` member, callbacks are dropped.

    ``steps`` names the classifiers found by :func:`_walk`; any other one met
    while pickling (inside an object the walk does not descend into) gets a
    numbered member. ``detached`` collects ``member -> (step, classifier)``.
    """

    def __init__(self, file, steps: dict[int, str]):
        super().__init__(file, protocol=5)
        self._steps = steps
        self.detached: dict[str, tuple[str | None, Any]] = {}

    def reducer_override(self, obj):
        if not (_is_keras_classifier(obj) and getattr(obj, "model_", None) is not None):
            return NotImplemented
        step = self._steps.get(id(obj))
        member = f"keras/{step}.keras" if step is not None else None
        if member is None or member in self.detached:  # unnamed, or two steps share a name
            member = f"keras/{type(obj).__name__.lower()}-{len(self.detached)}.keras"
        self.detached[member] = (step, obj)
        # The class's own __getstate__ decides what it pickles; it runs on a
        # shallow copy, so one that edits the dict in place cannot alter the
        # estimator being saved.
        snapshot = type(obj).__new__(type(obj))
        snapshot.__dict__.update(vars(obj))
        state = {k: v for k, v in snapshot.__getstate__().items() if k not in _KERAS_STATE}
        state["model_"] = _KerasRef(member)
        return _restore_keras_classifier, (type(obj), state)

    def persistent_id(self, obj):
        return ("keras", obj.member) if isinstance(obj, _KerasRef) else None


class _KerasRef:
    __slots__ = ("member",)

    def __init__(self, member: str):
        self.member = member


# -- save -------------------------------------------------------------------------
def _json_default(value):
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save(estimator, path, *, metadata: Mapping | None = None, key: bytes | None = None) -> Path:
    """Save a fitted estimator or pipeline to a ``.skser`` model file.

    Parameters
    ----------
    estimator : estimator or Pipeline
        Fitted; may contain Keras classifiers anywhere (pipeline steps, nested
        pipelines, fitted searches).
    path : str or path-like
        Destination, overwritten atomically; ``.skser`` is the suggested suffix.
    metadata : mapping, optional
        JSON-serialisable information stored in the manifest, e.g. classes,
        training corpora, evaluation protocol and scores. numpy arrays and
        scalars are converted to lists and numbers.
    key : bytes, optional
        Secret key: sign the manifest with HMAC-SHA256 so that
        ``load(..., key=key)`` detects any change by someone without the key.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.
    TypeError
        If ``metadata`` is not JSON-serialisable.

    See Also
    --------
    load, read_manifest

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skser.persistence import load, read_manifest, save
    >>> clf = LogisticRegression().fit([[0.0], [1.0]], ["sad", "angry"])
    >>> path = save(clf, tempfile.mkdtemp() + "/clf.skser", metadata={"corpus": "toy"})
    >>> read_manifest(path)["metadata"]
    {'corpus': 'toy'}
    >>> load(path).predict([[1.0]])
    array(['angry'], dtype='<U5')
    """
    check_is_fitted(
        estimator,
        msg=f"skser.save needs a fitted estimator; {type(estimator).__name__} is not "
            "fitted yet: call fit first",
    )
    path = Path(path)
    try:
        metadata_json = json.loads(json.dumps(dict(metadata or {}), default=_json_default))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"skser.save: metadata must be JSON-serialisable ({exc})") from None

    buffer = io.BytesIO()
    steps = {id(clf): step for step, clf in _walk(estimator, (), set())}
    pickler = _DetachingPickler(buffer, steps)
    pickler.dump(estimator)
    payloads = {_PICKLE: buffer.getvalue()}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (member, (_, clf)) in enumerate(pickler.detached.items()):
            keras_path = Path(tmp, f"{i}.keras")
            clf.model_.save(keras_path)
            payloads[member] = keras_path.read_bytes()

    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": _versions(),
        "estimator": {
            "class": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
            "repr": repr(estimator),
        },
        "keras_models": [
            {"member": member, "step": step, "class": type(clf).__name__}
            for member, (step, clf) in pickler.detached.items()
        ],
        "metadata": metadata_json,
        "members": {
            name: {"sha256": _sha256(data), "size": len(data)} for name, data in payloads.items()
        },
    }
    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")

    # Write next to the destination, then rename: an interrupted save never
    # leaves a half-written file under the final name.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp creates the file private (0600); give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(_MANIFEST, manifest_bytes)
            if key is not None:
                zf.writestr(_SIGNATURE, _hmac(key, manifest_bytes))
            for name, data in payloads.items():
                zf.writestr(name, data)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def _hmac(key: bytes, data: bytes) -> str:
    if not isinstance(key, bytes | bytearray):
        raise TypeError(f"key must be bytes, got {type(key).__name__}")
    return hmac.new(bytes(key), data, hashlib.sha256).hexdigest()


# -- load -------------------------------------------------------------------------
def _open_archive(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelFileError(
            f"{path}: not a skser model file, or truncated (cannot open it as a zip "
            f"archive: {exc})"
        ) from None


def _read_member(zf: zipfile.ZipFile, path: Path, name: str) -> bytes:
    try:
        return zf.read(name)
    except KeyError:
        raise ModelFileError(f"{path}: member {name!r} is missing") from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise ModelFileError(f"{path}: member {name!r} is corrupt ({exc})") from None


def _parse_manifest(zf: zipfile.ZipFile, path: Path) -> tuple[dict, bytes]:
    raw = _read_member(zf, path, _MANIFEST)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path}: {_MANIFEST} is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path}: not a skser model file ({_MANIFEST} has no "
                             f"format {FORMAT_NAME!r})")
    version = manifest.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: model file format version {version!r} is not supported by skser "
            f"{__version__} (supports 1 to {FORMAT_VERSION}); upgrade skser"
        )
    if not isinstance(manifest.get("members"), dict) or not isinstance(
        manifest.get("versions", {}), dict
    ):
        raise ModelFileError(f"{path}: {_MANIFEST} is malformed (no members or versions)")
    return manifest, raw


def read_manifest(path) -> dict:
    """Read a model file's manifest without unpickling anything or importing Keras.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    dict
        The manifest (see the module docstring for its fields).

    Raises
    ------
    skser.exceptions.ModelFileError
        If the file is missing, not a zip archive, truncated, or has no valid
        skser manifest.

    See Also
    --------
    save, load

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skser.persistence import read_manifest, save
    >>> clf = LogisticRegression().fit([[0.0], [1.0]], ["sad", "angry"])
    >>> path = save(clf, tempfile.mkdtemp() + "/clf.skser", metadata={"classes": clf.classes_})
    >>> manifest = read_manifest(path)
    >>> manifest["format"], manifest["format_version"], manifest["estimator"]["class"]
    ('skser-model', 1, 'sklearn.linear_model._logistic.LogisticRegression')
    >>> manifest["metadata"], manifest["keras_models"]
    ({'classes': ['angry', 'sad']}, [])
    """
    path = Path(path)
    with _open_archive(path) as zf:
        return _parse_manifest(zf, path)[0]


def _check_versions(manifest: dict, path: Path) -> None:
    saved = manifest.get("versions") or {}
    current = _versions()
    for lib, then in saved.items():
        now = current.get(lib)
        if not then or not now or then == now:
            continue
        (major_then, minor_then), (major_now, minor_now) = _major_minor(then), _major_minor(now)
        if lib in _STRICT and major_then != major_now:
            raise ModelFileError(
                f"{path}: saved with {lib} {then}, but {lib} {now} is installed; a different "
                f"major version cannot load it safely. Install {lib}=={then} to load it"
            )
        if (major_then, minor_then) != (major_now, minor_now):
            warnings.warn(
                f"{path}: saved with {lib} {then}, loading with {lib} {now}; predictions "
                "may differ slightly", UserWarning, stacklevel=3,
            )


def _verify_members(zf: zipfile.ZipFile, manifest: dict, raw_manifest: bytes, path: Path,
                    key: bytes | None) -> dict[str, bytes]:
    if key is not None:
        if _SIGNATURE not in zf.namelist():
            raise ModelFileError(f"{path}: a key was given but the file is not signed")
        signature = _read_member(zf, path, _SIGNATURE).decode("ascii", "replace").strip()
        if not hmac.compare_digest(signature, _hmac(key, raw_manifest)):
            raise ModelFileError(
                f"{path}: signature does not match: the file was changed after signing, "
                "or the key is wrong"
            )
    listed = manifest["members"]
    unexpected = set(zf.namelist()) - set(listed) - {_MANIFEST, _SIGNATURE}
    if unexpected:
        raise ModelFileError(f"{path}: members not listed in the manifest: {sorted(unexpected)}")
    payloads = {}
    for name, info in listed.items():
        data = _read_member(zf, path, name)
        if not isinstance(info, dict) or _sha256(data) != info.get("sha256"):
            raise ModelFileError(
                f"{path}: checksum mismatch for member {name!r}: the file is corrupt or was "
                "edited after saving"
            )
        payloads[name] = data
    if _PICKLE not in payloads:
        raise ModelFileError(f"{path}: member {_PICKLE!r} is missing")
    return payloads


# Globals the restricted unpickler resolves besides classes of _SAFE_PACKAGES.
_SAFE_GLOBALS = frozenset(
    [("builtins", name) for name in (
        "list", "dict", "set", "frozenset", "tuple", "slice", "complex", "bytearray",
        "bytes", "int", "float", "str", "bool", "object", "range",
    )]
    + [("collections", "OrderedDict"), ("collections", "defaultdict"),
       ("copyreg", "_reconstructor"), (__name__, "_restore_keras_classifier")]
    + [(module, name) for module in ("numpy.core.multiarray", "numpy._core.multiarray")
       for name in ("_reconstruct", "scalar")]
    + [(module, "_frombuffer") for module in ("numpy.core.numeric", "numpy._core.numeric")]
    + [("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.ma.core", "_mareconstruct")]
)
_SAFE_PACKAGES = ("skser", "sklearn", "imblearn", "scikeras")
_SAFE_MODULE_PREFIXES = ("numpy.dtypes", "numpy.random", "numpy.ma")
# Parts of the allowed packages that touch files or the network.
_UNSAFE_MODULE_PREFIXES = ("sklearn.datasets", "sklearn.utils._testing", "sklearn.externals",
                           "skser.datasets")


def _is_safe_module(module: str) -> bool:
    return (
        (module.split(".")[0] in _SAFE_PACKAGES or module.startswith(_SAFE_MODULE_PREFIXES))
        and not module.startswith(_UNSAFE_MODULE_PREFIXES)
    )


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file, path: Path, load_keras, trusted: bool):
        super().__init__(file)
        self._path = path
        self._load_keras = load_keras
        self._trusted = trusted

    def find_class(self, module: str, name: str):
        if self._trusted or (module, name) in _SAFE_GLOBALS:
            return super().find_class(module, name)
        if _is_safe_module(module):
            obj = super().find_class(module, name)
            # Judge the object by where it is defined too: the allowed packages
            # re-export names from elsewhere (e.g. joblib's).
            home = getattr(obj, "__module__", None) or ""
            if isinstance(obj, type) and _is_safe_module(home):
                return obj
            if callable(obj) and home.startswith(("sklearn.metrics.", "numpy.random")):
                return obj
        raise ModelFileError(
            f"{self._path}: {_PICKLE} refers to {module}.{name}, which the restricted "
            "loader does not allow; if you trust this file, load it with trusted=True"
        )

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 2 and pid[0] == "keras"):
            raise ModelFileError(f"{self._path}: unknown reference {pid!r} in {_PICKLE}")
        return self._load_keras(pid[1])


def load(path, *, trusted: bool = False, key: bytes | None = None):
    """Load an estimator saved by :func:`save`.

    Parameters
    ----------
    path : str or path-like
    trusted : bool, default=False
        False reads the pickle with a restricted unpickler that only resolves
        classes of skser, scikit-learn, imbalanced-learn, scikeras and numpy
        (see the module docstring; it reduces the risk of loading a malicious
        file but is not a sandbox). True allows any class: use it only for a
        file you trust that holds classes of your own.
    key : bytes, optional
        Verify the file's HMAC signature with this key (see :func:`save`);
        an unsigned file or a wrong signature is refused.

    Returns
    -------
    estimator
        The fitted estimator, with every Keras model reattached.

    Raises
    ------
    skser.exceptions.ModelFileError
        If the file is missing, truncated or not a model file; if a member's
        checksum or the signature does not match; if it was saved with a
        different major version of skser, scikit-learn or Keras; if the pickle
        refers to a class the restricted unpickler does not allow.

    Warns
    -----
    UserWarning
        When a library's version differs from the saving one in its minor part
        (or numpy's, TensorFlow's or Python's in any of major/minor).

    See Also
    --------
    save, read_manifest

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skser.persistence import load, save
    >>> pipe = make_pipeline(StandardScaler(), LogisticRegression())
    >>> _ = pipe.fit([[0.0, 1.0], [0.2, 0.9], [1.0, 0.0], [0.9, 0.1]],
    ...              ["sad", "sad", "angry", "angry"])
    >>> path = save(pipe, tempfile.mkdtemp() + "/pipe.skser")
    >>> restored = load(path)
    >>> [name for name, _ in restored.steps]
    ['standardscaler', 'logisticregression']
    >>> restored.predict([[0.1, 1.0], [1.0, 0.1]])
    array(['sad', 'angry'], dtype='<U5')
    """
    path = Path(path)
    with _open_archive(path) as zf:
        manifest, raw_manifest = _parse_manifest(zf, path)
        payloads = _verify_members(zf, manifest, raw_manifest, path, key)
    _check_versions(manifest, path)

    with tempfile.TemporaryDirectory() as tmp:
        def load_keras(member: str):
            if member not in payloads:
                raise ModelFileError(f"{path}: {_PICKLE} refers to missing member {member!r}")
            import keras

            # Registers skser's custom Keras layers, which safe_mode needs to
            # rebuild the networks.
            importlib.import_module("skser.models")
            keras_path = Path(tmp, f"{_sha256(member.encode())}.keras")
            keras_path.write_bytes(payloads[member])
            try:
                return keras.saving.load_model(keras_path, safe_mode=True)
            except Exception as exc:
                raise ModelFileError(f"{path}: cannot load Keras model {member!r}: {exc}") from exc

        unpickler = _RestrictedUnpickler(io.BytesIO(payloads[_PICKLE]), path, load_keras, trusted)
        try:
            return unpickler.load()
        except ModelFileError:
            raise
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            raise ModelFileError(f"{path}: cannot unpickle {_PICKLE}: {exc}") from exc
