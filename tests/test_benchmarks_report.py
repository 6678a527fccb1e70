"""The benchmark tables: docs/benchmarks.md and the README's summary come from the results.

``python -m benchmarks.report`` writes both from ``benchmarks/results/*.json`` and the
template ``benchmarks/templates/benchmarks.md``; the committed files must be exactly what it
writes, so a results file or template changed without regenerating fails here.
"""

from __future__ import annotations

import copy
import json
import shutil

import numpy as np
import pytest

from benchmarks import report
from skser._bootstrap import bootstrap_ci_from_confusion


@pytest.fixture(scope="module")
def results():
    return report.load_results()


# -- the committed files --------------------------------------------------------------------
def test_the_page_is_what_the_results_give(results):
    page = report.render(report.TEMPLATE.read_text(), results)
    assert page == report.PAGE.read_text(), (
        "docs/benchmarks.md differs from what benchmarks/results and its template give: "
        "run python -m benchmarks.report")


def test_the_readme_table_is_what_the_results_give(results):
    readme = report.README.read_text()
    assert report.update_readme(readme, results) == readme, (
        "README.md's results table differs from what benchmarks/results give: "
        "run python -m benchmarks.report")


def test_every_committed_score_is_its_confusion_matrix_s(results):
    # The intervals are about the figures shown: each row's accuracy, UAR and macro F1 are
    # those of its confusion matrix (as skser.metrics.emotion_report computes them).
    def rows(result):
        for group in result.get("protocols", {"": result.get("rows", [])}).values():
            yield from group

    checked = 0
    for result in results.values():
        for row in rows(result):
            cm = np.asarray((row.get("report") or {}).get("confusion_matrix") or [], float)
            if cm.size == 0:
                continue
            tp, true, predicted = np.diag(cm), cm.sum(axis=1), cm.sum(axis=0)
            assert row["accuracy"] == pytest.approx(tp.sum() / cm.sum())
            assert row["uar"] == pytest.approx((tp[true > 0] / true[true > 0]).mean())
            assert row["macro_f1"] == pytest.approx(
                np.mean(np.divide(2 * tp, true + predicted, out=np.zeros_like(tp),
                                  where=true + predicted > 0)))
            checked += 1
    assert checked > 50


def test_check_writes_nothing_and_fails_when_stale(tmp_path, monkeypatch):
    shutil.copytree(report.RESULTS, tmp_path / "results")
    template = tmp_path / "template.md"
    template.write_text("# Page\n\n{{ table features }}\n")
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{report.README_START}\nold table\n{report.README_END}\nend\n")
    page = tmp_path / "page.md"
    monkeypatch.setattr(report, "RESULTS", tmp_path / "results")
    monkeypatch.setattr(report, "TEMPLATE", template)
    monkeypatch.setattr(report, "PAGE", page)
    monkeypatch.setattr(report, "README", readme)

    assert report.main(["--check"]) == 1
    assert not page.exists() and "old table" in readme.read_text()
    assert report.main([]) == 0
    assert page.read_text().startswith("# Page\n\n- Results: `benchmarks/results/features.json`")
    text = readme.read_text()
    assert text.startswith(f"intro\n{report.README_START}\n| protocol |")
    assert text.endswith(f"{report.README_END}\nend\n") and "old table" not in text
    assert report.main(["--check"]) == 0


# -- formatting -----------------------------------------------------------------------------
def test_a_score_with_its_interval():
    assert report.fmt_ci(0.78912, (0.77234, 0.80491)) == "0.789 (0.772–0.805)"
    assert report.fmt_ci(0.78912, (0.77234, 0.80491), digits=2) == "0.79 (0.77–0.80)"
    assert report.fmt_ci(0.6, None, na="¹") == "0.600 (CI n/a¹)"


def test_the_page_s_interval_is_the_library_s():
    cm = [[40, 10], [5, 45]]
    assert report.confidence_interval(cm, "uar") == bootstrap_ci_from_confusion(
        cm, "uar", n_resamples=report.N_RESAMPLES, confidence=report.CONFIDENCE,
        random_state=report.SEED)
    # and it is the same on every call: the page is deterministic
    assert report.confidence_interval(cm, "uar") == report.confidence_interval(cm, "uar")


def test_an_accuracy_matrix_has_the_accuracy_of_its_files():
    cm = np.asarray(report.accuracy_matrix(0.75, 80))
    assert cm.sum() == 80 and np.trace(cm) == 60


def test_notes_are_numbered_once_per_text():
    notes = report.Notes()
    assert [notes.mark("a"), notes.mark("b"), notes.mark("a")] == ["¹", "²", "¹"]
    assert notes.lines() == ["¹ a\n", "² b\n"]
    many = report.Notes()
    assert [many.mark(str(i)) for i in range(12)][-1] == "¹²"


