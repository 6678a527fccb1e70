"""``skser demo``: train and evaluate a recipe on a generated corpus, end to end."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ..recipes import PIPELINES
from ..utils._columns import EMOTION_COLUMN
from ._common import (
    RECIPE_HELP,
    RECIPES_EPILOG,
    add_progress_argument,
    describe,
    fit_evaluate,
    note,
    positive_int,
    print_report,
    recipe_name,
    save_confusion,
    save_plot,
    split,
    verbosity,
)

SUMMARY = "train and evaluate a recipe on a generated corpus, end to end"
EXAMPLES = (
    "  skser demo\n"
    "  skser demo --quick --out /tmp/demo\n"
    "  skser demo --recipe mel-cnn2d --epochs 20 --seed 1\n" + RECIPES_EPILOG
)

#: ``skser demo``'s recipe: the fastest to train, so the demo stays short.
DEMO_RECIPE = "acoustic-conv1d"

# The demo's corpus and training length: large enough that the model clearly
# beats the chance level that the demo prints beside its score, small enough to
# train in a short wait on a laptop's CPU; --quick (fewer speakers, emotions,
# seconds and epochs) is for smoke tests. `time skser demo` measures it.
_DEMO_SIZES: dict[bool, dict[str, Any]] = {
    False: {"corpus": {"n_speakers": 8, "n_statements": 2, "n_repetitions": 2,
                       "duration": 2.0}, "epochs": 40},
    True: {"corpus": {"n_speakers": 6, "n_statements": 2, "n_repetitions": 1,
                      "duration": 1.0, "emotions": ["neutral", "happy", "sad", "angry"]},
           "epochs": 20},
}


def add_arguments(parser) -> None:
    add_progress_argument(parser)
    parser.add_argument("--out", metavar="DIR",
                        help="folder for the plots (default ./skser_demo_output); when given, "
                             "the generated corpus is kept in DIR/corpus")
    parser.add_argument("--recipe", default=DEMO_RECIPE, type=recipe_name, choices=PIPELINES,
                        metavar="NAME", help=RECIPE_HELP)
    parser.add_argument("--epochs", type=positive_int, metavar="N",
                        help="training epochs (default: sized for the demo)")
    parser.add_argument("--quick", action="store_true",
                        help="a smaller corpus and fewer epochs (seconds, for smoke tests)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="random seed (default 0)")


def run(args) -> int:
    from ..datasets import make_synthetic_corpus
    from ..recipes import make_recipe

    size = _DEMO_SIZES[args.quick]
    out = Path(args.out) if args.out else Path("skser_demo_output")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="skser_demo_") as tmp:
        # An explicit --out keeps the corpus next to the results, for `skser train`.
        corpus_root = out / "corpus" if args.out else Path(tmp)
        note(f"writing a synthetic corpus to {corpus_root}")
        df = make_synthetic_corpus(corpus_root, random_state=args.seed, **size["corpus"])
        train_df, test_df = split(df, method="speaker", test_size=0.25, seed=args.seed)
        epochs = args.epochs if args.epochs is not None else size["epochs"]
        model = make_recipe(args.recipe, epochs=epochs, random_state=args.seed,
                            verbose=verbosity(args))
        note(f"training {args.recipe!r} for up to {epochs} epochs on {describe(train_df)}")
        y_pred, report, seconds = fit_evaluate(model, train_df, test_df)

    from ..plotting import plot_training_history

    print_report("speaker-independent test set", test_df, report)
    print(f"training took {seconds:.1f} s")
    cm_path = save_confusion(test_df[EMOTION_COLUMN].to_numpy(), y_pred, list(model.classes_),
                             out / "confusion_matrix.png")
    if hasattr(model[-1], "history_"):
        curves_path = save_plot(plot_training_history(model), out / "training_curves.png")
        print(f"wrote {cm_path} and {curves_path}")
    else:  # an SVC or an ensemble: no epochs, no curves
        print(f"wrote {cm_path} ({args.recipe!r} has no training curves)")
    _shipped_model_at_work(out, args.seed)
    return 0


def _shipped_model_at_work(out: Path, seed: int) -> None:
    """The shipped model's card, and its timeline of a generated recording."""
    import numpy as np
    import soundfile as sf

    from ..datasets import make_synthetic_corpus
    from ..exceptions import ModelFileError
    from ..pretrained import load_pretrained, model_card
    from ..timeline import predict_timeline

    try:
        card = model_card()
    except ModelFileError as exc:
        note(f"no shipped model to show: {exc}")
        return
    print("\nskser's shipped model (skser info):")
    print(card)
    # A recording of one generated speaker: a few clips in a row, with pauses between.
    clips = make_synthetic_corpus(out / "recording_clips", n_speakers=1, n_statements=1,
                                  n_repetitions=1, duration=2.0, random_state=seed,
                                  emotions=["neutral", "happy", "sad", "angry"])
    pause = np.zeros(8000, dtype=np.float32)
    parts = []
    for path in clips.drop_duplicates("emotion")["path"]:
        y, sr = sf.read(path, dtype="float32")
        parts += [y, pause]
    recording = out / "recording.wav"
    sf.write(recording, np.concatenate(parts), sr)
    timeline = predict_timeline(load_pretrained(), recording, hop=1.0)
    print(f"\nits emotion timeline of {recording} (generated speech, clips of "
          f"{', '.join(clips.drop_duplicates('emotion')['emotion'])}):")
    print(timeline.to_string(index=False, float_format=lambda v: f"{v:.2f}", na_rep="-"))
