"""
Reference B: 2-D CNNs and a CRNN on spectrogram images
======================================================

Reproduces reference B's three pipelines on the union of RAVDESS, CREMA-D,
TESS and SAVEE with skser's recipes (:func:`skser.recipes.make_recipe`):

``mel128-cnn2d``
    A 128 x 345 log-mel image (44.1 kHz, the first 4 s zero-padded, 128 mel
    bands, decibels relative to the minimum) into reference B's 2-D CNN,
    :meth:`CNN2DClassifier.four_block_valid() <skser.models.CNN2DClassifier.four_block_valid>`
    (four blocks of Conv2D -> MaxPool -> BatchNorm with 32 to 256 filters,
    global average pooling). Reference B: validation accuracy 0.71, macro F1 0.73.
``mfcc128-cnn2d``
    A 128 x 345 MFCC image into the same CNN. Reference B: 0.742, 0.76.
``mfcc128-crnn``
    The MFCC image into reference B's CRNN,
    :meth:`CRNNClassifier.time_pooled_bilstm() <skser.models.CRNNClassifier.time_pooled_bilstm>`
    (four convolution blocks, then two bidirectional LSTMs). Reference B: 0.733, 0.75.

Each network scales its input by one mean and standard deviation of the
training images, as reference B did, and trains in batches of 32 for up to the
recipe's 50 epochs, stopping early when a validation split drawn from the
training data stops improving. Reference B's data protocol: seven emotions
("calm" dropped) and a random 80/20 split (``random_state=0``); ``--split
speaker`` holds out whole speakers instead, the score to expect on new voices.

Not run when the documentation is built: on two CPU cores reference B's CNN
trains about 12 images a second, so 40 epochs over the ~9,300 training images
take about nine hours per pipeline (for a GPU, see the GPU page of the
user guide). Run it from the repository root::

    python examples/reference_b.py                               # all three
    python examples/reference_b.py --pipelines mfcc128-cnn2d --cache .skser_cache
    SKSER_EXAMPLE_QUICK=1 python examples/reference_b.py         # smoke test, about a minute

``--cache DIR`` keeps each file's image on disk (about 2 GB per image type for
all the corpora), so the two MFCC pipelines, and later runs, compute the MFCC
images once.

Environment variables:

``SKSER_DATA``
    The folder holding ``ravdess/``, ``cremad/``, ``tess/`` and ``savee/``
    (default: ``corpora/`` in the repository). Where it is missing,
    the script says how to get the corpora and exits.
``SKSER_EXAMPLE_QUICK=1``
    A smoke test of the whole script: 4 files per corpus and emotion and 1
    epoch per pipeline. Its scores mean nothing; it only checks that
    everything runs.
"""

# Run time on this machine (2 shared CPU cores): not run in full (about nine
# hours per pipeline, estimated); SKSER_EXAMPLE_QUICK=1: about 45 s.

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

# Reference B's validation accuracy and macro F1 of each pipeline.
REFERENCE = {
    "mel128-cnn2d": (0.71, 0.73),
    "mfcc128-cnn2d": (0.742, 0.76),
    "mfcc128-crnn": (0.733, 0.75),
}
# The image step of each recipe, whose per-file cache --cache sets.
IMAGE_STEP = {
    "mel128-cnn2d": "melimage",
    "mfcc128-cnn2d": "mfccimage",
    "mfcc128-crnn": "mfccimage",
}
EMOTIONS = ["neutral", "happy", "sad", "angry", "fearful", "disgust", "surprised"]

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
# Seven emotions: reference B dropped "calm", which only RAVDESS has.
def load_data(root: Path):
    if not root.is_dir():
        sys.exit(GET_THE_DATA.format(root=root))
    df = drop_known_duplicates(load_corpora(root))
    df = df[df["emotion"].isin(EMOTIONS)]
    if QUICK:
        df = df.groupby(["corpus", "emotion"], group_keys=False).sample(n=4, random_state=0)
    return df.reset_index(drop=True)


def split(df, how: str):
    if how == "random":
        return train_test_split(df, test_size=0.2, random_state=0)
    return speaker_train_test_split(df, test_size=0.2, random_state=0)


# %%
# One pipeline
# ------------
# Fit on the training files, report on the test files. The images are
# computed from the files inside the pipeline, with ``n_jobs`` workers.
def run(name: str, train, test, *, n_jobs: int, cache: str | None) -> None:
    overrides = {f"{IMAGE_STEP[name]}__memory": cache} if cache else {}
    pipe = make_recipe(name, n_jobs=n_jobs, random_state=0, epochs=1 if QUICK else None,
                       verbose=1, **overrides)
    start = time.perf_counter()
    pipe.fit(train["path"], train["emotion"])
    minutes = (time.perf_counter() - start) / 60
    y_pred = pipe.predict(test["path"])
    report = emotion_report(test["emotion"], y_pred, labels=pipe.classes_,
                            groups=test["corpus"])
    accuracy, macro_f1 = REFERENCE[name]
    print(f"\n== {name}: {len(pipe[-1].history_['loss'])} epoch(s) in {minutes:.1f} min")
    print(format_report(report))
    print(f"reference B: accuracy {accuracy:.3f}, macro F1 {macro_f1:.2f} (random split)")


# %%
# All three
# ---------
def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Reproduce reference B on the real corpora.")
    parser.add_argument("--pipelines", nargs="+", choices=list(REFERENCE),
                        default=list(REFERENCE), metavar="NAME",
                        help=f"recipes to run (default: all of {', '.join(REFERENCE)})")
    parser.add_argument("--split", choices=("random", "speaker"), default="random",
                        help="reference B's random 80/20 split (default) or by speaker")
    parser.add_argument("--cache", metavar="DIR", help="per-file cache of the images")
    parser.add_argument("--n-jobs", type=int, default=-1,
                        help="feature extraction workers (default: all cores)")
    args = parser.parse_args(argv)

    df = load_data(DATA)
    train, test = split(df, args.split)
    print(f"{len(df)} files of {df['corpus'].nunique()} corpora; {args.split} split: "
          f"{len(train)} training, {len(test)} test files")
    for name in args.pipelines:
        run(name, train, test, n_jobs=args.n_jobs, cache=args.cache)
    if QUICK:
        print("SKSER_EXAMPLE_QUICK=1: a smoke test on a few files; the scores mean nothing")


if __name__ == "__main__":
    main()
