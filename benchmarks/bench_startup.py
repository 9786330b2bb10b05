"""Start-up time: whole processes, timed from outside, against a bare interpreter.

Times, round-robin over RUNS rounds (default 15), each of:

  python -c pass                       the floor: a bare interpreter
  python -c "import connectlang"       the library's import
  connectlang --help                   the CLI, no policy work
  connectlang check FILE               parse, check and lint a small policy
  connectlang check BIG                a generated policy of 5,000 rules (--rules), linted

and prints the median wall time of each and its ratio to `python -c pass`. The parser
is generated ahead of time (grammar/generate.py), so no run builds it or reads a cache.

    python benchmarks/bench_startup.py
    python benchmarks/bench_startup.py --runs 31 --file examples/selective.conn
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Used when no --file is given and the repository has no examples/*.conn yet.
FALLBACK_POLICY = """\
# selective.conn: I connect with people I actually know.
policy "selective networker"

field vip: bool = false                 # a custom column of the input

let knows_me = shared_group or did_business or same_school or mutual_connections >= 3
let pitch    = message matches /free|click here|limited offer/i

report  if pitch                                    because "sales pitch in the invitation"
accept  if vip or (knows_me and interacted_within 90d)
ask "Hi {first_name}, where did we meet?" if has_message and not knows_me
else archive                                        because "we have not met"
"""


def connectlang_command() -> list[str]:
    """The installed console script of this interpreter (not a shell shim such as
    pyenv's, which would add its own start-up), else `python -m connectlang`."""
    script = Path(sysconfig.get_path("scripts")) / ("connectlang.exe" if os.name == "nt"
                                                    else "connectlang")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "connectlang"]


def policy_file(given: str | None, scratch: Path) -> Path:
    if given:
        return Path(given)
    examples = sorted((ROOT / "examples").glob("*.conn"), key=lambda p: p.stat().st_size)
    if examples:
        return examples[0]  # the smallest example
    path = scratch / "selective.conn"
    path.write_text(FALLBACK_POLICY, encoding="utf-8")
    return path


def big_policy(path: Path, rules: int) -> Path:
    """A long policy such as a team generates: a blocklist of known spammers, companies
    with thresholds, roles, a few `let`s; deterministic, and clean of lint warnings."""
    lines = ['policy "generated"',
             "let pitch = message matches /free (trial|webinar)|click here|limited offer/i",
             "let warm = did_business or same_school or mutual_connections >= 10",
             'report if pitch because "sales pitch"']
    for i in range(rules - 3):
        kind = i % 10
        if kind < 5:
            lines.append(f'report if profile_url == "https://www.linkedin.com/in/spammer-{i}" '
                         'because "a known spammer"')
        elif kind < 8:
            lines.append(f'archive if company == "company {i}" and mutual_connections < {i % 50 + 1}')
        else:
            lines.append(f'accept if headline contains "role {i}" and warm')
    lines.append("accept if warm and interacted_within 90d")
    lines.append('else archive because "we have not met"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def timed(command: Sequence[str], env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - start, done.returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each (default 15)")
    parser.add_argument("--file", help="the policy for `check` (default: the smallest "
                        "examples/*.conn, else a built-in 10-line policy)")
    parser.add_argument("--rules", type=int, default=5000, help="rules of the large policy")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="connectlang-bench-"))
    try:
        policy = policy_file(args.file, scratch)
        big = big_policy(scratch / "big.conn", args.rules)
        cli = connectlang_command()
        # As installed: modules load from their bytecode cache (some environments switch
        # writing it off, which would make every run compile connectlang from source).
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONSTARTUP", "PYTHONDONTWRITEBYTECODE")}
        commands: dict[str, list[str]] = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import connectlang": [sys.executable, "-c", "import connectlang"],
            "connectlang --help": [*cli, "--help"],
            "connectlang check FILE": [*cli, "check", str(policy)],
            f"check {args.rules:,} rules": [*cli, "check", str(big)],
        }
        print(f"python {sys.version.split()[0]}; CLI: {' '.join(cli)}")
        print(f"policy for check: {policy} ({len(policy.read_text(encoding='utf-8').splitlines())}"
              " lines)")

        # One untimed run of each fills the OS file cache and the bytecode caches.
        for name, command in commands.items():
            _, code = timed(command, env)
            if "check" in name:
                print(f"`{name}` exits {code}")

        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command, env)[0])

        base = times["python -c pass"]
        floor = statistics.median(base)
        print(f"\nwall time, median of {args.runs} runs (round-robin):")
        print(f"  {'':26} {'median':>9} {'min':>8} {'max':>8} {'over floor':>11}"
              f" {'vs python -c pass':>18} {'paired':>7}")
        for name, ts in times.items():
            med = statistics.median(ts)
            paired = statistics.median(t / b for t, b in zip(ts, base, strict=True))
            print(f"  {name:26} {med * 1e3:7.1f}ms {min(ts) * 1e3:6.1f}ms {max(ts) * 1e3:6.1f}ms "
                  f"{(med - floor) * 1e3:+9.1f}ms {med / floor:17.2f}x {paired:6.2f}x")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
