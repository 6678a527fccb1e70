"""Write the benchmark tables: ``docs/benchmarks.md`` and the README's summary table.

``python -m benchmarks.report`` (``make docs-tables``; ``make bench`` and ``make docs`` run it)
fills the placeholders of the hand-written template ``benchmarks/templates/benchmarks.md``
with tables made from the results in ``benchmarks/results/*.json``, writes the page to
``docs/benchmarks.md``, and writes the summary table into ``README.md`` between the lines
``<!-- results:start -->`` and ``<!-- results:end -->``. ``--check`` writes nothing and
exits with status 1 when either file is not what the results give.

Placeholders (one per line or inline):

``{{ table NAME }}``
    The table of ``benchmarks/results/NAME.json`` (``protocols_refb``, ``training``,
    ``latency``, ...), preceded by where it comes from: the results file and its date, the
    command that produces it, the machine and package versions recorded in it.
``{{ table NAME per_corpus }}``
    A protocol's accuracy per corpus (``protocols_*`` files).
``{{ summary }}``
    The summary table, the same as the README's.
``{{ value NAME KEY }}``
    One number of a results file, e.g. ``{{ value protocols_refb n_test }}``.
``{{ ci_method }}``
    What the intervals are: coverage, method, number of resamples, seed.

Every accuracy, UAR and macro-F1 figure of a table comes with its 95 % bootstrap confidence
interval, computed from the row's confusion matrix (``report.confusion_matrix``) by
:func:`skser.metrics.bootstrap_ci_from_confusion`; a figure without one says "CI n/a" and
a note under the table says why. Dates come from the results only (a ``date`` field); a file
without one says "date not recorded". The output depends on the template and the results
alone: fixed seeds, files in sorted order, no time of generation.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from skser.metrics import bootstrap_ci_from_confusion
from skser.recipes import DEFAULT_RECIPE

from .bench_generalization import CLEAN_SUBSET

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
TEMPLATE = ROOT / "benchmarks" / "templates" / "benchmarks.md"
PAGE = ROOT / "docs" / "benchmarks.md"
README = ROOT / "README.md"
README_START, README_END = "<!-- results:start -->", "<!-- results:end -->"

#: Bootstrap settings of every interval on the page.
N_RESAMPLES = 2000
CONFIDENCE = 0.95
SEED = 0
#: "95 %", and the heading of an interval's column, "95 % CI".
LEVEL = f"{CONFIDENCE * 100:g} %"
CI = f"{LEVEL} CI"

SCORES = (("accuracy", "accuracy"), ("macro_f1", "macro F1"), ("uar", "UAR"))
CORPORA = {"cremad": "CREMA-D", "ravdess": "RAVDESS", "savee": "SAVEE", "tess": "TESS"}

#: The labels that the protocol benchmark has given the speaker vote's row.
SPEAKER_VOTE = ("speaker vote", "skser default")

#: Display names of the protocol benchmark's rows, in display order: (start of the label
#: the results record, name on the page). Rows not listed keep their recorded label.
PIPELINES = (
    (SPEAKER_VOTE, "**speaker vote** (`spk-mel-cnn2d+spk-svc`)"),
    ("recipe mel-cnn2d+spk-svc", "`mel-cnn2d+spk-svc`"),
    ("recipe mel-cnn2d+stats-svc", "`mel-cnn2d+stats-svc`"),
    ("recipe mel-cnn2d's CNN on speaker-normalized", "CNN on speaker-normalized log-mel images"),
    ("recipe mel-cnn2d:", "`mel-cnn2d` (log-mel CNN)"),
    ("SVC on speaker-normalized utterance statistics", "SVC on speaker-normalized statistics"),
    ("the speaker vote's SVC member", "the same SVC, calibrated (the speaker vote's member)"),
    ("SVC on utterance statistics (baseline)", "SVC baseline (utterance statistics)"),
    ("the vote's SVC member", "the SVC baseline, calibrated (`mel-cnn2d+stats-svc`'s member)"),
    ("reference A", "reference A's pipeline, augmenting the training files only"),
    ("reference B mel CNN", "reference B's mel CNN, for `mel-cnn2d`'s training time"),
)

#: The rows of the speaker-normalization benchmark.
SPEAKER_NORM = {
    "plain": "plain (the SVC baseline)",
    "speaker-normalized": "speaker-normalized, each test speaker's statistics from their "
                          "test files",
    "speaker-normalized, no test speakers": "the same model, not told the test files' speakers",
    "adaptive, no test speakers": "`SpeakerAdaptiveClassifier` (speaker-normalized and plain "
                                  "SVCs), not told the speakers",
}

#: The summary table's columns: (heading, key of the cells in SUMMARY_ROWS).
SUMMARY_COLUMNS = (
    ("skser default, single file", "default"),
    ("`spk-mel-cnn2d+spk-svc`, with speaker statistics", "speaker"),
    ("SVC baseline", "baseline"),
)
#: The summary table's rows: (protocol, its short name, score, cells), each cell
#: (results file, its row): a generalization row by its recipe and regime, a protocol row by
#: the start of its label.
SUMMARY_ROWS = (
    ("reference B's split: 7 emotions, random 80/20, every test speaker also in training",
     "reference B's split", "accuracy", {
         "default": ("generalization_refb", {"recipe": DEFAULT_RECIPE, "regime": "single file"}),
         "speaker": ("generalization_refb", {"recipe": "spk-mel-cnn2d+spk-svc",
                                             "regime": "with speaker statistics"}),
         "baseline": ("generalization_refb", {"recipe": "stats-svc", "regime": "single file"}),
     }),
    ("speaker-independent: 5 folds grouped by speaker", "speaker-independent", "uar", {
        "default": ("generalization_speaker_half_augmented",
                    {"recipe": DEFAULT_RECIPE, "regime": "single file"}),
        "speaker": ("protocols_speaker", SPEAKER_VOTE),
        "baseline": ("generalization_speaker", {"recipe": "stats-svc", "regime": "single file"}),
    }),
    ("leave one corpus out (pooled over the 4 folds)", "leave one corpus out", "uar", {
        "default": ("generalization_loco_half_augmented",
                    {"recipe": DEFAULT_RECIPE, "regime": "single file"}),
        "speaker": ("protocols_loco", SPEAKER_VOTE),
        "baseline": ("generalization_loco", {"recipe": "stats-svc", "regime": "single file"}),
    }),
)

_PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class ReportError(SystemExit):
    """The template or a results file cannot be rendered (exit status 2, with a message)."""

    def __init__(self, message: str):
        super().__init__(f"benchmarks.report: {message}")
        self.code = 2


# -- reading results -----------------------------------------------------------------------
def load_results(directory: Path | None = None) -> dict[str, dict]:
    """Every ``*.json`` of ``directory`` (default ``benchmarks/results``) by file stem, in
    sorted order."""
    paths = sorted((directory or RESULTS).glob("*.json"))
    return {path.stem: json.loads(path.read_text()) for path in paths}


def run_record(name: str, results: dict[str, dict]) -> dict | None:
    """The record of the run that wrote a protocol part's file, where one is kept.

    ``python -m benchmarks protocols`` writes one file per part (``protocols_<part>.json``)
    and ``protocols.json`` for the run, with its command and the parts it ran.
    """
    if not name.startswith("protocols_"):
        return None
    run = results.get("protocols")
    if run and name[len("protocols_"):] in run.get("parts_run", []):
        return run
    return None


def result_date(result: dict, run: dict | None = None) -> str | None:
    """The date a result was measured, as recorded; None where it is not.

    The file's ``date`` field; else one recorded elsewhere in it (``machine.date``); else
    the ``date`` of the record of the run that wrote it (``run``). An ISO timestamp is
    shortened to its day.
    """
    for record in (result, result.get("machine") or {}, run or {}):
        date = record.get("date")
        if date:
            date = str(date)
            return date[:10] if re.match(r"\d{4}-\d\d-\d\d", date) else date
    return None


def command_of(name: str, results: dict[str, dict]) -> str:
    """The command that produces a results file, as recorded, in Markdown."""
    result = results[name]
    recorded = result.get("command") or (run_record(name, results) or {}).get("command")
    if recorded:
        return f"`{recorded}`"
    if name.startswith("protocols_"):
        part = name[len("protocols_"):]
        return (f"`SKSER_BENCH_PARTS={part} python -m benchmarks protocols` (the file does "
                "not record the command of the run that wrote it)")
    return f"`python -m benchmarks {name}` (the file does not record its command)"


# -- formatting ----------------------------------------------------------------------------
def fmt_int(value) -> str:
    return f"{int(value):,}"


def fmt_seconds(value) -> str:
    return f"{float(value):,.0f} s"


def confidence_interval(confusion_matrix, metric: str) -> tuple[float, float]:
    """The page's bootstrap interval of ``metric`` from a confusion matrix."""
    return bootstrap_ci_from_confusion(confusion_matrix, metric, n_resamples=N_RESAMPLES,
                                       confidence=CONFIDENCE, random_state=SEED)


