"""Does pitch and spectral shape help the speaker-normalized SVC, on every protocol? (issue 6)

The default's SVC member reads 416 utterance statistics (mean, std, p10, p90 of 64 log-mel
bands, 20 MFCCs and their deltas) and their speaker-normalized values. On reference B's
split, adding YIN pitch and spectral shape (centroid, bandwidth, roll-off, flatness, 7
contrast bands: 464 statistics) raised the vote by about a point
(``SKSER_BENCH_VARIANTS=spk-prosody python -m benchmarks refb_variants``). This benchmark asks
whether that holds beyond one random split: the speaker-normalized SVC alone, uncalibrated,
with either set of statistics, on three protocols of ``bench_protocols``:

* reference B's split (7 emotions, stratified random 80/20, ``random_state=0``);
* speaker-independent 5-fold ``GroupKFold`` by speaker;
* leave-one-corpus-out.

Both statistic sets are extracted once for all files through their feature steps' per-file
cache, as the protocols' features are (``bench_protocols.extract``), and every model is
trained in the run that reports it.

Run: ``python -m benchmarks svc_features`` (about 10 minutes here with warm feature caches;
extracting the pitch statistics of all files takes about 4 minutes more on 2 cores).
"""

from __future__ import annotations

from .bench_protocols import (
    SEVEN,
    SPK_SVC,
    _corpus,
    _cv_protocol,
    _features,
    _spk,
    _split_protocol,
    _svc,
    corpus_folds,
    refb_split,
    speaker_folds,
)

PROSODY_SVC = "SVC on speaker-normalized statistics with pitch and spectral shape"


def main() -> dict:
    df = _corpus()
    X_sets = _features(df, ("stats", "prosody"), SEVEN)
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    pipelines = {SPK_SVC: ("stats+speaker", _spk(_svc)),
                 PROSODY_SVC: ("prosody+speaker", _spk(_svc))}
    protocols = {
        "reference B split": _split_protocol(df, X_sets, pipelines,
                                             *refb_split(df["emotion"].to_numpy())),
        "speaker-independent 5-fold": _cv_protocol(df, X_sets, pipelines, speaker_folds(df)),
        "leave-one-corpus-out": _cv_protocol(df, X_sets, pipelines, corpus_folds(df)),
    }
    md = ["| protocol | statistics | accuracy | macro F1 | UAR | training time |",
          "|---|---|---|---|---|---|"]
    for protocol, rows in protocols.items():
        for r in rows:
            stats = "464 (with pitch, spectral shape)" if r["pipeline"] == PROSODY_SVC else "416"
            md.append(f"| {protocol} | {stats} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} "
                      f"| {r['uar']:.3f} | {r['fit_seconds']:.0f} s |")
    return {"protocols": protocols, "markdown": "\n".join(md)}
