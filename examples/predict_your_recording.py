"""
Predict the emotion of your own recording
=========================================

Load a saved model (or train a small one), then predict the emotion of one or
more audio files: any format soundfile reads (WAV, FLAC, Ogg, MP3), any sample
rate, mono or stereo. The pipeline reads and resamples each file itself, with
the settings it was trained with.

Run it from the repository root::

    python examples/predict_your_recording.py                      # train, then a generated file
    python examples/predict_your_recording.py my_voice.wav          # train, then your file
    python examples/predict_your_recording.py --model model.skser my_voice.wav

Without ``--model`` it trains a small model on a synthetic corpus (about
20 s), saves it to a temporary ``.skser`` file and loads it back, as you would
load a model trained with ``skser train``. Without a file it predicts a
recording of a generated speaker that the model never heard. A model trained
on synthetic speech knows nothing about real voices: for real recordings,
train on the real corpora first (``skser train --data ROOT --out model.skser``).
"""

# Run time on this machine (2 shared CPU cores): about 20 s without --model.

import argparse
import tempfile
from pathlib import Path

import skser
from skser.datasets import make_synthetic_corpus

EMOTIONS = ["neutral", "happy", "sad", "angry"]


# %%
# A model
# -------
# ``skser.load`` rebuilds a model file's estimators from data alone (an exact
# list of classes, arrays read without pickle, Keras networks rebuilt by skser
# from their parameters): loading a file you were sent runs no code from it.
def train_small_model(folder: Path) -> Path:
    """Fit a small pipeline on a synthetic corpus and save it to a model file."""
    corpus = make_synthetic_corpus(folder / "corpus", n_speakers=6, n_statements=2,
                                   n_repetitions=1, duration=1.0, emotions=EMOTIONS,
                                   random_state=0)
    model = skser.make_pipeline(
        skser.AcousticFeatures(sr=16000, duration=1.0, offset=0.0),
        skser.Conv1DClassifier(filters=(32, 32), dense_units=16, epochs=30, batch_size=16,
                               class_weight="balanced", random_state=0),
    )
    model.fit(corpus["path"], corpus["emotion"])
    # The metadata travels in the file's manifest; `skser info` shows it.
    return skser.save(model, folder / "small.skser",
                      metadata={"classes": list(model.classes_), "trained_on": "synthetic"})


# %%
# A recording
# -----------
# A stand-in for your own file: a speaker generated with another seed, so not
# one of the training voices.
def a_new_recording(folder: Path) -> Path:
    """The path of one generated recording of an unseen speaker, an angry one."""
    other = make_synthetic_corpus(folder / "new_speaker", n_speakers=1, n_statements=1,
                                  n_repetitions=1, duration=1.5, emotions=["angry"],
                                  random_state=123)
    return Path(other["path"].iloc[0])


# %%
# Predict
# -------
# ``predict_proba`` gives one probability per emotion, in the order of
# ``classes_``.
def predict(model_path: Path, files: list[Path]) -> None:
    manifest = skser.read_manifest(model_path)  # reads the manifest only, no TensorFlow
    print(f"model {model_path.name}: saved {manifest['created']} with skser "
          f"{manifest['versions']['skser']}")
    model = skser.load(model_path)
    probabilities = model.predict_proba([str(f) for f in files])
    for path, row in zip(files, probabilities):
        ranked = sorted(zip(model.classes_, row), key=lambda pair: -pair[1])
        print(f"{path.name}: {ranked[0][0]}")
        for emotion, p in ranked:
            print(f"  {emotion:<10} {p:.3f} {'#' * round(40 * p)}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE", help="audio files")
    parser.add_argument("--model", type=Path, help="a .skser model file (default: train one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="skser_predict_") as tmp:
        model_path = args.model or train_small_model(Path(tmp))
        files = args.files or [a_new_recording(Path(tmp))]
        predict(model_path, files)


if __name__ == "__main__":
    main()