# -- a protocol table from made-up results ---------------------------------------------------
def _protocol_result():
    row = {"pipeline": "speaker vote, recipe spk-mel-cnn2d+spk-svc: soft vote", "accuracy": 0.75,
           "macro_f1": 0.75, "uar": 0.75, "fit_seconds": 1234.4,
           "report": {"confusion_matrix": [[30, 10], [10, 30]],
                      "per_group": {"tess": {"accuracy": 0.75, "n": 80}}}}
    baseline = {**copy.deepcopy(row), "pipeline": "SVC on utterance statistics (baseline)"}
    return {"protocol": "a protocol", "n_train": 320, "n_test": 80,
            "machine": {"cpu_model": "Some CPU", "cpu_count": 2, "gpus": [], "python": "3.11.7",
                        "tensorflow": "2.21.0", "packages": {"numpy": "2.4.6"}},
            "rows": [baseline, row]}


def test_a_protocol_table_states_its_source_and_intervals():
    results = {"protocols_refb": _protocol_result()}
    table = report.placeholder(["table", "protocols_refb"], results)
    assert "- Results: `benchmarks/results/protocols_refb.json`, date not recorded" in table
    assert "- Setting: 80 test files, 320 training files" in table
    assert ("- Command: `SKSER_BENCH_PARTS=refb python -m benchmarks protocols` (the file does "
            "not record the command of the run that wrote it)") in table
    assert "- Machine: Some CPU, 2 CPU cores, no GPU; Python 3.11.7, TensorFlow 2.21.0" in table
    assert "- Packages: numpy 2.4.6" in table
    lines = table.splitlines()
    # the speaker vote first, whatever the order of the results
    header = lines.index("| pipeline | accuracy (95 % CI) | macro F1 (95 % CI) | UAR (95 % CI) "
                         "| training time |")
    low, high = report.confidence_interval([[30, 10], [10, 30]], "accuracy")
    assert lines[header + 2] == (
        f"| **speaker vote** (`spk-mel-cnn2d+spk-svc`) | 0.750 ({low:.3f}–{high:.3f}) | "
        f"{report.fmt_ci(0.75, report.confidence_interval([[30, 10], [10, 30]], 'macro_f1'))} | "
        f"{report.fmt_ci(0.75, report.confidence_interval([[30, 10], [10, 30]], 'uar'))} | "
        "1,234 s |")
    assert lines[header + 3].startswith("| SVC baseline (utterance statistics) | 0.750 (")
    assert "CI n/a" not in table


def test_a_row_without_a_confusion_matrix_says_ci_na_and_why():
    result = _protocol_result()
    del result["rows"][1]["report"]
    table = report.placeholder(["table", "protocols_refb"], {"protocols_refb": result})
    row = next(line for line in table.splitlines() if line.startswith("| **speaker vote**"))
    assert row.count("(CI n/a¹)") == 3 and "0.750 (CI n/a¹)" in row
    assert "¹ The results record no confusion matrix for this row, so its figures have no " \
           "interval." in table


def test_carried_over_and_published_rows_are_marked():
    result = _protocol_result()
    result["rows"][0]["carried_over"] = "not rerun: from an earlier run"
    result["leaky_reference"] = {"accuracy": 0.6, "macro_f1": 0.62, "why": "it leaked"}
    table = report.placeholder(["table", "protocols_refa"], {"protocols_refa": result})
    assert "| SVC baseline (utterance statistics)¹ |" in table
    assert '¹ Not rerun by the command above; the results file says: "not rerun: from an ' \
           'earlier run".' in table
    assert "| reference A as published² | 0.6 (CI n/a²) | 0.62 (CI n/a²) | not published | - |" \
        in table
    assert "² Published, not measured here, and not comparable: it leaked." in table


def test_a_per_corpus_table_gives_accuracy_intervals_from_file_counts():
    table = report.placeholder(["table", "protocols_refb", "per_corpus"],
                               {"protocols_refb": _protocol_result()})
    low, high = report.confidence_interval([[60, 20], [0, 0]], "accuracy")
    assert f"| 0.75 ({low:.2f}–{high:.2f}) |" in table
    assert "| pipeline | TESS (95 % CI) |" in table


# -- dates and commands ---------------------------------------------------------------------
def test_the_date_comes_from_the_results_or_is_not_recorded():
    assert report.result_date({}) is None
    assert report.result_date({"date": "2026-12-03"}) == "2026-12-03"
    assert report.result_date({"date": "2026-12-03T04:05:06+00:00"}) == "2026-12-03"
    assert report.result_date({"machine": {"date": "2026-12-01"}}) == "2026-12-01"
    assert report.result_date({}, {"date": "2026-12-02"}) == "2026-12-02"
    assert report.result_date({"date": "early December"}) == "early December"


