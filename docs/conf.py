"""Sphinx configuration of the skser documentation (``make docs``)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

# Examples run inside sphinx-build: no windows, and quiet TensorFlow start-up logs.
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sphinx_gallery.sorting import ExplicitOrder  # noqa: E402

import skser  # noqa: E402

project = "skser"
author = "skser developers"
copyright = "skser developers"
version = release = skser.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "benchmarks.md"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
default_role = "literal"

# -- API reference -------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc's Parameters sections already give the types
numpydoc_show_class_members = False  # the class template lists the methods instead
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False


# -- Examples gallery ----------------------------------------------------------
# Only the light examples run during the build (each under about a minute on
# two CPU cores); reference_a.py and reference_b.py train on the real corpora
# for hours and predict_your_recording.py is a script with arguments, so they
# are shown without running.
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    # From a first pipeline to the reference reproductions; new examples go
    # between (the "*").
    "within_subsection_order": ExplicitOrder([
        "plot_quick_start.py", "plot_speaker_independent.py", "plot_grid_search.py",
        "predict_your_recording.py", "*", "plot_dask_scale_out.py", "reference_a.py",
        "reference_b.py",
    ]),
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "only_warn_on_example_error": False,
    "abort_on_example_error": True,
    "plot_gallery": "True",
    "download_all_examples": False,
    "show_memory": False,
    "reset_modules_order": "both",
    # "Examples using X" on each API page.
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("skser",),
    "inspect_global_variables": False,
}

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skser {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
toc_object_entries_show_parents = "hide"  # "fit()" rather than "CNN2DClassifier.fit()"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False


# scikit-learn's metadata-routing and output-configuration methods, inherited by
# every estimator, say nothing specific to skser and cross-reference pages of
# scikit-learn's own documentation.
_SKIPPED_INHERITED = ("get_metadata_routing", "set_output")
# What the classifiers' pages show of the methods SciKeras defines.
_SCIKERAS_PUBLIC = ("fit", "partial_fit", "predict", "predict_proba", "score",
                    "get_params", "set_params")


def _skip_member(app, what, name, obj, skip, options):
    if name in _SKIPPED_INHERITED or (name.startswith("set_") and name.endswith("_request")):
        return True
    # skser's Keras layers inherit Keras's whole Layer API (Markdown docstrings),
    # and the classifiers SciKeras's encoders and internal hooks.
    home = (getattr(getattr(obj, "fget", obj), "__module__", None) or "").split(".")[0]
    if home in ("keras", "tensorflow"):
        return True
    if home == "scikeras" and name not in _SCIKERAS_PUBLIC:
        return True
    return None


# api.rst lists the public names by hand, in sections with their own order;
# fail the build (a warning, with -W) when a module's __all__ gains a name the
# page lacks, or a public module is missing.


def _check_api_page(app):
    import importlib
    import pkgutil

    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    page = (DOCS / "api.rst").read_text()
    listed = set(re.findall(r"^   (\w+)$", page, re.MULTILINE))
    documented = re.findall(r"^\.\. currentmodule:: (\S+)$", page, re.MULTILINE)
    public = {f"skser.{m.name}" for m in pkgutil.iter_modules(skser.__path__)
              if not m.name.startswith("_")}
    for module in sorted(public - set(documented)):
        logger.warning(f"api.rst: public module {module} has no section")
    for module in documented:
        missing = [n for n in importlib.import_module(module).__all__ if n not in listed]
        if missing:
            logger.warning(f"api.rst: {module}.__all__ names missing from the page: {missing}")


# Docstrings inherited from scikit-learn and imbalanced-learn cross-reference
# labels and glossary terms of scikit-learn's documentation, which an offline
# build cannot link to: show labels as plain text, and terms as literals (plain
# text would read a term's trailing underscore, as in ``classes_``, as a link).
_FOREIGN_REF = re.compile(r":ref:`([^`<]*?)\s*(?:<[^`>]*>)?`")
_FOREIGN_TERM = re.compile(r":term:`([^`<]*?)\s*(?:<[^`>]*>)?`")


def _plain_foreign_refs(app, what, name, obj, options, lines):
    if getattr(obj, "__module__", "skser").split(".")[0] == "skser":
        return
    lines[:] = [_FOREIGN_TERM.sub(r"``\1``", _FOREIGN_REF.sub(r"\1", line)) for line in lines]


# The command line page shows `skser ... --help` as the installed program prints it.
CLI_HELP = DOCS / "generated" / "cli"
CLI_COMMANDS = ("", "demo", "train", "evaluate", "predict", "info")


def _write_cli_help(app):
    import contextlib
    import io

    from skser.cli import main

    CLI_HELP.mkdir(parents=True, exist_ok=True)
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "90"  # argparse wraps help text to the terminal's width
    try:
        for command in CLI_COMMANDS:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                main([command, "--help"] if command else ["--help"])
            (CLI_HELP / f"{command or 'skser'}.txt").write_text(out.getvalue())
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns


def setup(app):
    app.connect("builder-inited", _check_api_page)
    app.connect("builder-inited", _write_cli_help)
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-docstring", _plain_foreign_refs)
