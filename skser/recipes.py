"""Named pipeline recipes: the one place ready-made skser pipelines come from.

The command line (``skser train --recipe NAME``) and the benchmarks build their
pipelines here, so a recipe means the same thing everywhere. Every recipe is a
:func:`skser.pipeline.make_pipeline` of paths -> features -> (scaling) ->
classifier, and accepts raw file paths as ``X`` and emotion strings as ``y``.

=================================================  =================================================
name                                               steps
=================================================  =================================================
``acoustic-conv1d``                                AcousticFeatures -> StandardScaler ->
                                                   Conv1DClassifier, reading 2.5 s from 0.6 s at
                                                   22,050 Hz
``acoustic-conv1d-augmented``                      Augmenter(preset="noise_and_stretch_pitch") ->
                                                   ``acoustic-conv1d``'s steps,
                                                   Conv1DClassifier(epochs=50, batch_size=64)
``mel-cnn2d``                                      MelImage -> CNN2DClassifier
``mel128-cnn2d``                                   MelImage(44.1 kHz, 4 s, 128 mels, ref="min") ->
                                                   CNN2DClassifier.four_block_valid()
``mfcc-cnn2d``                                     MFCCImage -> CNN2DClassifier
``mfcc128-cnn2d``                                  MFCCImage(44.1 kHz, 4 s, 128 MFCCs) ->
                                                   CNN2DClassifier.four_block_valid()
``mfcc-crnn``                                      MFCCImage -> CRNNClassifier
``mfcc128-crnn``                                   MFCCImage(44.1 kHz, 4 s, 128 MFCCs) ->
                                                   CRNNClassifier.time_pooled_bilstm()
``stats-svc``                                      AcousticFeatures (utterance statistics) ->
                                                   StandardScaler -> SVC: the classical baseline
``mel-cnn2d+stats-svc``                            AudioLoader (16 kHz, 4 s) -> soft vote of
                                                   ``mel-cnn2d`` and ``stats-svc``: each file is
                                                   decoded once, for both members (while fitting,
                                                   the waveforms take 256 KB per training file in
                                                   memory)
``trimmed-mel-cnn2d+stats-lr``                     AudioLoader (16 kHz, 4 s from the first sound) ->
                                                   soft vote of ``mel-cnn2d`` and a logistic
                                                   regression on the utterance statistics
``trimmed-mel-cnn2d+stats-lr-augmented``           the same, each training file replaced by a copy
                                                   as if recorded elsewhere (Augmenter(preset=
                                                   "recording_conditions", keep_originals=False))
``trimmed-mel-cnn2d+stats-lr-half-augmented``      the same, about half the training files replaced
                                                   so (``p_augment=0.5``), the others kept clean:
                                                   the default, and the shipped model's recipe
``trimmed-cmn-mel-cnn2d+stats-lr-half-augmented``  the same, its CNN reading each log-mel image
                                                   relative to its own mean per band over its
                                                   active frames (UtteranceNormalizer)
``mel-cnn2d+spk-svc``                              the same vote, its SVC on the statistics and
                                                   their speaker-normalized values
                                                   (SpeakerNormalizer) where a file's speaker has
                                                   statistics, the plain SVC elsewhere
                                                   (SpeakerAdaptiveClassifier): give ``X`` as a
                                                   DataFrame with ``path`` and ``speaker`` columns
``spk-mel-cnn2d+spk-svc``                          the same vote, its CNN member the mean of
                                                   ``mel-cnn2d``'s CNN and a CNN on log-mel images
                                                   standardized with each speaker's statistics
                                                   (SpeakerNormalizer) where a file's speaker has
                                                   statistics, ``mel-cnn2d``'s CNN alone elsewhere:
                                                   for speakers whose other files are at hand
=================================================  =================================================

``acoustic-conv1d-augmented``, ``mel128-cnn2d``, ``mfcc128-cnn2d`` and
``mfcc128-crnn`` reproduce published pipelines; the reference pipelines page of
the documentation cites them and says where skser's versions differ.
``acoustic-conv1d-augmented`` augments inside the pipeline, so only training
data is augmented, never a copy of a test file; its augmenter and its features
must read audio alike, so override ``sr``, ``duration`` and ``offset`` on both
steps. The ``*128`` recipes standardize their images with one mean and standard
deviation of all training images inside the network (``normalize="global"``),
so they have no scaler step. Which emotions to keep and how to split are
choices of data, not of the pipeline (``skser train --emotions ... --split
random``).

The default, ``trimmed-mel-cnn2d+stats-lr-half-augmented``, is the recipe that
measures best on single files of speakers and corpora it was not trained on
(``docs/benchmarks.md``), which is what a user with one recording of a new
voice gets. ``spk-mel-cnn2d+spk-svc`` reads each speaker's other files as well
(a DataFrame with ``path`` and ``speaker`` columns): choose it when every
speaker to predict brings several recordings.

The recipes' former names ``reference-a``, ``reference-b-mel``,
``reference-b-mfcc`` and ``reference-b-crnn`` still work, with a FutureWarning,
until the next release.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from .exceptions import SkserError
from .utils._columns import SPEAKER_COLUMN
from .utils._deprecation import renamed_value

__all__ = ["DEFAULT_RECIPE", "PIPELINES", "make_recipe"]

#: Recipe name -> one-line description, in a stable order.
PIPELINES: dict[str, str] = {}

#: The recipe of :func:`make_recipe` and ``skser train`` when none is named: the one that
#: measures best in ``docs/benchmarks.md`` on single files of unseen speakers and corpora
#: (the shipped model's recipe).
DEFAULT_RECIPE = "trimmed-mel-cnn2d+stats-lr-half-augmented"

#: Former recipe names -> their names now. :func:`make_recipe` and ``skser train
#: --recipe`` accept the former names until the next release, with a FutureWarning;
#: :data:`PIPELINES` lists only the new ones.
RENAMED_RECIPES: dict[str, str] = {
    "reference-a": "acoustic-conv1d-augmented",
    "reference-b-mel": "mel128-cnn2d",
    "reference-b-mfcc": "mfcc128-cnn2d",
    "reference-b-crnn": "mfcc128-crnn",
}

# Recipe name -> function returning the (unfitted) steps. Estimator modules are
# imported inside these functions so that importing this module (and
# ``skser --help``) does not load TensorFlow or librosa.
_STEPS: dict[str, Callable[[], list]] = {}


def _recipe(name: str, description: str):
    def register(steps: Callable[[], list]) -> Callable[[], list]:
        PIPELINES[name] = description
        _STEPS[name] = steps
        return steps

    return register


# The acoustic-conv1d recipes read 2.5 s from 0.6 s into each file at 22,050 Hz
# (librosa's default rate), as the published pipeline they reproduce did, rather
# than skser.audio's defaults. The augmenter and the features must agree: the
# augmenter's copies reach the features as waveforms, while at predict time the
# features read the files.
_ACOUSTIC_AUDIO: dict[str, Any] = {"sr": 22050, "duration": 2.5, "offset": 0.6}

# The audio and STFT of the *128 recipes: 44.1 kHz, the first 4 s zero-padded,
# librosa's default 2048-sample window and 512-sample hop (128 x 345 images).
_AUDIO_44K_4S: dict[str, Any] = {"sr": 44100, "duration": 4.0, "n_fft": 2048, "hop_length": 512}


def _acoustic_features():
    from .features import AcousticFeatures

    return AcousticFeatures(**_ACOUSTIC_AUDIO)


def _mfcc128_image():
    from .features import MFCCImage

    # librosa.feature.mfcc(n_mfcc=128) computes its mel spectrogram with 128 bands.
    return MFCCImage(n_mfcc=128, n_mels=128, **_AUDIO_44K_4S)


@_recipe(
    "acoustic-conv1d",
    "162 handcrafted features (means of ZCR, chroma, MFCCs, RMS and mel bands over 2.5 s "
    "from 0.6 s at 22,050 Hz), standardized, into a 1-D CNN; no augmentation",
)
def _acoustic_conv1d() -> list:
    from .models import Conv1DClassifier
    from .preprocessing import StandardScaler

    return [_acoustic_features(), StandardScaler(), Conv1DClassifier()]


@_recipe(
    "acoustic-conv1d-augmented",
    "acoustic-conv1d with a noisy and a stretched+pitch-shifted copy of each training file "
    "(training data only), 50 epochs, batch 64",
)
def _acoustic_conv1d_augmented() -> list:
    from .augmentation import Augmenter
    from .models import Conv1DClassifier
    from .preprocessing import StandardScaler

    return [
        Augmenter(preset="noise_and_stretch_pitch", **_ACOUSTIC_AUDIO),
        _acoustic_features(),
        StandardScaler(),
        Conv1DClassifier(epochs=50, batch_size=64),
    ]


@_recipe("mel-cnn2d", "log-mel image into a 2-D CNN")
def _mel_cnn2d() -> list:
    from .features import MelImage
    from .models import CNN2DClassifier

    return [MelImage(), CNN2DClassifier()]


@_recipe(
    "mel128-cnn2d",
    "128 x 345 log-mel image (44.1 kHz, 4 s, dB above its minimum) into a 2-D CNN of four "
    "valid-padding blocks, one global mean/std, batch 32",
)
def _mel128_cnn2d() -> list:
    from .features import MelImage
    from .models import CNN2DClassifier

    return [MelImage(n_mels=128, ref="min", **_AUDIO_44K_4S), CNN2DClassifier.four_block_valid()]


@_recipe("mfcc-cnn2d", "MFCC image into a 2-D CNN")
def _mfcc_cnn2d() -> list:
    from .features import MFCCImage
    from .models import CNN2DClassifier

    return [MFCCImage(), CNN2DClassifier()]


@_recipe(
    "mfcc128-cnn2d",
    "128 x 345 MFCC image (44.1 kHz, 4 s) into mel128-cnn2d's 2-D CNN, one global mean/std, "
    "batch 32",
)
def _mfcc128_cnn2d() -> list:
    from .models import CNN2DClassifier

    return [_mfcc128_image(), CNN2DClassifier.four_block_valid()]


@_recipe("mfcc-crnn", "MFCC image into a convolutional-recurrent network")
def _mfcc_crnn() -> list:
    from .features import MFCCImage
    from .models import CRNNClassifier

    return [MFCCImage(), CRNNClassifier()]


@_recipe(
    "mfcc128-crnn",
    "128 x 345 MFCC image (44.1 kHz, 4 s) into a CRNN (four convolution blocks, then two "
    "bidirectional LSTMs over their time average), one global mean/std, batch 32",
)
def _mfcc128_crnn() -> list:
    from .models import CRNNClassifier

    return [_mfcc128_image(), CRNNClassifier.time_pooled_bilstm()]


def _utterance_statistics():
    from .features import AcousticFeatures

    # Mean, spread and percentiles of 64 log-mel bands, 20 MFCCs and their deltas over
    # the first 4 s at 16 kHz: 416 values, the classical baseline of docs/benchmarks.md.
    return AcousticFeatures(
        sr=16000, duration=4.0, offset=0.0, features=("logmel", "mfcc"), n_mels=64, n_mfcc=20,
        n_fft=1024, hop_length=256, stats=("mean", "std", "p10", "p90"), deltas=1,
    )


@_recipe(
    "stats-svc",
    "utterance statistics (mean, std, 10th/90th percentiles of log-mel, MFCCs and deltas), "
    "standardized, into an RBF SVC: the classical baseline",
)
def _stats_svc() -> list:
    from .preprocessing import StandardScaler
    from .svm import SVC

    return [_utterance_statistics(), StandardScaler(), SVC(C=10.0)]


@_recipe(
    "mel-cnn2d+stats-svc",
    "soft vote (mean of the class probabilities) of mel-cnn2d and stats-svc (its SVC "
    "calibrated by 5-fold cross-validation), on audio decoded once for both",
)
def _ensemble() -> list:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import VotingClassifier

    from .audio import AudioLoader
    from .pipeline import make_pipeline
    from .preprocessing import StandardScaler
    from .svm import SVC

    svc = CalibratedClassifierCV(SVC(C=10.0), ensemble=False)
    members = [("cnn", make_pipeline(*_mel_cnn2d())),
               ("svc", make_pipeline(_utterance_statistics(), StandardScaler(), svc))]
    # Decoding dominates the cost of a prediction, so the members share one: the loader
    # reads the longest span either member uses (the statistics' 4 s; the mel image keeps
    # its first 3 s), at their common rate. Both read from the start of the file, so their
    # features are the same as when each reads the file itself. The price: fitting holds
    # the training files' waveforms in memory (256 KB per file at 16 kHz, 4 s).
    return [AudioLoader(sr=16000, duration=4.0, offset=0.0),
            VotingClassifier(members, voting="soft")]


@_recipe(
    "trimmed-mel-cnn2d+stats-lr",
    "soft vote of mel-cnn2d and a logistic regression on utterance statistics, on audio "
    "decoded once for both, from the first sound of each file (silence trimmed 40 dB below "
    "its loudest frame): for one file of an unknown speaker",
)
def _single_file() -> list:
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression

    from .audio import AudioLoader
    from .pipeline import make_pipeline
    from .preprocessing import StandardScaler

    # Leading silence differs between recordings (and corpora) but says nothing about
    # emotion: each file is read from its first sound, relative to its own level. The
    # statistics go to a strongly regularized linear model rather than stats-svc's RBF SVC:
    # the SVC keeps the statistics of thousands of training files (too large a model to
    # ship), the linear model a few kilobytes, and its probabilities need no calibration.
    members = [("cnn", make_pipeline(*_mel_cnn2d())),
               ("lr", make_pipeline(_utterance_statistics(), StandardScaler(),
                                    LogisticRegression(C=0.01, max_iter=2000)))]
    return [AudioLoader(sr=16000, duration=4.0, offset=0.0, trim_db=40.0),
            VotingClassifier(members, voting="soft")]


@_recipe(
    "trimmed-mel-cnn2d+stats-lr-augmented",
    "trimmed-mel-cnn2d+stats-lr trained on each training file as if recorded elsewhere: "
    "replaced by a copy through a random room, background noise, band limit, codec and gain "
    "(Augmenter preset 'recording_conditions', training data only, no extra files)",
)
def _single_file_augmented() -> list:
    from .augmentation import Augmenter

    loader, vote = _single_file()
    # The copies are made from the trimmed waveforms (the loader's output), so they keep
    # the speech that trimming found; at predict time the augmenter is skipped and the
    # vote reads the loader's waveforms, as it does in trimmed-mel-cnn2d+stats-lr.
    augmenter = Augmenter(preset="recording_conditions", keep_originals=False,
                          sr=loader.sr, duration=loader.duration)
    return [loader, augmenter, vote]


@_recipe(
    "trimmed-mel-cnn2d+stats-lr-half-augmented",
    "trimmed-mel-cnn2d+stats-lr-augmented with about half the training files replaced by "
    "their copy as if recorded elsewhere and the others kept clean (Augmenter "
    "p_augment=0.5, no extra files): the default, and the shipped model's recipe",
)
def _single_file_half_augmented() -> list:
    loader, augmenter, vote = _single_file_augmented()
    # Clean files keep what the in-place recipe gives up on clean test files; the degraded
    # half keeps the robustness to other rooms and microphones.
    augmenter.set_params(p_augment=0.5)
    return [loader, augmenter, vote]


@_recipe(
    "trimmed-cmn-mel-cnn2d+stats-lr-half-augmented",
    "trimmed-mel-cnn2d+stats-lr-half-augmented whose CNN reads each log-mel image relative "
    "to its own mean per band over its active frames (UtteranceNormalizer), so that a "
    "recording's level and microphone response cancel out of the CNN's input",
)
def _single_file_half_augmented_cmn() -> list:
    from .preprocessing import UtteranceNormalizer

    loader, augmenter, vote = _single_file_half_augmented()
    mel, cnn = vote.estimators[0][1].steps
    # Clipping 80 dB below each image's peak makes its floor (padding, digital silence)
    # relative to the file's level too, so the level does not come back through it.
    mel[1].set_params(top_db=80.0)
    vote.estimators[0][1].steps = [mel, ("utterancenormalizer", UtteranceNormalizer()), cnn]
    return [loader, augmenter, vote]


@_recipe(
    "mel-cnn2d+spk-svc",
    "soft vote of mel-cnn2d and an SVC on speaker-normalized utterance statistics (its SVC "
    "calibrated by 5-fold cross-validation), on audio decoded once for both; reads each "
    "file's speaker from the 'speaker' column of a DataFrame input, and votes as "
    "mel-cnn2d+stats-svc for files whose speaker has no statistics",
)
def _speaker_ensemble() -> list:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import VotingClassifier

    from .audio import AudioLoader
    from .ensemble import SpeakerAdaptiveClassifier
    from .pipeline import make_pipeline
    from .preprocessing import SpeakerNormalizer, StandardScaler
    from .svm import SVC

    def svc():
        return CalibratedClassifierCV(SVC(C=10.0), ensemble=False)

    # The statistics themselves and their values standardized with each speaker's own
    # statistics (keep_raw): the SVC sees both how a recording sounds and how it departs
    # from its speaker's usual voice. Rows whose speaker has no statistics (one file of a
    # new speaker, or no speaker column) go to the plain SVC of mel-cnn2d+stats-svc,
    # which is the better model for them.
    normalized = make_pipeline(SpeakerNormalizer(_utterance_statistics()), StandardScaler(),
                               svc())
    plain = make_pipeline(_utterance_statistics(), StandardScaler(), svc())
    members = [("cnn", make_pipeline(*_mel_cnn2d())),
               ("svc", SpeakerAdaptiveClassifier(normalized, plain))]
    # As in mel-cnn2d+stats-svc, one decoding serves both members; the loader passes the
    # speaker column of a DataFrame input on to the normalizer.
    return [AudioLoader(sr=16000, duration=4.0, offset=0.0, keep_columns=(SPEAKER_COLUMN,)),
            VotingClassifier(members, voting="soft")]


@_recipe(
    "spk-mel-cnn2d+spk-svc",
    "mel-cnn2d+spk-svc whose CNN member is itself the mean of two CNNs, mel-cnn2d's and one "
    "on speaker-normalized log-mel images, for files whose speaker has statistics "
    "(mel-cnn2d's alone for the others): for speakers whose other files are at hand",
)
def _speaker_cnn_ensemble() -> list:
    from .ensemble import SpeakerAdaptiveClassifier
    from .pipeline import make_pipeline
    from .preprocessing import SpeakerNormalizer

    loader, vote = _speaker_ensemble()
    (_, plain), *others = vote.estimators  # mel-cnn2d+spk-svc's CNN member: mel-cnn2d
    # The log-mel image standardized per frequency bin with each speaker's statistics (over
    # the frames of their files): the CNN then sees how a recording departs from its
    # speaker's usual spectrum. It is markedly worse on images normalized with the
    # population's statistics (a file of an unknown speaker), so those files go to
    # mel-cnn2d's CNN alone; the others get the mean of both networks (fallback_weight=0.5).
    image, network = _mel_cnn2d()
    normalized = make_pipeline(SpeakerNormalizer(image, keep_raw=False), network)
    cnn = SpeakerAdaptiveClassifier(normalized, plain, fallback_weight=0.5)
    vote.estimators = [("cnn", cnn), *others]
    return [loader, vote]


def make_recipe(
    name: str = DEFAULT_RECIPE,
    *,
    epochs: int | None = None,
    random_state: int | None = 0,
    n_jobs: int | None = None,
    verbose: int = 0,
    **overrides,
):
    """Build the named pipeline, unfitted.

    Parameters
    ----------
    name : str, default="trimmed-mel-cnn2d+stats-lr-half-augmented"
        One of :data:`PIPELINES` (see the module docstring for the steps), or
        a former name of one (``"reference-a"``, ...), which warns. The
        default, a soft vote of a log-mel CNN and a logistic regression on
        utterance statistics, read from each file's first sound and trained
        on about half the files as if recorded elsewhere, measures best on
        single files of unseen speakers and corpora in
        ``docs/benchmarks.md`` (the shipped model's recipe).
        ``"spk-mel-cnn2d+spk-svc"`` also reads each speaker's other files
        (give it a DataFrame with ``path`` and ``speaker`` columns) and scores
        higher when they are at hand. ``"mel-cnn2d"`` alone is the fastest to
        predict.
    epochs : int or None, default=None
        Training epochs of the classifier; ``None`` keeps the recipe's.
    random_state : int or None, default=0
        Seed of every step that has one (classifier, augmenter).
    n_jobs : int or None, default=None
        Parallel workers of every step that has them (feature extraction);
        ``None`` keeps the steps' defaults.
    verbose : int, default=0
        Progress output of every step that has it: progress bars of feature
        extraction, Keras's per-epoch output.
    **overrides
        Any pipeline parameter, by its pipeline name (``step__param``), set
        last with ``set_params``, e.g. ``conv1dclassifier__epochs=3`` or
        ``melimage__n_mels=64``.

    Returns
    -------
    skser.pipeline.Pipeline
        Takes audio file paths (or a DataFrame with a ``path`` column) as ``X``
        and emotion labels as ``y``.

    Raises
    ------
    SkserError
        For an unknown recipe name (the message lists the names) or an unknown
        override (the message suggests close parameter names).

    See Also
    --------
    skser.pipeline.make_pipeline

    Examples
    --------
    >>> from skser.recipes import PIPELINES, make_recipe
    >>> "mel-cnn2d" in PIPELINES
    True
    >>> pipe = make_recipe("acoustic-conv1d", epochs=3, conv1dclassifier__batch_size=16)
    >>> list(pipe.named_steps)
    ['acousticfeatures', 'standardscaler', 'conv1dclassifier']
    >>> pipe[-1].epochs, pipe[-1].batch_size
    (3, 16)
    """
    name = renamed_value(name, RENAMED_RECIPES, "recipe")
    if name not in _STEPS:
        raise SkserError(f"unknown recipe {name!r}; choose one of: {', '.join(PIPELINES)}")
    from .pipeline import make_pipeline
    from .utils._estimators import iter_estimators, set_where_accepted

    steps = _STEPS[name]()
    shared = {"random_state": random_state, "verbose": verbose}
    if n_jobs is not None:
        shared["n_jobs"] = n_jobs
    if epochs is not None:
        shared["epochs"] = epochs
    # skser's own steps only: an ensemble's n_jobs would fit its members in parallel
    # processes, and scikit-learn's SVC reads `verbose` as libsvm's debug output.
    own = [est for step in steps for _, est in iter_estimators(step)
           if type(est).__module__.startswith("skser.") and not hasattr(est, "steps")]
    set_where_accepted(own, shared)
    pipe = make_pipeline(*steps)
    if overrides:
        valid = pipe.get_params(deep=True)
        for key in overrides:
            if key not in valid:
                close = difflib.get_close_matches(key, list(valid), n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise SkserError(
                    f"recipe {name!r} has no parameter {key!r}{hint} (parameters are named "
                    f"step__param with steps {', '.join(pipe.named_steps)})"
                )
        pipe.set_params(**overrides)
    return pipe