def fmt_ci(value: float, interval: tuple[float, float] | None, digits: int = 3,
           na: str = "") -> str:
    """``0.789 (0.773–0.805)``; without an interval, ``0.789 (CI n/a¹)``."""
    if interval is None:
        return f"{value:.{digits}f} (CI n/a{na})"
    low, high = interval
    return f"{value:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def accuracy_matrix(accuracy: float, n: int) -> list[list[int]]:
    """A confusion matrix with the accuracy of ``n`` files: all that accuracy's interval
    needs (the number correct and the number wrong)."""
    correct = round(accuracy * n)
    return [[correct, n - correct], [0, 0]]


class Notes:
    """The notes under one table: each distinct text gets a number, shown as ¹, ², ..."""

    def __init__(self):
        self.texts: list[str] = []

    def mark(self, text: str) -> str:
        if text not in self.texts:
            self.texts.append(text)
        return str(self.texts.index(text) + 1).translate(_SUPERSCRIPTS)

    def lines(self) -> list[str]:
        """One paragraph per note."""
        return [f"{str(i).translate(_SUPERSCRIPTS)} {text}\n"
                for i, text in enumerate(self.texts, 1)]


def markdown_table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def score_cells(row: dict, notes: Notes, digits: int = 3) -> list[str]:
    """Accuracy, macro F1 and UAR of a row, each with its interval."""
    cm = (row.get("report") or {}).get("confusion_matrix")
    na = "" if cm else notes.mark("The results record no confusion matrix for this row, so "
                                  "its figures have no interval.")
    cells = []
    for key, _ in SCORES:
        value = row.get(key)
        if value is None:
            cells.append("not recorded")
        else:
            cells.append(fmt_ci(value, confidence_interval(cm, key) if cm else None, digits, na))
    return cells


