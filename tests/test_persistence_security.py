"""Hostile model files: each is refused before it can run code or take memory.

Every file here is built at test time the way an attacker would: from a real
model file, with its members edited and the manifest's checksums recomputed.
For each one, loading must end in a ModelFileError naming the file, with no
marker file written, no module outside skser's dependencies imported, and the
peak memory bounded; the command line answers with one ``skser: error`` line.
"""

import io
import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from skser.exceptions import ModelFileError
from skser.persistence import load, read_manifest, save
from skser.persistence._archive import MAX_MANIFEST_BYTES
from skser.pipeline import make_pipeline
from skser.preprocessing import StandardScaler
from skser.svm import SVC

REPO = Path(__file__).resolve().parents[1]
# Loading may import skser's own dependencies (a Keras classifier imports TensorFlow);
# nothing else.
ALLOWED_MODULE_ROOTS = {"skser", "sklearn", "numpy", "scipy", "imblearn", "scikeras", "keras",
                        "tensorflow", "joblib", "threadpoolctl", "librosa", "soundfile",
                        "soxr", "pandas", "h5py", "ml_dtypes", "optree", "absl", "google",
                        "numba", "llvmlite", "lazy_loader", "audioread", "decorator",
                        "pooch", "msgpack", "tqdm", "packaging", "namex", "rich", "wrapt",
                        "gast", "astunparse", "opt_einsum", "termcolor", "flatbuffers"}
PEAK_LIMIT = 150 << 20


# -- building hostile files ---------------------------------------------------------
def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _members(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _write(path: Path, members: dict, *, fix_checksums=True, manifest_edit=None) -> Path:
    """Write ``members`` as a model file whose manifest lists them with fresh checksums."""
    members = dict(members)
    manifest = json.loads(members.pop("manifest.json"))
    if fix_checksums:
        manifest["members"] = {name: {"sha256": _sha256(data), "size": len(data)}
                               for name, data in members.items()}
    if manifest_edit is not None:
        manifest_edit(manifest)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _tree(members: dict) -> dict:
    return json.loads(members["estimator.json"])


def _with_tree(members: dict, tree) -> dict:
    return {**members, "estimator.json": json.dumps(tree).encode()}


def _find(node, predicate):
    """The first node of the tree (depth first) for which ``predicate`` holds."""
    if predicate(node):
        return node
    children = node if isinstance(node, list) else node.values() if isinstance(node, dict) else ()
    for child in children:
        found = _find(child, predicate)
        if found is not None:
            return found
    return None


def _obj(members: dict, cls: str) -> dict:
    return _find(_tree(members), lambda n: isinstance(n, dict) and n.get("class") == cls)


def _edit_obj(members: dict, cls: str, edit) -> dict:
    tree = _tree(members)
    edit(_find(tree, lambda n: isinstance(n, dict) and n.get("class") == cls))
    return _with_tree(members, tree)


def _state(node: dict) -> dict:
    return {key: value for key, value in node["state"]["v"]}


def _set_state(node: dict, key: str, value) -> None:
    pairs = [pair for pair in node["state"]["v"] if pair[0] != key]
    node["state"]["v"] = [*pairs, [key, value]]


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    return buf.getvalue()


# -- the gadget chain that ran code through skser 0.1's restricted unpickler ---------
class _Lazy:
    def __reduce__(self):
        import imblearn

        return imblearn.LazyLoader, ("os", {}, "os")


class _Stacking:
    def __init__(self, **state):
        self.state = state

    def __reduce__(self):
        from sklearn.ensemble import StackingClassifier

        return StackingClassifier.__new__, (StackingClassifier,), self.state


class _Chain:
    """``_cached_call(None, stacking, "transform", CMD)``: transform calls
    ``getattr(LazyLoader("os"), "system")(CMD)``."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        from sklearn.metrics import _scorer

        stacking = _Stacking(estimators_=[_Lazy()], stack_method_=["system"],
                             classes_=np.array([0, 1]), passthrough=False)
        return _scorer._cached_call, (None, stacking, "transform", self.command)


class _ScorerChain:
    """The class-only variant: a ``_Scorer`` whose response method is ``system``,
    called on the lazy ``os`` module; no function global in the pickle."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        from sklearn.metrics._scorer import _Scorer

        return _Scorer, (_Lazy(), 1, {}, "system")


@pytest.fixture(scope="module")
def marker(tmp_path_factory):
    return tmp_path_factory.mktemp("marker") / "PWNED"


@pytest.fixture(scope="module")
def chain_payload(marker):
    return pickle.dumps(_Chain(f"touch {marker}"))


def test_the_chain_is_live_under_plain_pickle(tmp_path):
    """The payload really runs its command when unpickled: the refusals below matter."""
    target = tmp_path / "ran"
    payload = pickle.dumps(_Chain(f"touch {target}"))
    subprocess.run([sys.executable, "-c", "import pickle, sys\ntry:\n pickle.loads("
                    f"{payload!r})\nexcept Exception:\n pass"], check=True, cwd=REPO,
                   capture_output=True)
    assert target.exists()


def _marker_name(payload: bytes) -> str:
    start = payload.index(b"touch ") + len(b"touch ")
    end = payload.index(b"PWNED", start) + len(b"PWNED")
    return payload[start:end].decode()


# -- the base files -------------------------------------------------------------------
@pytest.fixture(scope="module")
def svc_file(tmp_path_factory):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.where(X[:, 0] + 0.3 * rng.normal(size=40) > 0, "angry", "sad")
    pipe = make_pipeline(StandardScaler(), SVC(C=1.0)).fit(X, y)
    path = save(pipe, tmp_path_factory.mktemp("base") / "svc.skser", metadata={"classes":
                                                                                ["angry", "sad"]})
    return path, _members(path)


@pytest.fixture(scope="module")
def keras_file(tmp_path_factory):
    from skser.models import Conv1DClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 12)).astype(np.float32)
    y = np.repeat(["angry", "sad"], 12)
    clf = Conv1DClassifier(filters=(4,), dense_units=4, epochs=1, random_state=0).fit(X, y)
    path = save(clf, tmp_path_factory.mktemp("base") / "net.skser")
    return path, _members(path), X


