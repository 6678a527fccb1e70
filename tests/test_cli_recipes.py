"""Every recipe through the whole command line: train, predict, timeline, evaluate, info."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
from conftest import run_cli as run

from skser.recipes import PIPELINES

EMOTIONS = ["neutral", "happy", "sad", "angry"]



@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from skser.datasets import make_synthetic_corpus

    root = tmp_path_factory.mktemp("recipes_corpus")
    make_synthetic_corpus(root, n_speakers=4, n_statements=1, n_repetitions=1,
                          emotions=EMOTIONS, duration=1.0, random_state=0)
    return root


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    path = tmp_path_factory.mktemp("recording") / "talk.wav"
    sr = 16000
    t = np.arange(int(7.5 * sr)) / sr
    sf.write(path, (0.3 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(2 * np.pi * 2 * t)))
             .astype(np.float32), sr)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("recipe", list(PIPELINES))
def test_every_recipe_through_the_command_line(recipe, corpus, recording, tmp_path):
    model = tmp_path / f"{recipe}.skser"
    code, out, err = run("train", "--data", corpus, "--out", model, "--recipe", recipe,
                         "--epochs", "1", "--test-size", "0.25", "--quiet")
    assert code == 0, err
    assert err.count("[1/4]") == 0  # --quiet
    assert "saved the model" in out

    clip = next(corpus.rglob("*.wav"))
    code, out, err = run("predict", "--model", model, clip)
    assert code == 0, err
    path, emotion, probabilities = out.rstrip("\n").split("\t")
    assert path == str(clip) and emotion in EMOTIONS
    if probabilities != "-":  # an SVC without calibration predicts labels only
        values = dict(p.split("=") for p in probabilities.split())
        assert set(values) == set(EMOTIONS)
        assert abs(sum(map(float, values.values())) - 1) < 0.01

    code, out, err = run("predict", model, recording, "--timeline", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) >= 5 and all(r["emotion"] in EMOTIONS for r in rows if not r["silent"])

    code, out, err = run("evaluate", model, "--data", corpus, "--json", "--out", tmp_path)
    assert code == 0, err
    assert 0 <= json.loads(out)["uar"] <= 1

    code, out, err = run("info", model)
    assert code == 0, err
    assert f"recipe: {recipe}" in out and "no pickles" in out


@pytest.fixture(scope="module")
def small_model(corpus, tmp_path_factory):
    model = tmp_path_factory.mktemp("small") / "m.skser"
    code, _, err = run("train", "--data", corpus, "--out", model, "--recipe", "stats-svc")
    assert code == 0, err
    return model, err


def test_train_reports_its_stages_as_plain_lines(small_model):
    _, err = small_model  # stderr is not a terminal here: plain lines, no bars
    for number in (1, 2, 3, 4):
        assert f"skser: [{number}/4] " in err
    assert "\r" not in err


def test_file_names_are_escaped_in_tab_separated_output(small_model, corpus, tmp_path):
    model, _ = small_model
    clip = next(corpus.rglob("*.wav"))
    odd = tmp_path / "a\tb\nc\x1b[2J.wav"
    odd.write_bytes(clip.read_bytes())
    code, out, err = run("predict", "--model", model, odd)
    assert code == 0, err
    (line,) = out.splitlines()
    path, emotion, _ = line.split("\t")
    assert path == str(tmp_path / "a\\tb\\nc\\x1b[2J.wav") and emotion in EMOTIONS
    code, _, err = run("predict", "--model", model, tmp_path / "missing\x1b[31m.wav")
    assert code == 1 and "\x1b" not in err and "missing\\x1b[31m.wav" in err


def test_predict_needs_audio_after_a_model_file(small_model):
    model, _ = small_model
    code, _, err = run("predict", model)
    assert code == 1 and "no audio files" in err
