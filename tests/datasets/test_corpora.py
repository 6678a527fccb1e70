"""Corpus loaders on generated miniature layouts, and on the real corpora (realdata)."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from skser.datasets import (
    AUDIO_EXTENSIONS,
    EMOTIONS,
    drop_known_duplicates,
    load_corpora,
    load_cremad,
    load_data_folder,
    load_folder,
    load_pattern,
    load_ravdess,
    load_savee,
    load_table,
    load_tess,
)
from skser.exceptions import CorpusError, DataNotFoundError

BASE = ["path", "emotion", "speaker", "corpus"]

RAVDESS = [
    "Actor_01/03-01-01-01-01-01-01.wav",
    "Actor_01/03-01-05-02-02-01-01.flac",
    "Actor_02/03-01-08-01-01-02-02.wav",
    "Actor_02/03-01-02-02-02-02-02.ogg",
]
CREMAD = [
    "AudioWAV/1001_DFA_ANG_XX.wav",
    "AudioWAV/1001_IEO_HAP_HI.ogg",
    "AudioWAV/1002_DFA_NEU_XX.wav",
    "AudioWAV/1091_TIE_FEA_LO.flac",
]
TESS = [
    "TESS Toronto emotional speech set data/OAF_angry/OAF_back_angry.wav",
    "TESS Toronto emotional speech set data/OAF_neutral/OA_bite_neutral.wav",
    "TESS Toronto emotional speech set data/YAF_ps/YAF_back_ps.flac",
    "TESS Toronto emotional speech set data/YAF_fear/YAF_dog_fear.wav",
]
SAVEE = ["ALL/DC_a01.wav", "ALL/DC_sa02.wav", "ALL/JE_su15.flac", "ALL/KL_n30.wav"]


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """One tiny file per format (50 ms of quiet noise), copied under many names."""
    folder = tmp_path_factory.mktemp("templates")
    y = 0.01 * np.random.default_rng(0).standard_normal(800)
    out = {}
    for ext in ("wav", "flac", "ogg"):
        out[ext] = folder / f"t.{ext}"
        sf.write(out[ext], y, 16000)
    return out


@pytest.fixture
def layout(templates, tmp_path):
    """``layout(names, root=tmp_path)`` copies the template of each name's format."""

    def make(names, root=tmp_path):
        root = Path(root)
        for name in names:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            # Other extensions (.WAV, .txt) get WAV bytes: loaders only list files.
            shutil.copyfile(templates.get(target.suffix[1:], templates["wav"]), target)
        return root

    return make


def check_frame(df, root, n):
    assert list(df.columns[:4]) == BASE
    assert len(df) == n
    assert all(Path(p).is_absolute() and Path(p).is_file() for p in df["path"])
    assert all(Path(p).is_relative_to(Path(root).resolve()) for p in df["path"])
    assert df["path"].is_monotonic_increasing
    assert df.index.equals(pd.RangeIndex(n))


def row(df, stem):
    match = df[df["path"].map(lambda p: Path(p).stem) == stem]
    assert len(match) == 1, stem
    return match.iloc[0]


# ---------------------------------------------------------------- the four corpora
def test_load_ravdess(layout):
    root = layout(RAVDESS)
    df = load_ravdess(root)
    check_frame(df, root, 4)
    assert list(df.columns[4:]) == ["gender", "intensity", "statement", "repetition"]
    assert set(df["corpus"]) == {"ravdess"}
    r = row(df, "03-01-05-02-02-01-01")
    assert (r.emotion, r.speaker, r.gender, r.intensity, r.statement, r.repetition) == (
        "angry", "ravdess_01", "male", "strong", 2, 1)
    r = row(df, "03-01-08-01-01-02-02")
    assert (r.emotion, r.speaker, r.gender, r.intensity) == (
        "surprised", "ravdess_02", "female", "normal")
    assert row(df, "03-01-02-02-02-02-02").emotion == "calm"
    assert row(df, "03-01-01-01-01-01-01").emotion == "neutral"
    assert str(df["statement"].dtype) == "Int64"


