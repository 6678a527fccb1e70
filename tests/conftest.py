"""Shared fixtures: every test makes its own audio; none needs the real corpora
except those marked ``realdata``, which skip with a message where it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# "dev" keeps `make test` fast; "ci" (more examples, derandomized) is for the
# benchmark job: HYPOTHESIS_PROFILE=ci make test.
settings.register_profile(
    "dev", max_examples=15, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci", max_examples=200, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: The real corpora, as the benchmarks and examples find them: $SKSER_DATA, else the
#: repository's corpora/ folder (not committed; a link to wherever the corpora are).
REAL_CORPORA = Path(os.environ.get("SKSER_DATA",
                                   Path(__file__).resolve().parents[1] / "corpora"))


@pytest.fixture(scope="session")
def real_corpora() -> Path:
    """The real corpora, or a skip saying where they were looked for."""
    if not REAL_CORPORA.is_dir() or not any(REAL_CORPORA.iterdir()):
        pytest.skip(f"real corpora not found at {REAL_CORPORA} (set SKSER_DATA, or link "
                    "corpora/ to the folder holding ravdess/, cremad/, tess/, savee/)")
    return REAL_CORPORA


@pytest.fixture(scope="session")
def synthetic_corpus(tmp_path_factory):
    """A tiny RAVDESS-layout corpus of generated speech-like signals (DataFrame)."""
    from skser.datasets import make_synthetic_corpus

    root = tmp_path_factory.mktemp("synthetic")
    return make_synthetic_corpus(root, n_speakers=4, n_statements=2, n_repetitions=1,
                                 duration=1.0, random_state=0)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def tone(freq: float = 220.0, sr: int = 16000, seconds: float = 0.5, amp: float = 0.5):
    """A sine tone as float32, for tests that need a known signal."""
    t = np.arange(int(sr * seconds)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def tiny_onnx_encoder(path, frame: int = 8, dim: int = 3, seed: int = 0, *,
                      output_rank: int = 3) -> np.ndarray:
    """Write a tiny speech "encoder" in ONNX to ``path`` and return its weights.

    Input ``waveform`` (batch, samples) is cut into frames of ``frame`` samples
    (samples must be a multiple of it) and each frame is projected to ``dim``
    values: output (batch, samples // frame, dim). ``output_rank=4`` adds a
    leading axis, an output PretrainedEmbedding must refuse.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    W = np.random.default_rng(seed).standard_normal((frame, dim)).astype(np.float32)
    shape = [0, -1, frame] if output_rank == 3 else [0, 1, -1, frame]
    nodes = [helper.make_node("Reshape", ["waveform", "shape"], ["frames"]),
             helper.make_node("MatMul", ["frames", "W"], ["hidden"])]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("waveform", TensorProto.FLOAT, ["batch", "samples"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, None)],
        initializer=[numpy_helper.from_array(np.array(shape, np.int64), "shape"),
                     numpy_helper.from_array(W, "W")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return W


def run_cli(*argv) -> tuple[int, str, str]:
    """``skser.cli.main(argv)`` in-process, with its exit code, stdout and stderr."""
    import contextlib
    import io

    from skser.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()
