"""
Reference A: a 1-D CNN on handcrafted features
==============================================

Reproduces reference A on the union of RAVDESS, CREMA-D, TESS and SAVEE with
skser's ``acoustic-conv1d-augmented`` recipe (:func:`skser.recipes.make_recipe`): every
training file gives three rows (clean, with white noise, time-stretched then
pitch-shifted), each row is 162 utterance features (zero-crossing rate,
chroma, 20 MFCCs, RMS, 128 mel bands, each averaged over frames) of 2.5 s read
from 0.6 s into the file at 22,050 Hz, standardized, into reference A's 1-D
CNN (557,288 parameters), trained for 50 epochs in batches of 64.

One thing differs on purpose: reference A augmented before splitting, so
copies of its test files sat in its training data. Here the
:class:`~skser.augmentation.Augmenter` is a pipeline step and augments only
the training files.

Two protocols (``--split``):

``random`` (default)
    Reference A's: a random 75/25 split of all files (``random_state=0``).
    Reference A reported accuracy 0.60, macro precision 0.62, macro recall 0.66,
    macro F1 0.62, weighted F1 0.60. The same actors speak on both sides.
``speaker``
    A 75/25 split that keeps speakers apart
    (:func:`~skser.model_selection.speaker_train_test_split`): the score to
    expect on voices the model has never heard.

Not run when the documentation is built: on two CPU cores the features of the
12,162 files (three rows per training file) take roughly half an hour and the 50
epochs about two hours (estimates), per protocol. Run it from the repository root::

    python examples/reference_a.py                   # reference protocol
    python examples/reference_a.py --split speaker   # speaker-independent
    SKSER_EXAMPLE_QUICK=1 python examples/reference_a.py   # smoke test, under a minute

Environment variables:

``SKSER_DATA``
    The folder holding ``ravdess/``, ``cremad/``, ``tess/`` and ``savee/``
    (default: ``corpora/`` in the repository). Where it is missing,
    the script says how to get the corpora and exits.
``SKSER_EXAMPLE_QUICK=1``
    A smoke test of the whole script: 4 files per corpus and emotion (112 in
    all) and 2 epochs. Its
    scores mean nothing; it only checks that everything runs.
"""

# Run time on this machine (2 shared CPU cores): not run in full (about 2.5
# hours per protocol, estimated); SKSER_EXAMPLE_QUICK=1: about 30 s.

import argparse
import os
import sys
import time
from pathlib import Path

from sklearn.model_selection import train_test_split

from skser.datasets import drop_known_duplicates, load_corpora
from skser.metrics import emotion_report, format_report
from skser.model_selection import speaker_train_test_split
from skser.recipes import make_recipe

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SKSER_DATA", REPO / "corpora"))
QUICK = os.environ.get("SKSER_EXAMPLE_QUICK", "") not in ("", "0")

REFERENCE = {"accuracy": 0.60, "macro_f1": 0.62, "weighted_f1": 0.60}

GET_THE_DATA = """\
The four corpora were not found at {root}.
Download them (free for research; each has its own licence) and unpack them as
    {root}/ravdess/Actor_01 ... Actor_24   RAVDESS speech, https://zenodo.org/record/1188976
    {root}/cremad/AudioWAV                 CREMA-D, https://github.com/CheyneyComputerScience/CREMA-D
    {root}/tess/OAF_angry ...              TESS, https://tspace.library.utoronto.ca/handle/1807/24487
    {root}/savee/ALL                       SAVEE, http://kahlan.eps.surrey.ac.uk/savee/
or point SKSER_DATA at the folder that holds them. Any subset works too."""


# %%
# The data
# --------
# :func:`~skser.datasets.load_corpora` lists the files and reads the labels and
# speakers from their names; no audio is decoded yet. Recordings the corpus
# releases hold twice are dropped.
def load_data(root: Path):
    if not root.is_dir():
        sys.exit(GET_THE_DATA.format(root=root))
    df = drop_known_duplicates(load_corpora(root))
    if QUICK:
        df = df.groupby(["corpus", "emotion"], group_keys=False).sample(n=4, random_state=0)
    return df.reset_index(drop=True)


def split(df, how: str):
    if how == "random":
        return train_test_split(df, test_size=0.25, random_state=0)
    return speaker_train_test_split(df, test_size=0.25, random_state=0)


# %%
# The pipeline
# ------------
# ``make_recipe("acoustic-conv1d-augmented")`` builds Augmenter -> AcousticFeatures ->
# StandardScaler -> Conv1DClassifier with reference A's settings; ``n_jobs``
# spreads the feature extraction (and augmentation) over the CPU cores.
def fit(train, n_jobs: int):
    pipe = make_recipe("acoustic-conv1d-augmented", n_jobs=n_jobs, random_state=0,
                       epochs=2 if QUICK else None, verbose=1)
    start = time.perf_counter()
    pipe.fit(train["path"], train["emotion"])
    print(f"training took {(time.perf_counter() - start) / 60:.1f} min")
    return pipe


# %%
# The report
# ----------
# Overall scores, per emotion and per corpus. The test files are never
# augmented.
def evaluate(pipe, test) -> None:
    y_pred = pipe.predict(test["path"])
    report = emotion_report(test["emotion"], y_pred, labels=pipe.classes_,
                            groups=test["corpus"])
    print(format_report(report))
    print("reference A (random split, augmented before splitting): " + ", ".join(
        f"{name} {value:.2f}" for name, value in REFERENCE.items()))
    if QUICK:
        print("SKSER_EXAMPLE_QUICK=1: a smoke test on a few files; the scores mean nothing")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Reproduce reference A on the real corpora.")
    parser.add_argument("--split", choices=("random", "speaker"), default="random",
                        help="reference A's random 75/25 split (default) or by speaker")
    parser.add_argument("--n-jobs", type=int, default=-1,
                        help="feature extraction workers (default: all cores)")
    args = parser.parse_args(argv)

    df = load_data(DATA)
    train, test = split(df, args.split)
    print(f"{len(df)} files of {df['corpus'].nunique()} corpora; {args.split} split: "
          f"{len(train)} training, {len(test)} test files")
    evaluate(fit(train, args.n_jobs), test)


if __name__ == "__main__":
    main()
