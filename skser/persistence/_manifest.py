"""The manifest of a model file: building it, validating every field, describing it."""

from __future__ import annotations

import json
import platform
import re
import warnings
from datetime import datetime, timezone
from importlib import metadata as _metadata
from pathlib import Path
from typing import NoReturn

import numpy as np

from .._version import __version__
from ..exceptions import ModelFileError
from ..utils._text import escape_control
from ._archive import MAX_MEMBERS, check_member_name

FORMAT_NAME = "skser-model"
#: The format :func:`skser.save` writes. Version 1 (skser 0.1) held a pickle.
FORMAT_VERSION = 2
LEGACY_FORMAT_VERSION = 1

MANIFEST = "manifest.json"
SIGNATURE = "manifest.hmac"

#: Libraries whose versions a manifest records; a different major version of
#: the first three is refused, any other difference warns.
VERSION_KEYS = ("skser", "scikit-learn", "keras", "tensorflow", "numpy", "python")
STRICT = ("skser", "scikit-learn", "keras")

_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+!_\-]{0,63}")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,15}")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_TEXT = 100_000
_MAX_METADATA_DEPTH = 32


# -- versions -------------------------------------------------------------------
def _dist_version(*names: str) -> str | None:
    for name in names:
        try:
            return _metadata.version(name)
        except _metadata.PackageNotFoundError:
            continue
    return None


def current_versions() -> dict[str, str | None]:
    """Versions of the libraries a model file depends on (from package metadata,
    so writing a manifest does not import TensorFlow)."""
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
    numbers = [int("".join(filter(str.isdigit, part))[:9] or 0)
               for part in version.split(".")[:2]]
    major, minor = (numbers + [0, 0])[:2]
    return major, minor


def check_versions(manifest: dict, path: Path) -> None:
    """Refuse a different major version of a strict library; warn on other differences."""
    current = current_versions()
    for lib, then in manifest["versions"].items():
        now = current.get(lib)
        if not then or not now or then == now:
            continue
        (major_then, minor_then), (major_now, minor_now) = _major_minor(then), _major_minor(now)
        if lib in STRICT and major_then != major_now:
            raise ModelFileError(
                f"{path}: saved with {lib} {then}, but {lib} {now} is installed; a different "
                f"major version cannot load it safely. Install {lib}=={then} to load it"
            )
        if (major_then, minor_then) != (major_now, minor_now):
            warnings.warn(
                f"{path}: saved with {lib} {then}, loading with {lib} {now}; predictions "
                "may differ slightly", UserWarning, stacklevel=4,
            )


# -- building -------------------------------------------------------------------
def build_manifest(*, estimator, keras_models: list, untrusted: list, metadata: dict,
                   members: dict) -> dict:
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": current_versions(),
        "estimator": {
            "class": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
            "repr": repr(estimator)[:_MAX_TEXT],
        },
        "keras_models": keras_models,
        "untrusted_types": untrusted,
        "metadata": metadata,
        "members": members,
    }


