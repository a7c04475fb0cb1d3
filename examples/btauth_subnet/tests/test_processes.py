"""The subnet's own scripts as processes on one chain: `simnet run -- python
neurons/miner.py ...` serves the miner's uvicorn, the validator queries it at the address
it published and sets weights; no --wallet.path, any --network."""

import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _neuron(script, name, *args):
    return (sys.executable, str(ROOT / "neurons" / f"{script}.py"), "--netuid", "1",
            "--network", "finney", "--wallet.name", name, *args)  # fmt: skip


def test_the_miner_and_the_validator_as_processes_end_with_weights_on_chain(
    simnet_local, simnet_run
):
    validator = simnet_local.register(
        1, simnet_local.wallet("validator"), stake=1000, validator_permit=True
    )
    miner = simnet_local.register(1, simnet_local.wallet("miner"))
    simnet_local.chain.advance(101)  # the validator sets weights once an epoch has passed

    simnet_run(*_neuron("miner", "miner", "--axon.port", str(_free_port()))).wait_served()
    process = simnet_run(*_neuron("validator", "validator"))
    process.wait_until(lambda chain: chain.weights(1, validator.uid), timeout=60, what="weighting")

    assert simnet_local.chain.weights(1, validator.uid) == [(miner.uid, 65535)]
