"""The bittensor releases simnet checks (``simnet._release.RELEASES``), as the docs' release
table and against what the package index offers.

    python tools/releases.py table     the release table of docs/bittensor-releases.md
                                       (tests/test_release.py checks it is there verbatim)
    python tools/releases.py anchors   the releases CI runs the whole suite on
    python tools/releases.py needs SPEC
                                       what pip needs beside ``bittensor==SPEC`` ("9.12.2",
                                       "10.3.*"), shell-quoted (``make install`` adds it)
    python tools/releases.py python X.Y
                                       the path of a Python X.Y interpreter (this one,
                                       pyenv's, or pythonX.Y on PATH); exit 1 if none
    python tools/releases.py missing   minors and patches the index offers that the list
                                       lacks (``make releases``); exit 1 if any;
                                       one line and exit 0 when the index is out of reach

Adding a release is one ``Release(...)`` line in ``simnet/_release.py``; CI's smoke job
(``tools/smoke.py``) and the table follow.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from fnmatch import fnmatch
from itertools import groupby
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from simnet._release import RELEASES, Release  # noqa: E402

Version = tuple[int, ...]
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
"""The Pythons simnet claims (pyproject's classifiers), each of which CI runs: the smoke
job on each, the whole suite on 3.11 (every anchor) and on :data:`SUITE_PYTHON`."""
SUITE_PYTHON = "3.13"
"""The Python CI also runs the whole suite on, once (bittensor 10.5.*, ``.ci/run``)."""


def find_python(version: str) -> str | None:
    """An interpreter of ``version``: this one, a pyenv one, or ``pythonX.Y`` on PATH
    (pyenv's shims stand on PATH for versions that are not active, so they come last)."""
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        return sys.executable
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = sorted(  # by patch number: 3.13.10 is newer than 3.13.9
        pyenv.glob(f"{version}.*/bin/python{version}"),
        key=lambda path: [int(part) for part in path.parts[-3].split(".") if part.isdigit()],
    )
    return str(candidates[-1]) if candidates else shutil.which(f"python{version}")


def smoke_runs(
    versions: list[str] | None = None, extra_pythons: bool = True
) -> list[tuple[Release, str]]:
    """CI's smoke jobs: each release (of ``versions``, default all) on the Python its
    ``Release`` names, and the newest 9.x, 10.x and 11.x on every other Python too."""
    releases = [r for r in RELEASES if not versions or r.version in versions]
    runs = [(r, r.python) for r in releases]
    if extra_pythons:
        newest = {r.version.split(".")[0]: r for r in releases}
        runs += [(r, p) for r in newest.values() for p in PYTHONS if p != r.python]
    return runs


def version(text: str) -> Version:
    return tuple(int(part) for part in text.split("."))


def install_line(minor: str) -> str:
    """What a user of ``minor`` ("10.2") runs: its newest patch, and what pip needs beside
    any of its patches."""
    words = ["pip install bittensor-simnet", f'"bittensor=={minor}.*"']
    return " ".join(words + [f'"{need}"' for need in needs(f"{minor}.*")])


def needs(spec: str) -> list[str]:
    """What pip needs beside ``bittensor==spec``: that of every listed release it matches."""
    matched = [r for r in RELEASES if fnmatch(r.version, spec) or fnmatch(r.version, spec + ".*")]
    return list(dict.fromkeys(need for release in matched for need in release.needs))


def table() -> str:
    """The release table (docs/bittensor-releases.md): one row per minor, what CI runs
    on it and the install line."""
    pythons: dict[str, list[str]] = {}
    for release, python in smoke_runs():
        pythons.setdefault(release.version, []).append(python)
    rows = [
        "| minor | CI smoke: release (Python) | CI whole suite | install |",
        "|---|---|---|---|",
    ]
    for minor, group in groupby(RELEASES, key=lambda release: release.minor):
        patches = list(group)
        smoke = ", ".join(f"{r.version} ({', '.join(sorted(pythons[r.version]))})" for r in patches)
        suite = ", ".join(r.version for r in patches if r.suite)
        rows.append(f"| {minor} | {smoke} | {suite} | `{install_line(minor)}` |")
    return "\n".join(rows)


def offered(index_text: str) -> list[Version]:
    """The final releases in ``pip index versions``' answer."""
    match = re.search(r"Available versions: (.*)", index_text)
    words = match.group(1).split(", ") if match else []
    return sorted(version(w) for w in words if re.fullmatch(r"\d+\.\d+\.\d+", w))


INDEX_QUERY = ("pip", "index", "versions", "bittensor", "--retries", "0", "--timeout", "10")


def ask_index(query: tuple[str, ...] = INDEX_QUERY) -> list[Version] | str:
    """The releases the package index offers (``pip index versions``), or one line saying
    it could not be reached (offline, no index): nothing to compare, not a failure."""
    answer = subprocess.run(
        [sys.executable, "-m", *query], capture_output=True, text=True, check=False
    )
    versions = offered(answer.stdout)
    if answer.returncode == 0 and versions:
        return versions
    errors = [line for line in answer.stderr.splitlines() if line.startswith("ERROR")]
    why = errors[-1] if errors else f"exit {answer.returncode}"
    return f"could not reach the package index ({' '.join(query)}: {why}); nothing checked"


def missing(available: list[Version]) -> list[str]:
    """One line per minor from the oldest checked on that the list lacks, and per
    listed minor whose newest patch on the index is newer than the listed one."""
    listed = {version(r.version)[:2]: version(r.version) for r in RELEASES}
    oldest = min(listed)
    newest: dict[Version, Version] = {}
    for v in available:
        if v[:2] >= oldest:
            newest[v[:2]] = max(newest.get(v[:2], v), v)
    lines = []
    for minor, patch in sorted(newest.items()):
        shown = ".".join(map(str, patch))
        if minor not in listed:
            lines.append(f"{shown}: a minor the list lacks (add Release({shown!r}, ...))")
        elif patch > listed[minor]:
            lines.append(f"{shown}: newer than the listed {'.'.join(map(str, listed[minor]))}")
    return lines


def main(argv: list[str]) -> int:
    if argv == ["table"]:
        print(table())
        return 0
    if argv == ["anchors"]:
        print(" ".join(r.version for r in RELEASES if r.suite))
        return 0
    if len(argv) == 2 and argv[0] == "needs":
        print(" ".join(map(shlex.quote, needs(argv[1]))))
        return 0
    if len(argv) == 2 and argv[0] == "python":
        python = find_python(argv[1])
        if python is None:
            print(f"no Python {argv[1]} here (this one, pyenv, PATH)", file=sys.stderr)
            return 1
        print(python)
        return 0
    if argv == ["missing"]:
        answer = ask_index()
        if isinstance(answer, str):
            print(answer)
            return 0
        lines = missing(answer)
        print("\n".join(lines) or "the list has every release the index offers")
        return 1 if lines else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
