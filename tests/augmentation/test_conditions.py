"""Recording conditions: each degrades a waveform as its name says, keeping its length."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skser.augmentation import (
    CONDITIONS,
    active_rms,
    add_babble,
    add_noise,
    add_pink_noise,
    apply_condition,
    band_limit,
    lossy_codec,
    reverberate,
    telephone_band,
)
from skser.exceptions import SkserError

SR = 16000


def tone(freq, seconds=1.0, amplitude=0.3):
    t = np.arange(int(SR * seconds)) / SR
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def band_power(y, low, high):
    spectrum = np.abs(np.fft.rfft(y)) ** 2
    freqs = np.fft.rfftfreq(len(y), 1 / SR)
    return spectrum[(freqs >= low) & (freqs <= high)].sum()


def test_active_level_ignores_silence():
    speech = tone(200)
    padded = np.concatenate([np.zeros(SR, np.float32), speech, np.zeros(SR, np.float32)])
    assert active_rms(padded) == pytest.approx(active_rms(speech), rel=0.01)
    assert active_rms(np.zeros(SR)) == 0.0


@pytest.mark.parametrize("snr", [20.0, 10.0, 5.0])
def test_noise_at_the_active_level(snr):
    speech = np.concatenate([np.zeros(SR, np.float32), tone(200)])
    noisy = add_noise(speech, snr, rng=0, reference="active")
    noise = noisy - speech
    measured = 20 * np.log10(active_rms(speech) / np.sqrt(np.mean(noise.astype(float) ** 2)))
    assert measured == pytest.approx(snr, abs=0.2)
    # the whole-file reference puts less noise under padded speech
    quieter = add_noise(speech, snr, rng=0) - speech
    assert np.mean(quieter ** 2) < np.mean(noise ** 2)


def test_babble_mixes_other_talkers_at_the_snr():
    y = tone(200)
    others = [tone(300, 0.7), tone(450, 1.3)]
    mixed = add_babble(y, others, 10.0, rng=0)
    babble = mixed - y
    snr = 20 * np.log10(active_rms(y) / np.sqrt(np.mean(babble.astype(float) ** 2)))
    assert snr == pytest.approx(10.0, abs=0.5)
    assert band_power(babble, 280, 320) > 0 and band_power(babble, 430, 470) > 0
    with pytest.raises(SkserError, match="at least one"):
        add_babble(y, [], 10.0)


@pytest.mark.parametrize("rt60", [0.3, 0.8])
def test_reverberation_adds_a_tail_that_grows_with_rt60(rt60):
    click = np.zeros(2 * SR, np.float32)
    click[100] = 0.5
    wet = reverberate(click, SR, rt60, rng=0)
    tail = np.abs(wet[100 + int(0.05 * SR):])
    # energy 60 dB down after rt60: the tail is audible before it, gone after it
    assert tail[: int(0.1 * rt60 * SR)].max() > 1e-3 * np.abs(wet).max()
    assert np.abs(wet[100 + int(1.2 * rt60 * SR):]).max() < 2e-3 * np.abs(wet).max()
    with pytest.raises(SkserError, match="rt60"):
        reverberate(click, SR, 0.0)


def test_telephone_band_keeps_speech_frequencies_and_drops_the_rest():
    y = tone(1000) + tone(5000) + tone(100)
    out = telephone_band(y, SR)
    assert out.shape == y.shape and out.dtype == np.float32
    kept = band_power(out, 950, 1050) / band_power(y, 950, 1050)
    high = band_power(out, 4950, 5050) / band_power(y, 4950, 5050)
    low = band_power(out, 80, 120) / band_power(y, 80, 120)
    assert kept > 0.5 and high < 1e-4 and low < 0.1


def test_codec_keeps_the_signal_recognisable():
    y = tone(300, 2.0)
    out = lossy_codec(y, SR)
    assert out.shape == y.shape
    assert np.corrcoef(out, y)[0, 1] > 0.8
    assert not np.array_equal(out, y)


def test_gain_clips_like_a_converter():
    out = apply_condition("gain +10 dB, clipped", tone(200, amplitude=0.8), SR)
    assert np.abs(out).max() == pytest.approx(1.0)
    quiet = apply_condition("gain -20 dB", tone(200), SR)
    assert active_rms(quiet) == pytest.approx(active_rms(tone(200)) / 10, rel=0.01)


def test_unknown_condition_names_the_choices():
    with pytest.raises(SkserError, match="white noise 20 dB"):
        apply_condition("underwater", tone(200), SR)


@settings(max_examples=25, deadline=None)
@given(y=arrays(np.float32, st.integers(400, 4000), elements=st.floats(-1, 1, width=32)),
       name=st.sampled_from(sorted(CONDITIONS)))
def test_every_condition_keeps_length_dtype_and_finiteness(y, name):
    out = apply_condition(name, y, SR, rng=0, others=[tone(300, 0.2)])
    assert out.shape == y.shape and out.dtype == np.float32
    assert np.isfinite(out).all()


@pytest.mark.parametrize("snr", [5.0, 20.0])
def test_pink_noise_at_the_active_level_and_tilted_to_low_frequencies(snr):
    speech = np.concatenate([np.zeros(SR // 2, np.float32), tone(300)])
    noise = add_pink_noise(speech, snr, rng=0) - speech
    measured = 20 * np.log10(active_rms(speech) / np.sqrt(np.mean(noise.astype(float) ** 2)))
    assert measured == pytest.approx(snr, abs=0.1)
    # power per hertz falls as 1/f: 40 times more around 150 Hz than around 6 kHz
    assert band_power(noise, 100, 200) / 100 > 10 * band_power(noise, 4000, 8000) / 4000
    np.testing.assert_array_equal(add_pink_noise(speech, snr, rng=1),
                                  add_pink_noise(speech, snr, rng=1))


def test_band_limit_passes_the_band_only():
    y = tone(100) + tone(1000) + tone(6000)
    out = band_limit(y, SR, 300.0, 3400.0)
    assert out.shape == y.shape and out.dtype == np.float32
    kept = band_power(out, 950, 1050) / band_power(y, 950, 1050)
    assert kept > 0.8
    assert band_power(out, 90, 110) < 0.01 * band_power(y, 90, 110)
    assert band_power(out, 5900, 6100) < 0.01 * band_power(y, 5900, 6100)


@pytest.mark.parametrize("low, high", [(0.0, 3400.0), (500.0, 400.0), (300.0, 8000.0)])
def test_band_limit_names_impossible_cutoffs(low, high):
    with pytest.raises(SkserError, match="band_limit needs 0 < low_hz < high_hz < sr / 2"):
        band_limit(tone(300), SR, low, high)


def test_codec_quality_is_a_setting_and_checked():
    y = tone(440)
    better = lossy_codec(y, SR, compression_level=0.0)
    worse = lossy_codec(y, SR, compression_level=1.0)
    assert np.mean((better - y) ** 2) < np.mean((worse - y) ** 2)
    with pytest.raises(SkserError, match="compression_level must be in"):
        lossy_codec(y, SR, compression_level=1.5)
