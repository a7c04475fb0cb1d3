"""The smoke steps on a 9.x/10.x release, through simnet's public API only: a stream over
tcp and over memory, the metagraph read back, bittensor's own constructors redirected,
``set_weights`` read back, ``AsyncSubtensor``, a short chunking fuzz, and ``simnet run``
on a script that reads the chain and sets weights."""

import inspect
from pathlib import Path

import bittensor as bt
import pytest

from client import stream_prompt
from miner import Miner
from protocol import StreamPrompting
from simnet.properties import check_chunking_invariance

HERE = Path(__file__).parent


def quiet(_text: str) -> None:
    """Streamed text is checked at the end, not printed."""


@pytest.mark.asyncio
@pytest.mark.simnet(netuid=8, transport=["tcp", "memory"])
async def test_a_stream_reaches_the_client(simnet_serve, simnet_dendrite, simnet_metagraph):
    axon = simnet_serve(lambda ctx: Miner(ctx.wallet, ctx.metagraph))

    axon_info = simnet_metagraph.axons[axon.uid]
    final = await stream_prompt(simnet_dendrite, axon_info, "hello smoke", on_text=quiet)

    assert final.completion == "hello smoke"
    assert final.dendrite.status_code == 200


def test_the_metagraph_reads_the_chain_back(simnet_network):
    validator = simnet_network.register(3, "validator", stake=1000, validator_permit=True)
    miner = simnet_network.register(3, "miner")

    metagraph = simnet_network.metagraph(3)

    assert list(metagraph.hotkeys) == [validator.hotkey, miner.hotkey]
    assert [float(s) for s in metagraph.S] == [1000.0, 0.0]
    assert [bool(p) for p in metagraph.validator_permit] == [True, False]


@pytest.mark.asyncio
@pytest.mark.simnet(redirect=True)
async def test_bittensors_own_constructors_reach_the_network(simnet_network):
    simnet_network.register(1, "validator", stake=1000, validator_permit=True)
    simnet_network.register(1, "miner")
    subtensor = bt.Subtensor(network="finney")
    miner_wallet = bt.Wallet(name="miner")
    miner = Miner(miner_wallet, subtensor.metagraph(1))
    axon = bt.Axon(wallet=miner_wallet)
    axon.attach(forward_fn=miner.forward, blacklist_fn=miner.blacklist, priority_fn=miner.priority)
    axon.serve(netuid=1, subtensor=subtensor)
    axon.start()

    metagraph = subtensor.metagraph(1)
    async with bt.Dendrite(wallet=bt.Wallet(name="validator")) as dendrite:
        final = await stream_prompt(dendrite, metagraph.axons[1], "redirected", on_text=quiet)

    assert final.completion == "redirected"
    assert metagraph.hotkeys[1] == miner_wallet.hotkey.ss58_address


@pytest.mark.simnet(redirect=True)
def test_set_weights_is_read_back(simnet_network):
    validator = simnet_network.register(1, "validator", stake=1000, validator_permit=True)
    miner = simnet_network.register(1, "miner")
    simnet_network.chain.advance(101)  # past the default weights_rate_limit
    subtensor = bt.Subtensor(network="finney")

    success, message = subtensor.set_weights(
        wallet=bt.Wallet(name="validator"), netuid=1, uids=[miner.uid], weights=[1.0]
    )

    assert success, message
    assert simnet_network.chain.weights(1, validator.uid) == [(miner.uid, 65535)]
    assert subtensor.metagraph(1, lite=False).W[validator.uid][miner.uid] == 1.0


@pytest.mark.asyncio
@pytest.mark.simnet(redirect=True)
async def test_the_async_subtensor_hands_out_a_metagraph_that_syncs(simnet_network):
    simnet_network.register(1, "validator", stake=1000, validator_permit=True)
    async with bt.AsyncSubtensor(network="finney") as subtensor:
        metagraph = await subtensor.metagraph(1)
        assert int(metagraph.n) == 1
        late = simnet_network.register(1, "late")

        synced = metagraph.sync(subtensor=subtensor)
        if inspect.isawaitable(synced):  # an AsyncMetagraph (10.x); 9.x's is a Metagraph
            await synced

    assert int(metagraph.n) == 2
    assert metagraph.hotkeys[1] == late.hotkey


def test_a_short_chunking_fuzz_of_the_reference_protocol_holds():
    check_chunking_invariance(StreamPrompting, max_examples=30, seed=1)


def test_simnet_run_runs_a_script_that_reads_the_chain_and_sets_weights(simnet_local, simnet_run):
    validator = simnet_local.register(
        1, simnet_local.wallet("validator"), stake=1000, validator_permit=True
    )
    miner = simnet_local.register(1, simnet_local.wallet("miner"))
    simnet_local.chain.advance(101)

    process = simnet_run("python", str(HERE / "set_weights_script.py"), "--netuid", "1")

    process.wait_until(lambda chain: chain.weights(1, validator.uid), timeout=60)
    assert (miner.uid, 65535) in simnet_local.chain.weights(1, validator.uid)
