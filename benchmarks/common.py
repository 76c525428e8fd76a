"""What every benchmark shares: where things are, how a figure is recorded against its goal,
memory and percentile helpers, and the command-line shape (``--quick``, ``--out FILE``).

Other engineers load this machine (2 cores) while benchmarks run, so every figure that is
compared with a goal is a ratio or a side-by-side measured in the same run, and each result
file records the load average seen at its start and end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QA_ASSISTANT_SHARED") or REPO.parent / "shared")
WORK = REPO / "benchmarks" / ".work"  # gitignored: venvs, indexes, generated data
RESULTS_DIR = WORK / "results"
DATE = "2026-11-28"


@dataclass
class Figure:
    """One measured figure, with the goal it is held against (if any)."""

    name: str
    value: float | str
    unit: str = ""
    goal: str = ""
    met: bool | None = None  # None: no goal, reported for context
    note: str = ""

    def cell(self) -> str:
        """The value as a table cell."""
        if isinstance(self.value, float):
            value = f"{self.value:.3g}" if abs(self.value) < 1000 else f"{self.value:,.0f}"
        else:
            value = str(self.value)
        return f"{value} {self.unit}".strip()


@dataclass
class Result:
    """What one benchmark run produced."""

    benchmark: str
    command: str
    quick: bool
    figures: list[Figure] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    skipped: str = ""
    load_before: str = ""
    load_after: str = ""
    seconds: float = 0.0

    def add(self, *args, **kwargs) -> Figure:
        """Record a figure (same arguments as ``Figure``) and return it."""
        figure = Figure(*args, **kwargs)
        self.figures.append(figure)
        return figure


def load_average() -> str:
    """The 1/5/15-minute load average (context: others share the 2 cores)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def memory_mb(field_name: str = "VmRSS") -> float:
    """A memory figure of this process from /proc/self/status, in MiB.

    ``VmRSS`` is resident memory, ``RssAnon`` leaves out mapped files (model weights read
    with mmap, the page cache of a memory-mapped array), ``VmHWM`` is the peak resident.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field_name)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    """The median, nan for no values."""
    return statistics.median(values) if values else float("nan")


def shared_path(*parts: str) -> Path | None:
    """A path under ../shared, or None when it is absent (the caller skips)."""
    path = SHARED.joinpath(*parts)
    return path if path.exists() else None


def skip_message(what: str) -> str:
    """Why a benchmark that needs ../shared did not run."""
    return f"skipped: {SHARED}/{what} is absent (the benchmark needs the shared material)"


def timed(function: Callable[[], object]) -> tuple[float, object]:
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main(name: str, run: Callable[[Result, argparse.Namespace], None], *, extra=None) -> None:
    """The command line of one benchmark: ``python -m benchmarks.NAME [--quick] [--out F]``.

    Prints the figures as a table (stdout) and writes them as JSON to ``--out`` (default
    ``benchmarks/.work/results/NAME.json``); ``extra`` may add arguments to the parser.
    """
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{name}")
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / f"{name}.json")
    if extra:
        extra(parser)
    args = parser.parse_args()
    command = " ".join([".venv/bin/python -m benchmarks." + name, *sys.argv[1:]])
    command = command.replace(f" --out {args.out}", "")
    result = Result(benchmark=name, command=command, quick=args.quick)
    result.load_before = load_average()
    started = time.perf_counter()
    run(result, args)
    result.seconds = time.perf_counter() - started
    result.load_after = load_average()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(asdict(result), indent=1, default=str), encoding="utf-8")
    print(render(result))


def render(result: Result) -> str:
    """A benchmark's figures as a Markdown section."""
    lines = [f"### {result.benchmark}", ""]
    lines.append(
        f"Command: `{result.command}` — {DATE}, {result.seconds:.0f} s, load average "
        f"{result.load_before} → {result.load_after} (2 cores, shared)."
    )
    lines.append("")
    if result.skipped:
        lines.append(result.skipped)
        return "\n".join(lines) + "\n"
    lines.append("| figure | value | goal | met | note |")
    lines.append("|---|---|---|---|---|")
    for f in result.figures:
        met = {True: "met", False: "**not met**", None: ""}[f.met]
        lines.append(f"| {f.name} | {f.cell()} | {f.goal} | {met} | {f.note} |")
    return "\n".join(lines) + "\n"


def result_from_json(path: Path) -> Result:
    """Read a result file written by ``main``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    figures = [Figure(**f) for f in data.pop("figures")]
    return Result(figures=figures, **data)


def new_turn(embedder, history: list[str]) -> None:
    """As in a conversation: the question is new, the one before it was encoded last turn.

    The embedder remembers recent questions; a benchmark that asks the same question again
    must not time a remembered vector as an encode.
    """
    embedder.forget_queries()
    if history:
        embedder.encode_query(history[-1])
