"""Format 1 model files (skser 0.1): a pickle plus ``.keras`` members.

A pickle can run any code while it is read, so these files load only with
``trusted=True``; :func:`skser.save` then writes them again in format 2.
"""

from __future__ import annotations

import importlib
import io
import pickle
import tempfile
from hashlib import sha256
from pathlib import Path

from ..exceptions import ModelFileError
from ..utils._text import escape_control

PICKLE_MEMBER = "estimator.pkl"


def restore_keras_classifier(cls, state: dict):
    """Unpickling hook of format 1: a Keras classifier whose ``model_`` is already loaded."""
    obj = cls.__new__(cls)
    obj.__setstate__(state)
    obj._initialize_callbacks()
    return obj


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, path: Path, load_keras):
        super().__init__(file)
        self._path = path
        self._load_keras = load_keras

    def find_class(self, module: str, name: str):
        if (module, name) == ("skser.persistence", "_restore_keras_classifier"):
            return restore_keras_classifier
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 2 and pid[0] == "keras"):
            raise ModelFileError(f"{self._path}: unknown reference in {PICKLE_MEMBER}")
        return self._load_keras(pid[1])


def load_legacy(path: Path, payloads: dict[str, bytes]):
    """Unpickle a format 1 file whose members are verified (trusted=True only)."""
    if PICKLE_MEMBER not in payloads:
        raise ModelFileError(f"{path}: member {PICKLE_MEMBER!r} is missing")
    with tempfile.TemporaryDirectory() as tmp:
        def load_keras(member: str):
            if member not in payloads:
                raise ModelFileError(f"{path}: {PICKLE_MEMBER} refers to a missing member")
            import keras

            importlib.import_module("skser.models")  # registers skser's custom layers
            keras_path = Path(tmp, f"{sha256(member.encode()).hexdigest()}.keras")
            keras_path.write_bytes(payloads[member])
            try:
                return keras.saving.load_model(keras_path, safe_mode=True)
            except Exception as exc:  # Keras raises many types for a bad file
                raise ModelFileError(
                    f"{path}: cannot load Keras model {member!r}: {escape_control(exc)[:300]}"
                ) from exc

        try:
            return _Unpickler(io.BytesIO(payloads[PICKLE_MEMBER]), path, load_keras).load()
        except ModelFileError:
            raise
        except Exception as exc:  # a trusted pickle can fail in any way
            raise ModelFileError(
                f"{path}: cannot unpickle {PICKLE_MEMBER}: {escape_control(exc)[:300]}"
            ) from exc
