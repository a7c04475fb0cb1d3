"""The simnet command on bittensor 11.x: commands of the Axon stack say in one line what
to install; readers are fuzzed as anywhere (register, run, status and
epoch: test_processes)."""

from pathlib import Path

import pytest

from tests.helpers import simnet_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "args",
    [["demo"], ["fuzz", "protocol.py:StreamPrompting"]],
    ids=["demo", "fuzz-a-synapse"],
)
def test_an_axon_stack_command_is_one_line_naming_what_to_install(args, tmp_path):
    result = simnet_command(*args, cwd=ROOT)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert "needs bittensor 9.x or 10.x (9.0-10.5); bittensor 11." in lines[0]
    assert "pip install 'bittensor>=9.0,<11'" in lines[0]
