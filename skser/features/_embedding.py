"""Utterance embeddings from a pretrained speech encoder in a local file.

:class:`PretrainedEmbedding` runs an encoder (a wav2vec 2.0, WavLM or
emotion2vec network exported to ONNX, or a Keras network saved as ``.keras``)
on each waveform and pools its frames into one vector per file. skser ships no
encoder and downloads nothing: the user points it at a file.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..audio._base import BaseAudioTransformer
from ..audio._io import DEFAULT_DURATION, DEFAULT_OFFSET, DEFAULT_SR
from ..exceptions import SkserError

__all__ = ["PretrainedEmbedding"]

POOLINGS = ("mean", "std", "max")
_FORMATS = {".onnx": "onnx", ".keras": "keras"}

# Loaded encoders, shared by the copies of one transformer that transform makes:
# (kind, path, sha256, device) -> a callable from a (batch, samples) float32 array to
# the encoder's output. Encoders can be large, so only a few are kept.
_ENCODERS: OrderedDict = OrderedDict()
_ENCODERS_LOCK = threading.Lock()
_MAX_ENCODERS = 2


def _first_line(exc: Exception, limit: int = 300) -> str:
    """The first line of a library's error message, shortened."""
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line if len(line) <= limit else line[:limit] + " ..."


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Encoder file -> (its stat signature, its SHA-256): a file is hashed again only when its
# device, inode, size or modification time changed, not at every transform (an encoder
# can be hundreds of megabytes). As in git's index, a file modified less than
# _RACY_NS before it was hashed is hashed again each time: a rewrite within the file
# system's timestamp granularity would keep the same modification time.
_DIGESTS: dict[str, tuple[tuple, str]] = {}
_DIGESTS_LOCK = threading.Lock()
_RACY_NS = 2_000_000_000


def _file_digest(path: Path) -> str:
    st = path.stat()
    signature = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    key = str(path.resolve())
    with _DIGESTS_LOCK:
        known = _DIGESTS.get(key)
    if known is not None and known[0] == signature:
        return known[1]
    hashed_at = time.time_ns()
    digest = _sha256(path)
    if st.st_mtime_ns < hashed_at - _RACY_NS:
        with _DIGESTS_LOCK:
            _DIGESTS[key] = (signature, digest)
    return digest


def _onnx_encoder(path: Path, device: str, output_name):
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise SkserError(
            f"{path}: running an ONNX encoder needs onnxruntime "
            "(pip install 'skser[encoders]', or onnxruntime-gpu for a GPU)") from exc
    available = ort.get_available_providers()
    providers = ["CPUExecutionProvider"]
    if device == "auto" and "CUDAExecutionProvider" in available:
        providers.insert(0, "CUDAExecutionProvider")
    options = ort.SessionOptions()
    options.log_severity_level = 4  # errors reach the user as SkserError, not as logs
    try:
        session = ort.InferenceSession(str(path), sess_options=options, providers=providers)
    except Exception as exc:  # onnxruntime raises its own exception types
        raise SkserError(f"{path}: not an ONNX model onnxruntime can run "
                         f"({_first_line(exc)})") from None
    inputs = session.get_inputs()
    if len(inputs) != 1:
        raise SkserError(f"{path}: the encoder takes {len(inputs)} inputs "
                         f"({', '.join(i.name for i in inputs)}); PretrainedEmbedding "
                         "feeds one, the waveforms (batch, samples)")
    input_name = inputs[0].name
    names = [o.name for o in session.get_outputs()]
    if output_name is not None and output_name not in names:
        raise SkserError(f"{path}: no output named {output_name!r}; its outputs: "
                         f"{', '.join(names)}")
    chosen = output_name if output_name is not None else names[0]

    def run(batch: np.ndarray) -> np.ndarray:
        try:
            return np.asarray(session.run([chosen], {input_name: batch})[0])
        except Exception as exc:
            raise SkserError(f"{path}: the encoder failed on a batch of shape "
                             f"{batch.shape} ({_first_line(exc)})") from None

    return run


