"""record_held_out and select_held_out: held-out files found again after the data moves."""

from __future__ import annotations

import shutil

import pandas as pd

from skser.model_selection import record_held_out, select_held_out


def test_held_out_files_are_found_after_the_folder_moves(tmp_path):
    old = tmp_path / "data"
    for name in ("ravdess/Actor_01/a.wav", "ravdess/Actor_02/b.wav", "tess/c.wav"):
        (old / name).parent.mkdir(parents=True, exist_ok=True)
        (old / name).write_bytes(b"")
    recorded = record_held_out([old / "ravdess/Actor_02/b.wav", str(old / "tess/c.wav")], old)
    assert recorded == ["ravdess/Actor_02/b.wav", "tess/c.wav"]
    assert record_held_out([tmp_path / "elsewhere.wav"], old) == ["../elsewhere.wav"]

    new = tmp_path / "moved"
    shutil.move(old, new)
    df = pd.DataFrame({"path": [str(p) for p in sorted(new.rglob("*.wav"))]}, index=[5, 6, 7])
    selected = select_held_out(df, recorded, [old, new])
    assert selected.index.tolist() == [6, 7]
    # a sub-folder of the data: its held-out files only
    ravdess = df[df["path"].str.contains("ravdess")]
    assert select_held_out(ravdess, recorded, [old, new]).index.tolist() == [6]
    assert select_held_out(df, recorded, [tmp_path / "nowhere"]).empty
