import numpy as np
import pytest
import soundfile as sf
from joblib import parallel_config
from sklearn.utils._param_validation import InvalidParameterError

from skser.audio import AudioLoader
from skser.augmentation import (
    Augmenter,
    add_noise,
    add_noise_reference_a,
    add_peak_scaled_noise,
    apply_gain,
    pitch_shift,
    time_shift,
    time_stretch,
)
from skser.exceptions import InvalidAudioError, LabelError, SkserError
from tests.conftest import tone

SR = 4000


def _peak_hz(y, sr):
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return np.argmax(spectrum) * sr / len(y)


@pytest.fixture
def waveforms(rng):
    return rng.uniform(-0.5, 0.5, size=(6, SR // 2)).astype(np.float32)


LABELS = np.array(["sad", "angry", "happy", "sad", "angry", "happy"])


# -- pure functions ---------------------------------------------------------
def test_add_noise_hits_the_requested_snr(rng):
    y = tone(300, sr=SR, seconds=2.0)
    noisy = add_noise(y, snr_db=15.0, rng=rng)
    snr = 10 * np.log10(np.mean(y**2) / np.mean((noisy - y) ** 2))
    assert noisy.dtype == np.float32 and noisy.shape == y.shape
    assert abs(snr - 15.0) < 0.3
    assert not np.shares_memory(noisy, y)


def test_add_noise_leaves_silence_silent():
    np.testing.assert_array_equal(add_noise(np.zeros(100), snr_db=10.0, rng=0), np.zeros(100))


def test_peak_scaled_noise_is_bounded_by_the_peak_and_seeded():
    y = tone(300, sr=SR, amp=0.8)
    a, b = add_peak_scaled_noise(y, rng=3), add_peak_scaled_noise(y, rng=3)
    np.testing.assert_array_equal(a, b)
    noise_std = np.std(a - y)
    assert 0 < noise_std <= 0.035 * 0.8 * 1.05
    assert not np.array_equal(a, add_peak_scaled_noise(y, rng=4))


def test_add_noise_reference_a_is_a_deprecated_alias():
    y = tone(300, sr=SR, amp=0.8)
    with pytest.warns(FutureWarning, match="add_peak_scaled_noise"):
        old = add_noise_reference_a(y, rng=3)
    np.testing.assert_array_equal(old, add_peak_scaled_noise(y, rng=3))


def test_pitch_shift_moves_a_tone_by_semitones_and_keeps_length():
    y = tone(200, sr=SR, seconds=1.0)
    up = pitch_shift(y, SR, 12.0)
    assert up.shape == y.shape and up.dtype == np.float32
    assert abs(_peak_hz(up, SR) - 400) < 10
    np.testing.assert_array_equal(pitch_shift(y, SR, 0), y)


def test_time_stretch_changes_length_not_pitch():
    y = tone(250, sr=SR, seconds=1.0)
    slow = time_stretch(y, 0.8)
    assert abs(len(slow) - SR / 0.8) <= 1 and slow.dtype == np.float32
    assert abs(_peak_hz(slow, SR) - 250) < 10
    with pytest.raises(ValueError, match="rate must be > 0"):
        time_stretch(y, 0.0)


def test_apply_gain_scales_in_db():
    y = tone(100, sr=SR)
    np.testing.assert_allclose(apply_gain(y, -20.0), y * 0.1, rtol=1e-6)


@pytest.mark.parametrize(
    "shift_s, expected",
    [(0.5, [0, 1, 2, 3]), (-0.5, [2, 3, 4, 0]), (0.0, [1, 2, 3, 4]), (5.0, [0, 0, 0, 0]),
     (-5.0, [0, 0, 0, 0])],
)
def test_time_shift_zero_fills_without_wrapping(shift_s, expected):
    y = np.array([1, 2, 3, 4], dtype=np.float32)
    np.testing.assert_array_equal(time_shift(y, shift_s, sr=2), expected)


@pytest.mark.parametrize(
    "func", [lambda y: add_noise(y, 10.0, 0), lambda y: pitch_shift(y, SR, 1.0),
             lambda y: time_stretch(y, 1.1), lambda y: apply_gain(y, 3.0),
             lambda y: time_shift(y, 0.01, SR), lambda y: add_peak_scaled_noise(y, 0)],
)
def test_functions_reject_non_finite_input(func):
    y = tone(100, sr=SR)
    y[10] = np.nan
    with pytest.raises(InvalidAudioError, match="NaN or infinite"):
        func(y)


def test_vocoder_functions_name_too_short_input():
    with pytest.raises(InvalidAudioError, match="too short"):
        pitch_shift(np.ones(3), SR, 1.0)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_overflowing_gain_fails_loudly():
    with pytest.raises(InvalidAudioError, match="NaN or infinite"):
        apply_gain(np.ones(8), gain_db=1000.0)


# -- Augmenter --------------------------------------------------------------
def test_output_order_originals_first_then_copy_blocks(waveforms):
    aug = Augmenter(n_copies=2, sr=SR, duration=0.4, random_state=0)
    X, y = aug.fit_resample(waveforms, LABELS)
    n, n_samples = len(waveforms), int(0.4 * SR)
    assert X.shape == (3 * n, n_samples) and X.dtype == np.float32
    np.testing.assert_array_equal(X[:n], waveforms[:, :n_samples])
    np.testing.assert_array_equal(aug.sample_indices_, np.tile(np.arange(n), 3))
    for k in (1, 2):
        np.testing.assert_array_equal(y[k * n:(k + 1) * n], LABELS)
        assert not np.allclose(X[k * n:(k + 1) * n], X[:n])
    assert aug.n_samples_ == n_samples and aug.n_features_in_ == waveforms.shape[1]


def test_copy_k_of_input_i_comes_from_input_i(waveforms):
    """With gain as the only transform, each copy is its source times a factor."""
    aug = Augmenter(n_copies=3, noise_snr_db=None, pitch_semitones=None, stretch_rate=None,
                    shift_s=None, gain_db=(-6.0, 6.0), p=1.0, sr=SR, duration=0.5,
                    random_state=1)
    X, y = aug.fit_resample(waveforms, LABELS)
    n = len(waveforms)
    for row in range(n, len(X)):
        i = row % n
        (step, gain_db), = aug.augmentations_[row]
        assert step == "apply_gain" and -6.0 <= gain_db <= 6.0
        np.testing.assert_allclose(X[row], waveforms[i] * 10 ** (gain_db / 20), rtol=1e-5)
        assert y[row] == LABELS[i]


def test_deterministic_for_an_int_seed_whatever_the_backend(waveforms):
    params = dict(n_copies=2, sr=SR, duration=0.5, p=0.7)
    X1, _ = Augmenter(random_state=7, **params).fit_resample(waveforms, LABELS)
    with parallel_config(backend="threading"):
        X2, _ = Augmenter(random_state=7, n_jobs=2, **params).fit_resample(waveforms, LABELS)
    X3, _ = Augmenter(random_state=8, **params).fit_resample(waveforms, LABELS)
    np.testing.assert_array_equal(X1, X2)
    assert not np.array_equal(X1, X3)


def test_unseeded_runs_differ(waveforms):
    aug = Augmenter(sr=SR, duration=0.5)
    assert not np.array_equal(aug.fit_resample(waveforms, LABELS)[0],
                              aug.fit_resample(waveforms, LABELS)[0])


@pytest.mark.parametrize("p, n_steps", [(0.0, {1}), (1.0, {5})])
def test_every_copy_gets_at_least_one_transform(waveforms, p, n_steps):
    aug = Augmenter(n_copies=4, p=p, sr=SR, duration=0.5, random_state=0)
    aug.fit_resample(waveforms, LABELS)
    copies = aug.augmentations_[len(waveforms):]
    assert {len(steps) for steps in copies} == n_steps
    if p == 1.0:
        order = [name for name, _ in copies[0]]
        assert order == ["time_stretch", "pitch_shift", "time_shift", "apply_gain", "add_noise"]


def test_drawn_values_stay_in_their_ranges(waveforms):
    ranges = dict(noise_snr_db=(20.0, 25.0), pitch_semitones=(-1.0, 0.5),
                  stretch_rate=(0.9, 1.1), gain_db=(-3.0, -1.0), shift_s=(0.0, 0.1))
    aug = Augmenter(n_copies=5, p=1.0, sr=SR, duration=0.5, random_state=0, **ranges)
    aug.fit_resample(waveforms, LABELS)
    step_to_param = {"add_noise": "noise_snr_db", "pitch_shift": "pitch_semitones",
                     "time_stretch": "stretch_rate", "apply_gain": "gain_db",
                     "time_shift": "shift_s"}
    for steps in aug.augmentations_[len(waveforms):]:
        for name, value in steps:
            low, high = ranges[step_to_param[name]]
            assert low <= value <= high


def test_noise_and_stretch_pitch_preset_gives_three_rows_per_file(waveforms):
    aug = Augmenter(preset="noise_and_stretch_pitch", n_copies=5, sr=SR, duration=0.5,
                    random_state=0)
    X, y = aug.fit_resample(waveforms, LABELS)
    n = len(waveforms)
    assert X.shape == (3 * n, SR // 2)
    np.testing.assert_array_equal(y, np.tile(LABELS, 3))
    assert aug.augmentations_[n:2 * n] == [(("add_peak_scaled_noise", None),)] * n
    assert aug.augmentations_[2 * n:] == [(("time_stretch", 0.8), ("pitch_shift", 0.7))] * n
    expected = pitch_shift(time_stretch(waveforms[0], 0.8), SR, 0.7)[: SR // 2]
    np.testing.assert_allclose(X[2 * n], expected, atol=1e-6)


def test_reference_a_preset_is_a_deprecated_alias(waveforms):
    params = dict(sr=SR, duration=0.5, random_state=0)
    old = Augmenter(preset="reference_a", **params)
    with pytest.warns(FutureWarning, match="noise_and_stretch_pitch"):
        X_old, _ = old.fit_resample(waveforms, LABELS)
    new = Augmenter(preset="noise_and_stretch_pitch", **params)
    X_new, _ = new.fit_resample(waveforms, LABELS)
    np.testing.assert_array_equal(X_old, X_new)
    assert old.augmentations_ == new.augmentations_
    assert old.get_params()["preset"] == "reference_a"  # stored unchanged, as given


def test_n_copies_zero_returns_the_originals(waveforms):
    X, y = Augmenter(n_copies=0, sr=SR, duration=0.5).fit_resample(waveforms, LABELS)
    np.testing.assert_array_equal(X, waveforms)
    np.testing.assert_array_equal(y, LABELS)


def test_copies_are_padded_or_trimmed_to_duration(rng):
    short = rng.uniform(-0.5, 0.5, size=(2, SR // 10)).astype(np.float32)
    aug = Augmenter(n_copies=2, stretch_rate=(0.5, 0.6), shift_s=None, p=1.0, sr=SR,
                    duration=0.25, random_state=0)
    X, _ = aug.fit_resample(short, ["a", "b"])
    assert X.shape == (6, SR // 4)
    assert np.isfinite(X).all()
    assert not X[:2, SR // 10:].any()


def test_reads_files_like_the_audio_loader(tmp_path):
    paths = []
    for i, freq in enumerate((200, 300, 400)):
        paths.append(str(tmp_path / f"{i}.wav"))
        sf.write(paths[-1], tone(freq, sr=8000, seconds=0.6), 8000)
    aug = Augmenter(n_copies=1, sr=SR, duration=0.4, offset=0.1, random_state=0)
    X, y = aug.fit_resample(paths, ["a", "b", "c"])
    loaded = AudioLoader(sr=SR, duration=0.4, offset=0.1).fit_transform(paths)
    np.testing.assert_array_equal(X[:3], loaded)
    assert X.shape == (6, int(0.4 * SR)) and list(y) == ["a", "b", "c"] * 2


def test_fit_validates_without_augmenting(waveforms):
    aug = Augmenter(sr=SR, duration=0.5).fit(waveforms, LABELS)
    assert aug.n_samples_ == SR // 2 and not hasattr(aug, "sample_indices_")
    with pytest.raises(LabelError, match="6 input"):
        aug.fit(waveforms, LABELS[:4])


@pytest.mark.parametrize(
    "params, error, message",
    [
        (dict(gain_db=(3.0, -3.0)), SkserError, "gain_db must have low <= high"),
        (dict(pitch_semitones=(1.0,)), SkserError, "pitch_semitones must be None or a"),
        (dict(noise_snr_db=("a", "b")), SkserError, "noise_snr_db must be None or a"),
        (dict(gain_db=(0.0, np.inf)), SkserError, "gain_db must be finite"),
        (dict(stretch_rate=(0.0, 1.2)), SkserError, "stretch_rate must stay > 0"),
        (dict(shift_s=(-1.0, 0.1)), SkserError, "reaches duration"),
        (dict(noise_snr_db=None, pitch_semitones=None, stretch_rate=None, gain_db=None,
              shift_s=None), SkserError, "every transform is disabled"),
        (dict(duration=0.0005), SkserError, "at least 4"),
        (dict(p=1.5), InvalidParameterError, "'p' parameter"),
        (dict(preset="reference_b"), InvalidParameterError, "'preset' parameter"),
        (dict(n_copies=-1), InvalidParameterError, "'n_copies' parameter"),
    ],
)
def test_invalid_parameters_raise_clear_errors(waveforms, params, error, message):
    kwargs = dict(sr=SR, duration=0.5) | params
    with pytest.raises(error, match=message):
        Augmenter(**kwargs).fit_resample(waveforms, LABELS)


def test_labels_must_line_up(waveforms):
    with pytest.raises(LabelError, match="requires y to be passed"):
        Augmenter(sr=SR, duration=0.5).fit_resample(waveforms, None)
    with pytest.raises(LabelError, match="got 6 input"):
        Augmenter(sr=SR, duration=0.5).fit_resample(waveforms, LABELS[:5])


def test_bad_waveform_row_is_named(waveforms):
    waveforms[2, 5] = np.inf
    with pytest.raises(InvalidAudioError, match="row 2"):
        Augmenter(sr=SR, duration=0.5).fit_resample(waveforms, LABELS)


def test_is_an_imblearn_sampler():
    from imblearn.base import is_sampler

    assert is_sampler(Augmenter())
    assert not hasattr(Augmenter(), "transform")


# -- preset="recording_conditions" and keep_originals --------------------------------
def _speechlike(rng, n=12, sr=16000, seconds=1.0):
    t = np.arange(int(sr * seconds)) / sr
    return np.stack([(0.2 * np.sin(2 * np.pi * (150 + 20 * i) * t)
                      * (1 + np.sin(2 * np.pi * 3 * t))).astype(np.float32)
                     for i in range(n)])


def test_recording_conditions_replace_each_input_with_a_degraded_copy(rng):
    X = _speechlike(rng)
    y = np.array(["sad", "angry", "happy"] * 4)
    aug = Augmenter(preset="recording_conditions", keep_originals=False, sr=16000,
                    duration=1.0, random_state=0)
    X_aug, y_aug = aug.fit_resample(X, y)
    assert X_aug.shape == X.shape and X_aug.dtype == np.float32
    np.testing.assert_array_equal(y_aug, y)
    np.testing.assert_array_equal(aug.sample_indices_, np.arange(len(X)))
    assert len(aug.augmentations_) == len(X)
    assert np.isfinite(X_aug).all() and np.abs(X_aug).max() <= 1.0
    assert not any(np.array_equal(a, b) for a, b in zip(X_aug, X, strict=True))
    order = ["reverberate", "add_white_noise", "add_pink_noise", "add_babble", "band_limit",
             "lossy_codec", "apply_gain_clipped"]
    for i, steps in enumerate(aug.augmentations_):
        names = [name for name, _ in steps]
        assert names[-1] == "apply_gain_clipped"  # every copy has a recording level
        assert -24.0 <= steps[-1][1] <= 6.0
        assert [order.index(n) for n in names] == sorted(order.index(n) for n in names)
        for name, value in steps:
            if name == "add_babble":
                assert 5.0 <= value[0] <= 30.0 and i not in value[1:]


def test_recording_conditions_draw_every_kind_and_repeat_with_the_seed(rng):
    X = np.tile(_speechlike(rng, n=4, seconds=0.5), (15, 1))
    y = np.arange(len(X)) % 3
    params = dict(preset="recording_conditions", n_copies=2, sr=16000, duration=0.5,
                  random_state=3)
    a, b = Augmenter(**params), Augmenter(**params)
    X_a, y_a = a.fit_resample(X, y)
    X_b, _ = b.fit_resample(X, y)
    np.testing.assert_array_equal(X_a, X_b)
    assert X_a.shape == (3 * len(X), 8000)
    np.testing.assert_array_equal(X_a[: len(X)], X)  # keep_originals=True: inputs first
    drawn = {name for steps in a.augmentations_ for name, _ in steps}
    assert drawn == {"reverberate", "add_white_noise", "add_pink_noise", "add_babble",
                     "band_limit", "lossy_codec", "apply_gain_clipped"}
    other = Augmenter(**{**params, "random_state": 4}).fit_resample(X, y)[0]
    assert not np.array_equal(other[len(X):], X_a[len(X):])


def test_recording_conditions_ignore_the_ranges_and_p(rng):
    X = _speechlike(rng, n=3, seconds=0.5)
    common = dict(preset="recording_conditions", sr=16000, duration=0.5, random_state=0)
    plain = Augmenter(**common).fit_resample(X, [0, 1, 2])[0]
    other = Augmenter(**common, p=1.0, gain_db=(30.0, 40.0), noise_snr_db=None).fit_resample(
        X, [0, 1, 2])[0]
    np.testing.assert_array_equal(plain, other)


def test_band_limit_stays_below_a_low_nyquist(rng):
    X = rng.uniform(-0.3, 0.3, size=(60, 4000)).astype(np.float32)
    aug = Augmenter(preset="recording_conditions", sr=8000, duration=0.5, random_state=0)
    aug.fit_resample(X, np.arange(60) % 2)
    bands = [v for steps in aug.augmentations_ for n, v in steps if n == "band_limit"]
    assert bands and all(low < high < 4000 for low, high in bands)


def test_keep_originals_false_with_random_copies(waveforms):
    aug = Augmenter(n_copies=2, keep_originals=False, sr=SR, duration=0.5, random_state=0)
    X, y = aug.fit_resample(waveforms, LABELS)
    n = len(waveforms)
    assert X.shape == (2 * n, SR // 2)
    np.testing.assert_array_equal(y, np.tile(LABELS, 2))
    kept = Augmenter(n_copies=2, sr=SR, duration=0.5, random_state=0).fit_resample(
        waveforms, LABELS)[0]
    np.testing.assert_array_equal(X, kept[n:])  # the same copies, without the inputs


@pytest.mark.parametrize("preset", [None, "recording_conditions", "noise_and_stretch_pitch"])
def test_p_augment_leaves_some_copies_clean_and_the_others_as_before(rng, preset):
    X = np.tile(_speechlike(rng, n=4, seconds=0.5), (10, 1))
    y = np.arange(len(X)) % 2
    common = dict(preset=preset, keep_originals=False, sr=16000, duration=0.5,
                  random_state=5)
    full = Augmenter(**common)
    X_full, _ = full.fit_resample(X, y)
    half = Augmenter(**common, p_augment=0.5)
    X_half, y_half = half.fit_resample(X, y)
    assert X_half.shape == X_full.shape
    np.testing.assert_array_equal(y_half, y[half.sample_indices_])
    clean = np.array([steps == () for steps in half.augmentations_])
    assert 0.25 < clean.mean() < 0.75  # about half of 80 copies
    rows = half.sample_indices_
    np.testing.assert_array_equal(X_half[clean], X[rows[clean]])  # clean copy == input
    # the augmented copies are exactly those of p_augment=1.0
    np.testing.assert_array_equal(X_half[~clean], X_full[~clean])
    assert [s for s, c in zip(half.augmentations_, clean, strict=True) if not c] == [
        s for s, c in zip(full.augmentations_, clean, strict=True) if not c]


def test_p_augment_zero_returns_the_inputs_and_is_validated(waveforms):
    aug = Augmenter(n_copies=2, p_augment=0.0, sr=SR, duration=0.5, random_state=0)
    X, _ = aug.fit_resample(waveforms, LABELS)
    np.testing.assert_array_equal(X, np.tile(X[: len(waveforms)], (3, 1)))
    assert all(steps == () for steps in aug.augmentations_)
    with pytest.raises(ValueError, match="p_augment"):
        Augmenter(p_augment=1.5, sr=SR, duration=0.5).fit_resample(waveforms, LABELS)


def test_keep_originals_false_needs_a_copy(waveforms):
    with pytest.raises(SkserError, match="keep_originals=False with n_copies=0"):
        Augmenter(n_copies=0, keep_originals=False, sr=SR, duration=0.5).fit_resample(
            waveforms, LABELS)


def test_single_input_gets_no_babble():
    X = _speechlike(None, n=1, seconds=0.5)
    aug = Augmenter(preset="recording_conditions", n_copies=40, sr=16000, duration=0.5,
                    random_state=0)
    X_aug, _ = aug.fit_resample(X, ["sad"])
    assert X_aug.shape == (41, 8000) and np.isfinite(X_aug).all()
    assert not any(n == "add_babble" for steps in aug.augmentations_ for n, _ in steps)


@pytest.mark.parametrize("preset", ["noise_and_stretch_pitch", "recording_conditions"])
def test_a_loaders_output_is_augmented_in_place_of_a_copy_and_left_unchanged(waveforms, preset):
    # An AudioLoader's output (float32, the augmenter's length) is not read through the
    # augmenter's own loader again: the same copies as from the same waveforms given as a
    # list, which do go through it, and the input array is never written.
    aug = Augmenter(preset=preset, sr=SR, duration=0.5, random_state=3)
    before = waveforms.copy()
    X_array, y_array = aug.fit_resample(waveforms, LABELS)
    X_list, y_list = aug.fit_resample(list(waveforms), LABELS)
    np.testing.assert_array_equal(waveforms, before)
    np.testing.assert_array_equal(X_array, X_list)
    np.testing.assert_array_equal(y_array, y_list)
    assert X_array.dtype == np.float32 and not np.shares_memory(X_array, waveforms)


def test_a_non_finite_row_of_a_loaders_output_is_still_named(waveforms):
    waveforms[4, 7] = np.inf
    with pytest.raises(InvalidAudioError, match="row 4.*NaN or infinite"):
        Augmenter(sr=SR, duration=0.5, random_state=0).fit_resample(waveforms, LABELS)


def test_arrays_the_loader_would_change_still_go_through_it(waveforms):
    from skser.augmentation._augmenter import _loader_output

    n = waveforms.shape[1]
    assert _loader_output(waveforms, n) is waveforms
    assert _loader_output(waveforms, n, block=4) is waveforms  # checked in blocks of rows
    assert _loader_output(waveforms.astype(np.float64), n) is None  # converted by the loader
    assert _loader_output(waveforms[:, : n - 1], n) is None  # padded by the loader
    assert _loader_output(np.asfortranarray(waveforms), n) is None
    assert _loader_output(list(waveforms), n) is None
    bad = waveforms.copy()
    bad[5, 0] = np.nan
    assert _loader_output(bad, n, block=4) is None  # the loader raises, naming the row