# -- where a table comes from --------------------------------------------------------------
def machine_text(machine: dict, *, full: bool = True) -> str:
    """CPU, cores, GPUs (and with ``full`` the platform), Python and TensorFlow."""
    cpu = machine.get("cpu_model") or "CPU model not recorded"
    if full and machine.get("cpu_vector_extensions"):
        cpu += f" ({', '.join(machine['cpu_vector_extensions'])})"
    parts = [cpu]
    if machine.get("cpu_count"):
        parts.append(f"{machine['cpu_count']} CPU cores")
    gpus = machine.get("gpus")
    parts.append("GPUs not recorded" if gpus is None else
                 (", ".join(gpus) if gpus else "no GPU"))
    if full and machine.get("platform"):
        parts.append(f"`{machine['platform']}`")
    software = [f"Python {machine.get('python') or 'not recorded'}",
                f"TensorFlow {machine.get('tensorflow') or 'not recorded'}"]
    return ", ".join(parts) + "; " + ", ".join(software)


def packages_text(machine: dict) -> str:
    packages = machine.get("packages")
    if not packages:
        return "not recorded"
    return ", ".join(f"{name} {version or 'not installed'}"
                     for name, version in packages.items())


def provenance(name: str, results: dict[str, dict], extra: str = "") -> list[str]:
    """The lines above a table: results file and date, what the run measured (``extra``),
    command, machine, packages."""
    result = results[name]
    date = result_date(result, run_record(name, results))
    machine = result.get("machine") or {}
    lines = [f"- Results: `benchmarks/results/{name}.json`, date {date or 'not recorded'}"]
    if extra:
        lines.append(f"- Setting: {extra}")
    return lines + [f"- Command: {command_of(name, results)}",
            f"- Machine: {machine_text(machine) if machine else 'not recorded'}",
            f"- Packages: {packages_text(machine)}", ""]


def _block(lines: list[str], notes: Notes) -> str:
    notes_lines = notes.lines()
    return "\n".join(lines + ([""] + notes_lines if notes_lines else [])).rstrip("\n")


# -- the protocol benchmark ----------------------------------------------------------------
def pipeline_name(label: str) -> str:
    for start, name in PIPELINES:
        if label.startswith(start):
            return name
    return label


def _display_order(rows: list[dict]) -> list[dict]:
    def rank(row):
        starts = [i for i, (start, _) in enumerate(PIPELINES) if row["pipeline"].startswith(start)]
        return starts[0] if starts else len(PIPELINES)

    return sorted(rows, key=rank)  # stable: unknown rows keep the order of the results


def _row_label(row: dict, notes: Notes) -> str:
    marks = []
    if row.get("carried_over"):
        marks.append(notes.mark(
            "Not rerun by the command above; the results file says: "
            f"\"{row['carried_over']}\". The date, machine and versions of the run that "
            "measured it are not recorded."))
    if row.get("budget_epochs") is not None:
        marks.append(notes.mark(
            f"Trained for {fmt_seconds(row['budget_seconds'])}, `mel-cnn2d`'s training time: "
            f"{fmt_int(row['budget_samples'])} samples, {row['budget_epochs']} epochs at "
            f"{row['samples_per_s']} samples/s ({fmt_seconds(row['seconds_per_epoch'])} per "
            "epoch)."))
    return pipeline_name(row["pipeline"]) + ",".join(marks)


