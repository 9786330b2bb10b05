"""End to end on a LinkedIn export: `connectlang eval` against a hand-written script.

    python benchmarks/bench_export.py                          # 1,000,000 invitations, 5 rounds
    python benchmarks/bench_export.py --invitations 100000 --repeat 3
    python benchmarks/bench_export.py --memory 250000,500000,1000000   # peak memory by size

Generates an export with `make_export.py` (cached under --workdir), checks that
`connectlang eval export-policy.conn EXPORT --format jsonl` and `hand_export.py`
write the same bytes, then runs the two as whole processes, in turn, `--repeat`
times, and prints the median wall time of each, the ratio connectlang / script
(target: 1.5 or less), the same ratio taken round by round, and each process's peak
memory (maximum resident set size, from `os.wait4`).

`--memory` runs connectlang alone on exports of growing numbers of invitations with
the same Connections.csv and messages.csv, to show that memory does not grow with
the invitations (they are streamed; the joins hold one small entry per person).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
POLICY = HERE / "export-policy.conn"
NOW = "2026-11-01T00:00:00Z"


def connectlang_command(export: Path, out: Path) -> list[str]:
    """The installed console script next to this interpreter, else `python -m connectlang`."""
    script = Path(sys.executable).with_name("connectlang")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "connectlang"]
    return [*base, "eval", str(POLICY), str(export), "--format", "jsonl", "--now", NOW, "-o", str(out)]


def hand_command(export: Path, out: Path) -> list[str]:
    return [sys.executable, str(HERE / "hand_export.py"), str(export), "--now", NOW[:10], "-o", str(out)]


def timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak memory (bytes) of one whole process. The peak counts the
    memory the child had when forked from this process, so this one stays small."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


def export_of(workdir: Path, invitations: int, messages: int, connections: int | None) -> Path:
    target = workdir / f"export-{invitations}-{messages}-{connections or 'auto'}"
    if not target.exists():
        print(f"writing {target} ...", flush=True)
        started = time.perf_counter()
        partial = target.with_suffix(".partial")
        shutil.rmtree(partial, ignore_errors=True)
        # In a process of its own: a forked child starts with its parent's memory, which
        # `ru_maxrss` would count, so this process must stay small.
        subprocess.run([sys.executable, str(HERE / "make_export.py"), str(partial), "--invitations",
                        str(invitations), "--messages", str(messages),
                        *(["--connections", str(connections)] if connections else [])], check=True)
        partial.rename(target)
        print(f"  {time.perf_counter() - started:.1f} s", flush=True)
    return target


def mib(size: float) -> str:
    return f"{size / 2**20:,.0f} MiB"


def compare(export: Path, workdir: Path, repeat: int) -> None:
    ours, theirs = workdir / "connectlang.jsonl", workdir / "hand.jsonl"
    timed(connectlang_command(export, ours))
    timed(hand_command(export, theirs))
    if not filecmp.cmp(ours, theirs, shallow=False):
        sys.exit(f"the outputs differ: diff {ours} {theirs}")
    with open(ours, encoding="utf-8") as decisions:
        lines = sum(1 for _ in decisions)
    print(f"same output from both: {lines:,} decisions\n", flush=True)
    runs: dict[str, list[tuple[float, int]]] = {"connectlang eval": [], "hand-written script": []}
    for round_ in range(repeat):
        pairs = [("connectlang eval", connectlang_command(export, ours)),
                 ("hand-written script", hand_command(export, theirs))]
        for name, command in pairs if round_ % 2 == 0 else reversed(pairs):
            runs[name].append(timed(command))
        print(f"  round {round_ + 1}: connectlang {runs['connectlang eval'][-1][0]:.2f} s, "
              f"script {runs['hand-written script'][-1][0]:.2f} s", flush=True)
    print(f"\n{'':<22}{'median s':>10}{'min s':>8}{'max s':>8}{'records/s':>12}{'peak memory':>14}")
    for name, results in runs.items():
        seconds = [s for s, _ in results]
        print(f"{name:<22}{statistics.median(seconds):>10.2f}{min(seconds):>8.2f}{max(seconds):>8.2f}"
              f"{lines / statistics.median(seconds):>12,.0f}{mib(max(m for _, m in results)):>14}")
    ours_s = [s for s, _ in runs["connectlang eval"]]
    theirs_s = [s for s, _ in runs["hand-written script"]]
    paired = [a / b for a, b in zip(ours_s, theirs_s, strict=True)]
    print(f"\nconnectlang / script: {statistics.median(ours_s) / statistics.median(theirs_s):.2f} "
          f"(medians); round by round {statistics.median(paired):.2f} "
          f"(min {min(paired):.2f}, max {max(paired):.2f}); target 1.5 or less")


def memory(sizes: list[int], messages: int, connections: int, workdir: Path) -> None:
    print(f"{connections:,} connections, {messages:,} messages\n")
    print(f"{'invitations':>12}{'export size':>14}{'seconds':>9}{'peak memory':>14}")
    for size in sizes:
        export = export_of(workdir, size, messages, connections)
        total = sum(f.stat().st_size for f in export.iterdir())
        seconds, peak = timed(connectlang_command(export, workdir / "memory.jsonl"))
        print(f"{size:>12,}{mib(total):>14}{seconds:>9.2f}{mib(peak):>14}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitations", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--connections", type=int, default=None,
                        help="default: 90%% of the incoming invitations, at most 30,000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory", metavar="N,N,...", help="peak memory at these sizes instead")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/connectlang-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(f"(this process: {mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)}, "
          "a floor for the peak memory of the processes it starts)\n")
    if args.memory:
        memory([int(n) for n in args.memory.split(",")], args.messages, args.connections or 30_000,
               args.workdir)
        return
    export = export_of(args.workdir, args.invitations, args.messages, args.connections)
    compare(export, args.workdir, args.repeat)


if __name__ == "__main__":
    main()