# -- validating -----------------------------------------------------------------
class _Fields:
    """Checks of one manifest, each error naming the field it is about."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, field: str, problem: str) -> NoReturn:
        raise ModelFileError(f"{self.path}: manifest field {field!r} {problem}")

    def dict(self, value, field: str, keys: tuple | None = None, required=()) -> dict:
        if not isinstance(value, dict):
            self.fail(field, f"must be an object, got {type(value).__name__}")
        if keys is not None:
            unknown = sorted(set(value) - set(keys))
            if unknown:
                self.fail(field, f"has unknown key(s) {escape_control(unknown)[:200]}")
        for key in required:
            if key not in value:
                self.fail(f"{field}.{key}" if field else key, "is missing")
        return value

    def text(self, value, field: str, pattern=None, max_len: int = _MAX_TEXT,
             none: bool = False):
        if value is None and none:
            return None
        if not isinstance(value, str):
            self.fail(field, f"must be a string, got {type(value).__name__}")
        if len(value) > max_len:
            self.fail(field, f"is longer than {max_len} characters")
        if pattern is not None and not pattern.fullmatch(value):
            self.fail(field, f"has an invalid value {escape_control(repr(value))[:120]}")
        return value

    def integer(self, value, field: str, low: int = 0, high: int = 2**62) -> int:
        # bool is an int subclass: True must not pass as 1.
        if type(value) is not int:
            self.fail(field, f"must be an integer, got {type(value).__name__}")
        if not low <= value <= high:
            self.fail(field, f"must be between {low} and {high}, got {value}")
        return value

    def items(self, value, field: str, max_len: int) -> list:
        if not isinstance(value, list):
            self.fail(field, f"must be a list, got {type(value).__name__}")
        if len(value) > max_len:
            self.fail(field, f"has more than {max_len} entries")
        return value

    def json_depth(self, value, field: str, depth: int = 0) -> None:
        if depth > _MAX_METADATA_DEPTH:
            self.fail(field, f"is nested deeper than {_MAX_METADATA_DEPTH} levels")
        if isinstance(value, dict):
            for v in value.values():
                self.json_depth(v, field, depth + 1)
        elif isinstance(value, list):
            for v in value:
                self.json_depth(v, field, depth + 1)


_TOP_KEYS = ("format", "format_version", "created", "versions", "estimator", "keras_models",
             "untrusted_types", "metadata", "members")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def parse_manifest(raw: bytes, path: Path) -> dict:
    """Decode and validate ``manifest.json``; any problem is a ModelFileError
    naming the field."""
    try:
        manifest = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelFileError(
            f"{path}: {MANIFEST} is not valid JSON ({escape_control(exc)[:200]})"
        ) from None
    f = _Fields(path)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path}: not a skser model file ({MANIFEST} has no "
                             f"format {FORMAT_NAME!r})")
    version = manifest.get("format_version")
    if type(version) is not int:
        f.fail("format_version", f"must be an integer, got {type(version).__name__}")
    if not LEGACY_FORMAT_VERSION <= version <= FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: model file format version {version} is not supported by skser "
            f"{__version__} (supports {LEGACY_FORMAT_VERSION} to {FORMAT_VERSION}); "
            "upgrade skser"
        )
    legacy = version == LEGACY_FORMAT_VERSION
    f.dict(manifest, "", keys=_TOP_KEYS,
           required=("created", "versions", "estimator", "members", "metadata")
           + (() if legacy else ("keras_models", "untrusted_types")))
    created = f.text(manifest["created"], "created", max_len=64)
    try:
        datetime.fromisoformat(created)
    except ValueError:
        f.fail("created", f"is not an ISO 8601 time: {escape_control(repr(created))}")
    versions = f.dict(manifest["versions"], "versions", keys=VERSION_KEYS)
    for key, value in versions.items():
        f.text(value, f"versions.{key}", _VERSION, none=True)
    estimator = f.dict(manifest["estimator"], "estimator", keys=("class", "repr"),
                       required=("class", "repr"))
    f.text(estimator["class"], "estimator.class", _DOTTED, max_len=300)
    f.text(estimator["repr"], "estimator.repr")
    entry_keys = ("member", "step", "class") if legacy else ("step", "class", "n_weights")
    for i, entry in enumerate(f.items(manifest.get("keras_models", []), "keras_models", 1000)):
        field = f"keras_models[{i}]"
        f.dict(entry, field, keys=entry_keys, required=entry_keys)
        f.text(entry["step"], f"{field}.step", max_len=1000, none=legacy)
        f.text(entry["class"], f"{field}.class", _IDENT)
        if legacy:
            check_member_name(entry["member"], f"{path}: manifest field '{field}.member'")
        else:
            f.integer(entry["n_weights"], f"{field}.n_weights", high=100_000)
    for i, name in enumerate(f.items(manifest.get("untrusted_types", []), "untrusted_types",
                                     1000)):
        f.text(name, f"untrusted_types[{i}]", _DOTTED, max_len=300)
    f.dict(manifest["metadata"], "metadata")
    f.json_depth(manifest["metadata"], "metadata")
    members = f.dict(manifest["members"], "members")
    if len(members) > MAX_MEMBERS:
        f.fail("members", f"lists more than {MAX_MEMBERS} members")
    for name, info in members.items():
        check_member_name(name, f"{path}: manifest field 'members'")
        if name in (MANIFEST, SIGNATURE):
            f.fail(f"members.{name}", "names a reserved member")
        f.dict(info, f"members.{name}", keys=("sha256", "size"), required=("sha256", "size"))
        f.text(info["sha256"], f"members.{name}.sha256", _SHA256)
        f.integer(info["size"], f"members.{name}.size")
    return manifest


# -- describing -----------------------------------------------------------------
def _number(value) -> str:
    return f"{value:.3f}" if type(value) is float else escape_control(value)[:100]


def _text(value) -> str:
    """A metadata value as escaped text: strings as they are, anything else as JSON."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return escape_control(text if len(text) <= 2000 else text[:2000] + " ...")


