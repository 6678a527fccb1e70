"""What the subcommands share: exit codes, status lines, reading the data and models,
and printing reports.

Heavy modules (TensorFlow, librosa, matplotlib, pandas) are imported inside the
functions, so that ``skser --help`` answers at once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import textwrap
import time
from pathlib import Path

from ..exceptions import CorpusError, LabelError, ModelFileError, SkserError
from ..recipes import PIPELINES, RENAMED_RECIPES
from ..utils._columns import CORPUS_COLUMN, EMOTION_COLUMN, PATH_COLUMN, SPEAKER_COLUMN

#: Exit codes: an error skser reports (``skser: error: <message>``, no traceback); a
#: usage error (argparse); the data folder was not found.
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NO_DATA = 3


def note(message: str) -> None:
    """A progress or status line; stderr, so stdout holds only results."""
    print(f"skser: {message}", file=sys.stderr, flush=True)


def add_progress_argument(parser) -> None:
    parser.add_argument("--quiet", action="store_true",
                        help="no progress output (stages, feature extraction, epochs)")
    parser.add_argument("--progress", action="store_true",
                        help="progress bars even when stderr is not a terminal (default there: "
                             "plain lines)")


def verbosity(args) -> int:
    """How long work reports itself, on stderr: 0 nothing (--quiet); 1 progress bars
    with the time left (a terminal, or --progress); 2 plain lines (a log or a pipe)."""
    if getattr(args, "quiet", False):
        return 0
    if sys.stderr.isatty() or getattr(args, "progress", False):
        return 1
    return 2


def stage(args, number: int, total: int, message: str) -> None:
    """One line naming the stage a long command is in, unless --quiet."""
    if not getattr(args, "quiet", False):
        note(f"[{number}/{total}] {message}")


def split_names(values) -> list[str] | None:
    """``["a,b", "c"]`` -> ``["a", "b", "c"]``; ``None`` stays ``None``."""
    if not values:
        return None
    names = [v.strip() for value in values for v in value.split(",")]
    return [v for v in names if v]


def load_data(root, corpora=None, emotions=None):
    """The corpus table of the data folder ``root`` (see
    :func:`skser.datasets.load_data_folder`), with the ``--emotions`` kept.

    Says how many recordings the corpus releases hold twice were dropped.
    """
    from .. import datasets

    root = Path(root)
    df = datasets.load_data_folder(root, corpora=corpora, drop_duplicates=False)
    n_files = len(df)
    df = datasets.drop_known_duplicates(df)
    if len(df) < n_files:
        note(f"dropped {n_files - len(df)} recording(s) the corpus releases hold twice")
    if emotions is not None:
        unknown = sorted(set(emotions) - set(datasets.EMOTIONS))
        if unknown:
            raise LabelError(
                f"unknown emotion(s) {', '.join(unknown)}; known: {', '.join(datasets.EMOTIONS)}"
            )
        df = df[df[EMOTION_COLUMN].isin(emotions)]
    if len(df) == 0:
        raise CorpusError(f"{root}: no audio files with the requested emotions")
    return df.reset_index(drop=True)


def split(df, *, method: str, test_size: float, seed: int | None):
    """Held-out split: by speaker (no speaker in both parts) or at random, stratified."""
    if method == "speaker":
        from ..model_selection import speaker_train_test_split

        return speaker_train_test_split(df, test_size=test_size, random_state=seed)
    from sklearn.model_selection import train_test_split

    try:
        return train_test_split(df, test_size=test_size, random_state=seed,
                                stratify=df[EMOTION_COLUMN])
    except ValueError as exc:
        raise SkserError(f"cannot split {len(df)} files at random: {exc}") from None


def describe(df) -> str:
    """``"120 files, 4 speakers (angry 30, happy 30, ...)"``."""
    counts = df[EMOTION_COLUMN].value_counts().sort_index()
    per_class = ", ".join(f"{e} {n}" for e, n in counts.items())
    n_speakers = df[SPEAKER_COLUMN].nunique() if SPEAKER_COLUMN in df else 0
    # A folder-per-emotion layout has no speaker names: say nothing rather than "0 speakers".
    speakers = f", {n_speakers} speaker{'s' if n_speakers != 1 else ''}" if n_speakers else ""
    return f"{len(df)} file{'s' if len(df) != 1 else ''}{speakers} ({per_class})"


def check_model_path(path) -> Path:
    """The model file ``path``; None means the shipped model (skser.load_pretrained)."""
    if path is None:
        from ..pretrained import pretrained_path

        return pretrained_path()
    return Path(path)


def load_model(path):
    from ..persistence import load

    return load(check_model_path(path))


def metadata_strings(metadata: dict, key: str) -> list[str]:
    """``metadata[key]`` as a list of strings (missing: empty), or an error naming it."""
    value = metadata.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ModelFileError(f"the model file's metadata field {key!r} must be a list of "
                             "strings")
    return value


def set_runtime(model, *, verbose: int, n_jobs: int | None = None) -> None:
    """Progress output and workers of a fitted pipeline's steps.

    The classifier stays quiet: Keras prints to stdout, which holds the results.
    """
    from ..utils._estimators import set_where_accepted

    if not hasattr(model, "steps"):  # a bare classifier
        return
    steps = [step for _, step in model.steps]
    set_where_accepted(steps[:-1], {"verbose": verbose} if n_jobs is None
                       else {"verbose": verbose, "n_jobs": n_jobs})
    set_where_accepted(steps[-1:], {"verbose": 0})


def model_input(df):
    """What a model reads of a corpus table: its paths, with their speakers where known.

    Every recipe reads a DataFrame's ``path`` column; the speaker-normalizing ones also
    read its ``speaker`` column.
    """
    if SPEAKER_COLUMN in df and df[SPEAKER_COLUMN].notna().all():
        return df[[PATH_COLUMN, SPEAKER_COLUMN]].reset_index(drop=True)
    return df[PATH_COLUMN].tolist()


def report(y_true, y_pred, labels, groups=None) -> dict:
    from ..metrics import emotion_report

    return emotion_report(y_true, y_pred, labels=labels, groups=groups)


def fit_evaluate(model, train_df, test_df, stage=None):
    """Fit on ``train_df``, predict ``test_df``; returns (y_pred, report, seconds).

    ``stage(kind, message)``, if given, is told when training (``"train"``) and
    evaluation (``"evaluate"``) begin.
    """
    stage = stage or (lambda kind, message: None)
    stage("train", f"training on {describe(train_df)}")
    start = time.perf_counter()
    # Keras reports epochs on stdout, which holds the command's results: send them to stderr.
    with contextlib.redirect_stdout(sys.stderr):
        model.fit(model_input(train_df), train_df[EMOTION_COLUMN].to_numpy())
    seconds = time.perf_counter() - start
    stage("evaluate", f"evaluating on {describe(test_df)}")
    y_pred = model.predict(model_input(test_df))
    scores = report(test_df[EMOTION_COLUMN].to_numpy(), y_pred, list(model.classes_),
                    groups=test_df[CORPUS_COLUMN].to_numpy())
    return y_pred, scores, seconds


def chance_line(y_true) -> str:
    from ..metrics import chance_level

    chance = chance_level(y_true)
    return (
        f"chance level: accuracy {chance['accuracy']:.3f} (always "
        f"'{chance['majority_class']}'), UAR {chance['uar']:.3f} "
        f"(1 / {chance['n_classes']} classes)"
    )


def print_report(title: str, df, scores: dict) -> None:
    """The report on the files of ``df``, then the chance level to compare it with."""
    from ..metrics import chance_level, format_report

    print(f"{title}: {describe(df)}")
    print(format_report(scores))
    print(chance_line(df[EMOTION_COLUMN]))
    if scores["accuracy"] <= chance_level(df[EMOTION_COLUMN])["accuracy"]:
        note("the model does not beat chance on these files")


def save_plot(ax_or_fig, path: Path) -> Path:
    """Write a plot to ``path`` and free it (the command line never shows plots)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import save_figure

    save_figure(ax_or_fig, path)
    plt.close(ax_or_fig.figure)
    return path


