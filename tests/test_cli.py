"""The `simnet` command line."""

import os
import subprocess
import sys
from pathlib import Path

from miner import EchoModel
from simnet.cli.demo import DEMO_PROMPT
from tests.in_process import simnet_in_process

ROOT = Path(__file__).parent.parent


def _simnet(*args: str) -> subprocess.CompletedProcess[str]:
    return simnet_in_process(*args, cwd=Path.cwd(), env=os.environ)


def test_demo_streams_the_reference_miner_to_the_reference_client_and_exits_0():
    # The one run through `python -m simnet demo`: the entry point as a user calls it.
    result = subprocess.run(
        [sys.executable, "-m", "simnet", "demo", "--token-delay", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "".join(EchoModel().tokens(DEMO_PROMPT)) in result.stdout.replace("\n", "")
    assert "status 200" in result.stdout
    assert "127.0.0.1:" in result.stdout


def test_demo_runs_over_the_in_memory_transport_too():
    result = _simnet("demo", "--token-delay", "0", "--transport", "memory")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "".join(EchoModel().tokens(DEMO_PROMPT)) in result.stdout.replace("\n", "")
    assert "(in memory)" in result.stdout


def test_demo_takes_a_prompt():
    result = _simnet("demo", "--token-delay", "0", "--prompt", "ünïcode prompt 🎉")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ünïcode prompt 🎉" in result.stdout


def test_demo_with_a_directory_lacking_the_subnet_exits_2_naming_it(tmp_path):
    result = _simnet("demo", "--subnet", str(tmp_path))
    assert result.returncode == 2
    line = f"simnet demo: {tmp_path} has no protocol.py, miner.py, client.py"
    assert line in result.stdout.splitlines()


def test_an_unknown_command_is_a_usage_error():
    result = _simnet("frobnicate")
    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr


def _process_state() -> dict[str, object]:
    import logging
    import signal
    import warnings

    import bittensor
    import rich
    from hypothesis import settings

    return {
        "cwd": os.getcwd(),
        "environ": dict(os.environ),
        "path": list(sys.path),
        "argv": list(sys.argv),
        "modules": {name: id(m) for name, m in sys.modules.items() if name in ("protocol",)},
        "warnings": list(warnings.filters),
        "loggers": {
            name: (lg.level, list(lg.handlers), lg.disabled)
            for name, lg in [("", logging.root), *logging.root.manager.loggerDict.items()]
            if isinstance(lg, logging.Logger)
        },
        "bittensor logging": getattr(bittensor.logging, "current_state_value", None),
        "hypothesis profile": settings._current_profile,
        "rich console": rich._console,
        "signals": {s: signal.getsignal(s) for s in signal.valid_signals()},
    }


def test_a_command_run_in_process_sees_a_fresh_process_and_leaves_this_one_as_it_was(
    tmp_path,
):
    import protocol  # the repository's, as other tests of this worker import it

    (tmp_path / "protocol.py").write_text("NotASynapse = 1\n")
    before = _process_state()

    ours = simnet_in_process("fuzz", "protocol:NotASynapse", cwd=tmp_path)
    assert ours.returncode == 2, ours.stdout + ours.stderr
    assert "'protocol:NotASynapse' is 1: neither a class nor a reader" in ours.stdout
    holds = simnet_in_process("fuzz", "protocol:StreamPrompting", "--examples", "5", cwd=ROOT)
    assert holds.returncode == 0, holds.stdout + holds.stderr  # it turned bittensor's logging off

    assert _process_state() == before
    assert sys.modules["protocol"] is protocol