def _protocol_extra(result: dict) -> str:
    parts = []
    if "n_test" in result:
        parts.append(f"{fmt_int(result['n_test'])} test files, {fmt_int(result['n_train'])} "
                     "training files")
    elif "n_files" in result:
        parts.append(f"{fmt_int(result['n_files'])} files, each tested once")
    if "seconds" in result:
        parts.append(f"the part ran {fmt_seconds(result['seconds'])}")
    if "peak_rss_mb" in result:
        parts.append(f"peak memory of the process {fmt_int(result['peak_rss_mb'])} MiB")
    return "; ".join(parts)


def protocol_table(name: str, results: dict[str, dict]) -> str:
    result, notes = results[name], Notes()
    lines = provenance(name, results, _protocol_extra(result))
    rows = [[_row_label(row, notes), *score_cells(row, notes), fmt_seconds(row["fit_seconds"])]
            for row in _display_order(result["rows"])]
    published = result.get("leaky_reference")
    if published:
        mark = notes.mark(f"Published, not measured here, and not comparable: {published['why']}. "
                          "The results record the published figures without a confusion "
                          "matrix, so they have no interval.")
        rows.append([f"reference A as published{mark}",
                     *[f"{published[key]:g} (CI n/a{mark})" if key in published
                       else "not published" for key, _ in SCORES], "-"])
    header = ["pipeline", *[f"{label} ({CI})" for _, label in SCORES], "training time"]
    return _block(lines + markdown_table(header, rows), notes)


def per_corpus_table(name: str, results: dict[str, dict]) -> str:
    result, notes = results[name], Notes()
    rows = _display_order(result["rows"])
    corpora = sorted({g for row in rows for g in row["report"].get("per_group", {})})
    body = []
    for row in rows:
        groups = row["report"].get("per_group", {})
        cells = [fmt_ci(groups[g]["accuracy"],
                        confidence_interval(accuracy_matrix(groups[g]["accuracy"], groups[g]["n"]),
                                            "accuracy"), 2)
                 if g in groups else "-" for g in corpora]
        body.append([_row_label(row, notes), *cells])
    tested = "held-out corpus" if name == "protocols_loco" else "corpus"
    header = ["pipeline", *[f"{CORPORA.get(g, g)} ({CI})" for g in corpora]]
    date = result_date(result, run_record(name, results))
    lines = [f"Accuracy per {tested}: `benchmarks/results/{name}.json`, date "
             f"{date or 'not recorded'}, the command, machine and packages above.", ""]
    return _block(lines + markdown_table(header, body), notes)


# -- the other benchmarks ------------------------------------------------------------------
def training_table(name: str, results: dict[str, dict]) -> str:
    result, notes = results[name], Notes()
    extra = (f"{fmt_int(result['n_train'])} training files, {fmt_int(result['n_test'])} test "
             "files (reference B's split)" if "n_test" in result else "")
    lines = provenance(name, results, extra)
    body = []
    for row in result["rows"]:
        epochs = ", ".join(f"{_network_name(path)} {n}"
                           for path, n in (row.get("epochs_run") or {}).items())
        body.append([f"`{row['recipe']}`", str(row["random_state"]),
                     f"{fmt_seconds(row['fit_seconds'])} ({row['fit_seconds'] / 60:.1f} min)",
                     f"{row['train_files_per_second']:.1f}", fmt_seconds(row["predict_seconds"]),
                     epochs or "-", *score_cells(row, notes),
                     f"{fmt_int(row['peak_rss_mb'])} MiB"])
    if len(result["rows"]) > 1:
        mark = notes.mark("The range (and mean) over the fits above: one figure per training, "
                          "not one set of predictions, so no confusion matrix to resample.")
        spread = []
        for key, _ in SCORES:
            values = [row[key] for row in result["rows"]]
            spread.append(f"{min(values):.3f} to {max(values):.3f}, mean "
                          f"{sum(values) / len(values):.3f} (CI n/a{mark})")
        fits = [row["fit_seconds"] / 60 for row in result["rows"]]
        body.append([f"all {len(result['rows'])} fits", "-",
                     f"{min(fits):.1f} to {max(fits):.1f} min", "-", "-", "-", *spread, "-"])
    header = ["recipe", "`random_state`", "fit (wall)", "training files/s",
              f"predict {fmt_int(result['n_test'])} files" if "n_test" in result
              else "predict", "epochs run", *[f"{label} ({CI})" for _, label in SCORES],
              "peak memory"]
    return _block(lines + markdown_table(header, body), notes)