def save_confusion(y_true, y_pred, labels, path: Path) -> Path:
    from ..plotting import plot_confusion_matrix

    return save_plot(plot_confusion_matrix(y_true, y_pred, labels=labels, normalize="true"),
                     path)


def dump_json(obj) -> None:
    print(json.dumps(obj, indent=2))


# -- argument types and help shared by the subcommands ------------------------------------
def fraction(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a fraction between 0 and 1, got {text}")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def recipe_name(text: str) -> str:
    """``--recipe``'s type: a recipe's former name gives its new one, with a note."""
    new = RENAMED_RECIPES.get(text)
    if new is None:
        return text
    note(f"recipe {text!r} is now called {new!r}; the old name is deprecated and will be "
         "removed in the next release")
    return new


def _recipe_entry(name: str, description: str) -> str:
    """One recipe of the help's list, its description in a column from the 21st
    character; a name too long for its column gets a line of its own, as argparse does."""
    indent = " " * 20
    head = f"  {name}"
    if len(head) < len(indent):
        return textwrap.fill(description, width=79, initial_indent=head.ljust(len(indent)),
                             subsequent_indent=indent)
    return head + "\n" + textwrap.fill(description, width=79, initial_indent=indent,
                                       subsequent_indent=indent)


RECIPE_HELP = "pipeline recipe (default %(default)s); see 'recipes:' below"
RECIPES_EPILOG = "\nrecipes:\n" + "".join(
    _recipe_entry(name, desc) + "\n" for name, desc in PIPELINES.items()
)
