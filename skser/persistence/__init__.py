"""Saving and loading fitted estimators: :func:`save`, :func:`load`, :func:`read_manifest`.

File format (version 2)
-----------------------
A model file is a zip archive (suggested suffix ``.skser``) with these members:

``manifest.json``
    UTF-8 JSON object, every field validated on reading: ``format``
    (``"skser-model"``), ``format_version`` (2), ``created`` (UTC, ISO 8601),
    ``versions`` (skser, scikit-learn, keras, tensorflow, numpy and python at
    save time), ``estimator`` (its ``class`` and ``repr``), ``keras_models``
    (one entry per Keras network: ``step``, ``class``, ``n_weights``),
    ``untrusted_types`` (types stored as pickles, normally none),
    ``metadata`` (the user's JSON object) and ``members`` (the SHA-256 and
    size in bytes of every other member).
``estimator.json``
    The estimator as data: a tree of JSON values and tagged nodes. Each
    estimator names its class from :data:`ALLOWED_TYPES`, an exact list
    (skser's estimators and the scikit-learn, imbalanced-learn and scikeras
    classes they are built from), and holds its attributes.
``arrays/NNNNNN.npy``
    Every numpy array, including the Keras networks' weights, in numpy's
    ``.npy`` format, read without pickle.
``pickles/NNNNNN.pkl``
    Only for objects of other types (your own classes): read only with
    ``load(..., trusted=True)``.
``manifest.hmac``
    Only in signed files (``save(..., key=...)``): the hex HMAC-SHA256 of the
    exact bytes of ``manifest.json``.

What a file can do to the machine that loads it
-----------------------------------------------
By default (``trusted=False``) loading runs no code chosen by the file: no
pickle is read, no module is imported by a name in the file, estimators are
rebuilt only from the listed classes (instances are made with
``cls.__new__`` and given their saved attributes, which may not replace
methods), their parameters are validated, the arrays that compiled code indexes
(an SVC's support vectors) are checked for consistent shapes, and each Keras
network is rebuilt by skser's own code from its classifier's parameters, with
only its weights taken from the file. Sizes are checked before anything is
decompressed: a file cannot make :func:`load` or :func:`read_manifest` use
memory out of proportion to its own size. What a file *can* still do is
predict badly: the checksums detect accidents, not an attacker, who can
rewrite the manifest along with a member. A ``key`` does: a signed file that
verifies was written by someone holding the key and is unchanged since.
``trusted=True`` also reads pickled members (files of your own classes, and
format 1 files of skser 0.1), which can run any code: use it only for files
whose origin you trust.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..exceptions import ModelFileError
from ._archive import MAX_MANIFEST_BYTES, ModelArchive, write_archive
from ._decode import Decoder
from ._encode import Encoder
from ._legacy import load_legacy
from ._legacy import restore_keras_classifier as _restore_keras_classifier  # noqa: F401
from ._manifest import (
    FORMAT_NAME,
    FORMAT_VERSION,
    LEGACY_FORMAT_VERSION,
    MANIFEST,
    SIGNATURE,
    build_manifest,
    check_versions,
    describe_manifest,
    parse_manifest,
)
from ._types import ALLOWED_TYPES, MAX_STATE_BYTES, STATE_MEMBER

__all__ = ["save", "load", "read_manifest", "describe_manifest", "get_untrusted_types",
           "ALLOWED_TYPES", "FORMAT_NAME", "FORMAT_VERSION"]


def _json_default(value):
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, data: bytes) -> str:
    if not isinstance(key, bytes | bytearray):
        raise TypeError(f"key must be bytes, got {type(key).__name__}")
    return hmac.new(bytes(key), data, hashlib.sha256).hexdigest()


def save(estimator, path, *, metadata: Mapping | None = None, key: bytes | None = None) -> Path:
    """Save a fitted estimator or pipeline to a ``.skser`` model file.

    Parameters
    ----------
    estimator : estimator or Pipeline
        Fitted; may contain Keras classifiers anywhere (pipeline steps, nested
        pipelines, ensembles). Objects of types outside :data:`ALLOWED_TYPES`
        (your own classes) are stored as pickles, and the file then loads only
        with ``trusted=True``.
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
        metadata_json = json.loads(json.dumps(dict(metadata or {}), default=_json_default,
                                              allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"skser.save: metadata must be JSON-serialisable ({exc})") from None

    encoder = Encoder()
    tree = encoder.encode(estimator)
    payloads = {STATE_MEMBER: json.dumps(tree, separators=(",", ":"),
                                         allow_nan=False).encode("utf-8")}
    payloads.update(encoder.members)
    manifest = build_manifest(
        estimator=estimator, keras_models=encoder.keras_models,
        untrusted=sorted(encoder.untrusted), metadata=metadata_json,
        members={name: {"sha256": _sha256(data), "size": len(data)}
                 for name, data in payloads.items()},
    )
    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
    if len(manifest_bytes) > MAX_MANIFEST_BYTES:
        raise TypeError(f"skser.save: metadata too large (the manifest would be "
                        f"{len(manifest_bytes):,} bytes, at most {MAX_MANIFEST_BYTES:,})")
    members = {MANIFEST: manifest_bytes}
    if key is not None:
        members[SIGNATURE] = _hmac(key, manifest_bytes).encode("ascii")
    members.update(payloads)
    write_archive(path, members)
    return path


def _read_manifest(archive: ModelArchive) -> tuple[dict, bytes]:
    raw = archive.read(MANIFEST, limit=MAX_MANIFEST_BYTES)
    return parse_manifest(raw, archive.path), raw


def read_manifest(path) -> dict:
    """Read and validate a model file's manifest, without building anything or importing Keras.

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
        If the file is missing, not a regular file, not a zip archive,
        truncated, too large for its size, or its manifest is missing, too
        large or has a field of the wrong type or value (the message names it).

    See Also
    --------
    save, load, describe_manifest

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skser.persistence import read_manifest, save
    >>> clf = LogisticRegression().fit([[0.0], [1.0]], ["sad", "angry"])
    >>> path = save(clf, tempfile.mkdtemp() + "/clf.skser", metadata={"classes": clf.classes_})
    >>> manifest = read_manifest(path)
    >>> manifest["format"], manifest["format_version"], manifest["estimator"]["class"]
    ('skser-model', 2, 'sklearn.linear_model._logistic.LogisticRegression')
    >>> manifest["metadata"], manifest["keras_models"], manifest["untrusted_types"]
    ({'classes': ['angry', 'sad']}, [], [])
    """
    with ModelArchive(path) as archive:
        return _read_manifest(archive)[0]


def get_untrusted_types(path) -> list[str]:
    """The types a model file stores as pickles, which only ``load(..., trusted=True)`` reads.

    An empty list means the file loads with the default ``trusted=False``.
    A format 1 file (skser 0.1) is one pickle: its list is ``["pickle"]``.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    list of str
    """
    manifest = read_manifest(path)
    if manifest["format_version"] == LEGACY_FORMAT_VERSION:
        return ["pickle"]
    return list(manifest["untrusted_types"])


def _verify(archive: ModelArchive, manifest: dict, raw_manifest: bytes,
            key: bytes | None) -> None:
    path = archive.path
    if key is not None:
        if SIGNATURE not in archive.names():
            raise ModelFileError(f"{path}: a key was given but the file is not signed")
        signature = archive.read(SIGNATURE, limit=256).decode("ascii", "replace").strip()
        if not hmac.compare_digest(signature, _hmac(key, raw_manifest)):
            raise ModelFileError(
                f"{path}: signature does not match: the file was changed after signing, "
                "or the key is wrong"
            )
    listed = manifest["members"]
    unexpected = set(archive.names()) - set(listed) - {MANIFEST, SIGNATURE}
    if unexpected:
        raise ModelFileError(f"{path}: members not listed in the manifest: {sorted(unexpected)}")
    missing = set(listed) - set(archive.names())
    if missing:
        raise ModelFileError(f"{path}: member(s) {sorted(missing)} are missing")
    for name, info in listed.items():
        if archive.size_of(name) != info["size"]:
            raise ModelFileError(
                f"{path}: member {name!r} is {archive.size_of(name):,} bytes in the archive "
                f"but {info['size']:,} in the manifest"
            )


def load(path, *, trusted: bool = False, key: bytes | None = None):
    """Load an estimator saved by :func:`save`.

    Parameters
    ----------
    path : str or path-like
    trusted : bool, default=False
        False (the default) loads without running any code chosen by the file
        (see the module docstring): a file holding pickled objects, or a
        format 1 file of skser 0.1, is refused with an error naming the types.
        True also reads pickles, which can run any code: only for files whose
        origin you trust.
    key : bytes, optional
        Verify the file's HMAC signature with this key (see :func:`save`);
        an unsigned file or a wrong signature is refused.

    Returns
    -------
    estimator
        The fitted estimator, with every Keras network rebuilt.

    Raises
    ------
    skser.exceptions.ModelFileError
        If the file is missing, not a regular file, truncated, too large for its
        size or not a model file; if a manifest field is invalid; if a member's
        checksum or the signature does not match; if it was saved with a
        different major version of skser, scikit-learn or Keras; if it holds a
        class outside :data:`ALLOWED_TYPES`, invalid parameters or
        inconsistent arrays; if it holds pickles and ``trusted`` is False.

    Warns
    -----
    UserWarning
        When a library's version differs from the saving one in its minor part
        (or numpy's, TensorFlow's or Python's in any of major/minor).

    See Also
    --------
    save, read_manifest, get_untrusted_types

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
    if not isinstance(trusted, bool):
        raise TypeError(f"trusted must be True or False, got {type(trusted).__name__}")
    with ModelArchive(path) as archive:
        path = archive.path
        manifest, raw_manifest = _read_manifest(archive)
        _verify(archive, manifest, raw_manifest, key)
        listed = manifest["members"]

        def read(name: str) -> bytes:
            return archive.read(name, size=listed[name]["size"], sha256=listed[name]["sha256"])

        if manifest["format_version"] == LEGACY_FORMAT_VERSION:
            if not trusted:
                raise ModelFileError(
                    f"{path}: a format 1 model file (skser 0.1) stores the estimator as a "
                    "pickle, which can run code when loaded; skser refused to load it. If you "
                    "trust where the file comes from, load it with skser.load(path, "
                    "trusted=True) and save it again to get a format 2 file"
                )
            check_versions(manifest, path)
            return load_legacy(path, {name: read(name) for name in listed})

        if STATE_MEMBER not in listed:
            raise ModelFileError(f"{path}: member {STATE_MEMBER!r} is missing")
        if listed[STATE_MEMBER]["size"] > MAX_STATE_BYTES:
            raise ModelFileError(f"{path}: member {STATE_MEMBER!r} is larger than "
                                 f"{MAX_STATE_BYTES:,} bytes")
        check_versions(manifest, path)
        tree = Decoder.parse(read(STATE_MEMBER), str(path))
        decoder = Decoder(str(path), read, set(listed), trusted=trusted)
        decoder.check(tree)
        return decoder.build(tree)
