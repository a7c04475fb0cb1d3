"""Building blocks of this subnet's tests: configs as the command line would give them."""

import time

import pytest
from neurons.miner import Miner
from neurons.validator import Validator


def command_line(cls, *args):
    """``cls``'s config for ``python neurons/X.py --subtensor.network simnet ARGS``."""
    return cls.config(["--netuid", "1", "--subtensor.network", "simnet", *args])


@pytest.fixture
def miners(simnet):
    """Start ``count`` real miners (registered as miner-0..), each on its own thread."""
    started = []

    def start(count):
        for i in range(len(started), len(started) + count):
            simnet.register(1, f"miner-{i}")
        new = [Miner(command_line(Miner, "--wallet.name", f"miner-{i}")) for i in range(count)]
        for miner in new:
            miner.run_in_background_thread()
        started.extend(new)
        deadline = time.monotonic() + 10
        while not all(miner.axon.started for miner in new):  # serving before queried
            assert time.monotonic() < deadline, "the miners' axons did not start"
            time.sleep(0.02)
        return new

    yield start
    for miner in started:
        miner.stop_run_thread()


@pytest.fixture
def validator(simnet):
    """The real validator, registered with stake and a permit, on a short epoch."""
    simnet.register(1, "validator", stake=1000, validator_permit=True)
    validator = Validator(
        command_line(
            Validator,
            "--wallet.name", "validator",
            "--neuron.epoch_length", "10",
            "--neuron.step_seconds", "0",
        )
    )  # fmt: skip
    return validator  # never closed, as the subnet template never closes its dendrite
