"""How soon each long command shows progress on a terminal (not a test).

Each command runs with its stderr on a pseudo-terminal (so thbkg draws its bar) and its stdout
discarded; the figure is the time from starting the process to the first byte on the terminal. The
process is then stopped: only the wait before the first sign of life is measured. Every command runs
on new tables (an empty store cache), the case where the wait is longest.

Usage::

    python benchmarks/bench_progress.py DATA_DIR            # e.g. thbkg synth --actors 10000 -o DATA_DIR
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

COMMANDS = [
    ["query", "-n", "most_connected_actors"],
    ["validate"],
    ["build", "--store", "{tmp}/db"],
    ["centrality"],
    ["report", "-o", "{tmp}/report.html"],
    ["map", "-o", "{tmp}/map.html"],
    ["site", "-o", "{tmp}/site/"],
]


def first_output(args: list[str], env: dict, limit: float = 120.0) -> float | None:
    """Seconds until *args* writes its first byte to stderr (a terminal), or None within *limit*."""
    leader, follower = pty.openpty()
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=follower, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    os.close(follower)
    try:
        ready, _, _ = select.select([leader], [], [], limit)
        return time.perf_counter() - started if ready else None
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(leader)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    data = sys.argv[1]
    exe = shutil.which("thbkg") or sys.exit("thbkg is not installed")
    print("| command | first progress on the terminal (s) |\n|---|---|")
    for command in COMMANDS:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, THBKG_NO_BUNDLED="1", THBKG_CACHE=os.path.join(tmp, "cache"))
            env.pop("THBKG_QUIET", None)
            args = [exe, *[part.format(tmp=tmp) for part in command], "--data", data]
            seconds = first_output(args, env)
            shown = "none within 120 s" if seconds is None else f"{seconds:.2f}"
            print(f"| `thbkg {' '.join(command[:2]) if command[0] == 'query' else command[0]}` | {shown} |",
                  flush=True)


if __name__ == "__main__":
    main()