def _legacy_manifest() -> bytes:
    return json.dumps({
        "format": "skser-model", "format_version": 1, "created": "2026-01-01T00:00:00+00:00",
        "versions": {}, "estimator": {"class": "x.Y", "repr": "Y()"}, "keras_models": [],
        "metadata": {}, "members": {}}).encode()


# Each case: (id, builder(tmp_path, svc_members, payload) -> members or path, match).
def _legacy_chain(tmp, base, payload):
    return {"manifest.json": _legacy_manifest(), "estimator.pkl": payload}


def _legacy_scorer_chain(tmp, base, payload):
    return {"manifest.json": _legacy_manifest(),
            "estimator.pkl": pickle.dumps(_ScorerChain(_marker_name(payload)))}


def _pickle_node(tmp, base, payload):
    tree = {"$": "pickle", "type": "sklearn.linear_model.LogisticRegression",
            "member": "pickles/000000.pkl"}
    return {**_with_tree(base, tree), "pickles/000000.pkl": payload}


def _pickle_node_inside(tmp, base, payload):
    members = _edit_obj(base, "skser.svm.SVC", lambda n: _set_state(
        n, "C", {"$": "pickle", "type": "builtins.float", "member": "pickles/000000.pkl"}))
    return {**members, "pickles/000000.pkl": payload}


def _class_node(name, state=None):
    def build(tmp, base, payload):
        tree = {"$": "obj", "class": name, "id": 0,
                "state": {"$": "dict", "v": state or []}}
        return _with_tree(base, tree)
    return build


def _stacking_with_lazy_loader(tmp, base, payload):
    lazy = {"$": "obj", "class": "imblearn.LazyLoader", "id": 1,
            "state": {"$": "dict", "v": [["__name__", "os"]]}}
    return _class_node("sklearn.ensemble.StackingClassifier",
                       [["estimators_", [lazy]], ["stack_method_", ["system"]]])(tmp, base,
                                                                                  payload)


def _svc_state(key, value):
    return lambda tmp, base, payload: _edit_obj(base, "skser.svm.SVC",
                                                lambda n: _set_state(n, key, value))


def _svc_array(attr, arr):
    def build(tmp, base, payload):
        node = _state(_obj(base, "skser.svm.SVC"))[attr]
        return {**base, node["member"]: _npy(arr)}
    return build


def _npy_header(shape, descr="<f8", data=b"\0" * 8):
    def build(tmp, base, payload):
        node = _state(_obj(base, "skser.svm.SVC"))["support_vectors_"]
        header = {"descr": descr, "fortran_order": False, "shape": shape}
        buf = io.BytesIO()
        np.lib.format.write_array_header_1_0(buf, header)
        return {**base, node["member"]: buf.getvalue() + data}
    return build