def _model_card_lines(card: dict) -> list[str]:
    """The ``model_card`` metadata of a shipped model, as indented lines."""
    lines = [f"model card: {_text(card.get('name', ''))}"]
    if "intended_use" in card:
        lines.append(f"  intended use: {_text(card['intended_use'])}")
    data = card.get("training_data")
    if isinstance(data, list):
        lines.append("  training data:")
        for entry in data:
            if isinstance(entry, dict):
                lines.append(f"    {_text(entry.get('corpus'))}: {_text(entry.get('files'))} "
                             f"files, {_text(entry.get('speakers'))} speakers, licence "
                             f"{_text(entry.get('licence'))}")
    if "licence_note" in card:
        lines.append(f"  licences: {_text(card['licence_note'])}")
    scores = card.get("scores")
    if isinstance(scores, list) and scores:
        lines.append("  measured on speakers and corpora it never heard:")
        for entry in scores:
            if not isinstance(entry, dict):
                continue
            parts = []
            for metric, label in (("uar", "UAR"), ("accuracy", "accuracy"),
                                  ("macro_f1", "macro F1")):
                ci = entry.get(f"{metric}_ci95")
                ci_text = (f" [{_number(ci[0])}, {_number(ci[1])}]"
                           if isinstance(ci, list) and len(ci) == 2 else "")
                if metric in entry:
                    parts.append(f"{label} {_number(entry[metric])}{ci_text}")
            lines.append(f"    {_text(entry.get('protocol'))}, {_text(entry.get('regime'))}: "
                         + ", ".join(parts))
            per_corpus = entry.get("uar_per_held_out_corpus")
            if isinstance(per_corpus, dict):
                lines.append("      UAR per held-out corpus: " + ", ".join(
                    f"{_text(k)} {_number(v)}" for k, v in per_corpus.items()))
            if "source" in entry:
                lines.append(f"      from {_text(entry['source'])}")
    latency = card.get("latency")
    if isinstance(latency, dict):
        lines.append("  latency: " + "; ".join(f"{_text(k)}: {_text(v)}"
                                               for k, v in latency.items()))
    untested = card.get("not_tested_on")
    if isinstance(untested, list):
        lines.append("  not tested on: " + "; ".join(_text(v) for v in untested))
    for key in ("built_by", "random_state", "training_time_s"):
        if key in card:
            lines.append(f"  {key.replace('_', ' ')}: {_text(card[key])}")
    return lines


def describe_manifest(manifest: dict) -> str:
    """A human-readable summary of a validated manifest, safe to print.

    Every string that comes from the file is printed with control characters
    escaped (see :func:`skser.utils.escape_control`), so a manifest cannot send
    escape sequences to a terminal; metadata of unexpected types is shown as
    JSON rather than trusted to have the usual shape.

    Parameters
    ----------
    manifest : dict
        As returned by :func:`skser.persistence.read_manifest`.

    Returns
    -------
    str
        One item per line: creation time, classes, recipe, estimator and its
        non-default parameters, training data, split, held-out scores, training
        time, library versions, Keras networks, and whether loading runs code.
    """
    e = escape_control
    meta = manifest["metadata"]
    lines = [f"saved: {e(manifest['created'])} (format {manifest['format_version']})"]
    classes = meta.get("classes")
    if isinstance(classes, list):
        lines.append("classes: " + ", ".join(e(c) for c in classes))
    if "recipe" in meta:
        overrides = meta.get("overrides")
        extra = (" (" + " ".join(f"{e(k)}={e(v)}" for k, v in overrides.items()) + ")"
                 if isinstance(overrides, dict) and overrides else "")
        lines.append(f"recipe: {e(meta['recipe'])}{extra}")
    lines.append(f"estimator: {e(manifest['estimator']['class'])}")
    if manifest["estimator"]["repr"]:
        # scikit-learn's repr lists only the parameters that differ from the defaults
        lines.append("parameters (non-default):")
        lines += ["  " + e(line) for line in manifest["estimator"]["repr"].splitlines()]
    if "data_root" in meta:
        corpora = meta.get("corpora")
        corpora = ", ".join(e(c) for c in corpora) if isinstance(corpora, list) else ""
        lines.append(f"trained on: {e(meta['data_root'])} ({corpora})")
    split = meta.get("split")
    if isinstance(split, dict) and split:
        get = lambda key: e(split.get(key))  # noqa: E731
        lines.append(f"split: {get('method')}, {get('n_train')} training and "
                     f"{get('n_test')} held-out files (test_size {get('test_size')}, "
                     f"seed {get('random_state')})")
    scores = meta.get("scores")
    if isinstance(scores, dict) and scores:
        lines.append("held-out scores: " + ", ".join(f"{e(k)} {_number(v)}"
                                                     for k, v in scores.items()))
    if "training_time_s" in meta:
        lines.append(f"training time: {e(meta['training_time_s'])} s")
    card = meta.get("model_card")
    if isinstance(card, dict):
        lines += _model_card_lines(card)
    shown = {"classes", "recipe", "overrides", "data_root", "corpora", "split", "scores",
             "training_time_s", "model_card"}
    for key, value in meta.items():
        if key not in shown:
            lines.append(f"{e(key)}: {_text(value)}")
    lines.append("versions: " + ", ".join(f"{e(k)} {e(v)}"
                                          for k, v in manifest["versions"].items() if v))
    nets = manifest.get("keras_models") or []
    if nets:
        lines.append(f"networks: {len(nets)} Keras network(s): "
                     + ", ".join(f"{e(n['class'])} at {e(n['step'])}" for n in nets))
    untrusted = manifest.get("untrusted_types") or []
    if manifest["format_version"] == LEGACY_FORMAT_VERSION:
        lines.append("safety: format 1 (skser 0.1): the estimator is a pickle, which can run "
                     "code; load it only with trusted=True if you trust its origin, then save "
                     "it again")
    elif untrusted:
        lines.append("safety: holds pickled objects of types outside skser's list ("
                     + ", ".join(e(t) for t in untrusted) + "): loading needs trusted=True")
    else:
        lines.append("safety: no pickles: loading runs no code from the file")
    return "\n".join(lines)
