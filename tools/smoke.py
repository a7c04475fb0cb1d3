"""CI's smoke job: every release of ``simnet._release.RELEASES`` in a fresh virtual
environment, simnet installed from its wheel, the smoke steps run with no network.

    python tools/smoke.py [--jobs N] [--work DIR] [--installer uv|pip] [--no-extra-pythons]
                          [VERSION ...]

Each release runs on the Python its ``Release`` names; the newest 9.x, 10.x and 11.x also
run on every other Python simnet claims. Per job: a virtual environment, one install of
the wheel with ``bittensor==VERSION`` and what the release needs, then pytest on
``tests/smoke`` (9.x/10.x: with the reference subnet beside it; 11.x: the README's 11.x
example, the btauth example's contract test and its scripts as ``simnet run``
processes) inside a network namespace of its own
(``unshare -rn``, loopback only), with ``--simnet-offline`` besides. ``N`` jobs run at a
time (default 2). One line per job, its log under ``WORK/logs`` (the tail printed on
failure); exit 1 if any failed.

The installer is uv by default (installed into ``WORK/tool`` at the start; one cache,
``WORK/uv-cache``, shared by the jobs): a few seconds per environment where pip takes
50-85 s on this 2-core machine. ``--installer pip`` runs ``python -m venv`` and ``pip
install``, as the README's install lines do.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
from docblocks import runnable  # noqa: E402
from releases import find_python, smoke_runs  # noqa: E402

from simnet._release import RELEASES, Release  # noqa: E402

SMOKE = ROOT / "tests" / "smoke"
REFERENCE_SUBNET = ("protocol.py", "miner.py", "client.py")
BTAUTH = ROOT / "examples" / "btauth_subnet"
BTAUTH_CONTRACT = "test_btauth_subnet.py::test_the_miner_refuses_every_forged_request"
BTAUTH_PROCESSES = "btauth/test_processes.py"
OFFLINE = ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"]


@dataclass(frozen=True)
class Job:
    release: Release
    python: str

    @property
    def tag(self) -> str:
        return f"{self.release.version}-py{self.python}"


class Runner:
    def __init__(self, work: Path, offline_prefix: list[str], uv: str | None) -> None:
        self.work = work
        self.offline_prefix = offline_prefix
        self.uv = uv
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        self.env["UV_CACHE_DIR"] = str(work / "uv-cache")
        (work / "logs").mkdir(parents=True, exist_ok=True)

    def build_wheels(self) -> list[Path]:
        dist = self.work / "dist"
        shutil.rmtree(dist, ignore_errors=True)
        command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist)]
        subprocess.run([*command, str(ROOT), str(BTAUTH)], check=True, env=self.env)
        return sorted(dist.glob("*.whl"))

    def run(self, job: Job, wheels: list[Path]) -> tuple[bool, str]:
        log_path = self.work / "logs" / f"{job.tag}.log"
        with log_path.open("w") as log:
            started = time.monotonic()
            stage = "install"
            ok = self._install(job, wheels, log)
            installed = time.monotonic()
            if ok:
                stage = "steps"
                ok = self._steps(job, log)
            done = time.monotonic()
        timing = f"install {installed - started:.0f} s, steps {done - installed:.0f} s"
        if ok:
            return True, f"smoke {job.tag}: passed ({timing})"
        tail = "\n".join(log_path.read_text().splitlines()[-25:])
        return False, f"smoke {job.tag}: FAILED in {stage} ({timing}); {log_path}:\n{tail}"

    def _call(self, command: list[str], log: TextIO, cwd: Path | None = None) -> bool:
        print("$", " ".join(command), file=log, flush=True)
        result = subprocess.run(
            command, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=cwd, check=False
        )
        return result.returncode == 0

    def _install(self, job: Job, wheels: list[Path], log: TextIO) -> bool:
        python = find_python(job.python)
        if python is None:
            print(f"python{job.python} not found (PATH, pyenv)", file=log)
            return False
        venv = self.work / "envs" / job.tag
        shutil.rmtree(venv, ignore_errors=True)
        venv_python = str(venv / "bin" / "python")
        if self.uv:
            make = [self.uv, "venv", "--quiet", "--python", python, str(venv)]
            install = [self.uv, "pip", "install", "--quiet", "--python", venv_python]
        else:
            make = [python, "-m", "venv", str(venv)]
            install = [venv_python, "-m", "pip", "install", "--quiet"]
        simnet_wheel = [w for w in wheels if w.name.startswith("bittensor_simnet-")]
        btauth = [w for w in wheels if w.name.startswith("btauth_subnet-")]
        wanted = [*map(str, simnet_wheel), f"bittensor=={job.release.version}"]
        wanted += list(job.release.needs)
        if job.release.stack == "v11":
            wanted += map(str, btauth)
        check = [venv_python, "-c", "import bittensor, simnet"]
        return (
            self._call(make, log)
            and self._call([*install, *wanted], log)
            and self._call(check, log)
        )

    def _steps(self, job: Job, log: TextIO) -> bool:
        where = self.work / "runs" / job.tag
        shutil.rmtree(where, ignore_errors=True)
        shutil.copytree(SMOKE, where)
        if job.release.stack == "v11":
            files = [*self._readme_v11_blocks(where), BTAUTH_CONTRACT, BTAUTH_PROCESSES]
            shutil.copy(BTAUTH / "tests" / "test_btauth_subnet.py", where)
            # its scripts as simnet run processes: the test finds them in ../neurons
            shutil.copytree(BTAUTH / "neurons", where / "neurons")
            (where / "btauth").mkdir()
            shutil.copy(BTAUTH / "tests" / "test_processes.py", where / BTAUTH_PROCESSES)
        else:
            files = ["smoke_neuron.py"]
            for name in REFERENCE_SUBNET:
                shutil.copy(ROOT / name, where)
        python = str(self.work / "envs" / job.tag / "bin" / "python")
        pytest = [python, "-m", "pytest", "-c", "pytest.ini", "-q", "--simnet-offline", *files]
        return self._call([*self.offline_prefix, *pytest], log, cwd=where)

    @staticmethod
    def _readme_v11_blocks(where: Path) -> list[str]:
        names = []
        for block in runnable("v11"):
            if block.document == ROOT / "README.md":
                name = f"readme_line{block.line}.py"
                (where / name).write_text(block.code)
                names.append(name)
        return names


def offline_prefix() -> list[str]:
    """``unshare -rn`` (a network namespace with loopback only) where the kernel allows."""
    probe = subprocess.run([*OFFLINE, "true"], capture_output=True, check=False)
    if probe.returncode == 0:
        return OFFLINE
    print("smoke: no network namespace here (unshare -rn failed); --simnet-offline only")
    return []


def install_uv(work: Path) -> str | None:
    """uv in ``WORK/tool``, or ``None`` (with one line) where pip cannot install it."""
    tool = work / "tool"
    uv = tool / "bin" / "uv"
    for command in (
        [sys.executable, "-m", "venv", str(tool)],
        [str(tool / "bin" / "python"), "-m", "pip", "install", "--quiet", "uv"],
    ):
        if uv.exists():
            break
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"smoke: uv could not be installed ({done.stderr.strip()[-300:]}); using pip")
            return None
    return str(uv)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("versions", nargs="*", help="only these releases (default: all)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--work", type=Path, default=ROOT / ".venv-smoke")
    parser.add_argument("--installer", choices=("uv", "pip"), default="uv")
    parser.add_argument("--no-extra-pythons", dest="extra", action="store_false")
    args = parser.parse_args(argv)
    unknown = set(args.versions) - {r.version for r in RELEASES}
    if unknown:
        parser.error(f"not in RELEASES: {', '.join(sorted(unknown))}")
    started = time.monotonic()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    uv = install_uv(work) if args.installer == "uv" else None
    runner = Runner(work, offline_prefix(), uv)
    wheels = runner.build_wheels()
    jobs = [Job(release, python) for release, python in smoke_runs(args.versions, args.extra)]
    print(f"smoke: {len(jobs)} jobs, {args.jobs} at a time, with {'uv' if uv else 'pip'}; "
          f"uv and wheels ready in {time.monotonic() - started:.0f} s", flush=True)  # fmt: skip
    failed = 0
    with ThreadPoolExecutor(args.jobs) as pool:
        for ok, line in pool.map(lambda job: runner.run(job, wheels), jobs):
            failed += not ok
            print(line, flush=True)
    minutes = (time.monotonic() - started) / 60
    print(f"smoke: {len(jobs) - failed} of {len(jobs)} passed in {minutes:.1f} min")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
