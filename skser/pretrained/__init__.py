"""Models trained by skser and shipped with it: :func:`load_pretrained`.

A shipped model is an ordinary model file (see :mod:`skser.persistence`) inside
the package: it loads without running code from the file, and its networks are
frozen (:func:`skser.frozen.freeze`), so predicting needs no TensorFlow. Its
manifest is its model card: what it was trained on and under which licences,
how it scores on speakers and corpora it never heard, and what it was not
tested on (``skser info`` prints it, as does :func:`model_card`).

The models are built by ``make pretrained`` (``python -m benchmarks.pretrained``)
from the four acted corpora, with a fixed seed; the build records the package
versions it ran with.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..exceptions import ModelFileError

__all__ = ["PRETRAINED", "DEFAULT_PRETRAINED", "load_pretrained", "pretrained_path",
           "model_card"]

#: Name -> file name in this package, and what the model is for.
PRETRAINED: dict[str, dict[str, str]] = {
    "acted-en-7": {
        "file": "acted-en-7.skser",
        "description": "seven emotions of English acted speech (RAVDESS, CREMA-D, TESS, "
                       "SAVEE), for one file of an unknown speaker",
    },
}

#: The model of :func:`load_pretrained` and ``skser predict`` when none is named.
DEFAULT_PRETRAINED = "acted-en-7"


def pretrained_path(name: str = DEFAULT_PRETRAINED) -> Path:
    """The file of shipped model ``name``.

    Raises
    ------
    ModelFileError
        For an unknown name (the message lists the names), or when this
        installation lacks the file (a source checkout before ``make
        pretrained``).
    """
    if name not in PRETRAINED:
        raise ModelFileError(f"unknown pretrained model {name!r}; choose one of: "
                             f"{', '.join(PRETRAINED)}")
    path = Path(str(resources.files(__name__).joinpath(PRETRAINED[name]["file"])))
    if not path.is_file():
        raise ModelFileError(
            f"the pretrained model {name!r} is not installed ({path} is missing); a source "
            "checkout builds it with 'make pretrained'"
        )
    return path


def load_pretrained(name: str = DEFAULT_PRETRAINED):
    """The shipped, fitted model ``name``, ready to predict.

    Parameters
    ----------
    name : str, default="acted-en-7"
        One of :data:`PRETRAINED`.

    Returns
    -------
    estimator
        A fitted pipeline: give it audio file paths (any format soundfile reads,
        any sample rate) and it predicts one of its ``classes_`` per file.

    Raises
    ------
    ModelFileError
        For an unknown name, or a missing or damaged file.

    See Also
    --------
    model_card, skser.persistence.load

    Examples
    --------
    >>> import skser
    >>> model = skser.load_pretrained()  # doctest: +SKIP
    >>> model.predict(["clip.wav"])  # doctest: +SKIP
    array(['happy'], dtype=object)
    """
    from ..persistence import load

    return load(pretrained_path(name))


def model_card(name: str = DEFAULT_PRETRAINED) -> str:
    """The model card of shipped model ``name``: its manifest, described.

    Returns
    -------
    str
        Classes, training data and licences, scores on unseen speakers and
        corpora with confidence intervals, what it was not tested on, latency,
        versions (as :func:`skser.persistence.describe_manifest` prints them).
    """
    from ..persistence import describe_manifest, read_manifest

    return describe_manifest(read_manifest(pretrained_path(name)))
