"""Saving: an estimator as a JSON tree plus array and pickle members."""

from __future__ import annotations

import math
import pickle
from collections import defaultdict

import numpy as np

from ._types import (
    ARRAY_KINDS,
    DTYPE_PATTERN,
    KERAS_RUNTIME,
    TYPES,
    allowed_names,
    is_keras_classifier,
    is_named_steps,
    npy_bytes,
)


class Encoder:
    """Turns an estimator into a JSON-able tree plus array and pickle members."""

    def __init__(self):
        self.members: dict[str, bytes] = {}
        self.keras_models: list[dict] = []
        self.untrusted: set[str] = set()
        self._names = allowed_names()
        self._memo: dict[int, int] = {}
        self._keep: list = []  # keeps memoized objects alive, so ids stay unique

    def _member(self, prefix: str, suffix: str, data: bytes) -> str:
        name = f"{prefix}/{len(self.members):06d}{suffix}"
        self.members[name] = data
        return name

    def _memoized(self, obj) -> dict | None:
        ref = self._memo.get(id(obj))
        return None if ref is None else {"$": "ref", "id": ref}

    def _remember(self, obj) -> int:
        self._memo[id(obj)] = ref = len(self._memo)
        self._keep.append(obj)
        return ref

    def encode(self, obj, path: str = ""):
        t = type(obj)
        if obj is None or t in (bool, str):
            return obj
        if t is int:
            return obj
        if t is float:
            return obj if math.isfinite(obj) else {"$": "float", "v": repr(obj)}
        if t is list:
            if is_named_steps(obj):  # Pipeline steps, a vote's estimators: paths by name
                return [{"$": "tuple", "v": [self.encode(v, f"{path}/{step[0]}" if i == 1
                                                         else path)
                                             for i, v in enumerate(step)]} for step in obj]
            return [self.encode(v, f"{path}/{i}") for i, v in enumerate(obj)]
        if t is tuple:
            return {"$": "tuple", "v": [self.encode(v, f"{path}/{i}") for i, v in enumerate(obj)]}
        if t is dict or (t is defaultdict and obj.default_factory is list):
            tag = "dict" if t is dict else "defaultdict"
            return {"$": tag, "v": [[self.encode(k), self.encode(
                v, path if is_named_steps(v) else f"{path}/{k}")] for k, v in obj.items()]}
        if t.__name__ == "Bunch" and t.__module__.startswith("sklearn."):
            return {"$": "bunch", "v": [[k, self.encode(v, f"{path}/{k}")]
                                        for k, v in obj.items() if type(k) is str]}
        if t is np.ndarray:
            return self._array(obj)
        if isinstance(obj, np.generic) and obj.dtype.kind in "biufU" and DTYPE_PATTERN.fullmatch(
                obj.dtype.str):
            value = obj.item()
            return {"$": "scalar", "dtype": obj.dtype.str, "v": self.encode(value)}
        if isinstance(obj, np.dtype) and DTYPE_PATTERN.fullmatch(obj.str):
            return {"$": "dtype", "v": obj.str}
        if t is type and f"{obj.__module__}.{obj.__name__}" in TYPES:
            return {"$": "type", "v": f"{obj.__module__}.{obj.__name__}"}
        if t is np.random.RandomState:
            kind, keys, pos, has_gauss, cached = obj.get_state()
            return {"$": "randomstate", "keys": self._array(keys), "pos": int(pos),
                    "has_gauss": int(has_gauss), "cached_gaussian": float(cached)}
        if t in self._names:
            return self._object(obj, path)
        return self._pickled(obj)

    def _array(self, arr: np.ndarray):
        memo = self._memoized(arr)
        if memo is not None:
            return memo
        node: dict = {"$": "ndarray", "id": self._remember(arr)}
        if arr.dtype.kind == "O":
            flat = arr.ravel(order="K")
            if all(type(v) is str for v in flat):
                node["object"] = True
                arr = arr.astype(str)
            else:
                return {"$": "objarray", "id": node["id"], "shape": list(arr.shape),
                        "v": [self.encode(v) for v in arr.ravel()]}
        if arr.dtype.kind not in ARRAY_KINDS or not DTYPE_PATTERN.fullmatch(arr.dtype.str):
            return self._pickled(arr)
        node["member"] = self._member("arrays", ".npy", npy_bytes(arr))
        return node

    def _object(self, obj, path: str):
        memo = self._memoized(obj)
        if memo is not None:
            return memo
        ref = self._remember(obj)
        cls = type(obj)
        node: dict = {"$": "obj", "class": self._names[cls], "id": ref}
        if is_keras_classifier(obj):
            state = {k: v for k, v in vars(obj).items() if k not in KERAS_RUNTIME}
            model = getattr(obj, "model_", None)
            if model is not None:
                weights = [np.asarray(w) for w in model.get_weights()]
                node["weights"] = [self._array(w) for w in weights]
                self.keras_models.append({"step": path.strip("/") or cls.__name__.lower(),
                                          "class": cls.__name__, "n_weights": len(weights)})
        else:
            state = obj.__getstate__()
            if state is None:  # an object with an empty __dict__
                state = {}
            if not isinstance(state, dict):
                self._memo.pop(id(obj))
                return self._pickled(obj)
        node["state"] = self.encode(dict(state), path)
        return node

    def _pickled(self, obj):
        t = type(obj)
        name = f"{t.__module__}.{t.__qualname__}"
        self.untrusted.add(name)
        data = pickle.dumps(obj, protocol=5)
        return {"$": "pickle", "type": name, "member": self._member("pickles", ".pkl", data)}
