"""The subnet's own neurons, unmodified, on simnet in one process: no patches, no argv."""

import asyncio
import time

import bittensor as bt
import pytest
from neurons.async_validator import AsyncValidator
from tests.conftest import command_line

pytestmark = pytest.mark.simnet(redirect=True)


def _wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _all_miners_serving(simnet):
    return lambda: all(n.serving for n in simnet.chain.neurons(1)[1:])


def test_the_real_miner_is_served_and_answers_both_synapses(simnet, miners, validator):
    (miner,) = miners(1)
    _wait_until(lambda: miner.axon.started)
    validator.metagraph.sync(subtensor=validator.subtensor)
    axon = validator.metagraph.axons[miner.uid]

    async def ask():
        from template_subnet.protocol import Dummy, IsAlive

        alive = await validator.dendrite(axons=[axon], synapse=IsAlive(), deserialize=True)
        doubled = await validator.dendrite(axons=[axon], synapse=Dummy(dummy_input=21))
        return alive, doubled

    alive, doubled = validator.loop.run_until_complete(ask())
    assert alive == ["alive"]
    assert doubled == [42]
    assert isinstance(miner.axon, bt.Axon)
    assert miner.axon.external_ip == "127.0.0.1"


def test_a_validator_step_against_16_miners_sets_weights_after_the_epoch(simnet, miners, validator):
    miners(16)
    _wait_until(_all_miners_serving(simnet))
    validator.metagraph.sync(subtensor=validator.subtensor)

    validator.loop.run_until_complete(validator.forward())
    validator.step += 1
    validator.sync()
    assert simnet.chain.weights(1, validator.uid) == []  # the epoch has not passed yet

    simnet.chain.advance(11)
    validator.sync()

    weights = simnet.subtensor.metagraph(1, lite=False).W[validator.uid]
    assert validator.last_set_weights[0] is True
    assert all(weights[uid] > 0 for uid in range(1, 17))
    assert simnet.subtensor.metagraph(1).last_update[validator.uid] == simnet.chain.block


def test_a_failed_set_weights_is_logged_and_retried_next_epoch(simnet, miners, validator):
    miners(2)
    _wait_until(_all_miners_serving(simnet))
    validator.metagraph.sync(subtensor=validator.subtensor)
    validator.loop.run_until_complete(validator.forward())
    validator.step += 1
    simnet.chain.faults.fail("set_weights")
    simnet.chain.advance(11)

    validator.sync()
    assert validator.last_set_weights[0] is False
    assert [event.method for event in simnet.chain.faults.events] == ["set_weights"]
    assert simnet.chain.weights(1, validator.uid) == []

    validator.sync()  # still more than an epoch since the last update: tries again
    assert validator.last_set_weights[0] is True
    assert len(simnet.chain.weights(1, validator.uid)) == 2


def test_the_chain_refuses_weights_set_faster_than_its_rate_limit(simnet, miners, validator):
    miners(2)
    simnet.chain.set_hyperparameters(1, weights_rate_limit=50)
    _wait_until(_all_miners_serving(simnet))
    validator.loop.run_until_complete(validator.forward())
    validator.step += 1
    simnet.chain.advance(11)
    validator.sync()
    assert validator.last_set_weights[0] is True
    simnet.chain.advance(11)
    validator.metagraph.sync(subtensor=validator.subtensor)
    validator.set_weights()
    assert validator.last_set_weights[0] is False
    assert "SettingWeightsTooFast" in validator.last_set_weights[1]


@pytest.mark.asyncio
async def test_the_async_subtensor_validator_scores_and_sets_weights(simnet, miners):
    simnet.register(1, "validator", stake=1000, validator_permit=True)
    miners(3)
    args = ("--wallet.name", "validator", "--neuron.epoch_length", "5")
    validator = AsyncValidator(command_line(AsyncValidator, *args))
    await validator.setup()
    assert isinstance(validator.subtensor, bt.AsyncSubtensor)
    await asyncio.to_thread(_wait_until, _all_miners_serving(simnet))
    await validator.metagraph.sync(subtensor=validator.subtensor)
    await validator.step_once()
    simnet.chain.advance(6)
    await validator.step_once()
    await validator.close()

    weights = simnet.subtensor.metagraph(1, lite=False).W[validator.uid]
    assert [round(float(w), 2) for w in weights[1:]] == [0.33, 0.33, 0.33]


def test_a_uid_the_chain_replaces_starts_again_from_zero_in_the_validators_scores(
    simnet, miners, validator
):
    miners(2)
    _wait_until(_all_miners_serving(simnet))
    # the validator is the subnet's owner (never replaced); the subnet is full at 3 uids
    simnet.chain.set_owner(
        1, validator.wallet.coldkeypub.ss58_address, validator.wallet.hotkey.ss58_address
    )
    simnet.chain.set_hyperparameters(1, max_allowed_uids=3, immunity_period=0)
    simnet.chain.set_hyperparameters(1, min_non_immune_uids=0)
    validator.resync_metagraph()  # what its sync() does every epoch length: sees the miners
    validator.loop.run_until_complete(validator.forward())
    assert validator.scores[1] > 0
    assert validator.scores[2] > 0
    kept = validator.scores[2]

    newcomer = simnet.register(1, "newcomer")  # takes uid 1: the earliest registration
    assert newcomer.uid == 1
    simnet.chain.advance(11)  # more than the validator's epoch length since its update
    validator.sync()

    assert validator.metagraph.hotkeys[1] == newcomer.hotkey
    assert validator.scores[1] == 0
    assert validator.scores[2] == kept


def test_incentive_follows_the_validators_weights_after_the_chains_epoch(simnet, miners, validator):
    simnet.chain.set_hyperparameters(1, tempo=20)
    miners(2)
    _wait_until(_all_miners_serving(simnet))
    validator.metagraph.sync(subtensor=validator.subtensor)
    simnet.chain.advance(1)
    validator.loop.run_until_complete(validator.forward())
    validator.step += 1
    simnet.chain.advance(11)
    validator.sync()  # sets weights
    assert validator.last_set_weights[0] is True
    assert all(incentive == 0 for incentive in validator.metagraph.I)

    simnet.chain.advance(20)  # the chain's epoch runs Yuma consensus over the weights
    validator.metagraph.sync(subtensor=validator.subtensor)

    assert validator.metagraph.I[1] > 0
    assert validator.metagraph.I[2] > 0
    assert validator.metagraph.D[validator.uid] > 0
    assert validator.metagraph.validator_permit[validator.uid]
