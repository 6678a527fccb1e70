"""``skser train``: train a recipe on a data folder, evaluate it on held-out files, save it."""

from __future__ import annotations

import ast
from pathlib import Path

from ..exceptions import SkserError
from ..recipes import DEFAULT_RECIPE, PIPELINES
from ..utils._columns import CORPUS_COLUMN, PATH_COLUMN
from ._common import (
    RECIPE_HELP,
    RECIPES_EPILOG,
    add_progress_argument,
    describe,
    fit_evaluate,
    fraction,
    load_data,
    positive_int,
    print_report,
    recipe_name,
    set_runtime,
    split,
    split_names,
    stage,
    verbosity,
)

SUMMARY = "train a recipe on a corpus folder, evaluate on held-out speakers, save"
EXAMPLES = (
    "  skser train --data corpora --out model.skser\n"
    "  skser train --data corpora --corpora ravdess,tess --out model.skser\n"
    "  skser train --data corpora --recipe mel128-cnn2d --split random \\\n"
    "      --emotions neutral,happy,sad,angry,fearful,disgust,surprised --out mel128.skser\n"
    "  skser train --data corpus/ --out m.skser --epochs 5 "
    "--set conv1dclassifier__batch_size=32\n" + RECIPES_EPILOG
)


def add_arguments(parser) -> None:
    add_progress_argument(parser)
    parser.add_argument("--data", required=True, metavar="ROOT",
                        help="folder of corpora (ravdess/, cremad/, tess/, savee/) or one corpus")
    parser.add_argument("--out", required=True, metavar="MODEL", help="model file to write")
    parser.add_argument("--recipe", default=DEFAULT_RECIPE, type=recipe_name, choices=PIPELINES,
                        metavar="NAME", help=RECIPE_HELP)
    parser.add_argument("--corpora", nargs="+", metavar="NAMES",
                        help="corpora to use, comma-separated (default: all found)")
    parser.add_argument("--emotions", nargs="+", metavar="NAMES",
                        help="emotions to keep, comma-separated (default: all)")
    parser.add_argument("--test-size", type=fraction, default=0.2, metavar="F",
                        help="fraction held out for testing (default %(default)s)")
    parser.add_argument("--split", choices=("speaker", "random"), default="speaker",
                        help="hold out whole speakers (default) or random files")
    parser.add_argument("--epochs", type=positive_int, metavar="N",
                        help="training epochs (default: the recipe's)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="random seed of the split and the model (default 0)")
    parser.add_argument("--n-jobs", type=int, metavar="N",
                        help="parallel workers for feature extraction (-1: all cores)")
    parser.add_argument("--set", action="append", metavar="PARAM=VALUE",
                        help="set a pipeline parameter, e.g. conv1dclassifier__batch_size=32 "
                             "(repeatable; VALUE is a Python literal or a string)")


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


def run(args) -> int:
    from ..model_selection import record_held_out
    from ..persistence import save
    from ..recipes import make_recipe

    root = Path(args.data)
    df = load_data(root, split_names(args.corpora), split_names(args.emotions))
    stage(args, 1, 4, f"read {root}: {describe(df)}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)  # fail before training, not after
    train_df, test_df = split(df, method=args.split, test_size=args.test_size, seed=args.seed)
    overrides = _parse_overrides(args.set)
    model = make_recipe(args.recipe, epochs=args.epochs, random_state=args.seed,
                        n_jobs=args.n_jobs, verbose=verbosity(args), **overrides)
    numbers = {"train": 2, "evaluate": 3}
    y_pred, report, seconds = fit_evaluate(
        model, train_df, test_df,
        stage=lambda kind, message: stage(args, numbers[kind], 4, f"{args.recipe}: {message}"))
    print_report(f"held-out test set ({args.split} split)", test_df, report)
    metadata = {
        "classes": [str(c) for c in model.classes_],
        "recipe": args.recipe,
        "overrides": dict(item.split("=", 1) for item in args.set or ()),
        "data_root": str(root.resolve()),
        "corpora": sorted(df[CORPUS_COLUMN].unique().tolist()),
        "split": {
            "method": args.split,
            "test_size": args.test_size,
            "random_state": args.seed,
            "n_train": len(train_df),
            "n_test": len(test_df),
        },
        "test_files": record_held_out(test_df[PATH_COLUMN], root),
        "scores": {k: float(report[k]) for k in ("accuracy", "macro_f1", "uar")},
        "training_time_s": round(seconds, 2),
    }
    set_runtime(model, verbose=0)  # progress output is not part of the model
    stage(args, 4, 4, f"saving to {args.out}")
    save(model, args.out, metadata=metadata)
    print(f"saved the model to {args.out} (training took {seconds:.1f} s)")
    return 0
