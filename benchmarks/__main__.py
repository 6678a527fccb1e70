"""Run the benchmarks: ``python -m benchmarks [NAME ...]`` (``make bench BENCH="NAME"``).

Each ``benchmarks/bench_<name>.py`` defines ``main() -> dict``; results are written
to ``benchmarks/results/<name>.json`` and summarised as Markdown.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from ._common import DataMissing, write_result

HERE = Path(__file__).parent


def available() -> list[str]:
    return sorted(
        m.name[len("bench_"):] for m in pkgutil.iter_modules([str(HERE)])
        if m.name.startswith("bench_")
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all): {available()}")
    args = parser.parse_args(argv)
    names = args.names or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; available: {available()}")
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        print(f"== {name}", flush=True)
        try:
            result = module.main()
        except DataMissing as exc:
            print(f"benchmark {name}: {exc}", file=sys.stderr)
            return 3
        # A benchmark may name its results file (a suffix keeps a run of other recipes
        # beside the main one's).
        path = write_result(result.pop("result_name", name), result)
        if "markdown" in result:
            print(result["markdown"])
        print(f"-> {path}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
