"""The ``skser`` command line: ``demo``, ``train``, ``evaluate``, ``predict``, ``info``.

Exit codes: 0 success; 1 an error skser reports (``skser: error: <message>``,
no traceback); 2 a usage error (argparse); 3 the data folder was not found.

TensorFlow, librosa and matplotlib are imported inside the subcommands, so
``skser --help`` answers at once.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from ._version import __version__
from .exceptions import CorpusError, LabelError, ModelFileError, SkserError
from .recipes import DEFAULT_RECIPE, PIPELINES

__all__ = ["main", "DataNotFoundError"]

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NO_DATA = 3

#: ``skser demo``'s recipe: the fastest to train, so the demo takes about a minute.
DEMO_RECIPE = "acoustic-conv1d"

# The demo's corpus and training length. Full: 480 two-second files of 8
# speakers and 8 emotions, 40 epochs (`time skser demo`: 50 s on 2 shared CPU
# cores, test accuracy 0.64 against a chance level of 0.13). --quick: 84
# one-second files of 6 speakers and 4 emotions, 20 epochs (`time skser demo
# --quick`: 32 s, accuracy 0.57 against 0.29).
_DEMO_SIZES = {
    False: {"corpus": {"n_speakers": 8, "n_statements": 2, "n_repetitions": 2,
                       "duration": 2.0}, "epochs": 40},
    True: {"corpus": {"n_speakers": 6, "n_statements": 2, "n_repetitions": 1,
                      "duration": 1.0, "emotions": ["neutral", "happy", "sad", "angry"]},
           "epochs": 20},
}


class DataNotFoundError(CorpusError):
    """The data folder named on the command line does not exist (exit code 3)."""


# -- helpers -------------------------------------------------------------------

def _note(message: str) -> None:
    """A progress or status line; stderr, so stdout holds only results."""
    print(f"skser: {message}", file=sys.stderr, flush=True)


def _verbosity(args) -> int:
    """0 quiet; 1 progress bars (stderr is a terminal); 2 one line per epoch (--progress)."""
    if sys.stderr.isatty():
        return 1
    return 2 if getattr(args, "progress", False) else 0


def _split_names(values) -> list[str] | None:
    """``["a,b", "c"]`` -> ``["a", "b", "c"]``; ``None`` stays ``None``."""
    if not values:
        return None
    names = [v.strip() for value in values for v in value.split(",")]
    return [v for v in names if v]


def _parse_overrides(items) -> dict:
    """``["step__param=VALUE", ...]`` -> dict; VALUE is a Python literal or a string."""
    overrides = {}
    for item in items or ():
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise SkserError(f"--set expects NAME=VALUE, got {item!r}")
        try:
            overrides[key.strip()] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            overrides[key.strip()] = raw
    return overrides


def _relative_paths(paths, root: Path) -> list[str]:
    """Paths relative to ``root``, with forward slashes (stable across machines)."""
    root = root.resolve()
    return [Path(os.path.relpath(Path(p).resolve(), root)).as_posix() for p in paths]


def _load_data(root, corpora=None, emotions=None):
    """The corpus DataFrame of ``root``: a folder of corpora, or one corpus folder.

    One corpus folder is recognised by its layout (RAVDESS, CREMA-D, TESS,
    SAVEE, in that order), else read as one sub-folder per emotion. Recordings
    the corpus releases hold twice are dropped.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataNotFoundError(f"data folder not found: {root}")
    from . import datasets

    try:
        df = datasets.load_corpora(root, corpora=corpora)
    except CorpusError as exc:
        if corpora is not None:
            raise
        df = _load_single_corpus(root, exc)
    n_files = len(df)
    df = datasets.drop_known_duplicates(df)
    if len(df) < n_files:
        _note(f"dropped {n_files - len(df)} recording(s) the corpus releases hold twice")
    if emotions is not None:
        unknown = sorted(set(emotions) - set(datasets.EMOTIONS))
        if unknown:
            raise LabelError(
                f"unknown emotion(s) {', '.join(unknown)}; known: {', '.join(datasets.EMOTIONS)}"
            )
        df = df[df["emotion"].isin(emotions)]
    if len(df) == 0:
        raise CorpusError(f"{root}: no audio files with the requested emotions")
    return df.reset_index(drop=True)


