"""The ``skser`` command line: ``demo``, ``train``, ``evaluate``, ``predict``, ``info``.

Exit codes: 0 success; 1 an error skser reports (``skser: error: <message>``,
no traceback); 2 a usage error (argparse); 3 the data folder was not found.

Each subcommand is a module of this package (:mod:`skser.cli.demo`, ...) with
its ``SUMMARY``, ``EXAMPLES``, ``add_arguments(parser)`` and ``run(args)``; it
parses and prints, and the work is done by the library. TensorFlow, librosa
and matplotlib are imported inside the subcommands, so ``skser --help``
answers at once.
"""

from __future__ import annotations

import argparse
import os
import sys

from .._version import __version__
from ..exceptions import DataNotFoundError, SkserError
from . import demo, evaluate, info, predict, train
from ._common import EXIT_ERROR, EXIT_NO_DATA, EXIT_USAGE

__all__ = ["main", "DataNotFoundError"]

#: The subcommands, in the order of ``skser --help``.
_COMMANDS = {"demo": demo, "train": train, "evaluate": evaluate, "predict": predict,
             "info": info}


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skser",
        description="Speech emotion recognition with scikit-learn pipelines.",
        epilog=(
            "examples:\n"
            "  skser demo                                  # synthetic data, end to end\n"
            "  skser train --data corpora --out model.skser\n"
            "  skser evaluate model.skser --data corpora\n"
            "  skser predict --model model.skser clip1.wav clip2.wav\n"
            "  skser predict --model model.skser interview.wav --timeline --out timeline.csv\n"
            "  skser info model.skser\n\n"
            "exit codes: 0 success, 1 error, 2 usage error, 3 data folder not found"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"skser {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in _COMMANDS.items():
        subparser = sub.add_parser(
            name, help=command.SUMMARY, description=command.SUMMARY,
            epilog="examples:\n" + command.EXAMPLES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(subparser)
        subparser.set_defaults(func=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``skser`` command line.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; ``None`` reads ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit code: 0 success, 1 an error skser reports, 2 a usage error,
        3 the data folder was not found.

    Examples
    --------
    >>> from skser.cli import main
    >>> main(["--version"])  # doctest: +ELLIPSIS
    skser ...
    0
    """
    # TensorFlow's C++ start-up logs ("failed call to cuInit" on machines
    # without a GPU) read like failures on a terminal; Python errors still show.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 0
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except DataNotFoundError as exc:
        print(f"skser: error: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    except SkserError as exc:
        print(f"skser: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ValueError as exc:
        # scikit-learn's parameter validation: a bad --set value, reported like
        # skser's errors; any other ValueError is a bug and keeps its traceback.
        from sklearn.utils._param_validation import InvalidParameterError

        if not isinstance(exc, InvalidParameterError):
            raise
        print(f"skser: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
