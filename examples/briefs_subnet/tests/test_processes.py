"""The neuron scripts as processes under simnet run: the stubs file, or a folder of
cassettes (each script replays its own), reaches them too."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _neuron(script, name, *args):
    return (sys.executable, f"neurons/{script}.py", "--netuid", "1", "--wallet.name", name,
            "--subtensor.network", "simnet", *args)  # fmt: skip


@pytest.mark.parametrize(
    "outside",
    [
        pytest.param("stubs", marks=pytest.mark.simnet(outside="tests/outside.toml")),
        pytest.param("cassette", marks=pytest.mark.simnet(outside="tests/cassettes/")),
    ],
)
def test_a_validator_process_grades_two_miner_processes_and_sets_weights(
    simnet_local, simnet_run, outside
):
    validator = simnet_local.register(
        1, simnet_local.wallet("validator"), stake=1000, validator_permit=True
    )
    for name in ("miner-a", "miner-b"):
        simnet_local.register(1, simnet_local.wallet(name))
    simnet_local.chain.block_seconds = 0.05

    for name in ("miner-a", "miner-b"):
        simnet_run(*_neuron("miner", name), cwd=ROOT).wait_served()
    process = simnet_run(
        *_neuron("validator", "validator", "--neuron.epoch_length", "20",
                 "--neuron.step_seconds", "0.2"),
        cwd=ROOT,
    )  # fmt: skip
    process.wait_until(lambda chain: chain.weights(1, validator.uid), timeout=90, what="weighting")

    miners = {n.uid for n in simnet_local.chain.neurons(1) if n.serving}
    assert {uid for uid, _ in simnet_local.chain.weights(1, validator.uid)} == miners