def _network_name(path: str) -> str:
    """Which network of the default a fitted-attribute path names."""
    if "fallback_" in path:
        return "plain CNN"
    if "estimator_" in path:
        return "CNN on normalized images"
    return f"`{path}`"


def refb_variants_table(name: str, results: dict[str, dict]) -> str:
    result, notes = results[name], Notes()
    lines = provenance(name, results, "reference B's split")
    body = []
    for row in result["rows"]:
        variant, _, members = row["pipeline"].removeprefix("soft vote ").partition(": ")
        label = f"`{variant}`"
        earlier = row.get("carried_over_from")
        if earlier:
            label += notes.mark(
                f"From an earlier run of `{earlier.get('command', 'the same benchmark')}`, kept "
                "in the results file; its date is not recorded; machine: "
                f"{machine_text(earlier.get('machine') or {}, full=False)}; packages: "
                f"{packages_text(earlier.get('machine') or {})}.")
        body.append([label, members or "-", *score_cells(row, notes),
                     fmt_seconds(row["fit_seconds"])])
    header = ["variant", "members (features)", *[f"{label} ({CI})" for _, label in SCORES],
              "training time"]
    return _block(lines + markdown_table(header, body), notes)


def svc_features_table(name: str, results: dict[str, dict]) -> str:
    result, notes = results[name], Notes()
    lines = provenance(name, results)
    body = [[protocol, row["pipeline"], *score_cells(row, notes), fmt_seconds(row["fit_seconds"])]
            for protocol, rows in result["protocols"].items() for row in rows]
    header = ["protocol", "SVC (uncalibrated)", *[f"{label} ({CI})" for _, label in SCORES],
              "training time"]
    return _block(lines + markdown_table(header, body), notes)


def speaker_norm_table(name: str, results: dict[str, dict]) -> str:
    result, notes = results[name], Notes()
    lines = provenance(name, results, result.get("protocol", ""))
    body = [[SPEAKER_NORM.get(row["pipeline"], row["pipeline"]), *score_cells(row, notes),
             fmt_seconds(row["fit_seconds"])] for row in result["rows"]]
    header = ["SVC on utterance statistics", *[f"{label} ({CI})" for _, label in SCORES],
              "training time"]
    return _block(lines + markdown_table(header, body), notes)


def latency_table(name: str, results: dict[str, dict]) -> str:
    result, notes = results[name], Notes()
    rows = result["rows"]
    extra = []
    if rows:
        extra.append(f"{rows[0]['n_calls']} files timed one at a time")
    if "mean_audio_seconds" in result:
        extra.append(f"{result['mean_audio_seconds']:.2f} s of audio each on average")
    if "peak_rss_mb" in result:
        extra.append(f"peak memory {fmt_int(result['peak_rss_mb'])} MiB")
    lines = provenance(name, results, ", ".join(extra))
    base = next((row["median_ms"] for row in rows if row["recipe"] == "mel-cnn2d"), None)
    body = []
    for row in rows:
        if row["recipe"].startswith("shipped model "):
            label = f"shipped model `{row['recipe'].removeprefix('shipped model ')}`"
        else:
            recipe, space, rest = row["recipe"].partition(" ")
            label = f"`{recipe}`{space}{rest}"
        cells = [label,
                 f"{row['median_ms']:.1f} ms", f"{row['p90_ms']:.1f} ms", f"{row['max_ms']:.1f} ms",
                 f"{row['batch_seconds']:.2f} s ({row['batch_files_per_s']:.0f} files/s)"]
        if base:
            cells.append(f"{row['median_ms'] / base:.2f}")
        body.append(cells)
    batch = rows[0]["batch_files"] if rows else ""
    header = ["recipe", "median", "90th percentile", "max", f"one call on {batch} files"]
    if base:
        header.append("median over `mel-cnn2d`'s")
    return _block(lines + markdown_table(header, body), notes)


def features_table(name: str, results: dict[str, dict]) -> str:
    result, notes = results[name], Notes()
    extra = [f"{fmt_int(result['n_files'])} files"] if "n_files" in result else []
    if "median_relative_difference" in result:
        extra.append("median relative difference of the features to reference A's loop's "
                     f"{result['median_relative_difference']:.1e}")
    lines = provenance(name, results, "; ".join(extra))
    body = [[row["method"], f"{row['seconds']:.2f}", f"{row['files_per_s']:,.1f}",
             f"{row['speedup_vs_reference_a']:.1f}x"] for row in result["rows"]]
    header = ["method", "seconds", "files/s", "speed-up vs reference A's loop"]
    return _block(lines + markdown_table(header, body), notes)


