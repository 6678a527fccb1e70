"""Waveform augmentation that runs on training data only.

:class:`Augmenter` is an imbalanced-learn style sampler: placed in a
:func:`skser.pipeline.make_pipeline`, it adds perturbed copies of the training
files during ``fit`` and is skipped at ``predict``, so no copy of a test file
leaks into training. The pure functions below do the signal work and can be
used on their own.
"""

from ._augmenter import Augmenter
from ._conditions import (
    CONDITIONS,
    add_babble,
    add_pink_noise,
    apply_condition,
    band_limit,
    lossy_codec,
    reverberate,
    telephone_band,
)
from ._functional import (
    active_rms,
    add_noise,
    add_noise_reference_a,
    add_peak_scaled_noise,
    apply_gain,
    pitch_shift,
    time_shift,
    time_stretch,
)

__all__ = [
    "Augmenter",
    "CONDITIONS",
    "active_rms",
    "add_babble",
    "add_pink_noise",
    "apply_condition",
    "band_limit",
    "lossy_codec",
    "reverberate",
    "telephone_band",
    "add_noise",
    "add_noise_reference_a",  # deprecated alias of add_peak_scaled_noise
    "add_peak_scaled_noise",
    "apply_gain",
    "pitch_shift",
    "time_shift",
    "time_stretch",
]
