"""``skser predict``: the emotion of audio files, or of a long recording over time."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..exceptions import SkserError
from ..utils._columns import PATH_COLUMN, SPEAKER_COLUMN
from ..utils._text import escape_control, escape_field
from ._common import EXIT_ERROR, dump_json, load_model, note, seconds, set_runtime

SUMMARY = ("predict the emotion of audio files (with skser's shipped model, or --model FILE), "
           "or of a long recording over time (--timeline)")
EXAMPLES = (
    "  skser predict clip.wav\n"
    "  skser predict recordings/*.wav --json\n"
    "  skser predict interview.wav --timeline\n"
    "  skser predict --model model.skser clip.wav\n"
    "  skser predict --model model.skser interview.flac --timeline --hop 0.5 \\\n"
    "      --out timeline.csv\n"
    "\n"
    "Without --model, skser's shipped model answers (see 'skser info'); a first FILE\n"
    "ending in .skser is read as the model, as --model FILE. Output: one line per\n"
    "file, tab-separated: path (tabs, newlines and control characters escaped),\n"
    "emotion, then class=probability pairs ('-' for a model without probabilities).\n"
    "--timeline cuts the recording into windows (default: as long as the clips the\n"
    "model was trained on) starting every --hop seconds and prints one row per window:\n"
    "start and end (s), emotion, confidence, silent, then one proba_<emotion> column\n"
    "per class. Windows quieter than --gate-db are marked silent and not classified.\n"
    "The file is streamed, so recordings of any length fit in memory.\n"
)

_TIMELINE_ONLY = ("window", "hop", "out", "gate_db", "no_gate")


def add_arguments(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="audio files")
    parser.add_argument("--model", metavar="FILE",
                        help="model file to predict with (default: skser's shipped model)")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--speaker", metavar="NAME",
                        help="the files are all this speaker's: a speaker-normalizing model "
                             "(recipe spk-mel-cnn2d+spk-svc) then uses the speaker's statistics "
                             "(from training, or from these files when there are enough)")
    parser.add_argument("--timeline", action="store_true",
                        help="predict one FILE window by window (an emotion timeline)")
    parser.add_argument("--window", type=seconds, metavar="S",
                        help="window length in seconds (default: the model's clip duration)")
    parser.add_argument("--hop", type=seconds, metavar="S",
                        help="seconds between window starts (default 1.0)")
    parser.add_argument("--gate-db", type=float, metavar="DB",
                        help="windows below this RMS level (dB full scale) are silent "
                             "(default -45)")
    parser.add_argument("--no-gate", action="store_true",
                        help="classify every window, however quiet")
    parser.add_argument("--out", metavar="FILE",
                        help="write the timeline to FILE.csv or FILE.json instead of printing")


def _model_and_files(args) -> tuple[str | None, list[str]]:
    """The model file (None: the shipped model) and the audio files of the command."""
    files = list(args.files)
    if args.model is None and files[0].lower().endswith(".skser"):
        model, files = files[0], files[1:]  # skser predict MODEL FILE... (the older form)
        if not files:
            raise SkserError(f"no audio files to predict after the model {model}")
        return model, files
    return args.model, files


def run(args) -> int:
    args.model, args.files = _model_and_files(args)
    if args.timeline:
        if args.speaker is not None:
            raise SkserError("--speaker does not apply with --timeline")
        return _run_timeline(args)
    given = [f"--{name.replace('_', '-')}" for name in _TIMELINE_ONLY
             if getattr(args, name) not in (None, False)]
    if given:
        raise SkserError(f"{', '.join(given)} only apply with --timeline")
    model = load_model(args.model)
    set_runtime(model, verbose=0)
    classes = [str(c) for c in model.classes_]
    readable = [f for f in args.files if Path(f).is_file()]
    outcome = dict(zip(readable, _predict_each(model, readable, args.speaker)))
    records = []
    for path in args.files:
        result = outcome.get(path, f"{path}: no such file")
        if isinstance(result, str):
            records.append({"path": path, "error": result})
        elif isinstance(result, tuple):  # a model without probabilities: its label only
            records.append({"path": path, "emotion": str(result[0]), "probabilities": None})
        else:
            probs = sorted(zip(classes, map(float, result)), key=lambda cp: -cp[1])
            records.append({"path": path, "emotion": probs[0][0],
                            "probabilities": dict(probs)})
    if args.json:
        dump_json(records)
    for rec in records:
        if "error" in rec:
            print(f"skser: error: {escape_control(rec['error'])}", file=sys.stderr)
        elif not args.json:
            shown = ("-" if rec["probabilities"] is None else
                     " ".join(f"{c}={p:.3f}" for c, p in rec["probabilities"].items()))
            print(f"{escape_field(rec['path'])}\t{escape_field(rec['emotion'])}\t{shown}")
    return EXIT_ERROR if any("error" in rec for rec in records) else 0


def _predict_each(model, paths: list[str], speaker: str | None = None) -> list:
    """Class probabilities per file, or the error of each file that failed.

    With ``speaker``, every file is that speaker's (for speaker-normalizing models).
    """
    if not paths:
        return []

    def inputs(files):
        if speaker is None:
            return files
        import pandas as pd

        return pd.DataFrame({PATH_COLUMN: files, SPEAKER_COLUMN: speaker})

    if hasattr(model, "predict_proba"):
        def predict(files):
            return list(model.predict_proba(inputs(files)))
    else:  # an SVC without calibration: labels only, as 1-tuples
        def predict(files):
            return [(label,) for label in model.predict(inputs(files))]

    try:
        return predict(paths)
    except ValueError:
        pass  # some file is bad: redo one by one, to name it and keep the others
    results = []
    for path in paths:
        try:
            results.append(predict([path])[0])
        except ValueError as exc:
            message = str(exc)
            results.append(message if path in message else f"{path}: {message}")
    return results


def _run_timeline(args) -> int:
    from ..timeline import predict_timeline

    if len(args.files) != 1:
        raise SkserError(f"--timeline takes one FILE, got {len(args.files)}")
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".csv", ".json"):
        raise SkserError(f"--out {out}: the file name must end in .csv or .json")
    model = load_model(args.model)
    set_runtime(model, verbose=0)
    timeline = predict_timeline(
        model, args.files[0], window=args.window, hop=args.hop if args.hop else 1.0,
        gate=None if args.no_gate else "rms",
        gate_db=args.gate_db if args.gate_db is not None else -45.0,
        verbose=1 if sys.stderr.isatty() else 0,
    )
    n_silent = int(timeline["silent"].sum())
    if len(timeline) == 0:
        note(f"{args.files[0]} is shorter than half a window: no windows to classify")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".csv":
            timeline.to_csv(out, index=False)
        else:
            out.write_text(json.dumps(_timeline_records(timeline), indent=2) + "\n")
        note(f"wrote {len(timeline)} windows ({n_silent} silent) to {out}")
    elif args.json:
        dump_json(_timeline_records(timeline))
    else:
        shown = timeline.assign(emotion=timeline["emotion"].fillna("-"))
        print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}",
                              na_rep="-"))
    return 0


def _timeline_records(timeline) -> list[dict]:
    """Rows of a timeline as JSON-ready dicts: NaN -> None, numpy scalars -> Python."""
    import math

    records = []
    for row in timeline.to_dict(orient="records"):
        records.append({
            key: (None if isinstance(value, float) and math.isnan(value)
                  else value.item() if hasattr(value, "item") else value)
            for key, value in row.items()
        })
    return records