def network_speed_table(name: str, results: dict[str, dict]) -> str:
    result, notes = results[name], Notes()
    extra = f"best and median of {result['repeats']} repeats" if "repeats" in result else ""
    lines = provenance(name, results, extra)
    body = [[row["network"], row["input"], fmt_int(row["params"]), str(row["batch_size"]),
             f"{row['train_samples_per_s_best']:,.0f} / {row['train_samples_per_s_median']:,.0f}",
             f"{row['speedup_vs_reference_b_cnn']:.1f}", f"{row['predict_one_ms']:.1f}"]
            for row in result["rows"]]
    header = ["network", "input", "parameters", "batch", "training samples/s (best / median)",
              "x reference B's CNN", "predict one image (ms)"]
    return _block(lines + markdown_table(header, body), notes)


def _cm_ci(row: dict, metric: str, notes: Notes, digits: int = 3) -> str:
    cm = row.get("confusion_matrix")
    if not cm:
        return fmt_ci(row[metric], None, digits, notes.mark("No confusion matrix recorded: "
                                                            "no interval."))
    return fmt_ci(row[metric], confidence_interval(cm, metric), digits)


def generalization_table(name: str, results: dict[str, dict]) -> str:
    """Clean test files: each recipe in each regime, with its scores' intervals (and, leaving
    one corpus out, the UAR on each held-out corpus)."""
    result, notes = results[name], Notes()
    rows = [r for r in result["rows"] if r["condition"] == "clean"]
    folds = any(len(r["fold_uar"]) > 1 for r in rows)  # one split has no spread over folds
    setting = f"{fmt_int(result['n_files'])} files"
    if not folds and rows:
        setting += f", {fmt_int(rows[0]['n_files'])} of them in the test split"
    lines = provenance(name, results, setting)
    corpora = sorted({g for r in rows for g in r.get("per_corpus_uar", {})})
    loco = "_loco" in name
    body = []
    for row in rows:
        cells = [f"`{row['recipe']}`", row["regime"],
                 *[_cm_ci(row, key, notes) for key in ("uar", "accuracy", "macro_f1")]]
        if loco:
            cells += [f"{row['per_corpus_uar'][g]:.3f}" if g in row.get("per_corpus_uar", {})
                      else "-" for g in corpora]
        elif folds:
            cells.append(f"{min(row['fold_uar']):.3f}–{max(row['fold_uar']):.3f}")
        cells.append(fmt_seconds(sum(row["fit_seconds"])))
        body.append(cells)
    header = ["recipe", "regime", f"UAR ({CI})", f"accuracy ({CI})", f"macro F1 ({CI})"]
    header += ([f"UAR, held out: {CORPORA.get(g, g)}" for g in corpora] if loco
               else ["UAR per fold"] if folds else [])
    header.append("training time (all folds)" if loco or folds else "training time")
    return _block(lines + markdown_table(header, body), notes)


def robustness_table(name: str, results: dict[str, dict], *others: str) -> str:
    """The speaker-independent test folds degraded at test time: single-file UAR per
    condition and recipe, and its change from the clean files (the recipes of ``name``,
    then those of each results file in ``others``, run on the same folds and files)."""
    notes = Notes()
    rows = [r for n in (name, *others) for r in results[n]["rows"]
            if r["regime"] == "single file"]
    recipes = list(dict.fromkeys(r["recipe"] for r in rows))
    conditions = list(dict.fromkeys(r["condition"] for r in rows))
    by = {(r["recipe"], r["condition"]): r for r in rows}
    body = []
    for condition in conditions:
        cells = [condition]
        for recipe in recipes:
            row = by.get((recipe, condition))
            if row is None:
                cells.append("not measured")
                continue
            text = _cm_ci(row, "uar", notes)
            clean = by.get((recipe, CLEAN_SUBSET), by.get((recipe, "clean")))
            if clean is not None and not condition.startswith("clean"):
                text += f", {100 * (row['uar'] - clean['uar']):+.1f} points"
            cells.append(text)
        body.append(cells)
    files = " and ".join(f"`benchmarks/results/{n}.json`" for n in (name, *others))
    above = ("the commands, machines and packages above" if others
             else "the command, machine and packages above")
    lines = [f"Single files, UAR ({CI}) and its change from the same files clean: "
             f"{files}, {above}.", ""]
    header = ["test files", *[f"`{r}`" for r in recipes]]
    return _block(lines + markdown_table(header, body), notes)


