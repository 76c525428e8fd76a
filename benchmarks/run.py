"""Run the benchmark suite: ``python -m benchmarks.run [--quick] [--only NAME,...]``.

Each benchmark runs in its own process, one after the other (the machine has 2 cores; two
heavy benchmarks at once would measure each other), and writes its figures to
``benchmarks/.work/results/NAME.json``. A full run then rewrites the generated part of
``benchmarks/RESULTS.md`` (between the markers), leaving the analysis around it alone; a
``--quick`` run only prints, unless ``--write`` is given.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from .common import REPO, RESULTS_DIR, render, result_from_json

SUITE = ["bench_index", "bench_query", "bench_incremental", "bench_scale", "bench_peer"]
RESULTS_MD = REPO / "benchmarks" / "RESULTS.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def write_results(sections: list[str], path: Path = RESULTS_MD) -> None:
    """Put the generated tables between the markers of RESULTS.md (kept text around)."""
    body = f"{START}\n\n" + "\n".join(sections) + f"\n{END}"
    text = (
        path.read_text(encoding="utf-8") if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    )
    if START in text and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + body + tail
    else:
        text = text.rstrip() + "\n\n" + body + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    """Run the chosen benchmarks in turn and collect their tables."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run")
    parser.add_argument("--quick", action="store_true", help="smaller runs (minutes, not an hour)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(SUITE)}")
    parser.add_argument("--write", action="store_true", help="update RESULTS.md after --quick")
    args = parser.parse_args()
    chosen = [name for name in args.only.split(",") if name] or SUITE
    unknown = [name for name in chosen if name not in SUITE]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(SUITE)}")
    suffix = "-quick" if args.quick else ""
    failed = []
    for name in chosen:
        out = RESULTS_DIR / f"{name}{suffix}.json"
        command = [sys.executable, "-m", f"benchmarks.{name}", "--out", str(out)]
        if args.quick:
            command.append("--quick")
        print(f"== {name}", file=sys.stderr, flush=True)
        if subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL).returncode != 0:
            failed.append(name)
    # Every benchmark's latest result, so a partial run (--only) keeps the others' tables.
    files = [RESULTS_DIR / f"{name}{suffix}.json" for name in SUITE]
    sections = [render(result_from_json(path)) for path in files if path.exists()]
    print("\n".join(sections))
    if not args.quick or args.write:
        write_results(sections)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
