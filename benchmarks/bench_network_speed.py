"""Training throughput of skser's networks against reference B's CNN (no data needed).

Each network is built exactly as its classifier builds it (``initialize`` on
random images of the feature step's default shape), then trained with
``model.fit`` on random data: two warm-up steps, then ``repeats`` timed epochs
of ``steps`` batches each. Reported: training samples/s (best and median of
the repeats, since the machine may be shared), parameters, the speed-up over
reference B's CNN, and the latency of ``predict_proba`` on one image.

Shapes: reference B's 128 x 345 mel images (44.1 kHz, 4 s, hop 512);
skser's ``MelImage`` default 64 x 188 and ``MFCCImage`` default 40 x 188
(16 kHz, 3 s, hop 256).

Run: ``python -m benchmarks network_speed`` or
``python benchmarks/bench_network_speed.py`` (prints a table; about 2 minutes
on 2 cores).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import numpy as np

N_CLASSES = 7
WARMUP_STEPS = 2


def _configs():
    from skser.models import CNN2DClassifier, CRNNClassifier

    # (name, classifier, image shape, timed batches per repeat)
    return [
        ("reference B CNN", CNN2DClassifier.four_block_valid(), (128, 345), 6),
        ("reference B CRNN", CRNNClassifier.time_pooled_bilstm(), (128, 345), 6),
        ("CNN2DClassifier() mel", CNN2DClassifier(), (64, 188), 24),
        ("CNN2DClassifier() mfcc", CNN2DClassifier(), (40, 188), 24),
        ("CRNNClassifier() mel", CRNNClassifier(), (64, 188), 16),
    ]


def _train_throughput(model, shape, batch_size: int, steps: int, repeats: int, rng):
    X = rng.normal(size=(batch_size * steps, *shape)).astype(np.float32)
    y = rng.integers(0, N_CLASSES, len(X))
    warm = batch_size * WARMUP_STEPS
    model.fit(X[:warm], y[:warm], batch_size=batch_size, epochs=1, verbose=0)
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(X, y, batch_size=batch_size, epochs=1, verbose=0)
        rates.append(len(X) / (time.perf_counter() - start))
    return rates


def _latency_ms(clf, shape, rng, calls: int = 30) -> float:
    """Median wall time of ``predict_proba`` on one image (the compiled path)."""
    x = rng.normal(size=(1, *shape)).astype(np.float32)
    clf.predict_proba(x)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        clf.predict_proba(x)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main(out_dir=None, repeats: int = 3) -> dict:
    """Measure every configuration; write ``network_speed.json`` to ``out_dir`` if given."""
    from ._common import machine

    rng = np.random.default_rng(0)
    labels = np.arange(N_CLASSES)
    rows = []
    for name, clf, shape, steps in _configs():
        clf.set_params(random_state=0)
        clf.initialize(rng.normal(size=(N_CLASSES, *shape)).astype(np.float32), labels)
        rates = _train_throughput(clf.model_, shape, clf.batch_size, steps, repeats, rng)
        rows.append({
            "network": name, "input": "x".join(map(str, shape)),
            "params": int(clf.model_.count_params()), "batch_size": clf.batch_size,
            "train_samples_per_s_best": max(rates),
            "train_samples_per_s_median": statistics.median(rates),
            "predict_one_ms": _latency_ms(clf, shape, rng),
        })
    base = rows[0]["train_samples_per_s_best"]
    for row in rows:
        row["speedup_vs_reference_b_cnn"] = row["train_samples_per_s_best"] / base
    header = ("| network | input | params | batch | train samples/s (best / median) "
              "| x ref. B CNN | predict 1 image (ms) |\n|---|---|---|---|---|---|---|")
    lines = [
        f"| {r['network']} | {r['input']} | {r['params']:,} | {r['batch_size']} "
        f"| {r['train_samples_per_s_best']:.0f} / {r['train_samples_per_s_median']:.0f} "
        f"| {r['speedup_vs_reference_b_cnn']:.1f} | {r['predict_one_ms']:.1f} |"
        for r in rows
    ]
    result = {"rows": rows, "repeats": repeats, "markdown": "\n".join([header, *lines])}
    if out_dir is not None:
        path = Path(out_dir) / "network_speed.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**result, "machine": machine()}, indent=2))
    return result


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"
    print(main()["markdown"])
