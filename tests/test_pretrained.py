"""The shipped model: loads without TensorFlow, predicts a file of its own, carries its card."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import venv
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from skser.exceptions import ModelFileError
from skser.pretrained import DEFAULT_PRETRAINED, PRETRAINED, model_card, pretrained_path

REPO = Path(__file__).resolve().parents[1]
SEVEN = {"neutral", "happy", "sad", "angry", "fearful", "disgust", "surprised"}


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """One generated utterance (not from any corpus)."""
    from skser.datasets import make_synthetic_corpus

    df = make_synthetic_corpus(tmp_path_factory.mktemp("clip"), n_speakers=1, n_statements=1,
                               n_repetitions=1, emotions=["angry"], duration=3.0)
    return Path(df["path"].iloc[0])


def test_the_shipped_model_is_small_and_safe():
    import skser

    path = pretrained_path()
    assert path.stat().st_size <= 10 * 1024 * 1024
    manifest = skser.read_manifest(path)
    assert manifest["untrusted_types"] == [] and manifest["keras_models"] == []  # frozen
    assert set(manifest["metadata"]["classes"]) == SEVEN


def test_the_card_says_what_it_was_trained_on_and_not_tested_on():
    card = model_card()
    for corpus, licence in (("RAVDESS", "CC BY-NC-SA 4.0"), ("CREMA-D", "ODbL"),
                            ("TESS", "CC BY-NC-ND 4.0"), ("SAVEE", "research")):
        assert corpus in card and licence in card
    assert "not tested on" in card and "languages other than English" in card
    assert "no pickles" in card


def test_predicts_a_file_without_tensorflow_or_numba(clip):
    # Neither TensorFlow (the network is frozen) nor numba (librosa's compiled
    # utilities; the spectrograms are computed with numpy) is loaded: each would
    # cost the predicting process more memory than the model itself.
    code = (
        "import sys, skser\n"
        "model = skser.load_pretrained()\n"
        f"proba = model.predict_proba([{str(clip)!r}])\n"
        "assert proba.shape == (1, 7) and abs(proba.sum() - 1) < 1e-5, proba\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
        "assert 'numba' not in sys.modules, 'numba imported'\n"
        f"print(model.predict([{str(clip)!r}])[0])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() in SEVEN


def test_command_line_predicts_and_describes_with_no_model_argument(clip):
    from skser.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["predict", str(clip)]) == 0, err.getvalue()
        assert main(["predict", str(clip), "--timeline", "--json"]) == 0, err.getvalue()
        assert main(["info"]) == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    path, emotion, probabilities = lines[0].split("\t")
    assert path == str(clip) and emotion in SEVEN and len(probabilities.split()) == 7
    assert f"model: {pretrained_path()}" in out.getvalue()


def test_unknown_name_lists_the_names():
    with pytest.raises(ModelFileError, match=DEFAULT_PRETRAINED):
        pretrained_path("klingon-3")
    assert DEFAULT_PRETRAINED in PRETRAINED


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_environment_predicts(tmp_path, clip):
    """``pip wheel`` makes a wheel holding the model; a new virtual environment installs
    it (no checkout on its path) and predicts with the shipped model."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "-w", str(wheels), str(REPO)], check=True, capture_output=True,
                   timeout=600)
    (wheel,) = wheels.glob("skser-*.whl")
    env_dir = tmp_path / "fresh"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # The dependencies come from this environment (no network needed); skser itself only
    # from the wheel.
    site = next(p for p in sys.path if p.endswith("site-packages"))
    fresh_site = next((env_dir / "lib").glob("python*/site-packages"))
    (fresh_site / "deps.pth").write_text(site + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True, timeout=600)
    code = (
        "import skser, sys\n"
        f"assert skser.__file__.startswith({str(env_dir)!r}), skser.__file__\n"
        f"print(skser.load_pretrained().predict([{str(clip)!r}])[0])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([str(python), "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() in SEVEN


def test_a_generated_clip_is_read_at_any_rate(tmp_path, clip):
    import skser

    y, sr = sf.read(clip, dtype="float32")
    other = tmp_path / "clip_44k.wav"
    import soxr

    sf.write(other, soxr.resample(y, sr, 44100), 44100)
    model = skser.load_pretrained()
    np.testing.assert_allclose(model.predict_proba([str(other)]),
                               model.predict_proba([str(clip)]), atol=0.15)
