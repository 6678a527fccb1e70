"""Helpers shared by the benchmarks: where the data is, where results go, machine info."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The real corpora: $SKSER_DATA, else the repository's corpora/ folder (not committed:
#: a link to, or a copy of, the folder holding ravdess/, cremad/, tess/ and savee/).
DATA = Path(os.environ.get("SKSER_DATA", ROOT / "corpora"))
RESULTS = ROOT / "benchmarks" / "results"


class DataMissing(SystemExit):
    """Raised (exit code 3) when the real corpora are not there."""


def require_data() -> Path:
    """The real corpora folder, or exit with a message saying where it was looked for."""
    if not DATA.is_dir() or not any(DATA.iterdir()):
        raise DataMissing(
            f"benchmarks need the real corpora (RAVDESS, CREMA-D, TESS, SAVEE) at {DATA}; "
            "set SKSER_DATA=/path/to/data to point elsewhere"
        )
    return DATA


def machine() -> dict:
    """What the figures were measured on."""
    info = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        **cpu(),
    }
    try:
        import tensorflow as tf

        info["tensorflow"] = tf.__version__
        info["gpus"] = [d.name for d in tf.config.list_physical_devices("GPU")]
    except ImportError:  # pragma: no cover
        pass
    # A network's training is chaotic: another numpy, librosa or Keras release changes the
    # features or the arithmetic in the last digits, and the trained network with them.
    info["packages"] = {name: _version(name) for name in PACKAGES}
    return info


def cpu() -> dict:
    """The CPU's model name and vector extensions (Linux): networks trained with the same
    code and packages on another CPU can differ, as oneDNN picks other kernels."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:  # pragma: no cover - not Linux
        return {}
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    flags = fields.get("flags", "").split()
    return {"cpu_model": fields.get("model name"),
            "cpu_vector_extensions": sorted(f for f in flags if f.startswith(("avx", "amx")))}


#: Distributions whose versions each result records.
PACKAGES = ("numpy", "scipy", "scikit-learn", "librosa", "soxr", "soundfile", "keras",
            "scikeras", "numba")


def _version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:  # pragma: no cover
        return None


def peak_rss_mb() -> float:
    """The peak resident memory of this process so far, in MiB (Linux: ru_maxrss in KiB)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@contextmanager
def timer():
    """``with timer() as t: ...`` then ``t()`` gives the elapsed seconds."""
    start = time.perf_counter()
    end = None

    def elapsed():
        return (end if end is not None else time.perf_counter()) - start

    try:
        yield elapsed
    finally:
        end = time.perf_counter()


def write_result(name: str, result: dict) -> Path:
    """Store one benchmark's result as JSON under benchmarks/results/."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    # The SKSER_BENCH_* settings of the run belong to its command line.
    settings = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("SKSER_BENCH_")]
    # The day the run ended (UTC): the date docs/benchmarks.md gives for the file's tables.
    result = {"benchmark": name, "date": time.strftime("%Y-%m-%d", time.gmtime()),
              "machine": machine(),
              "command": " ".join([*settings, "python -m benchmarks", *sys.argv[1:]]),
              **result}
    path.write_text(json.dumps(result, indent=2, default=float))
    return path