def _npy_garbage(tmp, base, payload):
    node = _state(_obj(base, "skser.svm.SVC"))["support_vectors_"]
    return {**base, node["member"]: b"\x93NUMPY\x01\x00" + b"\xff" * 20}


def _object_npy(tmp, base, payload):
    node = _state(_obj(base, "skser.svm.SVC"))["support_vectors_"]
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.array([_Chain(f"touch {_marker_name(payload)}")],
                                            dtype=object), allow_pickle=True)
    return {**base, node["member"]: buf.getvalue()}


def _tree_edit(edit):
    def build(tmp, base, payload):
        tree = _tree(base)
        return _with_tree(base, edit(tree))
    return build


def _deep(tmp, base, payload):
    return {**base, "estimator.json": b"[" * 100_000 + b"]" * 100_000}


def _dangling_array(tmp, base, payload):
    members = _edit_obj(base, "skser.svm.SVC", lambda n: _set_state(
        n, "C", {"$": "ndarray", "id": 999, "member": "arrays/999999.npy"}))
    return members


def _array_from_pickles_folder(tmp, base, payload):
    members = _edit_obj(base, "skser.svm.SVC", lambda n: _set_state(
        n, "C", {"$": "ndarray", "id": 999, "member": "pickles/000000.pkl"}))
    return {**members, "pickles/000000.pkl": payload}


def _forward_ref(tmp, base, payload):
    return _edit_obj(base, "skser.svm.SVC", lambda n: _set_state(n, "C", {"$": "ref", "id": 9999}))


def _manifest_edit(edit, members_edit=None):
    def build(tmp, base, payload):
        members = dict(base) if members_edit is None else members_edit(dict(base))
        return ("manifest", members, edit)
    return build


def _set(field, value):
    def edit(manifest):
        target = manifest
        *parents, last = field.split(".")
        for key in parents:
            target = target[key]
        target[last] = value
    return edit


def _first_array_size(value):
    def edit(manifest):
        name = next(n for n in manifest["members"] if n.startswith("arrays/"))
        manifest["members"][name]["size"] = value
    return edit


def _member_named(name):
    def build(tmp, base, payload):
        return {**base, name: b"x"}
    return build