def shipped_table(name: str, results: dict[str, dict]) -> str:
    result, notes = results[name], Notes()
    lines = provenance(name, results, "a fresh process, one thread")
    body = [[f"`{r['model']}`", f"{r['file_mb']:.2f} MB",
             f"{r['peak_rss_mb_after_load']:.0f} MiB / {r['peak_rss_mb_after_predict']:.0f} MiB",
             "imported" if r["tensorflow_imported"] else "not imported",
             f"{r['import_and_load_seconds']:.1f} s",
             f"{r['median_ms']:.1f} ms / {r['wav_median_ms']:.1f} ms",
             f"{r['p90_ms']:.1f} ms / {r['wav_p90_ms']:.1f} ms"] for r in result["rows"]]
    header = ["model", "file", "peak memory after loading / after predicting", "TensorFlow",
              "import and load", "median per file (Opus / WAV)",
              "90th percentile (Opus / WAV)"]
    return _block(lines + markdown_table(header, body), notes)


def levers_table(name: str, results: dict[str, dict]) -> str:
    """The default's linear member with each lever, per protocol (``bench_levers``)."""
    result, notes = results[name], Notes()
    extra = f"{fmt_int(result['n_files'])} files, each tested once per protocol"
    if result.get("opensmile"):
        extra += f"; eGeMAPS from opensmile {result['opensmile']}"
    lines = provenance(name, results, extra)
    body = []
    for protocol, rows in result["protocols"].items():
        features = {row["pipeline"]: fmt_int(row["n_features"]) for row in rows}
        for row in rows:
            held_out = row.get("per_corpus_uar")
            spread = (" · ".join(f"{CORPORA.get(g, g)} {u:.3f}" for g, u in held_out.items())
                      if held_out else
                      f"{min(row['fold_uar']):.3f}–{max(row['fold_uar']):.3f}")
            scores = dict(zip((key for key, _ in SCORES), score_cells(row, notes)))
            # a vote's members read their own features: "416 + 88"
            n_features = (" + ".join(features[m] for m in row["members"]) if "members" in row
                          else fmt_int(row["n_features"]))
            body.append([protocol, row["pipeline"], n_features,
                         scores["uar"], scores["accuracy"], scores["macro_f1"], spread,
                         fmt_seconds(row["fit_seconds"])])
    header = ["protocol", "linear member", "features", f"UAR ({CI})", f"accuracy ({CI})",
              f"macro F1 ({CI})", "UAR per fold (per held-out corpus)",
              "training time (all folds)"]
    return _block(lines + markdown_table(header, body), notes)


TABLES: dict[str, Callable[[str, dict[str, dict]], str]] = {
    "training": training_table,
    "refb_variants": refb_variants_table,
    "svc_features": svc_features_table,
    "speaker_norm": speaker_norm_table,
    "latency": latency_table,
    "features": features_table,
    "network_speed": network_speed_table,
    "shipped": shipped_table,
    "levers": levers_table,
}


# -- the summary ---------------------------------------------------------------------------
def _summary_cell(result: dict, which) -> tuple[dict | None, list | None]:
    """The row of ``result`` that a summary cell names, and its confusion matrix."""
    if isinstance(which, dict):
        row = next((r for r in result["rows"] if (r["recipe"], r["regime"], r["condition"])
                    == (which["recipe"], which["regime"], "clean")), None)
        return row, (row or {}).get("confusion_matrix")
    row = next((r for r in result["rows"] if r["pipeline"].startswith(which)), None)
    return row, ((row or {}).get("report") or {}).get("confusion_matrix")