def _keras_encoder(path: Path, output_name):
    import keras
    try:
        # safe_mode: no Lambda layer or other Python code is deserialized from the file.
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:
        raise SkserError(f"{path}: not a Keras model that loads in safe mode "
                         f"({_first_line(exc)})") from None
    if output_name is not None:
        names = [getattr(t, "name", "") for t in model.outputs]
        if output_name not in names:
            raise SkserError(f"{path}: no output named {output_name!r}; its outputs: "
                             f"{', '.join(names)}")
        model = keras.Model(model.inputs, model.outputs[names.index(output_name)])

    def run(batch: np.ndarray) -> np.ndarray:
        out = model(batch, training=False)
        if isinstance(out, (list, tuple)):
            out = out[0]
        return np.asarray(out)

    return run


def _load_encoder(kind: str, path: Path, digest: str, device: str, output_name):
    key = (kind, str(path), digest, device, output_name)
    with _ENCODERS_LOCK:
        if key in _ENCODERS:
            _ENCODERS.move_to_end(key)
            return _ENCODERS[key]
    run = (_onnx_encoder(path, device, output_name) if kind == "onnx"
           else _keras_encoder(path, output_name))
    with _ENCODERS_LOCK:
        _ENCODERS[key] = run
        while len(_ENCODERS) > _MAX_ENCODERS:
            _ENCODERS.popitem(last=False)
    return run


