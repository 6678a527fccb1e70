"""Every audio step reads audio with the same defaults, from skser.audio."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from skser.audio import DEFAULT_DURATION, DEFAULT_OFFSET, DEFAULT_SR, AudioLoader
from skser.augmentation import Augmenter
from skser.features import AcousticFeatures, MelImage, MFCCImage
from skser.pipeline import make_pipeline
from skser.preprocessing import StandardScaler


def test_the_defaults():
    assert (DEFAULT_SR, DEFAULT_DURATION, DEFAULT_OFFSET) == (16000, 3.0, 0.0)


@pytest.mark.parametrize("cls", [AudioLoader, Augmenter, AcousticFeatures, MelImage, MFCCImage])
def test_every_audio_step_has_the_shared_defaults(cls):
    params = cls().get_params()
    assert (params["sr"], params["duration"], params["offset"]) == (
        DEFAULT_SR, DEFAULT_DURATION, DEFAULT_OFFSET)


def test_steps_left_at_their_defaults_agree_in_a_pipeline(rng):
    # The pipeline checks that an Augmenter and the step after it read audio alike.
    X = rng.uniform(-0.3, 0.3, size=(4, int(DEFAULT_SR * DEFAULT_DURATION))).astype(np.float32)
    y = ["sad", "angry", "sad", "angry"]
    pipe = make_pipeline(Augmenter(n_copies=1, random_state=0),
                         AcousticFeatures(features=("zcr", "rms")), StandardScaler(),
                         LogisticRegression())
    assert pipe.fit(X, y).predict(X).shape == (4,)
