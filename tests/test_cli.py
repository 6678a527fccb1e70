"""The ``skser`` command line, run in-process through ``main(argv)``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli as run

from skser.recipes import PIPELINES

EMOTIONS = ["neutral", "happy", "sad", "angry"]
TRAINED = ["neutral", "happy", "sad"]  # "angry" is left out to test dropping it
# Tiny network and two epochs: these tests check the plumbing, not accuracy.
TINY = ["--epochs", "2", "--set", "conv1dclassifier__filters=(8, 8)",
        "--set", "conv1dclassifier__dense_units=8"]



@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from skser.datasets import make_synthetic_corpus

    root = tmp_path_factory.mktemp("cli_corpus")
    df = make_synthetic_corpus(root, n_speakers=4, n_statements=2, n_repetitions=1,
                               emotions=EMOTIONS, duration=1.0, random_state=0)
    return root, df


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    """A model trained once by ``skser train``; returns (path, stdout, stderr)."""
    root, _ = corpus
    model = tmp_path_factory.mktemp("cli_model") / "models" / "model.skser"  # made by train
    code, out, err = run("train", "--data", root, "--out", model, "--recipe", "acoustic-conv1d",
                         "--emotions", ",".join(TRAINED), "--test-size", "0.25", *TINY)
    assert code == 0, err
    return model, out, err


def test_help_is_fast_and_imports_nothing_heavy():
    # TensorFlow alone takes seconds to import; --help must not pay for it.
    code = (
        "import sys, skser.cli\n"
        "rc = skser.cli.main(['--help'])\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'librosa', 'matplotlib', 'sklearn', "
        "'pandas', 'numpy') if m in sys.modules]\n"
        "assert rc == 0 and not heavy, (rc, heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "examples:" in proc.stdout and "demo" in proc.stdout


@pytest.mark.parametrize("command", ["demo", "train", "evaluate", "predict", "info"])
def test_every_subcommand_help_has_examples(command):
    code, out, _ = run(command, "--help")
    assert code == 0
    assert "examples:" in out and f"skser {command}" in out


def test_recipe_choices_come_from_the_recipes():
    code, out, _ = run("train", "--help")
    assert all(name in out for name in PIPELINES)
    assert "reference-" not in out  # former names work but are not offered


@pytest.mark.parametrize("command", ["train", "demo"])
def test_a_former_recipe_name_is_accepted_with_a_note(command, tmp_path):
    # Each command fails after parsing --recipe: no data folder, or an invalid --epochs.
    after = (["--data", tmp_path / "missing", "--out", tmp_path / "m.skser"]
             if command == "train" else ["--epochs", "0"])
    code, _, err = run(command, "--recipe", "reference-b-mel", *after)
    assert code == (3 if command == "train" else 2)
    assert err.startswith("skser: recipe 'reference-b-mel' is now called 'mel128-cnn2d'; "
                          "the old name is deprecated")


@pytest.mark.parametrize("argv", [[], ["train"], ["demo", "--recipe", "nope"],
                                  ["train", "--data", "x", "--out", "y", "--split", "odd"]])
def test_usage_errors_exit_2(argv):
    assert run(*argv)[0] == 2


def test_missing_data_folder_exits_3(tmp_path):
    missing = tmp_path / "no_such_corpus"
    code, out, err = run("train", "--data", missing, "--out", tmp_path / "m.skser")
    assert code == 3
    assert str(missing) in err and err.startswith("skser: error:")
    assert "Traceback" not in err


@pytest.mark.parametrize("item", ["epochs", "=3"])
def test_malformed_set_is_an_error(corpus, tmp_path, item):
    root, _ = corpus
    code, _, err = run("train", "--data", root, "--out", tmp_path / "m.skser", "--set", item)
    assert code == 1
    assert "--set expects NAME=VALUE" in err


def test_missing_model_exits_1_without_traceback(tmp_path):
    code, _, err = run("info", tmp_path / "nope.skser")
    assert code == 1
    assert "nope.skser" in err and "Traceback" not in err


def test_unknown_emotion_is_an_error(corpus, tmp_path):
    root, _ = corpus
    code, _, err = run("train", "--data", root, "--out", tmp_path / "m.skser",
                       "--emotions", "happy,gleeful")
    assert code == 1
    assert "gleeful" in err


def test_bad_override_is_an_error(corpus, tmp_path):
    root, _ = corpus
    code, _, err = run("train", "--data", root, "--out", tmp_path / "m.skser",
                       "--recipe", "acoustic-conv1d", "--set", "conv1dclassifier__epoch=2")
    assert code == 1
    assert "conv1dclassifier__epochs" in err


@pytest.mark.slow
def test_demo_quick_reports_and_writes_plots(tmp_path):
    code, out, err = run("demo", "--quick", "--out", tmp_path)
    assert code == 0, err
    for word in ("accuracy", "macro F1", "UAR", "confusion matrix"):
        assert word in out
    accuracy = float(re.search(r"accuracy=([\d.]+)", out).group(1))
    chance = float(re.search(r"chance level: accuracy ([\d.]+)", out).group(1))
    assert accuracy > chance + 0.15, out
    for name in ("confusion_matrix.png", "training_curves.png"):
        png = tmp_path / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert name in out
    assert (tmp_path / "corpus").is_dir()  # an explicit --out keeps the corpus


@pytest.mark.slow
def test_train_reports_and_saves_metadata(trained, corpus):
    from skser.persistence import read_manifest

    model, out, _ = trained
    assert model.is_file()
    assert "accuracy" in out.lower() and "chance level" in out
    meta = read_manifest(model)["metadata"]
    assert meta["classes"] == sorted(TRAINED)
    assert meta["recipe"] == "acoustic-conv1d"
    assert meta["split"]["method"] == "speaker"
    root, df = corpus
    test_files = meta["test_files"]
    assert len(test_files) == meta["split"]["n_test"] > 0
    assert all(not f.startswith("/") and (root / f).is_file() for f in test_files)
    # speaker-independent: the held-out files are all the files of some speakers
    rel = [Path(p).resolve().relative_to(root.resolve()).as_posix() for p in df["path"]]
    used = df.assign(rel=rel)[df["emotion"].isin(TRAINED)]
    test_speakers = set(used.loc[used["rel"].isin(test_files), "speaker"])
    assert 0 < len(test_speakers) < used["speaker"].nunique()
    assert set(test_files) == set(used.loc[used["speaker"].isin(test_speakers), "rel"])
    assert set(meta["scores"]) >= {"accuracy", "macro_f1", "uar"}


@pytest.mark.slow
def test_evaluate_uses_held_out_files(trained, corpus, tmp_path):
    from skser.persistence import read_manifest

    model, _, _ = trained
    root, _ = corpus
    code, out, err = run("evaluate", model, "--data", root, "--out", tmp_path)
    assert code == 0, err
    n_test = read_manifest(model)["metadata"]["split"]["n_test"]
    assert f"held-out files: {n_test} files" in out
    assert "accuracy" in out.lower()
    assert (tmp_path / "confusion_matrix.png").is_file()


@pytest.mark.slow
def test_evaluate_finds_held_out_files_under_a_folder_of_corpora(trained, corpus, tmp_path):
    model, _, _ = trained
    root, _ = corpus
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "RAVDESS").symlink_to(root, target_is_directory=True)
    code, out, err = run("evaluate", model, "--data", tmp_path / "data", "--out", tmp_path)
    assert code == 0, err
    assert "evaluated on the model's held-out files" in out


@pytest.mark.slow
def test_evaluate_missing_data_folder_exits_3(trained, tmp_path):
    model, _, _ = trained
    code, _, err = run("evaluate", model, "--data", tmp_path / "gone")
    assert code == 3
    assert "gone" in err


@pytest.mark.slow
def test_evaluate_all_drops_unknown_emotions_and_writes_json(trained, corpus):
    model, _, _ = trained
    root, df = corpus
    code, out, err = run("evaluate", model, "--data", root, "--all", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert 0.0 <= report["accuracy"] <= 1.0
    n_angry = int((df["emotion"] == "angry").sum())
    assert f"dropped {n_angry} files" in err and f"angry ({n_angry})" in err
    assert report["n_samples"] == len(df) - n_angry
    assert report["labels"] == sorted(TRAINED)
    assert (model.parent / "confusion_matrix.png").is_file()


@pytest.mark.slow
def test_predict_prints_one_line_per_file(trained, corpus):
    model, _, _ = trained
    _, df = corpus
    files = df["path"].iloc[:3].tolist()
    code, out, err = run("predict", model, *files)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == len(files)
    for path, line in zip(files, lines):
        got_path, emotion, probs = line.split("\t")
        assert got_path == path and emotion in TRAINED
        values = dict(item.split("=") for item in probs.split())
        assert set(values) == set(TRAINED)
        assert abs(sum(map(float, values.values())) - 1) < 0.01
        # sorted, most likely first, and the first is the prediction
        assert list(values)[0] == emotion
        assert [float(v) for v in values.values()] == sorted(map(float, values.values()),
                                                             reverse=True)


@pytest.mark.slow
def test_predict_one_file(trained, corpus):
    model, _, _ = trained
    _, df = corpus
    code, out, err = run("predict", model, df["path"].iloc[0], "--json")
    assert code == 0, err
    (record,) = json.loads(out)
    assert record["emotion"] in TRAINED
    assert set(record["probabilities"]) == set(TRAINED)


@pytest.mark.slow
def test_predict_names_bad_files_and_exits_1(trained, corpus, tmp_path):
    model, _, _ = trained
    _, df = corpus
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"this is not audio")
    missing = tmp_path / "missing.wav"
    good = df["path"].iloc[0]
    code, out, err = run("predict", model, good, bad, missing, "--json")
    assert code == 1
    assert "broken.wav" in err and "missing.wav" in err
    records = json.loads(out)
    assert [r["path"] for r in records] == [good, str(bad), str(missing)]
    assert records[0]["emotion"] in TRAINED
    assert "error" in records[1] and "error" in records[2]


@pytest.mark.slow
def test_info_shows_classes_and_recipe(trained):
    model, _, _ = trained
    code, out, err = run("info", model)
    assert code == 0, err
    assert f"classes: {', '.join(sorted(TRAINED))}" in out
    assert "recipe: acoustic-conv1d" in out
    code, out, _ = run("info", model, "--json")
    assert code == 0
    assert json.loads(out)["metadata"]["classes"] == sorted(TRAINED)


# -- predict --timeline and evaluate --map/--drop, with a cheap scikit-learn model ----------

LABEL_EMOTIONS = ["neutral", "calm", "happy", "sad", "angry"]
QUICK_CLASSES = ["happy", "neutral", "sad"]  # calm and angry are not classes of the model


@pytest.fixture(scope="module")
def quick_model(tmp_path_factory):
    """A LogisticRegression on a few acoustic features, saved; and its 5-emotion corpus."""
    from sklearn.linear_model import LogisticRegression

    from skser.datasets import make_synthetic_corpus
    from skser.features import AcousticFeatures
    from skser.persistence import save
    from skser.pipeline import make_pipeline

    root = tmp_path_factory.mktemp("cli_label_corpus")
    df = make_synthetic_corpus(root, n_speakers=2, n_statements=1, n_repetitions=1,
                               emotions=LABEL_EMOTIONS, sr=8000, duration=1.0,
                               random_state=0)
    train = df[df["emotion"].isin(QUICK_CLASSES)]
    model = make_pipeline(
        AcousticFeatures(sr=8000, duration=1.0, offset=0.0, features=("zcr", "rms", "mfcc"),
                         n_mfcc=13, n_mels=40, n_fft=512, hop_length=256),
        LogisticRegression(max_iter=2000),
    ).fit(train["path"].tolist(), train["emotion"].to_numpy())
    path = tmp_path_factory.mktemp("cli_quick_model") / "quick.skser"
    save(model, path, metadata={"classes": QUICK_CLASSES})
    return path, root, df


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """12 s at 16 kHz: 5 s of voice, 3 s of silence, 4 s of voice."""
    import numpy as np
    import soundfile as sf

    rng = np.random.default_rng(0)
    t = np.arange(5 * 16000) / 16000
    voice = (0.3 * np.sin(2 * np.pi * 180 * t) * (0.7 + 0.3 * np.sin(2 * np.pi * 3 * t)))
    y = np.concatenate([voice, 1e-4 * rng.standard_normal(3 * 16000), voice[: 4 * 16000]])
    path = tmp_path_factory.mktemp("cli_recording") / "talk.wav"
    sf.write(path, y.astype(np.float32), 16000)
    return path


def test_predict_timeline_writes_csv(quick_model, recording, tmp_path):
    import pandas as pd

    model, _, _ = quick_model
    out = tmp_path / "sub" / "timeline.csv"
    code, stdout, err = run("predict", model, recording, "--timeline", "--hop", "1",
                            "--out", out)
    assert code == 0, err
    assert stdout == "" and f"wrote 12 windows (3 silent) to {out}" in err
    table = pd.read_csv(out)
    assert table.columns.tolist() == ["start", "end", "emotion", "confidence", "silent",
                                      *(f"proba_{c}" for c in QUICK_CLASSES)]
    # window 1 s (the model's duration), hop 1 s: 12 windows; those from 5 to 8 s are silent
    assert table["start"].tolist() == [float(i) for i in range(12)]
    assert table["end"].tolist() == [float(i + 1) for i in range(12)]
    assert table["silent"].tolist() == [i in (5, 6, 7) for i in range(12)]
    assert table.loc[table["silent"], "emotion"].isna().all()
    assert set(table.loc[~table["silent"], "emotion"]) <= set(QUICK_CLASSES)


def test_predict_timeline_writes_and_prints_json(quick_model, recording, tmp_path):
    model, _, _ = quick_model
    out = tmp_path / "timeline.json"
    code, _, err = run("predict", model, recording, "--timeline", "--window", "2",
                       "--hop", "0.5", "--out", out)
    assert code == 0, err
    records = json.loads(out.read_text())
    # 2 s windows every 0.5 s over 12 s: 21 full windows, then one of 1.5 s (kept)
    assert len(records) == 22
    assert records[-1]["start"] == 10.5 and records[-1]["end"] == 12.0
    silent = [r for r in records if r["silent"]]
    assert silent and all(r["emotion"] is None and r["confidence"] is None for r in silent)
    assert all(r[f"proba_{c}"] is None for r in silent for c in QUICK_CLASSES)
    voiced = [r for r in records if not r["silent"]]
    assert all(abs(sum(r[f"proba_{c}"] for c in QUICK_CLASSES) - 1) < 1e-6 for r in voiced)
    code, stdout, err = run("predict", model, recording, "--timeline", "--json", "--no-gate")
    assert code == 0, err
    printed = json.loads(stdout)
    assert len(printed) == 12 and not any(r["silent"] for r in printed)


def test_predict_timeline_prints_a_table(quick_model, recording):
    model, _, _ = quick_model
    code, out, err = run("predict", model, recording, "--timeline")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].split() == ["start", "end", "emotion", "confidence", "silent",
                                *(f"proba_{c}" for c in QUICK_CLASSES)]
    assert len(lines) == 1 + 12
    assert lines[6].split()[:5] == ["5.000", "6.000", "-", "-", "True"]


@pytest.mark.parametrize(("extra", "message"), [
    (["--window", "2"], "--window only apply with --timeline"),
    (["--timeline", "--out", "t.txt"], "must end in .csv or .json"),
    (["--timeline", "EXTRA"], "--timeline takes one FILE, got 2"),
])
def test_predict_timeline_option_errors(quick_model, recording, extra, message):
    model, _, _ = quick_model
    argv = ["predict", model, recording, *extra]
    if "EXTRA" in extra:
        argv = ["predict", model, recording, recording, "--timeline"]
    code, _, err = run(*argv)
    assert code == 1
    assert message in err and "Traceback" not in err


def test_predict_timeline_bad_file_and_bad_hop(quick_model, tmp_path):
    model, _, _ = quick_model
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"not audio")
    code, _, err = run("predict", model, bad, "--timeline")
    assert code == 1 and "broken.wav" in err and "Traceback" not in err
    assert run("predict", model, bad, "--timeline", "--hop", "0")[0] == 2  # usage error


def test_evaluate_map_and_drop_report(quick_model, tmp_path):
    model, root, df = quick_model
    n = df["emotion"].value_counts()
    code, out, err = run("evaluate", model, "--data", root, "--all", "--out", tmp_path,
                         "--map", "calm=neutral", "--drop", "sad")
    assert code == 0, err
    assert f"label map: merged calm into neutral ({n['calm']} files relabelled)" in out
    assert f"label map: dropped sad ({n['sad']} files; --drop)" in out
    assert f"label map: dropped angry ({n['angry']} files; not a class of the model)" in out
    n_after = n["neutral"] + n["calm"] + n["happy"]
    assert f"label map: {len(df)} files before, {n_after} after" in out
    assert f"evaluated on all files: {n_after} files" in out
    assert f"dropped {n['angry']} files of emotions the model does not know" in err


def test_evaluate_map_json(quick_model, tmp_path):
    model, root, df = quick_model
    n = df["emotion"].value_counts()
    code, out, err = run("evaluate", model, "--data", root, "--all", "--json", "--out",
                         tmp_path, "--map", "calm=neutral,angry=happy")
    assert code == 0, err
    report = json.loads(out)
    changes = report["label_changes"]
    assert changes["mapped"] == {"calm": {"to": "neutral", "n": int(n["calm"])},
                                 "angry": {"to": "happy", "n": int(n["angry"])}}
    assert changes["dropped"] == {}
    assert changes["n_before"] == changes["n_after"] == report["n_samples"] == len(df)


@pytest.mark.parametrize(("option", "message"), [
    (["--map", "calm=gleeful"], "'gleeful' is not one of the labels to keep"),
    (["--map", "calm"], "--map expects FROM=TO"),
    (["--drop", "bored"], "dropped label 'bored'"),
])
def test_evaluate_bad_label_options(quick_model, tmp_path, option, message):
    model, root, _ = quick_model
    code, _, err = run("evaluate", model, "--data", root, "--all", "--out", tmp_path, *option)
    assert code == 1
    assert message in err and "Traceback" not in err


def test_describe_names_speakers_only_when_the_layout_has_them():
    import pandas as pd

    from skser.cli._common import describe as _describe

    df = pd.DataFrame({"path": ["a", "b", "c"], "emotion": ["sad", "sad", "happy"],
                       "speaker": pd.array([pd.NA] * 3, dtype="string")})
    # A folder-per-emotion layout names no speaker: no "0 speakers" in the report.
    assert _describe(df) == "3 files (happy 1, sad 2)"
    df["speaker"] = ["s1", "s1", "s2"]
    assert _describe(df) == "3 files, 2 speakers (happy 1, sad 2)"
    assert _describe(df[df["speaker"] == "s2"]) == "1 file, 1 speaker (happy 1)"


def test_models_read_paths_with_speakers_where_the_table_has_them():
    import pandas as pd

    from skser.cli._common import model_input as _model_input
    from skser.cli.predict import _predict_each

    df = pd.DataFrame({"path": ["a.wav", "b.wav"], "speaker": ["s1", "s2"]}, index=[3, 4])
    assert _model_input(df).to_dict("list") == {"path": ["a.wav", "b.wav"],
                                                "speaker": ["s1", "s2"]}
    assert _model_input(df.assign(speaker=[None, "s2"])) == ["a.wav", "b.wav"]
    assert _model_input(df[["path"]]) == ["a.wav", "b.wav"]

    import numpy as np

    class Recorder:
        def predict_proba(self, X):
            self.X = X
            return np.ones((len(X), 2)) / 2

    model = Recorder()
    _predict_each(model, ["a.wav", "b.wav"], speaker="ann")
    assert model.X["speaker"].tolist() == ["ann", "ann"]
    _predict_each(model, ["a.wav"])
    assert model.X == ["a.wav"]