def test_load_cremad(layout):
    root = layout(CREMAD)
    df = load_cremad(root)
    check_frame(df, root, 4)
    assert list(df.columns[4:]) == ["sentence", "level"]
    assert list(df["speaker"]) == ["cremad_1001", "cremad_1001", "cremad_1002", "cremad_1091"]
    assert list(df["emotion"]) == ["angry", "happy", "neutral", "fearful"]
    assert list(df["level"]) == ["unspecified", "high", "unspecified", "low"]
    assert list(df["sentence"]) == ["DFA", "IEO", "DFA", "TIE"]


def test_load_tess_wrapper_folder_and_typo(layout):
    root = layout(TESS)
    df = load_tess(root)
    check_frame(df, root, 4)
    typo = row(df, "OA_bite_neutral")
    assert (typo.speaker, typo.emotion, typo.word) == ("tess_OAF", "neutral", "bite")
    assert set(df["speaker"]) == {"tess_OAF", "tess_YAF"}
    assert row(df, "YAF_back_ps").emotion == "surprised"
    assert row(df, "YAF_dog_fear").emotion == "fearful"
    assert set(df["gender"]) == {"female"}


def test_load_savee_both_layouts(layout, tmp_path):
    root = layout(SAVEE, tmp_path / "kaggle")
    df = load_savee(root)
    check_frame(df, root, 4)
    assert list(df["emotion"]) == ["angry", "sad", "surprised", "neutral"]
    assert list(df["speaker"]) == ["savee_DC", "savee_DC", "savee_JE", "savee_KL"]
    assert list(df["sentence"]) == ["01", "02", "15", "30"]
    original = layout(["AudioData/DC/a01.wav", "AudioData/JE/a01.wav", "AudioData/JE/h03.wav"],
                      tmp_path / "original")
    df = load_savee(original)
    assert list(df["speaker"]) == ["savee_DC", "savee_JE", "savee_JE"]
    assert list(df["emotion"]) == ["angry", "angry", "happy"]


def test_every_soundfile_extension_is_listed(layout):
    assert {"wav", "flac", "ogg", "opus", "oga", "mp3", "aiff"} <= AUDIO_EXTENSIONS
    root = layout(["Actor_01/03-01-01-01-01-01-01.WAV", "Actor_01/notes.txt"])
    (root / "Actor_01" / "03-01-01-01-01-02-01.Opus").write_bytes(b"")
    assert len(load_ravdess(root)) == 2


def test_hidden_files_and_macos_folders_are_skipped(layout):
    root = layout([*RAVDESS, "Actor_01/._03-01-01-01-01-01-01.wav",
                   "__MACOSX/Actor_01/whatever.wav", ".cache/x.wav"])
    assert len(load_ravdess(root)) == 4


