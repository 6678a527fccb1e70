"""Shared fixtures: every test makes its own audio; none reads ../shared/data
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

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real corpora, or a skip saying where they were looked for."""
    if not (SHARED_DATA / "README.md").exists():
        pytest.skip(f"real corpora not found at {SHARED_DATA} (see shared/data/README.md)")
    return SHARED_DATA


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