def summary(results: dict[str, dict]) -> str:
    """The README's table: skser's default on single files beside the speaker vote with
    speaker statistics and the SVC baseline, on each protocol."""
    notes, body, sources = Notes(), [], []
    for protocol, short, metric, cells_of in SUMMARY_ROWS:
        names = list(dict.fromkeys(name for name, _ in cells_of.values()))
        cells, counts = [], set()
        for _, key in SUMMARY_COLUMNS:
            name, which = cells_of[key]
            result = _result(name, results)
            row, cm = _summary_cell(result, which)
            if row is None:
                cells.append("not measured")
                continue
            # a generalization row counts its own test files; a protocol result, its split's
            counts.add(row["n_files"] if isinstance(which, dict)
                       else result.get("n_test", result.get("n_files")))
            na = "" if cm else notes.mark("No confusion matrix recorded: no interval.")
            cells.append(fmt_ci(row[metric], confidence_interval(cm, metric) if cm else None,
                                na=na))
        files = (f"{fmt_int(counts.pop())} test files" if len(counts) == 1
                 else "test files: see the sources")
        body.append([f"{protocol} ({files})", dict(SCORES)[metric], *cells])
        sources += [(short, name) for name in names]
    header = ["protocol", "score", *[column for column, _ in SUMMARY_COLUMNS]]
    lines = markdown_table(header, body)
    lines += ["", f"In parentheses: {LEVEL} bootstrap confidence intervals over the test "
              "files. Single file: each test file given alone, as a user with one clip gives "
              "it; with speaker statistics: each test file with its speaker, whose statistics "
              "come from the speaker's training files or, for a new speaker, from their "
              "other, unlabelled test files.", ""]
    dates = [result_date(results[name], run_record(name, results)) for _, name in sources]
    lines += [f"- {protocol}: `benchmarks/results/{name}.json`, date "
              f"{date or 'not recorded'}, command {command_of(name, results)}"
              for (protocol, name), date in zip(sources, dates)]
    machines = [results[name].get("machine") or {} for _, name in sources]
    lines.append("- Machine: " + _merged([machine_text(m, full=False) for m in machines], sources))
    lines.append("- Packages: " + _merged([packages_text(m) for m in machines], sources))
    return _block(lines, notes)


def _merged(texts: list[str], sources: list[tuple[str, str]]) -> str:
    """One text if every source records the same, else each with the rows it belongs to."""
    if len(set(texts)) == 1:
        return texts[0] + (" (every row)" if len(texts) > 1 else "")
    groups: dict[str, list[str]] = {}
    for text, (protocol, _) in zip(texts, sources):
        groups.setdefault(text, []).append(protocol)
    return "; ".join(f"{text} ({', '.join(dict.fromkeys(rows))})"
                     for text, rows in groups.items())


# -- the template --------------------------------------------------------------------------
def _result(name: str, results: dict[str, dict]) -> dict:
    if name not in results:
        raise ReportError(f"no results file benchmarks/results/{name}.json "
                          f"(there are: {', '.join(results)})")
    return results[name]


def placeholder(words: list[str], results: dict[str, dict]) -> str:
    """The text of one ``{{ ... }}`` placeholder (its words split on spaces)."""
    match words:
        case ["summary"]:
            return summary(results)
        case ["ci_method"]:
            return (f"{LEVEL} confidence interval (percentile bootstrap, "
                    f"{fmt_int(N_RESAMPLES)} resamples, seed {SEED})")
        case ["table", name]:
            _result(name, results)
            if name.startswith("protocols_"):
                return protocol_table(name, results)
            if name.startswith("generalization_"):
                return generalization_table(name, results)
            if name.startswith("training_"):  # a run of other recipes (SKSER_BENCH_SUFFIX)
                return training_table(name, results)
            if name in TABLES:
                return TABLES[name](name, results)
            raise ReportError(f"no table for results file {name!r}; tables: "
                              f"protocols_*, generalization_*, training_*, {', '.join(TABLES)}")
        case ["table", "generalization_speaker", "robustness", *others]:
            for name in ("generalization_speaker", *others):
                _result(name, results)
            return robustness_table("generalization_speaker", results, *others)
        case ["table", name, "per_corpus"] if name.startswith("protocols_"):
            _result(name, results)
            return per_corpus_table(name, results)
        case ["value", name, key]:
            result = _result(name, results)
            if not isinstance(result.get(key), int):
                raise ReportError(f"{name}.json has no whole number {key!r}")
            return fmt_int(result[key])
    raise ReportError(f"unknown placeholder {{{{ {' '.join(words)} }}}}")


def render(template: str, results: dict[str, dict]) -> str:
    """The page: the template with every placeholder replaced."""
    return _PLACEHOLDER.sub(lambda m: placeholder(m.group(1).split(), results), template)


def update_readme(readme: str, results: dict[str, dict]) -> str:
    """``readme`` with the summary table between its results markers."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start:
        raise ReportError(f"README.md lacks the lines {README_START} and {README_END} "
                          "around the results table")
    return (readme[:start + len(README_START)] + "\n" + summary(results) + "\n"
            + readme[end:])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if docs/benchmarks.md or README.md differ")
    args = parser.parse_args(argv)
    results = load_results()
    outputs = {PAGE: render(TEMPLATE.read_text(), results),
               README: update_readme(README.read_text(), results)}
    stale = [path for path, text in outputs.items()
             if not path.exists() or path.read_text() != text]
    for path in stale:
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        if args.check:
            print(f"{rel} is not what benchmarks/results gives: run python -m benchmarks.report",
                  file=sys.stderr)
        else:
            path.write_text(outputs[path])
            print(f"wrote {rel}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