def _load_single_corpus(root: Path, not_corpora: CorpusError):
    from . import datasets

    problems = [f"load_corpora: {not_corpora}"]
    for loader in (datasets.load_ravdess, datasets.load_cremad, datasets.load_tess,
                   datasets.load_savee):
        try:
            return loader(root)
        except CorpusError as exc:
            problems.append(f"{loader.__name__}: {exc}")
    try:
        return datasets.load_folder(root, allow_unknown_labels=False)
    except CorpusError as exc:
        problems.append(f"load_folder: {exc}")
    raise CorpusError(
        f"{root} is neither a folder of corpora (ravdess/, cremad/, tess/, savee/) nor one "
        "corpus in a known layout:\n  " + "\n  ".join(problems)
    )


def _split(df, *, method: str, test_size: float, seed: int | None):
    """Held-out split: by speaker (no speaker in both parts) or at random, stratified."""
    if method == "speaker":
        from .model_selection import speaker_train_test_split

        return speaker_train_test_split(df, test_size=test_size, random_state=seed)
    from sklearn.model_selection import train_test_split

    try:
        return train_test_split(df, test_size=test_size, random_state=seed,
                                stratify=df["emotion"])
    except ValueError as exc:
        raise SkserError(f"cannot split {len(df)} files at random: {exc}") from None


def _describe(df) -> str:
    counts = df["emotion"].value_counts().sort_index()
    per_class = ", ".join(f"{e} {n}" for e, n in counts.items())
    n_speakers = df["speaker"].nunique() if "speaker" in df else 0
    # A folder-per-emotion layout has no speaker names: say nothing rather than "0 speakers".
    speakers = f", {n_speakers} speaker{'s' if n_speakers != 1 else ''}" if n_speakers else ""
    return f"{len(df)} file{'s' if len(df) != 1 else ''}{speakers} ({per_class})"