def test_a_protocol_part_takes_date_and_command_from_the_run_that_wrote_it():
    run = {"benchmark": "protocols", "date": "2026-12-03", "parts_run": ["refb"],
           "command": "SKSER_BENCH_PARTS=refb python -m benchmarks protocols"}
    results = {"protocols": run, "protocols_refb": _protocol_result(),
               "protocols_loco": _protocol_result()}
    refb = report.provenance("protocols_refb", results)
    assert refb[0] == "- Results: `benchmarks/results/protocols_refb.json`, date 2026-12-03"
    assert "- Command: `SKSER_BENCH_PARTS=refb python -m benchmarks protocols`" in refb
    # a part the run did not write keeps neither
    loco = report.provenance("protocols_loco", results)
    assert loco[0].endswith("date not recorded") and "does not record" in loco[1]


def test_a_benchmark_s_recorded_command_and_missing_versions():
    result = json.loads((report.RESULTS / "features.json").read_text())
    result["date"] = "2026-12-01"
    lines = report.provenance("features", {"features": result})
    assert lines[0] == "- Results: `benchmarks/results/features.json`, date 2026-12-01"
    assert "- Command: `python -m benchmarks features`" in lines
    assert "- Packages: not recorded" in lines


def test_the_summary_states_dates_commands_and_machines(results):
    text = report.summary(results)
    assert text.startswith("| protocol | score | skser default, single file | "
                           "`spk-mel-cnn2d+spk-svc`, with speaker statistics | SVC baseline |")
    for _, _, _, cells in report.SUMMARY_ROWS:
        for name, _ in cells.values():
            assert f"`benchmarks/results/{name}.json`, date " in text
    assert "(2,393 test files)" in text  # reference B's split: its test files, not the corpus
    assert "- Machine: " in text and "- Packages: " in text
    assert "not measured" not in text


def test_a_summary_cell_is_its_recipe_and_regime_or_its_label():
    clean = {"recipe": "r", "regime": "single file", "condition": "clean", "uar": 0.5,
             "confusion_matrix": [[1, 0], [0, 1]]}
    result = {"rows": [{**clean, "condition": "white noise 20 dB", "uar": 0.1}, clean,
                       {**clean, "regime": "with speaker statistics", "uar": 0.9}]}
    row, cm = report._summary_cell(result, {"recipe": "r", "regime": "single file"})
    assert row["uar"] == 0.5 and cm == [[1, 0], [0, 1]]
    assert report._summary_cell(result, {"recipe": "q", "regime": "single file"})[0] is None
    protocol = {"rows": [{"pipeline": "skser default, recipe x", "uar": 0.7,
                          "report": {"confusion_matrix": [[2, 0], [0, 2]]}}]}
    row, cm = report._summary_cell(protocol, report.SPEAKER_VOTE)
    assert row["uar"] == 0.7 and cm == [[2, 0], [0, 2]]


# -- mistakes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("template, match", [
    ("{{ tabel features }}", "unknown placeholder"),
    ("{{ table no_such_results }}", "no results file"),
    ("{{ table features per_corpus }}", "unknown placeholder"),
    ("{{ value features markdown }}", "no whole number"),
])
def test_template_mistakes_are_reported(results, template, match):
    with pytest.raises(report.ReportError, match=match) as info:
        report.render(template, results)
    assert info.value.code == 2


def test_a_readme_without_markers_is_refused(results):
    with pytest.raises(report.ReportError, match="results:start"):
        report.update_readme("# README without a results table\n", results)


def test_a_levers_table_gives_each_protocol_s_rows_with_intervals():
    row = {"pipeline": "statistics", "accuracy": 0.75, "macro_f1": 0.75, "uar": 0.75,
           "fit_seconds": 12.0, "n_features": 416, "fold_uar": [0.7, 0.8],
           "report": {"confusion_matrix": [[30, 10], [10, 30]], "labels": ["a", "b"]}}
    loco = {**copy.deepcopy(row), "per_corpus_uar": {"tess": 0.7, "savee": 0.8}}
    vote = {**copy.deepcopy(row), "pipeline": "a vote", "members": ["statistics", "other"]}
    other = {**copy.deepcopy(row), "pipeline": "other", "n_features": 88}
    result = {"n_files": 80, "opensmile": "2.6.0",
              "protocols": {"speaker-independent 5-fold": [row, other, vote],
                            "leave-one-corpus-out": [loco]}}
    table = report.placeholder(["table", "levers"], {"levers": result})
    assert "80 files, each tested once per protocol; eGeMAPS from opensmile 2.6.0" in table
    uar = report.fmt_ci(0.75, report.confidence_interval([[30, 10], [10, 30]], "uar"))
    assert (f"| speaker-independent 5-fold | statistics | 416 | {uar} |") in table
    assert "| 0.700–0.800 | 12 s |" in table
    assert "| speaker-independent 5-fold | a vote | 416 + 88 |" in table
    assert "| TESS 0.700 · SAVEE 0.800 | 12 s |" in table
    assert "CI n/a" not in table