class PretrainedEmbedding(BaseAudioTransformer):
    """Pool a pretrained speech encoder's frames into one vector per file.

    Each waveform (read, resampled to ``sr``, trimmed and cut to ``duration``
    as by every audio step) is given to the encoder as a ``(batch, samples)``
    float32 array; the encoder's output of shape ``(batch, frames, dim)`` (or
    ``(batch, dim)``) is pooled over the frames by the statistics of
    ``pooling``, concatenated. The encoder is a local file: an ONNX model, run
    by onnxruntime (on a CUDA GPU when onnxruntime-gpu sees one and
    ``device="auto"``), or a Keras network saved as ``.keras``, loaded in Keras's
    safe mode (on TensorFlow's GPU when present). Nothing is downloaded. A
    TensorFlow SavedModel folder is not accepted: its graph can hold
    file-system operations; export the encoder to ONNX instead.

    The encoder's SHA-256 is part of the feature cache's key (``memory=``), so
    cached embeddings of another encoder at the same path are never reused.
    Each fit records it (``encoder_sha256_``); transform refuses a file that
    has changed since. The file is read again for its hash only when its size,
    inode or modification time differs from the last time it was hashed.

    Parameters
    ----------
    encoder : str or path-like
        The encoder file: ``*.onnx`` or ``*.keras``. Its one input takes the
        waveforms, ``(batch, samples)`` float32 at ``sr`` Hz.
    output_name : str or None, default=None
        The encoder output to pool (by name); ``None`` takes its first output.
    pooling : tuple of {"mean", "std", "max"}, default=("mean", "std")
        Statistics over the frames, concatenated in this order.
    normalize : bool, default=True
        Scale each waveform to zero mean and unit variance before the encoder,
        as the feature extractors of wav2vec 2.0 and WavLM do; set ``False``
        for an encoder that expects the raw waveform.
    batch_size : int, default=8
        Waveforms per encoder call.
    device : {"auto", "cpu"}, default="auto"
        ``"auto"`` runs an ONNX encoder on a CUDA GPU when onnxruntime offers
        one; ``"cpu"`` never does. (A Keras encoder follows TensorFlow's
        device placement.)
    sr : int, default=skser.audio.DEFAULT_SR
        Sample rate the encoder expects, in Hz (16 kHz for wav2vec 2.0, WavLM
        and emotion2vec).
    duration : float, default=skser.audio.DEFAULT_DURATION
        Seconds given to the encoder; shorter audio is zero-padded.
    offset : float, default=skser.audio.DEFAULT_OFFSET
        Seconds skipped at the start of each file.
    trim_db : float or None, default=None
        Trim leading and trailing audio this many dB below the file's loudest
        frame first (see :func:`skser.audio.trim_silence`).
    n_jobs : int or None, default=None
        Workers that read and decode files. The encoder itself runs in the
        calling process.
    verbose : int, default=0
        Progress bar over the files when > 0.
    on_error : {"raise", "warn"}, default="raise"
        As in :class:`skser.audio.AudioLoader`.
    memory : str, path-like, joblib.Memory or None, default=None
        Folder of the per-file cache of embeddings.

    Attributes
    ----------
    encoder_sha256_ : str
        SHA-256 of the encoder file at fit.
    embedding_dim_ : int
        Width of the encoder's output (``dim``).
    output_shape_ : tuple of int
        ``(len(pooling) * embedding_dim_,)``.
    n_samples_ : int
        Samples given to the encoder per file (``round(duration * sr)``).

    See Also
    --------
    AcousticFeatures : utterance statistics of hand-made features.

    Notes
    -----
    skser's benchmarks do not measure any encoder: what an embedding is worth
    for emotions depends on the encoder and is not known here. Predicting with
    a model that contains a ``PretrainedEmbedding`` runs the encoder file it
    names, so a saved model that holds one loads only with ``trusted=True``
    (see the persistence guide).

    Examples
    --------
    Any encoder with one waveform input works; a wav2vec 2.0 exported with
    ``optimum-cli export onnx --model facebook/wav2vec2-base wav2vec2/`` gives
    ``wav2vec2/model.onnx``, whose first output is its last hidden layer::

        from sklearn.linear_model import LogisticRegression
        from skser import make_pipeline
        from skser.features import PretrainedEmbedding
        from skser.preprocessing import StandardScaler

        model = make_pipeline(
            PretrainedEmbedding("wav2vec2/model.onnx", memory="cache"),
            StandardScaler(), LogisticRegression(max_iter=1000))
        model.fit(paths, labels)
    """

    _progress_desc = "encoder"
    _parameter_constraints: dict = {
        **BaseAudioTransformer._parameter_constraints,
        "encoder": [str, os.PathLike],
        "output_name": [str, None],
        "pooling": [tuple, list],
        "normalize": ["boolean"],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [StrOptions({"auto", "cpu"})],
        "duration": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        encoder,
        *,
        output_name=None,
        pooling=("mean", "std"),
        normalize=True,
        batch_size=8,
        device="auto",
        sr=DEFAULT_SR,
        duration=DEFAULT_DURATION,
        offset=DEFAULT_OFFSET,
        trim_db=None,
        n_jobs=None,
        verbose=0,
        on_error="raise",
        memory=None,
    ):
        self.encoder = encoder
        self.output_name = output_name
        self.pooling = pooling
        self.normalize = normalize
        self.batch_size = batch_size
        self.device = device
        self.sr = sr
        self.duration = duration
        self.offset = offset
        self.trim_db = trim_db
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.on_error = on_error
        self.memory = memory

    # -- the encoder --------------------------------------------------------
    def _encoder_file(self) -> tuple[str, Path]:
        path = Path(self.encoder)
        if path.is_dir():
            raise SkserError(
                f"encoder={str(path)!r} is a folder (a TensorFlow SavedModel?): give an "
                "encoder file, *.onnx or *.keras; a SavedModel's graph can hold "
                "file-system operations, so export the encoder to ONNX instead")
        kind = _FORMATS.get(path.suffix.lower())
        if kind is None:
            raise SkserError(f"encoder={str(path)!r}: an encoder file ends in .onnx or "
                             ".keras")
        if not path.exists():
            raise SkserError(f"encoder={str(path)!r}: no such file")
        if not path.is_file():
            raise SkserError(f"encoder={str(path)!r}: not a regular file")
        return kind, path

    def _run_encoder(self):
        kind, path = self._encoder_file()
        return _load_encoder(kind, path, self._digest, self.device, self.output_name)

    def _check_params(self) -> None:
        pooling = tuple(self.pooling)
        bad = [p for p in pooling if p not in POOLINGS]
        if not pooling or bad or len(set(pooling)) != len(pooling):
            raise ValueError(f"pooling={self.pooling!r}: one or more distinct names of "
                             f"{POOLINGS}")
        _, path = self._encoder_file()
        digest = _file_digest(path)
        fitted = getattr(self, "encoder_sha256_", None)
        if fitted is not None and fitted != digest:
            raise SkserError(f"encoder={str(path)!r} has changed since fit (SHA-256 "
                             f"{fitted[:12]}... then, {digest[:12]}... now): refit, or "
                             "restore the encoder the model was fitted with")
        self._digest = digest

    def _output_shape(self) -> tuple[int, ...]:
        dim = self._probe_dim()
        return (len(tuple(self.pooling)) * dim,)

    def _probe_dim(self) -> int:
        key = (self._digest, self.output_name, int(round(self.duration * self.sr)))
        cached = getattr(self, "_probed", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        silence = np.zeros((1, key[2]), dtype=np.float32)
        out = self._check_output(self._run_encoder()(silence), 1)
        self._probed = (key, out.shape[-1])
        return out.shape[-1]

    def _check_output(self, out: np.ndarray, batch: int) -> np.ndarray:
        out = np.asarray(out)
        if out.ndim == 2:
            out = out[:, None, :]
        if out.ndim != 3 or out.shape[0] != batch or out.shape[1] == 0 or out.shape[2] == 0:
            raise SkserError(
                f"encoder={str(self.encoder)!r}: its output has shape {out.shape}; "
                f"PretrainedEmbedding pools outputs of shape ({batch}, frames, dim) or "
                f"({batch}, dim) (choose another with output_name=)")
        return out.astype(np.float32, copy=False)

    # -- fitting and transforming --------------------------------------------
    def fit(self, X, y=None):
        """Check the encoder and record its SHA-256 and output width.

        Parameters
        ----------
        X : list of paths, or array of shape (n_samples, n_times)
            Audio files, or mono waveforms sampled at ``sr`` Hz.
        y : ignored

        Returns
        -------
        self
        """
        self.__dict__.pop("encoder_sha256_", None)
        super().fit(X, y)
        self.encoder_sha256_ = self._digest
        self.embedding_dim_ = self.output_shape_[0] // len(tuple(self.pooling))
        return self

    def _extractor(self):
        ex = super()._extractor()
        ex.batch_size = 1  # does not change the output: kept out of the cache key
        ex._digest = self._digest
        ex._probed = getattr(self, "_probed", None)
        return ex

    def _cache_identity(self) -> dict:
        # The same path, another encoder: other embeddings.
        return {"encoder_sha256": self._digest}

    def transform(self, X) -> np.ndarray:
        """Embed each file or waveform.

        Without ``memory``, the waveforms are read first (by ``n_jobs`` workers)
        and given to the encoder ``batch_size`` at a time; with ``memory``, each
        file is embedded and cached on its own.

        Parameters
        ----------
        X : list of paths, or array of shape (n_samples, n_times)
            Audio files, or mono waveforms sampled at ``sr`` Hz.

        Returns
        -------
        ndarray of shape ``(n_samples, len(pooling) * embedding_dim_)``, dtype float32
            With ``on_error="warn"``, the rows of inputs that failed are NaN.
        """
        if self.memory is not None:
            return super().transform(X)
        from ..audio import AudioLoader

        self._configure()
        loader = AudioLoader(sr=self.sr, duration=self.duration, offset=self.offset,
                             trim_db=self.trim_db, n_jobs=self.n_jobs, verbose=self.verbose,
                             on_error=self.on_error)
        waves = loader.fit_transform(X)
        out = np.full((len(waves), *self.output_shape_), np.nan, dtype=np.float32)
        good = np.flatnonzero(np.isfinite(waves).all(axis=1))
        for start in range(0, len(good), self.batch_size):
            rows = good[start:start + self.batch_size]
            embedded = self._embed(waves[rows])
            if not np.isfinite(embedded).all():
                bad = rows[~np.isfinite(embedded).all(axis=1)]
                raise SkserError(f"encoder={str(self.encoder)!r}: embeddings of input(s) "
                                 f"{bad.tolist()} are not finite (NaN or Inf)")
            out[rows] = embedded
        return out

    def _pool(self, out: np.ndarray) -> np.ndarray:
        stats = {"mean": lambda o: o.mean(axis=1), "std": lambda o: o.std(axis=1),
                 "max": lambda o: o.max(axis=1)}
        return np.concatenate([stats[p](out) for p in self.pooling], axis=1)

    def _embed(self, batch: np.ndarray) -> np.ndarray:
        batch = np.asarray(batch, dtype=np.float32)
        if self.normalize:
            mean = batch.mean(axis=1, keepdims=True)
            std = batch.std(axis=1, keepdims=True)
            batch = (batch - mean) / np.maximum(std, 1e-7)
        out = self._check_output(self._run_encoder()(batch), len(batch))
        return self._pool(out)

    def _extract(self, y: np.ndarray) -> np.ndarray:
        return self._embed(y[None, :])[0]

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_probed", None)
        return state
