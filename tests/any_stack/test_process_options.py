"""What a neuron process's handle reads off its command line (``wait_served`` waits on
its ``--netuid`` and ``--wallet.name``): both of argparse's spellings, the last one given."""

import pytest

from simnet.network.processes import command_option

COMMAND = ["python", "neurons/miner.py", "--netuid", "3", "--wallet.name=miner-2"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("netuid", "3"), ("wallet.name", "miner-2"), ("wallet.hotkey", "default")],
)
def test_an_option_is_read_in_either_spelling_or_defaults(name, value):
    assert command_option(COMMAND, name, "default") == value


def test_the_last_of_an_option_given_twice_wins_as_argparse_takes_it():
    assert command_option([*COMMAND, "--netuid=7"], "netuid") == "7"
    assert command_option(["--netuid"], "netuid") is None  # no value after it
