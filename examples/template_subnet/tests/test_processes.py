"""The subnet's neuron scripts as processes: two miners and a validator on one chain."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _neuron(script, name, *args):
    return (sys.executable, f"neurons/{script}.py", "--netuid", "1", "--wallet.name", name,
            "--subtensor.network", "simnet", *args)  # fmt: skip


def test_two_miners_and_a_validator_end_with_the_validators_weights_on_chain(
    simnet_local, simnet_run
):
    validator = simnet_local.register(
        1, simnet_local.wallet("validator"), stake=1000, validator_permit=True
    )
    for name in ("miner-1", "miner-2"):
        simnet_local.register(1, simnet_local.wallet(name))
    simnet_local.chain.block_seconds = 0.05

    miners = [simnet_run(*_neuron("miner", name), cwd=ROOT) for name in ("miner-1", "miner-2")]
    for miner in miners:
        miner.wait_served()
    process = simnet_run(
        *_neuron("validator", "validator", "--neuron.epoch_length", "20",
                 "--neuron.step_seconds", "0.2"),
        cwd=ROOT,
    )  # fmt: skip
    process.wait_until(lambda chain: chain.weights(1, validator.uid), timeout=60, what="weighting")

    weights = dict(simnet_local.chain.weights(1, validator.uid))
    miner_uids = {n.uid for n in simnet_local.chain.neurons(1) if n.serving}
    assert set(weights) == miner_uids
