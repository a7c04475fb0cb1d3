"""The `simnet` command line."""

import subprocess
import sys

from miner import EchoModel
from simnet.cli.demo import DEMO_PROMPT


def _simnet(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simnet", *args], capture_output=True, text=True, timeout=120
    )


def test_demo_streams_the_reference_miner_to_the_reference_client_and_exits_0():
    result = _simnet("demo", "--token-delay", "0")

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
