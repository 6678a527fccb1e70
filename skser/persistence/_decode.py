"""Loading: a JSON tree checked whole (nothing built), then built."""

from __future__ import annotations

import importlib
import json
import math
import pickle
from collections import defaultdict
from typing import NoReturn

import numpy as np

from ..exceptions import ModelFileError
from ..utils._text import escape_control
from ._checks import attach_network, check_state_keys, read_npy, validate
from ._types import (
    ALLOWED_TYPES,
    DTYPE_PATTERN,
    MAX_DEPTH,
    MAX_OBJECT_ITEMS,
    STATE_KEY,
    STATE_MEMBER,
    TYPES,
    is_keras_classifier,
)


class Decoder:
    """Checks a whole tree (:meth:`check`), then builds it (:meth:`build`).

    ``read(member) -> bytes`` gives a member's verified bytes; ``members`` is the
    set of members the manifest lists.
    """

    def __init__(self, where: str, read, members: set[str], *, trusted: bool):
        self.where = where
        self._read = read
        self._members = members
        self._trusted = trusted
        self._built: dict[int, object] = {}
        self.classes: set[str] = set()
        self.untrusted: set[str] = set()

    def fail(self, problem: str) -> NoReturn:
        raise ModelFileError(f"{self.where}: {STATE_MEMBER}: {problem}")

    @staticmethod
    def parse(raw: bytes, where: str):
        def constant(name):
            raise ValueError(f"{name} is not valid JSON")

        try:
            return json.loads(raw.decode("utf-8"), parse_constant=constant)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise ModelFileError(
                f"{where}: {STATE_MEMBER} is not valid JSON ({escape_control(exc)[:200]})"
            ) from None

    # -- pass 1: check everything, build nothing --------------------------------
    def check(self, node) -> None:
        self._ids: set[int] = set()
        self._count = 0
        self._check(node, 0)
        if self.untrusted and not self._trusted:
            raise ModelFileError(
                f"{self.where}: the file holds pickled objects of type(s) "
                f"{', '.join(sorted(escape_control(t) for t in self.untrusted))}, which can "
                "run code when loaded; skser refused to load them. If you trust where the "
                "file comes from, load it with skser.load(path, trusted=True)"
            )

    def _check(self, node, depth: int) -> None:
        self._count += 1
        if depth > MAX_DEPTH or self._count > MAX_OBJECT_ITEMS:
            self.fail("the tree is too deep or too large")
        if node is None or type(node) in (bool, int, float, str):
            return
        if type(node) is list:
            for v in node:
                self._check(v, depth + 1)
            return
        if type(node) is not dict:
            self.fail(f"unexpected value of type {type(node).__name__}")
        tag = node.get("$")
        spec = _NODES.get(tag) if isinstance(tag, str) else None
        if spec is None:
            self.fail(f"unknown node {escape_control(repr(tag))[:80]}")
        unknown = set(node) - {"$", *spec}
        missing = {k for k, required in spec.items() if required} - set(node)
        if unknown or missing:
            self.fail(f"{tag} node with wrong keys (unknown {sorted(unknown)}, missing "
                      f"{sorted(missing)})"[:300])
        getattr(self, f"_check_{tag}")(node, depth)

    def _check_float(self, node, depth):
        if node["v"] not in ("nan", "inf", "-inf"):
            self.fail("float node with an invalid value")

    def _check_tuple(self, node, depth):
        self._check_list(node["v"], depth)

    def _check_list(self, value, depth):
        if type(value) is not list:
            self.fail("a list was expected")
        for v in value:
            self._check(v, depth + 1)

    def _check_pairs(self, node, depth, str_keys=False):
        self._check_list(node["v"], depth)
        for pair in node["v"]:
            if type(pair) is not list or len(pair) != 2:
                self.fail("a dict entry must be a [key, value] pair")
            key = pair[0]
            if str_keys and type(key) is not str:
                self.fail("keys must be strings")
            if not (key is None or type(key) in (bool, int, float, str)
                    or (type(key) is dict and key.get("$") in ("tuple", "float", "scalar"))):
                self.fail("a dict key must be a plain value")

    _check_dict = _check_pairs
    _check_defaultdict = _check_pairs

    def _check_bunch(self, node, depth):
        self._check_pairs(node, depth, str_keys=True)

    def _check_scalar(self, node, depth):
        dtype = self._dtype(node["dtype"])
        value = node["v"]
        ok = {"b": (bool,), "i": (int,), "u": (int,), "f": (int, float, dict),
              "U": (str,)}[dtype.kind]
        if type(value) not in ok:
            self.fail(f"scalar of dtype {dtype} with a value of type {type(value).__name__}")
        if type(value) is dict:
            self._check(value, depth + 1)

    def _check_dtype(self, node, depth):
        self._dtype(node["v"], allow_object=True)

    def _check_type(self, node, depth):
        if node["v"] not in TYPES:
            self.fail(f"type {escape_control(repr(node['v']))[:100]} is not allowed")

    def _new_id(self, node):
        ref = node["id"]
        if type(ref) is not int or ref in self._ids:
            self.fail("invalid or repeated object id")
        self._ids.add(ref)

    def _check_ref(self, node, depth):
        if type(node["id"]) is not int or node["id"] not in self._ids:
            self.fail("a reference to an object not defined before it")

    def _check_member(self, member, prefix: str):
        if not isinstance(member, str) or not member.startswith(prefix):
            self.fail(f"invalid member reference {escape_control(repr(member))[:100]}")
        if member not in self._members:
            self.fail(f"refers to member {escape_control(member)!r}, which the manifest "
                      "does not list")

    def _check_ndarray(self, node, depth):
        self._new_id(node)
        self._check_member(node["member"], "arrays/")
        if node.get("object", True) is not True:
            self.fail("ndarray node with an invalid 'object' flag")

    def _check_objarray(self, node, depth):
        shape = node["shape"]
        if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
            self.fail("objarray with an invalid shape")
        self._check_list(node["v"], depth)
        if math.prod(shape) != len(node["v"]):
            self.fail("objarray whose shape does not match its items")
        self._new_id(node)  # after its items, as build registers it

    def _check_randomstate(self, node, depth):
        self._check(node["keys"], depth + 1)
        if not (type(node["pos"]) is int and type(node["has_gauss"]) is int
                and type(node["cached_gaussian"]) in (int, float)):
            self.fail("invalid random state")

    def _check_obj(self, node, depth):
        name = node["class"]
        if not isinstance(name, str) or name not in ALLOWED_TYPES:
            self.fail(
                f"class {escape_control(repr(name))[:200]} is not one skser loads; refused "
                "before building anything"
            )
        self.classes.add(name)
        self._new_id(node)
        state = node["state"]
        if type(state) is not dict or state.get("$") != "dict":
            self.fail(f"{name} state must be a dict node")
        self._check(state, depth + 1)
        for key, _ in state["v"]:
            if type(key) is not str or not STATE_KEY.fullmatch(key) or key.startswith("__"):
                self.fail(f"{name} state has an invalid attribute name "
                          f"{escape_control(repr(key))[:100]}")
        if "weights" in node:
            self._check_list(node["weights"], depth)
            if not all(type(w) is dict and w.get("$") in ("ndarray", "ref")
                       for w in node["weights"]):
                self.fail(f"{name} weights must be arrays")

    def _check_pickle(self, node, depth):
        self._check_member(node["member"], "pickles/")
        if not isinstance(node["type"], str):
            self.fail("pickle node without a type name")
        self.untrusted.add(node["type"][:300])

    def _dtype(self, text, allow_object=False) -> np.dtype:
        if not isinstance(text, str) or not DTYPE_PATTERN.fullmatch(text):
            self.fail(f"dtype {escape_control(repr(text))[:60]} is not allowed")
        dtype = np.dtype(text)
        if dtype.kind == "O" and not allow_object:
            self.fail("object dtype is not allowed here")
        return dtype

    # -- pass 2: build ------------------------------------------------------------
    def build(self, node):
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is list:
            return [self.build(v) for v in node]
        return getattr(self, f"_build_{node['$']}")(node)

    def _build_float(self, node):
        return float(node["v"])

    def _build_tuple(self, node):
        return tuple(self.build(v) for v in node["v"])

    def _pairs(self, node):
        pairs = [(self.build(k), self.build(v)) for k, v in node["v"]]
        try:
            return dict(pairs)
        except TypeError:
            self.fail("a dict key is not hashable")

    def _build_dict(self, node):
        return self._pairs(node)

    def _build_defaultdict(self, node):
        return defaultdict(list, self._pairs(node))

    def _build_bunch(self, node):
        from sklearn.utils import Bunch

        return Bunch(**self._pairs(node))

    def _build_scalar(self, node):
        dtype = np.dtype(node["dtype"])
        try:
            return np.array(self.build(node["v"]), dtype=dtype)[()]
        except (OverflowError, ValueError):
            self.fail(f"scalar out of range for {dtype}")

    def _build_dtype(self, node):
        return np.dtype(node["v"])

    def _build_type(self, node):
        return TYPES[node["v"]]

    def _build_ref(self, node):
        return self._built[node["id"]]

    def _build_ndarray(self, node):
        arr = read_npy(self._read(node["member"]), node["member"], self.fail)
        if node.get("object"):
            arr = arr.astype(object)
        self._built[node["id"]] = arr
        return arr

    def _build_objarray(self, node):
        arr = np.empty(len(node["v"]), dtype=object)
        arr[:] = [self.build(v) for v in node["v"]]
        arr = arr.reshape(node["shape"])
        self._built[node["id"]] = arr
        return arr

    def _build_randomstate(self, node):
        keys = self.build(node["keys"])
        if not (isinstance(keys, np.ndarray) and keys.shape == (624,) and keys.dtype == np.uint32):
            self.fail("invalid random state")
        rs = np.random.RandomState()
        try:
            rs.set_state(("MT19937", keys, node["pos"], node["has_gauss"],
                          float(node["cached_gaussian"])))
        except (ValueError, TypeError, OverflowError):
            self.fail("invalid random state")
        return rs

    def _build_pickle(self, node):
        # Reached only with trusted=True (check() refused otherwise).
        return pickle.loads(self._read(node["member"]))  # noqa: S301 - opted in

    def _build_obj(self, node):
        name = node["class"]
        module, attr = ALLOWED_TYPES[name]
        cls = getattr(importlib.import_module(module), attr)
        obj = cls.__new__(cls)
        self._built[node["id"]] = obj
        state = self.build(node["state"])
        check_state_keys(cls, state, name, self.fail)
        keras = is_keras_classifier(obj)
        if keras:
            obj.__dict__.update(state)
        elif getattr(cls, "__setstate__", None) is not None:
            obj.__setstate__(state)
        else:
            obj.__dict__.update(state)
        validate(obj, name, self.fail)
        if keras and "weights" in node:
            attach_network(obj, [self.build(w) for w in node["weights"]], name, self.fail)
        return obj


_NODES = {  # tag -> {key: required}
    "float": {"v": True},
    "tuple": {"v": True},
    "dict": {"v": True},
    "defaultdict": {"v": True},
    "bunch": {"v": True},
    "scalar": {"dtype": True, "v": True},
    "dtype": {"v": True},
    "type": {"v": True},
    "ref": {"id": True},
    "ndarray": {"id": True, "member": True, "object": False},
    "objarray": {"id": True, "shape": True, "v": True},
    "randomstate": {"keys": True, "pos": True, "has_gauss": True, "cached_gaussian": True},
    "obj": {"class": True, "id": True, "state": True, "weights": False},
    "pickle": {"type": True, "member": True},
}
