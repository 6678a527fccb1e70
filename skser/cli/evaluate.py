"""``skser evaluate``: score a saved model on its held-out files (or on every file)."""

from __future__ import annotations

from pathlib import Path

from ..exceptions import CorpusError, LabelError, ModelFileError
from ..utils._columns import CORPUS_COLUMN, EMOTION_COLUMN
from ._common import (
    add_progress_argument,
    check_model_path,
    describe,
    dump_json,
    load_data,
    load_model,
    metadata_strings,
    model_input,
    note,
    print_report,
    report,
    save_confusion,
    set_runtime,
    split_names,
    verbosity,
)

SUMMARY = "score a saved model on its held-out files (or on every file with --all)"
EXAMPLES = (
    "  skser evaluate model.skser --data corpora\n"
    "  skser evaluate model.skser --data corpora/savee --all --json\n"
    "  skser evaluate model.skser --data corpora/ravdess --all \\\n"
    "      --map calm=neutral --drop surprised\n\n"
    "Files of emotions the model was not trained on are dropped, after --map and\n"
    "--drop; the report says which emotions were merged or dropped and how many\n"
    "files each changed.\n"
)

_NOT_A_CLASS = "not a class of the model"


def add_arguments(parser) -> None:
    add_progress_argument(parser)
    parser.add_argument("model", metavar="MODEL", nargs="?",
                        help="model file (default: skser's shipped model)")
    parser.add_argument("--data", required=True, metavar="ROOT",
                        help="folder of corpora or one corpus")
    parser.add_argument("--all", action="store_true",
                        help="every file of ROOT whose emotion the model knows, not only "
                             "the held-out files recorded at training time")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--out", metavar="DIR",
                        help="folder for confusion_matrix.png (default: next to MODEL, or the "
                             "current folder for the shipped model)")
    parser.add_argument("--n-jobs", type=int, metavar="N",
                        help="parallel workers for feature extraction (-1: all cores)")
    parser.add_argument("--map", action="append", metavar="FROM=TO",
                        help="relabel emotion FROM as TO before scoring, e.g. calm=neutral "
                             "(repeatable or comma-separated; TO must be a class of the "
                             "model)")
    parser.add_argument("--drop", action="append", metavar="LABEL",
                        help="leave out the files of emotion LABEL (repeatable or "
                             "comma-separated)")


def run(args) -> int:
    from ..persistence import read_manifest

    model_path = check_model_path(args.model)
    metadata = read_manifest(model_path).get("metadata") or {}
    root = Path(args.data)
    df = load_data(root)
    df, which = _evaluation_set(df, metadata, root, args.all)
    model = load_model(model_path)
    classes = [str(c) for c in model.classes_]
    df, changes = _map_labels(df, args.map, args.drop, classes)
    if len(df) == 0:
        raise CorpusError(f"{root}: no files with the model's emotions ({', '.join(classes)})")
    set_runtime(model, verbose=verbosity(args), n_jobs=args.n_jobs)
    if args.json:
        note(f"evaluating on {which}: {describe(df)}")
    y_true = df[EMOTION_COLUMN].to_numpy()
    y_pred = model.predict(model_input(df))
    scores = report(y_true, y_pred, classes, groups=df[CORPUS_COLUMN].to_numpy())
    out = Path(args.out) if args.out else model_path.parent if args.model else Path(".")
    out.mkdir(parents=True, exist_ok=True)
    cm_path = save_confusion(y_true, y_pred, classes, out / "confusion_matrix.png")
    if args.json:
        dump_json({**scores, "label_changes": changes})
    else:
        for line in _label_change_lines(changes):
            print(line)
        print_report(f"evaluated on {which}", df, scores)
    note(f"wrote {cm_path}")
    return 0


def _evaluation_set(df, metadata: dict, root: Path, use_all: bool):
    """The rows to evaluate on: the model's held-out files when present, else all.

    Held-out files are stored relative to the training data folder; they are
    found under ``root`` whether it is that folder (possibly moved) or a
    sub-folder of it.
    """
    from ..model_selection import select_held_out

    held_out = metadata_strings(metadata, "test_files")
    if use_all or not held_out:
        return df, "all files"
    data_root = metadata.get("data_root")
    if data_root is not None and not isinstance(data_root, str):
        raise ModelFileError("the model file's metadata field 'data_root' must be a string")
    roots = [root, *([data_root] if data_root else [])]
    selected = select_held_out(df, held_out, roots)
    if len(selected) == 0:
        note(f"none of the model's {len(held_out)} held-out files are under {root}; "
             "evaluating on all its files (scores are optimistic if the model was trained "
             "on some of them)")
        return df, "all files"
    if len(selected) < len(held_out):
        note(f"{len(held_out) - len(selected)} of the model's {len(held_out)} held-out "
             f"files are not under {root}")
    return selected, "the model's held-out files"


def _map_labels(df, map_items, drop_items, classes):
    """Apply --map and --drop, then drop the emotions the model was not trained on.

    Returns the remaining rows and a summary of the changes (for the report).
    """
    from ..datasets import map_labels, parse_label_map

    mapping = parse_label_map(map_items, name="--map")
    try:
        df, summary = map_labels(df, mapping=mapping, drop=split_names(drop_items), keep=classes)
    except LabelError as exc:
        raise LabelError(f"--map/--drop: {exc}") from None
    for change in summary["dropped"].values():
        change["reason"] = "--drop" if change["reason"] == "drop" else _NOT_A_CLASS
    unknown = {e: c["n"] for e, c in summary["dropped"].items() if c["reason"] == _NOT_A_CLASS}
    if unknown:
        note(f"dropped {sum(unknown.values())} files of emotions the model does not know: "
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
