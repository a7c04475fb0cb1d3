"""Run the whole suite N times in a row from a fresh clone, in a network namespace with only
``lo``, with ``-n 2`` and random order (a new seed each run); print each run's result and the
count of runs with any failure. Not part of CI: a flake hunt by hand.

    python tools/repeat_suite.py [--runs 10] [--venv .venv] [--keep]

The clone is made from this checkout's HEAD into a temporary directory; ``--venv`` is the
environment whose Python runs it (simnet is put on ``sys.path`` from the clone).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OFFLINE = ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv")
    parser.add_argument("--keep", action="store_true", help="keep the clone")
    args = parser.parse_args()
    python = args.venv.resolve() / "bin" / "python"
    clone = Path(tempfile.mkdtemp(prefix="simnet-repeat-"))
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    env = {**os.environ, "PYTHONPATH": str(clone), "CI": "true"}
    failed = 0
    try:
        for run in range(1, args.runs + 1):
            seed = int(time.time() * 1000) % 2**31
            command = [str(python), "-m", "pytest", "-q", "-n", "2", "-m", "not thorough"]
            command += ["-p", "randomly", "-p", "xdist", f"--randomly-seed={seed}"]
            started = time.monotonic()
            done = subprocess.run(
                [*OFFLINE, *command], cwd=clone, env=env, capture_output=True, text=True
            )
            last = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
            took = time.monotonic() - started
            print(f"run {run}: seed {seed}, exit {done.returncode}, {took:.0f} s: {last}")
            if done.returncode != 0:
                failed += 1
                (clone / f"run-{run}.log").write_text(done.stdout + done.stderr)
    finally:
        if not args.keep and not failed:
            shutil.rmtree(clone, ignore_errors=True)
    print(
        f"{args.runs - failed} of {args.runs} runs passed"
        + (f"; logs in {clone}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
