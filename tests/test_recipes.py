"""The named pipeline recipes: steps, parameters, shared settings, overrides, former names."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from skser.exceptions import SkserError
from skser.recipes import DEFAULT_RECIPE, PIPELINES, make_recipe

STEPS = {
    "acoustic-conv1d": ["acousticfeatures", "standardscaler", "conv1dclassifier"],
    "acoustic-conv1d-augmented": ["augmenter", "acousticfeatures", "standardscaler",
                                  "conv1dclassifier"],
    "mel-cnn2d": ["melimage", "cnn2dclassifier"],
    "mel128-cnn2d": ["melimage", "cnn2dclassifier"],
    "mfcc-cnn2d": ["mfccimage", "cnn2dclassifier"],
    "mfcc128-cnn2d": ["mfccimage", "cnn2dclassifier"],
    "mfcc-crnn": ["mfccimage", "crnnclassifier"],
    "mfcc128-crnn": ["mfccimage", "crnnclassifier"],
    "stats-svc": ["acousticfeatures", "standardscaler", "svc"],
    "mel-cnn2d+stats-svc": ["audioloader", "votingclassifier"],
    "trimmed-mel-cnn2d+stats-lr": ["audioloader", "votingclassifier"],
    "trimmed-mel-cnn2d+stats-lr-augmented": ["audioloader", "augmenter", "votingclassifier"],
    "trimmed-mel-cnn2d+stats-lr-half-augmented": ["audioloader", "augmenter",
                                                  "votingclassifier"],
    "trimmed-cmn-mel-cnn2d+stats-lr-half-augmented": ["audioloader", "augmenter",
                                                      "votingclassifier"],
    "mel-cnn2d+spk-svc": ["audioloader", "votingclassifier"],
    "spk-mel-cnn2d+spk-svc": ["audioloader", "votingclassifier"],
}

AUDIO_44K_4S = {"sr": 44100, "duration": 4.0, "n_fft": 2048, "hop_length": 512}

#: The audio of the acoustic-conv1d recipes, not skser.audio's defaults.
ACOUSTIC_AUDIO = {"sr": 22050, "duration": 2.5, "offset": 0.6}

FORMER_NAMES = {
    "reference-a": "acoustic-conv1d-augmented",
    "reference-b-mel": "mel128-cnn2d",
    "reference-b-mfcc": "mfcc128-cnn2d",
    "reference-b-crnn": "mfcc128-crnn",
}


def test_every_recipe_is_listed_and_described():
    assert list(PIPELINES) == list(STEPS)
    assert DEFAULT_RECIPE in PIPELINES
    assert all(isinstance(d, str) and len(d) > 10 for d in PIPELINES.values())


@pytest.mark.parametrize("name", list(STEPS))
def test_recipe_builds_with_documented_steps(name):
    pipe = make_recipe(name)
    assert list(pipe.named_steps) == STEPS[name]
    # scikit-learn compatible: clones with the same parameters
    params, cloned = pipe.get_params(), clone(pipe).get_params()
    assert params.keys() == cloned.keys()
    epochs = [k for k in params if k.endswith("__epochs")]
    assert all(cloned[k] == params[k] for k in epochs)
    assert bool(epochs) == (name != "stats-svc")  # every recipe but the SVC trains a network


@pytest.mark.parametrize("name", ["stats-svc", "mel-cnn2d+stats-svc", "mel-cnn2d+spk-svc",
                                  "spk-mel-cnn2d+spk-svc"])
def test_recipes_svcs_predict_with_blas(name):
    from sklearn.svm import SVC as LibsvmSVC

    from skser.svm import SVC

    svcs = [v for v in make_recipe(name).get_params(deep=True).values()
            if isinstance(v, LibsvmSVC)]
    assert svcs and all(type(svc) is SVC for svc in svcs)


def test_speaker_vote_recipe_is_the_vote_of_the_cnn_and_the_speaker_adaptive_svc():
    pipe = make_recipe("mel-cnn2d+spk-svc")
    assert list(pipe.named_steps) == STEPS["mel-cnn2d+spk-svc"]
    (_, cnn), (_, svc) = pipe[-1].estimators
    assert list(cnn.named_steps) == STEPS["mel-cnn2d"]
    assert type(svc).__name__ == "SpeakerAdaptiveClassifier"
    normalized, plain = svc.estimator, svc.fallback
    assert type(normalized[0]).__name__ == "SpeakerNormalizer"
    assert list(plain.named_steps) == STEPS["stats-svc"][:2] + ["calibratedclassifiercv"]
    # the fallback is the SVC member of mel-cnn2d+stats-svc, parameter for parameter
    (_, _), (_, stats_svc) = make_recipe("mel-cnn2d+stats-svc")[-1].estimators
    assert repr(plain) == repr(stats_svc)
    assert repr(normalized[0].transformer) == repr(stats_svc[0])
    # one decode for both members, passing the speakers on
    loader = pipe.named_steps["audioloader"]
    assert loader.keep_columns == ("speaker",)
    for member in (cnn[0], normalized[0].transformer, plain[0]):
        assert (member.sr, member.offset) == (loader.sr, loader.offset)
        assert member.duration <= loader.duration


def test_default_recipe_is_the_shipped_models_single_file_recipe():
    from skser.persistence import read_manifest
    from skser.pretrained import pretrained_path
    from skser.utils import iter_estimators

    assert DEFAULT_RECIPE == "trimmed-mel-cnn2d+stats-lr-half-augmented"
    assert repr(make_recipe()) == repr(make_recipe(DEFAULT_RECIPE))
    # the model that ships with the package is trained with the default recipe
    assert read_manifest(pretrained_path())["metadata"]["recipe"] == DEFAULT_RECIPE
    # it reads single files: no step needs a speaker's other files
    assert not any(type(est).__name__ == "SpeakerNormalizer"
                   for _, est in iter_estimators(make_recipe()))


def test_speaker_recipe_adds_a_cnn_on_speaker_normalized_images():
    pipe = make_recipe("spk-mel-cnn2d+spk-svc")
    assert list(pipe.named_steps) == STEPS["spk-mel-cnn2d+spk-svc"]
    (_, cnns), (_, svc) = pipe[-1].estimators
    (_, plain_cnn), (_, speaker_svc) = make_recipe("mel-cnn2d+spk-svc")[-1].estimators
    assert repr(svc) == repr(speaker_svc)  # the SVC member of mel-cnn2d+spk-svc
    assert type(cnns).__name__ == "SpeakerAdaptiveClassifier" and cnns.fallback_weight == 0.5
    assert repr(cnns.fallback) == repr(plain_cnn)  # mel-cnn2d, for unknown speakers
    normalizer, network = cnns.estimator[0], cnns.estimator[-1]
    assert type(normalizer).__name__ == "SpeakerNormalizer" and normalizer.keep_raw is False
    assert repr(normalizer.transformer) == repr(plain_cnn[0])  # the same log-mel image
    assert repr(network) == repr(plain_cnn[-1])
    # both networks are seeded: the same random_state, different inputs
    assert network.random_state == plain_cnn[-1].random_state == 0


def test_stats_vote_recipe_is_the_cnn_and_the_calibrated_svc():
    pipe = make_recipe("mel-cnn2d+stats-svc")
    (_, cnn), (_, svc) = pipe[-1].estimators
    assert list(cnn.named_steps) == STEPS["mel-cnn2d"]
    assert type(svc[-1]).__name__ == "CalibratedClassifierCV"


def test_acoustic_conv1d_augmented_parameters():
    pipe = make_recipe("acoustic-conv1d-augmented")
    assert pipe.named_steps["augmenter"].preset == "noise_and_stretch_pitch"
    clf = pipe.named_steps["conv1dclassifier"]
    assert (clf.epochs, clf.batch_size) == (50, 64)
    # 2.5 s from 0.6 s at 22,050 Hz; augmenter and features agree
    for step in ("augmenter", "acousticfeatures"):
        params = pipe.named_steps[step].get_params()
        assert {k: params[k] for k in ACOUSTIC_AUDIO} == ACOUSTIC_AUDIO


def test_acoustic_conv1d_has_no_augmentation_and_keeps_its_audio():
    pipe = make_recipe("acoustic-conv1d")
    assert "augmenter" not in pipe.named_steps
    # AcousticFeatures' own defaults are now skser.audio's; the recipe keeps its audio.
    params = pipe.named_steps["acousticfeatures"].get_params()
    assert {k: params[k] for k in ACOUSTIC_AUDIO} == ACOUSTIC_AUDIO


def test_mel128_cnn2d_parameters():
    from skser.models import CNN2DClassifier

    pipe = make_recipe("mel128-cnn2d")
    mel = pipe.named_steps["melimage"].get_params()
    assert {k: mel[k] for k in AUDIO_44K_4S} == AUDIO_44K_4S
    assert (mel["n_mels"], mel["ref"]) == (128, "min")
    assert pipe[-1].get_params() == CNN2DClassifier.four_block_valid(random_state=0).get_params()


@pytest.mark.parametrize("name, classifier, preset", [
    ("mfcc128-cnn2d", "CNN2DClassifier", "four_block_valid"),
    ("mfcc128-crnn", "CRNNClassifier", "time_pooled_bilstm"),
])
def test_mfcc128_parameters(name, classifier, preset):
    pipe = make_recipe(name)
    assert type(pipe[-1]).__name__ == classifier
    mfcc = pipe.named_steps["mfccimage"].get_params()
    assert {k: mfcc[k] for k in AUDIO_44K_4S} == AUDIO_44K_4S
    assert (mfcc["n_mfcc"], mfcc["n_mels"], mfcc["deltas"]) == (128, 128, 0)
    expected = getattr(type(pipe[-1]), preset)(random_state=0).get_params()
    assert pipe[-1].get_params() == expected
    assert (pipe[-1].batch_size, pipe[-1].normalize) == (32, "global")


@pytest.mark.parametrize("old, new", list(FORMER_NAMES.items()))
def test_former_recipe_names_still_build_with_a_warning(old, new):
    assert old not in PIPELINES
    with pytest.warns(FutureWarning, match=new):
        pipe = make_recipe(old, epochs=3)
    assert repr(pipe) == repr(make_recipe(new, epochs=3))


def test_shared_settings_reach_every_step_that_has_them():
    pipe = make_recipe("acoustic-conv1d-augmented", epochs=3, random_state=7, n_jobs=2, verbose=1)
    params = pipe.get_params()
    assert params["conv1dclassifier__epochs"] == 3
    assert params["conv1dclassifier__random_state"] == 7
    assert params["augmenter__random_state"] == 7
    assert params["acousticfeatures__n_jobs"] == 2
    assert params["acousticfeatures__verbose"] == 1


def test_n_jobs_none_keeps_step_defaults():
    from skser.features import MelImage

    default = MelImage().n_jobs
    assert make_recipe("mel-cnn2d").named_steps["melimage"].n_jobs == default


def test_overrides_use_pipeline_parameter_names():
    pipe = make_recipe("acoustic-conv1d", epochs=9, conv1dclassifier__epochs=3,
                       conv1dclassifier__batch_size=16)
    assert (pipe[-1].epochs, pipe[-1].batch_size) == (3, 16)


def test_recipes_do_not_share_estimators():
    a, b = make_recipe("mel-cnn2d"), make_recipe("mel-cnn2d", cnn2dclassifier__epochs=2)
    assert a[-1] is not b[-1]
    assert a[-1].epochs != 2


def test_unknown_override_suggests_names():
    with pytest.raises(SkserError, match="conv1dclassifier__epochs"):
        make_recipe("acoustic-conv1d", conv1dclassifier__epoch=3)


def test_unknown_recipe_lists_the_names():
    with pytest.raises(ValueError, match="unknown recipe 'nope'.*acoustic-conv1d.*mfcc-crnn"):
        make_recipe("nope")


@pytest.mark.slow
def test_image_recipe_pipeline_fits_and_predicts(rng):
    # the steps fit together: MelImage's 3-D output is what CNN2DClassifier takes
    # (acoustic-conv1d is fitted end to end by tests/test_cli.py)
    X = rng.normal(scale=0.1, size=(12, 8000)).astype(np.float32)
    y = np.repeat(["angry", "happy", "sad"], 4)
    pipe = make_recipe("mel-cnn2d", epochs=1, melimage__duration=0.5,
                       cnn2dclassifier__filters=(4,)).fit(X, y)
    proba = pipe.predict_proba(X[:2])
    assert proba.shape == (2, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_ensemble_recipe_votes_on_file_paths(synthetic_corpus, tmp_path):
    df = synthetic_corpus
    df = df[df["emotion"].isin(["angry", "sad", "happy"])].reset_index(drop=True)
    pipe = make_recipe(
        "mel-cnn2d+stats-svc", epochs=3,
        audioloader__duration=1.0,
        votingclassifier__cnn__melimage__duration=1.0,
        votingclassifier__cnn__cnn2dclassifier__filters=(4, 8),
        votingclassifier__svc__acousticfeatures__duration=1.0,
    )
    cnn = pipe.named_steps["votingclassifier"].estimators[0][1]
    assert cnn[-1].epochs == 3 and cnn[-1].random_state == 0  # shared settings reach members
    paths, y = df["path"].tolist(), df["emotion"].to_numpy()
    pipe.fit(paths, y)
    proba = pipe.predict_proba(paths)
    assert proba.shape == (len(paths), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    # the vote is the mean of the members' probabilities, each member reading the files
    # itself: decoding once for both changes nothing
    members = [est.predict_proba(paths) for est in pipe[-1].estimators_]
    np.testing.assert_allclose(proba, np.mean(members, axis=0), rtol=1e-5, atol=1e-6)
    assert set(pipe.predict(paths)) <= set(y)
    assert np.mean(pipe.predict(paths) == y) > 1 / 3
    # saved with its Keras member, it loads back and predicts the same
    from skser.persistence import load, read_manifest, save

    path = save(pipe, tmp_path / "vote.skser")
    assert len(read_manifest(path)["keras_models"]) == 1
    np.testing.assert_allclose(load(path).predict_proba(paths), proba, rtol=1e-5, atol=1e-6)


def _fit_speaker_vote(synthetic_corpus, name, **cnn_overrides):
    """Recipe ``name`` (a vote with the speaker-adaptive SVC) fitted on three emotions of
    the synthetic corpus, with each file's speaker, and its probabilities for the same files:
    (pipeline, corpus rows, X, probabilities). No SpeakerNormalizationWarning: every speaker
    has statistics."""
    import warnings

    from skser.preprocessing import SpeakerNormalizationWarning

    df = synthetic_corpus
    df = df[df["emotion"].isin(["angry", "sad", "happy"])].reset_index(drop=True)
    pipe = make_recipe(
        name, epochs=3,
        audioloader__duration=1.0,
        votingclassifier__svc__estimator__speakernormalizer__transformer__duration=1.0,
        votingclassifier__svc__estimator__speakernormalizer__min_files=3,
        votingclassifier__svc__fallback__acousticfeatures__duration=1.0,
        **cnn_overrides,
    )
    X, y = df[["path", "speaker"]], df["emotion"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpeakerNormalizationWarning)  # every speaker known
        pipe.fit(X, y)
        proba = pipe.predict_proba(X)
    return pipe, df, X, proba


@pytest.mark.slow
def test_speaker_vote_recipe_reads_speakers_from_a_dataframe(synthetic_corpus, tmp_path):
    import warnings

    from skser.preprocessing import SpeakerNormalizationWarning

    pipe, df, X, proba = _fit_speaker_vote(
        synthetic_corpus, "mel-cnn2d+spk-svc",
        votingclassifier__cnn__melimage__duration=1.0,
        votingclassifier__cnn__cnn2dclassifier__filters=(4, 8),
    )
    adaptive = pipe[-1].named_estimators_["svc"]
    normalizer = adaptive.estimator_[0]
    assert sorted(normalizer.speaker_stats_) == sorted(df["speaker"].unique())
    assert proba.shape == (len(df), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    # the vote is the mean of its members, each reading the files itself
    members = [est.predict_proba(X) for est in pipe[-1].estimators_]
    np.testing.assert_allclose(proba, np.mean(members, axis=0), rtol=1e-5, atol=1e-6)
    # with known speakers the SVC member answers with its speaker-normalized model
    waveforms = pipe[0].transform(X)
    np.testing.assert_allclose(adaptive.predict_proba(waveforms),
                               adaptive.estimator_.predict_proba(waveforms))
    # paths alone carry no speakers: the plain SVC answers, as in mel-cnn2d+stats-svc
    paths = df["path"].tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpeakerNormalizationWarning)
        without = pipe.predict_proba(paths)
    plain = adaptive.fallback_.predict_proba(paths)
    cnn = pipe[-1].named_estimators_["cnn"].predict_proba(paths)
    np.testing.assert_allclose(without, (plain + cnn) / 2, rtol=1e-5, atol=1e-6)
    assert not np.allclose(without, proba)
    # saved, it loads back and predicts the same
    from skser.persistence import load, save

    path = save(pipe, tmp_path / "spk-vote.skser")
    np.testing.assert_allclose(load(path).predict_proba(X), proba, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_speaker_vote_averages_both_cnns_for_known_speakers(synthetic_corpus, tmp_path):
    import warnings

    from skser.preprocessing import SpeakerNormalizationWarning

    pipe, df, X, proba = _fit_speaker_vote(
        synthetic_corpus, "spk-mel-cnn2d+spk-svc",
        votingclassifier__cnn__estimator__speakernormalizer__transformer__duration=1.0,
        votingclassifier__cnn__estimator__speakernormalizer__min_files=3,
        votingclassifier__cnn__estimator__cnn2dclassifier__filters=(4, 8),
        votingclassifier__cnn__fallback__melimage__duration=1.0,
        votingclassifier__cnn__fallback__cnn2dclassifier__filters=(4, 8),
    )
    cnns = pipe[-1].named_estimators_["cnn"]
    assert cnns._shared_features  # the two CNNs' log-mel image is computed once
    waveforms = pipe[0].transform(X)
    normalized = cnns.estimator_.predict_proba(waveforms)
    plain = cnns.fallback_.predict_proba(waveforms)
    assert not np.allclose(normalized, plain)  # two different networks
    np.testing.assert_allclose(cnns.predict_proba(waveforms), (normalized + plain) / 2,
                               rtol=1e-5, atol=1e-6)
    svc = pipe[-1].named_estimators_["svc"].predict_proba(waveforms)
    np.testing.assert_allclose(proba, ((normalized + plain) / 2 + svc) / 2, rtol=1e-5,
                               atol=1e-6)
    # paths alone carry no speakers: mel-cnn2d's CNN and the plain SVC answer
    paths = df["path"].tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpeakerNormalizationWarning)
        without = pipe.predict_proba(paths)
    expected = (cnns.fallback_.predict_proba(paths)
                + pipe[-1].named_estimators_["svc"].fallback_.predict_proba(paths)) / 2
    np.testing.assert_allclose(without, expected, rtol=1e-5, atol=1e-6)
    # saved, it loads back and predicts the same
    from skser.persistence import load, read_manifest, save

    path = save(pipe, tmp_path / "default.skser")
    assert len(read_manifest(path)["keras_models"]) == 2
    loaded = load(path)
    assert loaded[-1].named_estimators_["cnn"]._shared_features
    np.testing.assert_allclose(loaded.predict_proba(X), proba, rtol=1e-5, atol=1e-6)


def test_speaker_vote_checks_the_normalized_step_reads_the_loader_rate():
    with pytest.raises(SkserError, match="disagree on sr"):
        make_recipe("spk-mel-cnn2d+spk-svc",
                    votingclassifier__cnn__estimator__speakernormalizer__transformer__sr=8000
                    ).fit(["a.wav"], ["sad"])
    with pytest.raises(SkserError, match="disagree on sr"):
        make_recipe("mel-cnn2d+spk-svc",
                    votingclassifier__svc__estimator__speakernormalizer__transformer__sr=8000
                    ).fit(
            ["a.wav"], ["sad"])


def test_augmented_single_file_recipe_degrades_the_trimmed_training_audio_in_place():
    pipe = make_recipe("trimmed-mel-cnn2d+stats-lr-augmented", random_state=7)
    loader, augmenter = pipe.named_steps["audioloader"], pipe.named_steps["augmenter"]
    plain = make_recipe("trimmed-mel-cnn2d+stats-lr", random_state=7)
    assert loader.get_params() == plain.named_steps["audioloader"].get_params()
    assert loader.trim_db == 40.0
    assert augmenter.preset == "recording_conditions" and augmenter.keep_originals is False
    assert (augmenter.sr, augmenter.duration) == (loader.sr, loader.duration)
    assert augmenter.random_state == 7
    # the same vote as the clean-trained recipe's, parameter for parameter
    def vote(p):
        return {k: repr(v) for k, v in p.get_params().items()
                if k.startswith("votingclassifier__")}

    assert vote(pipe) == vote(plain)


def test_half_augmented_recipe_keeps_about_half_the_training_files_clean():
    pipe = make_recipe("trimmed-mel-cnn2d+stats-lr-half-augmented", random_state=7)
    augmenter = pipe.named_steps["augmenter"]
    full = make_recipe("trimmed-mel-cnn2d+stats-lr-augmented", random_state=7)
    assert augmenter.p_augment == 0.5
    assert ({**augmenter.get_params(), "p_augment": 1.0}
            == full.named_steps["augmenter"].get_params())
    assert repr(pipe.named_steps["votingclassifier"]) == repr(
        full.named_steps["votingclassifier"])


def test_cmn_recipe_normalizes_the_cnns_images_per_file_and_changes_nothing_else():
    import numpy as np

    pipe = make_recipe("trimmed-cmn-mel-cnn2d+stats-lr-half-augmented", random_state=7)
    half = make_recipe("trimmed-mel-cnn2d+stats-lr-half-augmented", random_state=7)
    assert repr(pipe[:2]) == repr(half[:2])
    (_, cnn), (_, lr) = pipe.named_steps["votingclassifier"].estimators
    (_, half_cnn), (_, half_lr) = half.named_steps["votingclassifier"].estimators
    assert repr(lr) == repr(half_lr)
    assert list(cnn.named_steps) == ["melimage", "utterancenormalizer", "cnn2dclassifier"]
    assert repr(cnn[-1]) == repr(half_cnn[-1])
    assert cnn[0].get_params() == {**half_cnn[0].get_params(), "top_db": 80.0}
    # the CNN's input: a recording 20 dB quieter gives the same image
    t = np.arange(16000) / 16000
    voice = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t)))[None]
    images = cnn[:2]
    np.testing.assert_allclose(images.fit_transform(voice * 0.1), images.transform(voice),
                               atol=1e-3)