def _check_model_path(path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    return path


def _load_model(path):
    from .persistence import load

    return load(_check_model_path(path))


def _report(y_true, y_pred, labels, groups=None) -> dict:
    from .metrics import emotion_report

    return emotion_report(y_true, y_pred, labels=labels, groups=groups)


def _headline(report: dict) -> dict:
    return {k: float(report[k]) for k in ("accuracy", "macro_f1", "uar")}


def _chance(y_true) -> tuple[float, str, int]:
    """Accuracy of always predicting the most frequent class, that class, n classes."""
    import pandas as pd

    counts = pd.Series(y_true).value_counts()
    return float(counts.iloc[0] / counts.sum()), str(counts.index[0]), len(counts)


def _chance_line(y_true) -> str:
    accuracy, majority, n_classes = _chance(y_true)
    return (
        f"chance level: accuracy {accuracy:.3f} (always '{majority}'), "
        f"UAR {1 / n_classes:.3f} (1 / {n_classes} classes)"
    )


def _save_plot(ax_or_fig, path: Path) -> Path:
    """Write a plot to ``path`` and free it (the command line never shows plots)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plotting import save_figure

    save_figure(ax_or_fig, path)
    plt.close(ax_or_fig.figure)
    return path


def _save_confusion(y_true, y_pred, labels, path: Path) -> Path:
    from .plotting import plot_confusion_matrix

    return _save_plot(plot_confusion_matrix(y_true, y_pred, labels=labels, normalize="true"),
                      path)


def _dump_json(obj) -> None:
    print(json.dumps(obj, indent=2))


def _print_report(title: str, df, report: dict) -> None:
    """The report on the files of ``df``, then the chance level to compare it with."""
    from .metrics import format_report

    print(f"{title}: {_describe(df)}")
    print(format_report(report))
    print(_chance_line(df["emotion"]))
    if report["accuracy"] <= _chance(df["emotion"])[0]:
        _note("the model does not beat chance on these files")


def _model_input(df):
    """What a model reads of a corpus table: its paths, with their speakers where known.

    Every recipe reads a DataFrame's ``path`` column; the speaker-normalizing ones also
    read its ``speaker`` column.
    """
    if "speaker" in df and df["speaker"].notna().all():
        return df[["path", "speaker"]].reset_index(drop=True)
    return df["path"].tolist()


def _fit_evaluate(model, train_df, test_df):
    """Fit on ``train_df``, predict ``test_df``; returns (y_pred, report, seconds)."""
    start = time.perf_counter()
    model.fit(_model_input(train_df), train_df["emotion"].to_numpy())
    seconds = time.perf_counter() - start
    y_pred = model.predict(_model_input(test_df))
    report = _report(test_df["emotion"].to_numpy(), y_pred, list(model.classes_),
                     groups=test_df["corpus"].to_numpy())
    return y_pred, report, seconds


# -- subcommands ---------------------------------------------------------------

def _cmd_demo(args) -> int:
    from .datasets import make_synthetic_corpus
    from .recipes import make_recipe

    size = _DEMO_SIZES[args.quick]
    out = Path(args.out) if args.out else Path("skser_demo_output")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="skser_demo_") as tmp:
        # An explicit --out keeps the corpus next to the results, for `skser train`.
        corpus_root = out / "corpus" if args.out else Path(tmp)
        _note(f"writing a synthetic corpus to {corpus_root}")
        df = make_synthetic_corpus(corpus_root, random_state=args.seed, **size["corpus"])
        train_df, test_df = _split(df, method="speaker", test_size=0.25, seed=args.seed)
        epochs = args.epochs if args.epochs is not None else size["epochs"]
        model = make_recipe(args.recipe, epochs=epochs, random_state=args.seed,
                            verbose=_verbosity(args))
        _note(f"training {args.recipe!r} for up to {epochs} epochs on {_describe(train_df)}")
        y_pred, report, seconds = _fit_evaluate(model, train_df, test_df)

    from .plotting import plot_training_history

    _print_report("speaker-independent test set", test_df, report)
    print(f"training took {seconds:.1f} s")
    cm_path = _save_confusion(test_df["emotion"].to_numpy(), y_pred, list(model.classes_),
                              out / "confusion_matrix.png")
    if hasattr(model[-1], "history_"):
        curves_path = _save_plot(plot_training_history(model), out / "training_curves.png")
        print(f"wrote {cm_path} and {curves_path}")
    else:  # an SVC or an ensemble: no epochs, no curves
        print(f"wrote {cm_path} ({args.recipe!r} has no training curves)")
    return 0


def _cmd_train(args) -> int:
    from .persistence import save
    from .recipes import make_recipe

    root = Path(args.data)
    df = _load_data(root, _split_names(args.corpora), _split_names(args.emotions))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)  # fail before training, not after
    train_df, test_df = _split(df, method=args.split, test_size=args.test_size, seed=args.seed)
    overrides = _parse_overrides(args.set)
    model = make_recipe(args.recipe, epochs=args.epochs, random_state=args.seed,
                        n_jobs=args.n_jobs, verbose=_verbosity(args), **overrides)
    _note(f"training {args.recipe!r} on {_describe(train_df)}")
    y_pred, report, seconds = _fit_evaluate(model, train_df, test_df)
    _print_report(f"held-out test set ({args.split} split)", test_df, report)
    metadata = {
        "classes": [str(c) for c in model.classes_],
        "recipe": args.recipe,
        "overrides": dict(item.split("=", 1) for item in args.set or ()),
        "data_root": str(root.resolve()),
        "corpora": sorted(df["corpus"].unique().tolist()),
        "split": {
            "method": args.split,
            "test_size": args.test_size,
            "random_state": args.seed,
            "n_train": len(train_df),
            "n_test": len(test_df),
        },
        "test_files": _relative_paths(test_df["path"], root),
        "scores": _headline(report),
        "training_time_s": round(seconds, 2),
    }
    _set_runtime(model, verbose=0)  # progress output is not part of the model
    save(model, args.out, metadata=metadata)
    print(f"saved the model to {args.out} (training took {seconds:.1f} s)")
    return 0


def _evaluation_set(df, metadata: dict, root: Path, use_all: bool):
    """The rows to evaluate on: the model's held-out files when present, else all.

    Held-out files are stored relative to the training data folder; they are
    found under ``root`` whether it is that folder (possibly moved) or a
    sub-folder of it.
    """
    held_out = metadata.get("test_files") or []
    if use_all or not held_out:
        return df, "all files"
    wanted = {(root / rel).resolve() for rel in held_out}
    if metadata.get("data_root"):
        wanted |= {Path(metadata["data_root"], rel).resolve() for rel in held_out}
    selected = df[[Path(p).resolve() in wanted for p in df["path"]]]
    if len(selected) == 0:
        _note(f"none of the model's {len(held_out)} held-out files are under {root}; "
              "evaluating on all its files (scores are optimistic if the model was trained "
              "on some of them)")
        return df, "all files"
    if len(selected) < len(held_out):
        _note(f"{len(held_out) - len(selected)} of the model's {len(held_out)} held-out "
              f"files are not under {root}")
    return selected, "the model's held-out files"


def _cmd_evaluate(args) -> int:
    from .persistence import read_manifest

    model_path = _check_model_path(args.model)
    metadata = read_manifest(model_path).get("metadata") or {}
    root = Path(args.data)
    df = _load_data(root)
    df, which = _evaluation_set(df, metadata, root, args.all)
    model = _load_model(model_path)
    classes = [str(c) for c in model.classes_]
    df, changes = _map_labels(df, args.map, args.drop, classes)
    if len(df) == 0:
        raise CorpusError(f"{root}: no files with the model's emotions ({', '.join(classes)})")
    _set_runtime(model, verbose=_verbosity(args), n_jobs=args.n_jobs)
    if args.json:
        _note(f"evaluating on {which}: {_describe(df)}")
    y_true = df["emotion"].to_numpy()
    y_pred = model.predict(_model_input(df))
    report = _report(y_true, y_pred, classes, groups=df["corpus"].to_numpy())
    out = Path(args.out) if args.out else model_path.parent
    out.mkdir(parents=True, exist_ok=True)
    cm_path = _save_confusion(y_true, y_pred, classes, out / "confusion_matrix.png")
    if args.json:
        _dump_json({**report, "label_changes": changes})
    else:
        for line in _label_change_lines(changes):
            print(line)
        _print_report(f"evaluated on {which}", df, report)
    _note(f"wrote {cm_path}")
    return 0


_NOT_A_CLASS = "not a class of the model"


def _parse_label_map(items) -> dict:
    """``["calm=neutral", "surprised=happy,boredom=neutral"]`` -> ``{"calm": "neutral", ...}``."""
    mapping = {}
    for item in _split_names(items) or ():
        source, sep, target = item.partition("=")
        source, target = source.strip(), target.strip()
        if not sep or not source or not target:
            raise SkserError(f"--map expects FROM=TO, got {item!r}")
        if mapping.get(source, target) != target:
            raise SkserError(f"--map maps {source!r} twice: to {mapping[source]!r} and "
                             f"{target!r}")
        mapping[source] = target
    return mapping


def _map_labels(df, map_items, drop_items, classes):
    """Apply --map and --drop, then drop the emotions the model was not trained on.

    Returns the remaining rows and a summary of the changes (for the report).
    """
    from .datasets import map_labels

    try:
        df, summary = map_labels(df, mapping=_parse_label_map(map_items),
                                 drop=_split_names(drop_items), keep=classes)
    except LabelError as exc:
        raise LabelError(f"--map/--drop: {exc}") from None
    for change in summary["dropped"].values():
        change["reason"] = "--drop" if change["reason"] == "drop" else _NOT_A_CLASS
    unknown = {e: c["n"] for e, c in summary["dropped"].items() if c["reason"] == _NOT_A_CLASS}
    if unknown:
        _note(f"dropped {sum(unknown.values())} files of emotions the model does not know: "
              + ", ".join(f"{e} ({n})" for e, n in unknown.items()))
    return df, summary


def _label_change_lines(summary) -> list[str]:
    """The label changes of the evaluation set, one line each (none: no line)."""
    lines = [f"label map: merged {source} into {change['to']} ({change['n']} files relabelled)"
             for source, change in summary["mapped"].items()]
    lines += [f"label map: dropped {label} ({change['n']} files; {change['reason']})"
              for label, change in summary["dropped"].items()]
    if lines:
        lines.append(f"label map: {summary['n_before']} files before, {summary['n_after']} "
                     "after")
    return lines


def _set_runtime(model, *, verbose: int, n_jobs: int | None = None) -> None:
    """Progress output and workers of a fitted pipeline's steps.

    The classifier stays quiet: Keras prints to stdout, which holds the results.
    """
    from .recipes import _set_where_accepted

    steps = [step for _, step in model.steps]
    _set_where_accepted(steps[:-1], {"verbose": verbose} if n_jobs is None
                       else {"verbose": verbose, "n_jobs": n_jobs})
    _set_where_accepted(steps[-1:], {"verbose": 0})


def _predict_each(model, paths: list[str], speaker: str | None = None) -> list:
    """Class probabilities per file, or the error of each file that failed.

    With ``speaker``, every file is that speaker's (for speaker-normalizing models).
    """
    if not paths:
        return []

    def inputs(files):
        if speaker is None:
            return files
        import pandas as pd

        return pd.DataFrame({"path": files, "speaker": speaker})

    try:
        return list(model.predict_proba(inputs(paths)))
    except ValueError:
        pass  # some file is bad: redo one by one, to name it and keep the others
    results = []
    for path in paths:
        try:
            results.append(model.predict_proba(inputs([path]))[0])
        except ValueError as exc:
            message = str(exc)
            results.append(message if path in message else f"{path}: {message}")
    return results


_TIMELINE_ONLY = ("window", "hop", "out", "gate_db", "no_gate")


def _cmd_predict(args) -> int:
    if args.timeline:
        if args.speaker is not None:
            raise SkserError("--speaker does not apply with --timeline")
        return _cmd_timeline(args)
    given = [f"--{name.replace('_', '-')}" for name in _TIMELINE_ONLY
             if getattr(args, name) not in (None, False)]
    if given:
        raise SkserError(f"{', '.join(given)} only apply with --timeline")
    model = _load_model(args.model)
    _set_runtime(model, verbose=0)
    classes = [str(c) for c in model.classes_]
    readable = [f for f in args.files if Path(f).is_file()]
    outcome = dict(zip(readable, _predict_each(model, readable, args.speaker)))
    records = []
    for path in args.files:
        result = outcome.get(path, f"{path}: no such file")
        if isinstance(result, str):
            records.append({"path": path, "error": result})
            continue
        probs = sorted(zip(classes, map(float, result)), key=lambda cp: -cp[1])
        records.append({"path": path, "emotion": probs[0][0], "probabilities": dict(probs)})
    if args.json:
        _dump_json(records)
    for rec in records:
        if "error" in rec:
            print(f"skser: error: {rec['error']}", file=sys.stderr)
        elif not args.json:
            probs = " ".join(f"{c}={p:.3f}" for c, p in rec["probabilities"].items())
            print(f"{rec['path']}\t{rec['emotion']}\t{probs}")
    return EXIT_ERROR if any("error" in rec for rec in records) else 0


def _timeline_records(timeline) -> list[dict]:
    """Rows of a timeline as JSON-ready dicts: NaN -> None, numpy scalars -> Python."""
    import math

    records = []
    for row in timeline.to_dict(orient="records"):
        records.append({
            key: (None if isinstance(value, float) and math.isnan(value)
                  else value.item() if hasattr(value, "item") else value)
            for key, value in row.items()
        })
    return records


def _cmd_timeline(args) -> int:
    from .timeline import predict_timeline

    if len(args.files) != 1:
        raise SkserError(f"--timeline takes one FILE, got {len(args.files)}")
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".csv", ".json"):
        raise SkserError(f"--out {out}: the file name must end in .csv or .json")
    model = _load_model(args.model)
    _set_runtime(model, verbose=0)
    timeline = predict_timeline(
        model, args.files[0], window=args.window, hop=args.hop if args.hop else 1.0,
        gate=None if args.no_gate else "rms",
        gate_db=args.gate_db if args.gate_db is not None else -45.0,
        verbose=1 if sys.stderr.isatty() else 0,
    )
    n_silent = int(timeline["silent"].sum())
    if len(timeline) == 0:
        _note(f"{args.files[0]} is shorter than half a window: no windows to classify")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".csv":
            timeline.to_csv(out, index=False)
        else:
            out.write_text(json.dumps(_timeline_records(timeline), indent=2) + "\n")
        _note(f"wrote {len(timeline)} windows ({n_silent} silent) to {out}")
    elif args.json:
        _dump_json(_timeline_records(timeline))
    else:
        shown = timeline.assign(emotion=timeline["emotion"].fillna("-"))
        print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}",
                              na_rep="-"))
    return 0


def _cmd_info(args) -> int:
    from .persistence import read_manifest

    manifest = read_manifest(_check_model_path(args.model))
    if args.json:
        _dump_json(manifest)
        return 0
    meta = manifest.get("metadata") or {}
    estimator = manifest.get("estimator") or {}
    lines = [f"model: {args.model}  (saved {manifest.get('created', '?')})"]
    if "classes" in meta:
        lines.append(f"classes: {', '.join(meta['classes'])}")
    if "recipe" in meta:
        overrides = " ".join(f"{k}={v}" for k, v in (meta.get("overrides") or {}).items())
        lines.append(f"recipe: {meta['recipe']}" + (f" ({overrides})" if overrides else ""))
    lines.append(f"estimator: {estimator.get('class', '?')}")
    if estimator.get("repr"):
        # scikit-learn's repr lists only the parameters that differ from the defaults
        lines.append("parameters (non-default):")
        lines += ["  " + line for line in estimator["repr"].splitlines()]
    if "data_root" in meta:
        lines.append(f"trained on: {meta['data_root']} ({', '.join(meta.get('corpora', []))})")
    split = meta.get("split") or {}
    if split:
        lines.append(
            f"split: {split.get('method')}, {split.get('n_train')} training and "
            f"{split.get('n_test')} held-out files (test_size {split.get('test_size')}, "
            f"seed {split.get('random_state')})"
        )
    if meta.get("scores"):
        lines.append("held-out scores: " + ", ".join(
            f"{k} {v:.3f}" for k, v in meta["scores"].items()))
    if "training_time_s" in meta:
        lines.append(f"training time: {meta['training_time_s']} s")
    versions = manifest.get("versions") or {}
    lines.append("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print("\n".join(lines))
    return 0


# -- parser --------------------------------------------------------------------

def _fraction(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a fraction between 0 and 1, got {text}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


_RECIPE_HELP = "pipeline recipe (default %(default)s); see 'recipes:' below"
_RECIPES_EPILOG = "\nrecipes:\n" + "".join(
    textwrap.fill(desc, width=79, initial_indent=f"  {name:<18}", subsequent_indent=" " * 20)
    + "\n"
    for name, desc in PIPELINES.items()
)


def _subparser(subparsers, name: str, summary: str, examples: str, **kwargs):
    return subparsers.add_parser(
        name, help=summary, description=summary,
        epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs,
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skser",
        description="Speech emotion recognition with scikit-learn pipelines.",
        epilog=(
            "examples:\n"
            "  skser demo                                  # synthetic data, end to end\n"
            "  skser train --data ../shared/data --out model.skser\n"
            "  skser evaluate model.skser --data ../shared/data\n"
            "  skser predict model.skser clip1.wav clip2.wav\n"
            "  skser predict model.skser interview.wav --timeline --out timeline.csv\n"
            "  skser info model.skser\n\n"
            "exit codes: 0 success, 1 error, 2 usage error, 3 data folder not found"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"skser {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    progress = argparse.ArgumentParser(add_help=False)
    progress.add_argument("--progress", action="store_true",
                          help="show progress bars even when stderr is not a terminal")

    demo = _subparser(
        sub, "demo", "train and evaluate a recipe on a generated corpus, end to end",
        "  skser demo\n"
        "  skser demo --quick --out /tmp/demo\n"
        "  skser demo --recipe mel-cnn2d --epochs 20 --seed 1\n" + _RECIPES_EPILOG,
        parents=[progress],
    )
    demo.add_argument("--out", metavar="DIR",
                      help="folder for the plots (default ./skser_demo_output); when given, "
                           "the generated corpus is kept in DIR/corpus")
    demo.add_argument("--recipe", default=DEMO_RECIPE, choices=PIPELINES, metavar="NAME",
                      help=_RECIPE_HELP)
    demo.add_argument("--epochs", type=_positive_int, metavar="N",
                      help="training epochs (default: sized for the demo)")
    demo.add_argument("--quick", action="store_true",
                      help="a smaller corpus and fewer epochs (seconds, for smoke tests)")
    demo.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    demo.set_defaults(func=_cmd_demo)

    train = _subparser(
        sub, "train", "train a recipe on a corpus folder, evaluate on held-out speakers, save",
        "  skser train --data ../shared/data --out model.skser\n"
        "  skser train --data ../shared/data --corpora ravdess,tess --out model.skser\n"
        "  skser train --data ../shared/data --recipe reference-b-mel --split random \\\n"
        "      --emotions neutral,happy,sad,angry,fearful,disgust,surprised --out refb.skser\n"
        "  skser train --data corpus/ --out m.skser --epochs 5 "
        "--set conv1dclassifier__batch_size=32\n" + _RECIPES_EPILOG,
        parents=[progress],
    )
    train.add_argument("--data", required=True, metavar="ROOT",
                       help="folder of corpora (ravdess/, cremad/, tess/, savee/) or one corpus")
    train.add_argument("--out", required=True, metavar="MODEL", help="model file to write")
    train.add_argument("--recipe", default=DEFAULT_RECIPE, choices=PIPELINES, metavar="NAME",
                       help=_RECIPE_HELP)
    train.add_argument("--corpora", nargs="+", metavar="NAMES",
                       help="corpora to use, comma-separated (default: all found)")
    train.add_argument("--emotions", nargs="+", metavar="NAMES",
                       help="emotions to keep, comma-separated (default: all)")
    train.add_argument("--test-size", type=_fraction, default=0.2, metavar="F",
                       help="fraction held out for testing (default %(default)s)")
    train.add_argument("--split", choices=("speaker", "random"), default="speaker",
                       help="hold out whole speakers (default) or random files")
    train.add_argument("--epochs", type=_positive_int, metavar="N",
                       help="training epochs (default: the recipe's)")
    train.add_argument("--seed", type=int, default=0, metavar="S",
                       help="random seed of the split and the model (default 0)")
    train.add_argument("--n-jobs", type=int, metavar="N",
                       help="parallel workers for feature extraction (-1: all cores)")
    train.add_argument("--set", action="append", metavar="PARAM=VALUE",
                       help="set a pipeline parameter, e.g. conv1dclassifier__batch_size=32 "
                            "(repeatable; VALUE is a Python literal or a string)")
    train.set_defaults(func=_cmd_train)

    evaluate = _subparser(
        sub, "evaluate",
        "score a saved model on its held-out files (or on every file with --all)",
        "  skser evaluate model.skser --data ../shared/data\n"
        "  skser evaluate model.skser --data ../shared/data/savee --all --json\n"
        "  skser evaluate model.skser --data ../shared/data/ravdess --all \\\n"
        "      --map calm=neutral --drop surprised\n\n"
        "Files of emotions the model was not trained on are dropped, after --map and\n"
        "--drop; the report says which emotions were merged or dropped and how many\n"
        "files each changed.\n",
        parents=[progress],
    )
    evaluate.add_argument("model", metavar="MODEL")
    evaluate.add_argument("--data", required=True, metavar="ROOT",
                          help="folder of corpora or one corpus")
    evaluate.add_argument("--all", action="store_true",
                          help="every file of ROOT whose emotion the model knows, not only "
                               "the held-out files recorded at training time")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument("--out", metavar="DIR",
                          help="folder for confusion_matrix.png (default: next to MODEL)")
    evaluate.add_argument("--n-jobs", type=int, metavar="N",
                          help="parallel workers for feature extraction (-1: all cores)")
    evaluate.add_argument("--map", action="append", metavar="FROM=TO",
                          help="relabel emotion FROM as TO before scoring, e.g. calm=neutral "
                               "(repeatable or comma-separated; TO must be a class of the "
                               "model)")
    evaluate.add_argument("--drop", action="append", metavar="LABEL",
                          help="leave out the files of emotion LABEL (repeatable or "
                               "comma-separated)")
    evaluate.set_defaults(func=_cmd_evaluate)

    predict = _subparser(
        sub, "predict",
        "predict the emotion of audio files with a saved model, or of a long recording "
        "over time (--timeline)",
        "  skser predict model.skser clip.wav\n"
        "  skser predict model.skser recordings/*.wav --json\n"
        "  skser predict model.skser interview.wav --timeline\n"
        "  skser predict model.skser interview.flac --timeline --hop 0.5 --out timeline.csv\n"
        "\n"
        "--timeline cuts the recording into windows (default: as long as the clips the\n"
        "model was trained on) starting every --hop seconds and prints one row per window:\n"
        "start and end (s), emotion, confidence, silent, then one proba_<emotion> column\n"
        "per class. Windows quieter than --gate-db are marked silent and not classified.\n"
        "The file is streamed, so recordings of any length fit in memory.\n",
    )
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("files", nargs="+", metavar="FILE", help="audio files")
    predict.add_argument("--json", action="store_true", help="print results as JSON")
    predict.add_argument("--speaker", metavar="NAME",
                         help="the files are all this speaker's: a speaker-normalizing model "
                              "(the default recipe) then uses the speaker's statistics "
                              "(from training, or from these files when there are enough)")
    predict.add_argument("--timeline", action="store_true",
                         help="predict one FILE window by window (an emotion timeline)")
    predict.add_argument("--window", type=_seconds, metavar="S",
                         help="window length in seconds (default: the model's clip duration)")
    predict.add_argument("--hop", type=_seconds, metavar="S",
                         help="seconds between window starts (default 1.0)")
    predict.add_argument("--gate-db", type=float, metavar="DB",
                         help="windows below this RMS level (dB full scale) are silent "
                              "(default -45)")
    predict.add_argument("--no-gate", action="store_true",
                         help="classify every window, however quiet")
    predict.add_argument("--out", metavar="FILE",
                         help="write the timeline to FILE.csv or FILE.json instead of printing")
    predict.set_defaults(func=_cmd_predict)

    info = _subparser(
        sub, "info", "show what a saved model is: classes, recipe, data, scores, versions",
        "  skser info model.skser\n"
        "  skser info model.skser --json\n",
    )
    info.add_argument("model", metavar="MODEL")
    info.add_argument("--json", action="store_true", help="print the whole manifest as JSON")
    info.set_defaults(func=_cmd_info)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``skser`` command line.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; ``None`` reads ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit code: 0 success, 1 an error skser reports, 2 a usage error,
        3 the data folder was not found.

    Examples
    --------
    >>> from skser.cli import main
    >>> main(["--version"])  # doctest: +ELLIPSIS
    skser ...
    0
    """
    # TensorFlow's C++ start-up logs ("failed call to cuInit" on machines
    # without a GPU) read like failures on a terminal; Python errors still show.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 0
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except DataNotFoundError as exc:
        print(f"skser: error: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    except SkserError as exc:
        print(f"skser: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ValueError as exc:
        # scikit-learn's parameter validation: a bad --set value, reported like
        # skser's errors; any other ValueError is a bug and keeps its traceback.
        from sklearn.utils._param_validation import InvalidParameterError

        if not isinstance(exc, InvalidParameterError):
            raise
        print(f"skser: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
