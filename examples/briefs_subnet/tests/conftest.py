"""The neurons as the command line builds them, on simnet's chain."""

import time

import pytest
from neurons.miner import Miner
from neurons.validator import Validator


def argv(*args):
    """What ``python neurons/X.py`` would be given on the command line."""
    return ["--netuid", "1", "--subtensor.network", "simnet", *args]


@pytest.fixture
def two_miners(simnet, validator):
    """Two real miners, started after the validator registered (they sync at start)."""
    names = ["miner-a", "miner-b"]
    for name in names:
        simnet.register(1, name)
    started = [Miner(Miner.config(argv("--wallet.name", name))) for name in names]
    for miner in started:
        miner.run_in_background_thread()
    deadline = time.monotonic() + 10
    while not all(miner.axon.started for miner in started):
        assert time.monotonic() < deadline, "the miners did not start"
        time.sleep(0.02)
    validator.resync_metagraph()  # as its next epoch would: the miners are in its metagraph
    yield started
    for miner in started:
        miner.stop_run_thread()


@pytest.fixture
def validator(simnet):
    simnet.register(1, "validator", stake=1000, validator_permit=True)
    config = Validator.config(
        argv("--wallet.name", "validator", "--neuron.epoch_length", "5",
             "--neuron.step_seconds", "0")
    )  # fmt: skip
    validator = Validator(config)
    yield validator
    validator.run_log.finish()