CASES = [
    # the chain and its variants
    ("legacy-format-chain", _legacy_chain, "format 1 .*pickle.*refused"),
    ("legacy-format-scorer-chain", _legacy_scorer_chain, "format 1 .*pickle.*refused"),
    ("pickle-node-chain", _pickle_node, "pickled objects.*refused"),
    ("pickle-node-inside-svc", _pickle_node_inside, "pickled objects.*refused"),
    ("class-lazyloader", _class_node("imblearn.LazyLoader"), "not one skser loads"),
    ("class-stacking-with-lazyloader", _stacking_with_lazy_loader, "not one skser loads"),
    ("class-scorer", _class_node("sklearn.metrics._scorer._Scorer"), "not one skser loads"),
    ("class-cached-call", _class_node("sklearn.metrics._scorer._cached_call"),
     "not one skser loads"),
    # dotted global names and module-prefix tricks
    ("class-os-system", _class_node("os.system"), "not one skser loads"),
    ("class-builtins-eval", _class_node("builtins.eval"), "not one skser loads"),
    ("class-dotted-attribute", _class_node("skser.pipeline.Pipeline.__init__.__globals__"),
     "not one skser loads"),
    ("class-numpy-matlib", _class_node("numpy.matlib.matrix"), "not one skser loads"),
    ("class-numpy-ma-prefix", _class_node("numpy.ma.core.MaskedArray"), "not one skser loads"),
    ("class-sklearn-testing", _class_node("sklearn.utils._testing.TempMemmap"),
     "not one skser loads"),
    ("class-near-miss-module", _class_node("skser.pipelines.Pipeline"), "not one skser loads"),
    ("class-subclass-path", _class_node("skser.models._base.BaseKerasClassifier"),
     "not one skser loads"),
    ("type-node-eval", _tree_edit(lambda t: {"$": "type", "v": "builtins.eval"}),
     "not allowed"),
    ("dtype-node-structured", _tree_edit(lambda t: {"$": "dtype", "v": "i4,O"}), "not allowed"),
    # state that would replace methods or reach compiled code with bad arrays
    ("state-shadows-method", _svc_state("predict", "x"), "replace a class attribute"),
    ("state-dunder-key", _svc_state("__class__", "x"), "invalid attribute name"),
    ("invalid-hyperparameter", _svc_state("kernel", "evil"), "invalid parameters"),
    ("svc-n-support-mismatch", _svc_array("_n_support", np.array([1, 1], np.int32)),
     "_n_support must count"),
    ("svc-float32-vectors", _svc_array("support_vectors_", np.zeros((3, 3), np.float32)),
     "support_vectors_ must be"),
    # arrays: headers that lie, pickled arrays, odd dtypes
    ("npy-huge-shape", _npy_header((10**12,)), "header declares"),
    ("npy-object-dtype", _object_npy, "not allowed"),
    ("npy-structured-dtype", _npy_header((1,), descr=[("a", "<f8")]), "not allowed"),
    ("npy-garbage", _npy_garbage, "invalid .npy header"),
    ("array-member-not-listed", _dangling_array, "does not list"),
    ("array-member-in-pickles", _array_from_pickles_folder, "invalid member reference"),
    ("forward-reference", _forward_ref, "not defined before"),
    ("json-nested-deep", _deep, "not valid JSON|too deep"),
    ("json-unknown-node", _tree_edit(lambda t: {"$": "exec", "v": "x"}), "unknown node"),
    # member names
    ("member-path-traversal", _member_named("../evil.npy"), "invalid member name"),
    ("member-absolute-path", _member_named("/etc/passwd"), "invalid member name"),
    ("member-escape-sequence", _member_named("arrays/\x1b[2Jx.npy"), "invalid member name"),
    ("member-backslash", _member_named("arrays\\..\\x.npy"), "invalid member name"),
    # manifest fields of the wrong type or value
    ("manifest-version-string", _manifest_edit(_set("format_version", "2")),
     "'format_version' must be an integer"),
    ("manifest-version-bool", _manifest_edit(_set("format_version", True)),
     "'format_version' must be an integer"),
    ("manifest-version-float", _manifest_edit(_set("format_version", 2.0)),
     "'format_version' must be an integer"),
    ("manifest-size-string", _manifest_edit(_first_array_size("10")), "size' must be an integer"),
    ("manifest-size-negative", _manifest_edit(_first_array_size(-1)), "size' must be between"),
    ("manifest-size-bool", _manifest_edit(_first_array_size(True)), "size' must be an integer"),
    ("manifest-versions-number", _manifest_edit(_set("versions.skser", 5)),
     "'versions.skser' must be a string"),
    ("manifest-versions-unknown", _manifest_edit(_set("versions.evil", "1.0")),
     "'versions' has unknown key"),
    ("manifest-created-garbage", _manifest_edit(_set("created", "yesterday")),
     "'created' is not an ISO 8601"),
    ("manifest-metadata-list", _manifest_edit(_set("metadata", [1, 2])),
     "'metadata' must be an object"),
    ("manifest-keras-models-dict", _manifest_edit(_set("keras_models", {})),
     "'keras_models' must be a list"),
    ("manifest-unknown-field", _manifest_edit(_set("run", "rm -rf /")), "unknown key"),
    ("manifest-class-newline", _manifest_edit(_set("estimator.class", "a\nb")),
     "'estimator.class' has an invalid value"),
]


def _build(case, tmp_path, base, payload) -> Path:
    built = case(tmp_path, base, payload)
    path = tmp_path / "hostile.skser"
    if isinstance(built, tuple):  # ("manifest", members, edit): edit after checksums
        _, members, edit = built
        return _write(path, members, manifest_edit=edit)
    return _write(path, built)


def _peak_rss_reset() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:  # pragma: no cover - not Linux, or not allowed
        return False


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0  # pragma: no cover


def assert_refused(path: Path, match: str, marker: Path, *, trusted=False) -> None:
    """``load(path)`` raises a ModelFileError naming the file, and nothing else happens."""
    import tracemalloc

    modules = set(sys.modules)
    reset = _peak_rss_reset()
    rss_before = _rss_kb("VmRSS")
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=match) as info:
            load(path, trusted=trusted)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(path) in str(info.value)
    assert "\x1b" not in str(info.value) and "\n" not in str(info.value)
    assert peak < PEAK_LIMIT, f"traced peak {peak / 2**20:.0f} MiB"
    if reset:
        assert (_rss_kb("VmHWM") - rss_before) * 1024 < PEAK_LIMIT
    new = {m.split(".")[0] for m in set(sys.modules) - modules}
    assert new <= ALLOWED_MODULE_ROOTS, f"imported {sorted(new - ALLOWED_MODULE_ROOTS)}"
    assert not marker.exists(), "the file ran its command"