# ---------------------------------------------------------------- errors
def test_missing_root_and_file_root(tmp_path):
    with pytest.raises(CorpusError, match=r"does not exist") as info:
        load_ravdess(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(info.value)
    (tmp_path / "file.wav").write_bytes(b"")
    with pytest.raises(CorpusError, match=r"is not a folder"):
        load_tess(tmp_path / "file.wav")


def test_no_audio_files(tmp_path):
    (tmp_path / "readme.txt").write_text("nothing here")
    with pytest.raises(CorpusError, match=r"no audio files found under .*wav"):
        load_savee(tmp_path)


@pytest.mark.parametrize(
    ("loader", "names", "bad", "expected"),
    [
        (load_ravdess, RAVDESS, "Actor_01/03-02-01-01-01-01-01.wav", "03-01-EE-II-SS-RR-AA.wav"),
        (load_cremad, CREMAD, "AudioWAV/1001-DFA-ANG-XX.wav", "AAAA_SSS_EEE_LL.wav"),
        (load_tess, TESS, "OAF_angry/back angry.wav", "OAF_word_emotion.wav"),
        (load_savee, SAVEE, "ALL/DC_x01.wav", "DC_a01.wav"),
    ],
)
def test_unmatched_name_names_file_and_pattern(layout, loader, names, bad, expected):
    root = layout([*names, bad])
    with pytest.raises(CorpusError) as info:
        loader(root)
    message = str(info.value)
    assert str((root / bad).resolve()) in message
    assert expected in message
    assert "1 file name(s)" in message


@pytest.mark.parametrize(
    ("loader", "names", "bad", "code", "known"),
    [
        (load_ravdess, RAVDESS, "Actor_01/03-01-09-01-01-01-01.wav", "'09'", "08"),
        (load_cremad, CREMAD, "AudioWAV/1001_DFA_BOR_XX.wav", "'BOR'", "ANG, DIS"),
        (load_tess, TESS, "OAF_bored/OAF_back_bored.wav", "'bored'", "ps"),
    ],
)
def test_unknown_label_code_names_file_code_and_known_codes(layout, loader, names, bad, code,
                                                           known):
    root = layout([*names, bad])
    with pytest.raises(CorpusError, match="unknown emotion code") as info:
        loader(root)
    message = str(info.value)
    assert str((root / bad).resolve()) in message
    assert code in message
    assert "known codes: " in message and known in message


def test_nested_second_copy_is_refused(layout):
    root = layout([*RAVDESS, *(f"audio_speech_actors_01-24/{n}" for n in RAVDESS[:2])])
    with pytest.raises(CorpusError, match="copies of the same recording"):
        load_ravdess(root)


def test_many_bad_files_are_summarised(layout):
    root = layout([f"Actor_01/take{i}.wav" for i in range(8)])
    with pytest.raises(CorpusError, match=r"8 file name\(s\) .* and 3 more"):
        load_ravdess(root)


# ---------------------------------------------------------------- load_pattern
def test_load_pattern_custom_corpus(layout):
    root = layout(["s01/s01_joy_1.wav", "s02/s02_rage_2.flac", "s02/s02_rage_3.txt"])
    df = load_pattern(
        root, r"(?P<speaker>s\d+)_(?P<label>[a-z]+)_(?P<take>\d)",
        {"Joy": "happy", "rage": "anger"}, corpus="mine", speaker_prefix="m",
        label_group="label", metadata={"take": lambda g: int(g["take"]), "raw": "label"},
    )
    check_frame(df, root, 2)
    assert list(df["emotion"]) == ["happy", "angry"]
    assert list(df["speaker"]) == ["m_s01", "m_s02"]
    assert list(df["take"]) == [1, 2] and list(df["raw"]) == ["joy", "rage"]
    assert set(df["corpus"]) == {"mine"}


def test_load_pattern_extensions_and_folder_groups(layout):
    root = layout(["spk7/angry_01.wav", "spk7/sad_02.flac", "sad_03.wav"])
    df = load_pattern(root, r"(?P<emotion>[a-z]+)_\d\d", None, corpus="c",
                      folder_pattern=r"spk(?P<speaker>\d+)", extensions=[".FLAC"])
    assert list(df["emotion"]) == ["sad"]
    assert list(df["speaker"]) == ["c_7"]
    with pytest.raises(CorpusError, match=r"name no speaker.*sad_03\.wav"):
        load_pattern(root, r"(?P<emotion>[a-z]+)_\d\d", None, corpus="c",
                     folder_pattern=r"spk(?P<speaker>\d+)")


def test_load_pattern_unknown_labels(layout):
    root = layout(["a_boredom.wav", "b_anger.wav"])
    pattern = r"(?P<speaker>[a-z])_(?P<emotion>[a-z]+)"
    with pytest.raises(CorpusError, match=r"a_boredom\.wav \(code 'boredom'\)"):
        load_pattern(root, pattern, None, corpus="c")
    df = load_pattern(root, pattern, None, corpus="c", allow_unknown_labels=True)
    assert list(df["emotion"]) == ["boredom", "angry"]
    with pytest.raises(CorpusError, match="'bored' to 'boredom', which is not in the emotion"):
        load_pattern(root, pattern, {"bored": "boredom"}, corpus="c")


def test_load_pattern_without_label_group(layout):
    root = layout(["a_b.wav"])
    with pytest.raises(CorpusError, match="label group 'emotion' is not a named group"):
        load_pattern(root, r"(?P<speaker>\w)_\w", None, corpus="c")


# ---------------------------------------------------------------- load_corpora
ALL_FOUR = {"RAVDESS": RAVDESS, "CREMA-D": CREMAD, "tess": TESS, "Savee": SAVEE}


@pytest.fixture
def four(layout, tmp_path):
    for folder, names in ALL_FOUR.items():
        layout(names, tmp_path / folder)
    (tmp_path / "notes").mkdir()
    return tmp_path


def test_load_corpora_all_four(four):
    df = load_corpora(four)
    assert list(df["corpus"].unique()) == ["ravdess", "cremad", "tess", "savee"]
    assert df["corpus"].value_counts().to_dict() == {c: 4 for c in df["corpus"].unique()}
    assert df.index.equals(pd.RangeIndex(16))
    assert set(df.columns) == {*BASE, "gender", "intensity", "statement", "repetition",
                               "sentence", "level", "word"}
    cremad = df[df["corpus"] == "cremad"]
    assert cremad["gender"].isna().all() and cremad["statement"].isna().all()
    assert str(df["repetition"].dtype) == "Int64"
    assert df["speaker"].str.match(r"^(ravdess|cremad|tess|savee)_").all()
    assert set(df["emotion"]) <= set(EMOTIONS)


def test_load_corpora_subset(four):
    df = load_corpora(four, corpora=("tess", "RAVDESS"))
    assert list(df["corpus"].unique()) == ["tess", "ravdess"]
    assert "sentence" not in df.columns
    assert list(load_corpora(four, "crema-d")["corpus"].unique()) == ["cremad"]


def test_load_corpora_errors(four, tmp_path, layout):
    shutil.rmtree(four / "Savee")
    with pytest.raises(CorpusError, match=re.escape("'savee' not found")) as info:
        load_corpora(four, corpora=["ravdess", "savee"])
    assert str(four.resolve()) in str(info.value)
    with pytest.raises(CorpusError, match="unknown corpus 'emodb'"):
        load_corpora(four, corpora=["emodb"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CorpusError, match=rf"no corpus folder found directly under .*{empty.name}"):
        load_corpora(empty)
    layout(TESS, four / "TESS")
    if (four / "tess").resolve() != (four / "TESS").resolve():
        with pytest.raises(CorpusError, match="two folders"):
            load_corpora(four)


# ---------------------------------------------------------------- load_folder / load_table
def test_load_folder_synonyms_and_unknown(layout):
    root = layout(["Anger/a.wav", "fear/b.flac", "Happiness/s1/c.wav", "sadness/d.wav",
                   "surprise/e.wav", "disgusted/f.wav", "Boredom/g.wav"])
    df = load_folder(root, corpus="mine")
    check_frame(df, root, 7)
    assert df.set_index(df["path"].map(lambda p: Path(p).stem))["emotion"].to_dict() == {
        "a": "angry", "b": "fearful", "c": "happy", "d": "sad", "e": "surprised",
        "f": "disgust", "g": "boredom",
    }
    assert df["speaker"].isna().all() and set(df["corpus"]) == {"mine"}
    with pytest.raises(CorpusError, match=r"Boredom.*g\.wav \(code 'Boredom'\)"):
        load_folder(root, allow_unknown_labels=False)


def test_load_folder_file_outside_emotion_folder(layout):
    root = layout(["angry/a.wav", "loose.wav"])
    with pytest.raises(CorpusError, match=r"EMOTION/name\.wav.*loose\.wav"):
        load_folder(root)


def test_load_table_csv_relative_paths(layout, tmp_path):
    layout(["audio/x.wav", "audio/y.flac"])
    csv = tmp_path / "labels.csv"
    pd.DataFrame({"file": ["audio/x.wav", "audio/y.flac"], "label": ["Anger", "sadness"],
                  "who": ["01", None], "session": ["a", "b"]}).to_csv(csv, index=False)
    df = load_table(csv, path="file", label="label", speaker="who", corpus="lab")
    assert list(df.columns) == [*BASE, "session"]
    expected = [str((tmp_path / "audio" / name).resolve()) for name in ("x.wav", "y.flac")]
    assert list(df["path"]) == expected
    assert list(df["emotion"]) == ["angry", "sad"]
    assert df["speaker"][0] == "lab_01" and pd.isna(df["speaker"][1])


def test_load_table_dataframe_with_root(layout, tmp_path):
    root = layout(["x.wav", "y.wav"], tmp_path / "data")
    table = pd.DataFrame({"path": ["x.wav", str(root / "y.wav")], "emotion": ["calm", "joy"]},
                         index=[10, 11])
    df = load_table(table, root=root)
    assert list(df["emotion"]) == ["calm", "happy"]
    assert df["speaker"].isna().all()
    assert df.index.equals(pd.RangeIndex(2))
    load_table(table, root=root, allow_unknown_labels=False)
    table.loc[11, "emotion"] = "Boredom"
    assert list(load_table(table, root=root)["emotion"]) == ["calm", "boredom"]
    with pytest.raises(CorpusError, match=r"row 1 \(.*y\.wav\): Boredom"):
        load_table(table, root=root, allow_unknown_labels=False)


def test_load_table_errors(layout, tmp_path):
    root = layout(["x.wav"])
    table = pd.DataFrame({"path": ["x.wav", "gone.wav"], "emotion": ["sad", "sad"]})
    with pytest.raises(CorpusError, match=r"1 file\(s\) listed in the table do not exist: .*gone"):
        load_table(table, root=root)
    with pytest.raises(CorpusError, match=r"has no column\(s\) \['label'\]"):
        load_table(table, label="label", root=root)
    with pytest.raises(CorpusError, match=r"empty label in row 0"):
        load_table(pd.DataFrame({"path": ["x.wav"], "emotion": [None]}), root=root)
    with pytest.raises(CorpusError, match="missing.csv does not exist"):
        load_table(tmp_path / "missing.csv")


# ---------------------------------------------------------------- duplicates
DUPLICATES = ["Actor_07/03-01-03-01-02-01-07.wav", "Actor_07/03-01-03-01-02-02-07.wav"]
CREMAD_PAIRS = ["AudioWAV/1006_TIE_HAP_XX.wav", "AudioWAV/1006_TIE_NEU_XX.wav",
                "AudioWAV/1013_WSI_DIS_XX.wav", "AudioWAV/1013_WSI_SAD_XX.wav",
                "AudioWAV/1017_IWW_ANG_XX.wav", "AudioWAV/1017_IWW_FEA_XX.wav"]


def test_drop_known_duplicates(layout, tmp_path):
    layout([*RAVDESS, *DUPLICATES], tmp_path / "ravdess")
    layout([*CREMAD, *CREMAD_PAIRS], tmp_path / "cremad")
    df = load_corpora(tmp_path)
    kept = drop_known_duplicates(df)
    dropped = sorted(Path(p).stem for p in set(df["path"]) - set(kept["path"]))
    assert dropped == sorted(["03-01-03-01-02-02-07", *(Path(n).stem for n in CREMAD_PAIRS)])
    assert len(kept) == len(df) - 7 and kept.index.equals(pd.RangeIndex(len(kept)))
    # Other corpora with the same stems are left alone.
    other = df.assign(corpus="synthetic")
    assert len(drop_known_duplicates(other)) == len(df)
    with pytest.raises(CorpusError, match=r"missing column\(s\) \['corpus'\]"):
        drop_known_duplicates(df[["path"]])


# ---------------------------------------------------------------- load_data_folder
def test_load_data_folder_reads_a_folder_of_corpora_without_duplicates(layout, tmp_path):
    layout([*RAVDESS, *DUPLICATES], tmp_path / "ravdess")
    layout([*CREMAD, *CREMAD_PAIRS], tmp_path / "cremad")
    expected = drop_known_duplicates(load_corpora(tmp_path))
    pd.testing.assert_frame_equal(load_data_folder(tmp_path), expected)
    every = load_data_folder(tmp_path, drop_duplicates=False)
    pd.testing.assert_frame_equal(every, load_corpora(tmp_path))
    cremad = load_data_folder(tmp_path, corpora=["crema-d"])
    assert set(cremad["corpus"]) == {"cremad"} and len(cremad) == len(CREMAD)


@pytest.mark.parametrize("names, corpus", [
    (RAVDESS, "ravdess"), (CREMAD, "cremad"), (TESS, "tess"), (SAVEE, "savee"),
    (["angry/a.wav", "Sadness/b.wav"], "custom"),
], ids=["ravdess", "cremad", "tess", "savee", "folder-per-emotion"])
def test_load_data_folder_recognises_one_corpus_folder(layout, tmp_path, names, corpus):
    root = layout(names, tmp_path / "anything")
    df = load_data_folder(root)
    assert set(df["corpus"]) == {corpus} and len(df) == len(names)
    assert df.index.equals(pd.RangeIndex(len(names)))


def test_load_data_folder_errors(layout, tmp_path):
    with pytest.raises(DataNotFoundError, match="data folder not found"):
        load_data_folder(tmp_path / "missing")
    assert issubclass(DataNotFoundError, CorpusError)
    root = layout(["x/1.wav", "loose.wav"], tmp_path / "odd")
    with pytest.raises(CorpusError, match="neither a folder of corpora") as info:
        load_data_folder(root)
    for loader in ("load_corpora", "load_ravdess", "load_savee", "load_folder"):
        assert f"{loader}: " in str(info.value)
    # corpora= asks for a folder of corpora
    one = layout(RAVDESS, tmp_path / "one")
    with pytest.raises(CorpusError, match="corpus 'ravdess' not found"):
        load_data_folder(one, corpora=["ravdess"])


# ---------------------------------------------------------------- real corpora
@pytest.mark.realdata
def test_real_corpora(real_corpora):
    start = time.perf_counter()
    df = load_corpora(real_corpora)
    elapsed = time.perf_counter() - start
    assert elapsed < 10, f"listing 12,162 files took {elapsed:.1f} s"
    assert len(df) == 12162
    assert df["corpus"].value_counts().to_dict() == {
        "cremad": 7442, "tess": 2800, "ravdess": 1440, "savee": 480}
    counts = df.groupby(["corpus", "emotion"]).size()
    six = ("angry", "disgust", "fearful", "happy", "sad")
    assert counts["ravdess"].to_dict() == {e: 96 if e == "neutral" else 192 for e in EMOTIONS}
    assert counts["cremad"].to_dict() == {"neutral": 1087, **{e: 1271 for e in six}}
    assert counts["tess"].to_dict() == {e: 400 for e in (*six, "neutral", "surprised")}
    assert counts["savee"].to_dict() == {"neutral": 120, **{e: 60 for e in (*six, "surprised")}}
    assert df.groupby("corpus")["speaker"].nunique().to_dict() == {
        "ravdess": 24, "cremad": 91, "tess": 2, "savee": 4}
    assert row(df, "OA_bite_neutral").speaker == "tess_OAF"
    assert set(df.loc[df["corpus"] == "ravdess", "gender"]) == {"male", "female"}

    kept = drop_known_duplicates(df)
    dropped = sorted(Path(p).stem for p in set(df["path"]) - set(kept["path"]))
    assert dropped == sorted(["03-01-03-01-02-02-07", *(Path(n).stem for n in CREMAD_PAIRS)])
