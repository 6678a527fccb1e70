"""``skser info``: what a saved model is (classes, recipe, data, scores, versions)."""

from __future__ import annotations

from ._common import check_model_path, dump_json

SUMMARY = ("show what a saved model is (skser's shipped model when none is given): classes, "
           "recipe, data, scores, versions")
EXAMPLES = (
    "  skser info\n"
    "  skser info model.skser\n"
    "  skser info model.skser --json\n"
)


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL", nargs="?",
                        help="model file (default: skser's shipped model, its model card)")
    parser.add_argument("--json", action="store_true", help="print the whole manifest as JSON")


def run(args) -> int:
    from ..persistence import describe_manifest, read_manifest
    from ..utils._text import escape_control

    manifest = read_manifest(check_model_path(args.model))
    if args.json:
        dump_json(manifest)
        return 0
    name = args.model if args.model is not None else check_model_path(None)
    print(f"model: {escape_control(name)}\n{describe_manifest(manifest)}")
    return 0