@pytest.mark.parametrize("case,match", [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_file_is_refused(case, match, svc_file, chain_payload, marker, tmp_path):
    path = _build(case, tmp_path, svc_file[1], chain_payload)
    assert_refused(path, match, marker)


def test_at_least_thirty_hostile_files():
    assert len(CASES) >= 30


def test_trusted_runs_the_pickle_only_when_asked(svc_file, tmp_path):
    """The opt-in is real: trusted=True reads pickles (here one that runs ``touch``)."""
    target = tmp_path / "ran"
    payload = pickle.dumps(_Chain(f"touch {target}"))
    path = _write(tmp_path / "chain.skser", _legacy_chain(tmp_path, svc_file[1], payload))
    with pytest.raises(ModelFileError):
        load(path)
    assert not target.exists()
    with pytest.raises(ModelFileError):  # the chain raises after running its command
        load(path, trusted=True)
    assert target.exists()


def test_legacy_file_loads_when_trusted(tmp_path):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression().fit([[0.0], [1.0]], ["sad", "angry"])
    path = _write(tmp_path / "old.skser", {"manifest.json": _legacy_manifest(),
                                           "estimator.pkl": pickle.dumps(clf)})
    assert read_manifest(path)["format_version"] == 1
    np.testing.assert_array_equal(load(path, trusted=True).predict([[1.0]]), ["angry"])


# -- sizes: refused from what the archive declares, before decompressing ---------------
def _zeros_member(path: Path, name: str, size: int, members: dict) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
        with zf.open(name, "w", force_zip64=True) as fh:
            chunk = bytes(8 << 20)
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return path


@pytest.mark.slow
def test_listed_2_gib_member_of_zeros_is_refused(svc_file, marker, tmp_path):
    members = dict(svc_file[1])
    manifest = json.loads(members.pop("manifest.json"))
    manifest["members"]["arrays/zeros.npy"] = {"sha256": "0" * 64, "size": 2 << 30}
    members["manifest.json"] = json.dumps(manifest).encode()
    path = _zeros_member(tmp_path / "bomb.skser", "arrays/zeros.npy", 2 << 30, members)
    assert path.stat().st_size < 20 << 20
    assert_refused(path, "would expand to", marker)


@pytest.mark.slow
def test_manifest_padded_to_1_gib_is_refused(svc_file, marker, tmp_path):
    path = tmp_path / "padded.skser"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("manifest.json", "w", force_zip64=True) as fh:
            fh.write(b'{"format": "skser-model"' )
            chunk = b" " * (8 << 20)
            for _ in range((1 << 30) // len(chunk)):
                fh.write(chunk)
            fh.write(b"}")
    assert_refused(path, "would expand to|more than", marker)
    with pytest.raises(ModelFileError):
        read_manifest(path)


def test_manifest_just_over_the_limit_is_refused_by_its_size(svc_file, tmp_path):
    members = dict(svc_file[1])
    manifest = json.loads(members["manifest.json"])
    manifest["metadata"] = {"pad": "x" * MAX_MANIFEST_BYTES}
    members["manifest.json"] = json.dumps(manifest).encode()
    path = tmp_path / "big.skser"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(ModelFileError, match="manifest.json' is .* more than"):
        read_manifest(path)


def test_state_member_larger_than_its_limit_is_refused(svc_file, marker, tmp_path):
    padded = {**svc_file[1], "estimator.json": b" " * (5 << 20) + svc_file[1]["estimator.json"]}
    assert_refused(_write(tmp_path / "big.skser", padded), "larger than", marker)


def test_zip_level_tricks_are_refused(svc_file, marker, tmp_path):
    base = svc_file[1]
    # the same name twice: which one would be read?
    path = tmp_path / "dup.skser"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in base.items():
            zf.writestr(name, data)
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("estimator.json", b"{}")
    assert_refused(path, "appears twice", marker)
    # another compression method than skser writes
    path = tmp_path / "bz2.skser"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as zf:
        for name, data in base.items():
            zf.writestr(name, data)
    assert_refused(path, "compression method", marker)
    # a member whose manifest size is not its size
    edited = _write(tmp_path / "size.skser", base, manifest_edit=_first_array_size(3))
    assert_refused(edited, "bytes in the archive but", marker)


# -- files that are not files -----------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
def test_fifo_and_devices_are_refused_at_once(marker, tmp_path):
    fifo = tmp_path / "model.skser"
    os.mkfifo(fifo)
    # A blocking read of a FIFO would hang: the check happens at open.
    assert_refused(fifo, "not a regular file", marker)
    with pytest.raises(ModelFileError, match="not a regular file"):
        read_manifest(fifo)
    device = tmp_path / "zero.skser"
    device.symlink_to("/dev/zero")
    assert_refused(device, "not a regular file", marker)
    assert_refused(tmp_path, "not a regular file", marker)


# -- Keras networks: only weights come from the file ---------------------------------
@pytest.mark.slow
def test_keras_network_is_rebuilt_not_deserialized(keras_file, marker, tmp_path):
    path, members, X = keras_file
    assert not any(name.endswith((".keras", ".h5", ".pkl")) for name in members)
    name = "skser.models.Conv1DClassifier"
    # The network is never in the file: a model_ attribute is refused ...
    forged = _edit_obj(members, name, lambda n: _set_state(n, "model_", "keras/evil.keras"))
    assert_refused(_write(tmp_path / "a.skser", forged), "model_", marker)
    # ... weights that do not fit the architecture are refused ...
    node = _obj(members, name)
    first = node["weights"][0]["member"]
    wrong = {**members, first: _npy(np.zeros((7, 7, 7), np.float32))}
    assert_refused(_write(tmp_path / "b.skser", wrong), "do not fit the network", marker)
    # ... and an input shape that would build a huge network is refused without building it.
    huge = _edit_obj(members, name, lambda n: _set_state(
        n, "X_shape_", {"$": "tuple", "v": [1, 200_000_000]}))
    assert_refused(_write(tmp_path / "c.skser", huge), "do not fit|cannot build", marker)


@pytest.mark.slow
def test_legacy_file_with_a_lambda_layer_is_refused(keras_file, marker, tmp_path):
    import keras

    inputs = keras.Input((3,))
    outputs = keras.layers.Lambda(lambda x: x * 2)(inputs)
    model = keras.Model(inputs, outputs)
    model_path = tmp_path / "lambda.keras"
    model.save(model_path)

    class _Ref:
        def __reduce__(self):
            return os.getcwd, ()

    members = {"manifest.json": _legacy_manifest(), "estimator.pkl": pickle.dumps(_Ref()),
               "keras/net.keras": model_path.read_bytes()}
    path = _write(tmp_path / "lambda.skser", members)
    assert_refused(path, "format 1 .*refused", marker)


# -- the command line: one error line, no traceback ------------------------------------
@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    import soundfile as sf

    path = tmp_path_factory.mktemp("clip") / "clip.wav"
    t = np.arange(16000) / 16000
    sf.write(path, (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    return path


CLI_CASES = [c for c in CASES if c[0] in {
    "legacy-format-chain", "pickle-node-chain", "class-stacking-with-lazyloader",
    "class-scorer", "manifest-version-bool", "manifest-size-string", "member-escape-sequence",
    "npy-huge-shape", "manifest-metadata-list"}]


@pytest.mark.parametrize("case", [c[1] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_command_line_answers_hostile_files_with_one_error_line(case, svc_file, chain_payload,
                                                                marker, clip, tmp_path, capsys):
    from skser.cli import main

    path = _build(case, tmp_path, svc_file[1], chain_payload)
    for argv in (["predict", str(path), str(clip)], ["info", str(path)],
                 ["predict", str(path), str(clip), "--timeline"]):
        code = main(argv)
        out, err = capsys.readouterr()
        if argv[0] == "info" and code == 0:  # a valid manifest over a hostile estimator
            assert "\x1b" not in out
            continue
        assert code == 1, (argv, out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("skser: error: "), err
        assert "Traceback" not in err and "\x1b" not in err
    assert not marker.exists()


def test_info_escapes_terminal_sequences(svc_file, tmp_path, capsys):
    from skser.cli import main

    def evil(manifest):
        manifest["metadata"] = {"classes": ["angry\x1b[31m", "sad\r"], "note": "\x1b]0;pwn\x07",
                                "scores": {"accuracy": "\x1b[2J"}, "\u202eevil": 1}
        manifest["estimator"]["repr"] = "SVC()\x1b[8m hidden"
        manifest["created"] = "2026-01-01T00:00:00+00:00"

    path = _write(tmp_path / "esc.skser", svc_file[1], manifest_edit=evil)
    assert main(["info", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out and "\u202e" not in out
    assert "angry\\x1b[31m" in out and "\\u202eevil" in out
