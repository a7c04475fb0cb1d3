"""The SDK's own Client, Metagraph and intents over simnet's chain (bittensor 11.x)."""

from __future__ import annotations

import asyncio

import bittensor as bt
import pytest

from simnet.v11 import Network, NotSimulated
from simnet.v11.substrate import last_epoch_block


@pytest.mark.asyncio
async def test_the_sdk_metagraph_lists_registrations_stakes_permits_and_served_axons(
    simnet_v11: Network,
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    miner = simnet_v11.register(1, "miner")
    async with bt.Client("finney") as client:  # any network name reaches simnet's chain
        result = await client.execute(bt.ServeAxon(netuid=1, ip="127.0.0.1", port=8091), miner)
        metagraph = await client.subnets.metagraph(1)
    assert result.success, result.message
    assert metagraph is not None
    first, second = metagraph.neurons
    assert (first.hotkey, first.validator_permit, first.axon) == (
        validator.hotkey.ss58_address,
        True,
        None,
    )
    assert first.total_stake.alpha == pytest.approx(1000.0)
    assert (second.hotkey, second.validator_permit, second.axon) == (
        miner.hotkey.ss58_address,
        False,
        "127.0.0.1:8091",
    )


@pytest.mark.asyncio
async def test_a_subnet_that_does_not_exist_has_no_metagraph(simnet_v11: Network) -> None:
    async with simnet_v11.client() as client:
        assert await client.subnets.metagraph(7) is None


@pytest.mark.asyncio
async def test_set_weights_is_stored_as_the_chain_stores_it_and_rate_limited(
    simnet_v11: Network,
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    simnet_v11.register(1, "miner")
    simnet_v11.advance(10)
    async with simnet_v11.client() as client:
        result = await client.execute(bt.SetWeights(netuid=1, uids=[1], weights=[1.0]), validator)
        assert result.success, result.message
        assert simnet_v11.chain.weights(1, 0) == [(1, 65535)]
        with pytest.raises(bt.ChainError, match="rate limit is 100 blocks"):
            await client.execute(bt.SetWeights(netuid=1, uids=[1], weights=[1.0]), validator)
        simnet_v11.advance(100)
        again = await client.execute(bt.SetWeights(netuid=1, uids=[1], weights=[1.0]), validator)
    assert again.success, again.message


@pytest.mark.asyncio
async def test_the_chain_rules_reject_weights_from_a_neuron_without_a_permit(
    simnet_v11: Network,
) -> None:
    simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    plain = simnet_v11.register(1, "plain")
    async with simnet_v11.client() as client:
        result = await client.execute(bt.SetWeights(netuid=1, uids=[0], weights=[1.0]), plain)
    assert not result.success
    assert result.error is not None
    assert result.error.name == "NeuronNoValidatorPermit"


@pytest.mark.asyncio
async def test_serving_from_an_unregistered_hotkey_fails_with_the_chain_error(
    simnet_v11: Network,
) -> None:
    simnet_v11.chain.create_subnet(1)
    stranger = simnet_v11.wallet("stranger")
    async with simnet_v11.client() as client:
        result = await client.execute(bt.ServeAxon(netuid=1, ip="127.0.0.1", port=8091), stranger)
    assert not result.success
    assert result.error is not None
    assert result.error.name == "HotKeyNotRegisteredInNetwork"  # serving.rs validate_serve_axon


@pytest.mark.asyncio
async def test_chain_faults_fail_the_sdk_calls_they_name(simnet_v11: Network) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    simnet_v11.chain.faults.fail("set_weights")
    simnet_v11.chain.faults.fail("metagraph", error=ConnectionError("node down"))
    async with simnet_v11.client() as client:
        failed = await client.execute(bt.SetWeights(netuid=1, uids=[0], weights=[1.0]), validator)
        with pytest.raises(ConnectionError, match="node down"):
            await client.subnets.metagraph(1)
    assert not failed.success
    assert [e.method for e in simnet_v11.chain.faults.events] == ["set_weights", "metagraph"]


@pytest.mark.asyncio
async def test_a_read_simnet_does_not_model_is_named_not_answered(simnet_v11: Network) -> None:
    with pytest.raises(NotSimulated, match=r"storage SubtensorModule\.TotalIssuance"):
        await simnet_v11.substrate.query("SubtensorModule", "TotalIssuance")


@pytest.mark.asyncio
async def test_wait_for_block_returns_when_the_chain_gets_there(simnet_v11: Network) -> None:
    async with simnet_v11.client() as client:
        waiter = asyncio.create_task(client.wait_for_block(5, timeout=5))
        await asyncio.sleep(0.02)
        simnet_v11.advance(5)
        header = await waiter
    assert header.number == 5


@pytest.mark.asyncio
async def test_wait_for_epoch_sees_the_subnet_run_its_epoch(simnet_v11: Network) -> None:
    simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    simnet_v11.chain.set_hyperparameters(1, tempo=10)
    async with simnet_v11.client() as client:
        waiter = asyncio.create_task(client.wait_for_epoch(1, timeout=5))
        await asyncio.sleep(0.02)
        simnet_v11.advance(11)
        epoch = await waiter
    assert epoch.block == last_epoch_block(simnet_v11.chain.block, 1, 10) > 0


def test_epochs_run_where_the_chain_runs_them() -> None:
    # (block + netuid + 1) % (tempo + 1) == 0
    assert [b for b in range(40) if last_epoch_block(b, 1, 10) == b and b] == [9, 20, 31]


@pytest.mark.asyncio
async def test_burned_registration_through_the_sdk_intent_gives_the_next_uid(
    simnet_v11: Network,
) -> None:
    simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    newcomer = simnet_v11.wallet("newcomer")
    async with simnet_v11.client() as client:
        result = await client.execute(bt.BurnedRegister(netuid=1), newcomer)  # MEV-shielded
        again = await client.execute(bt.BurnedRegister(netuid=1), newcomer)
    assert result.success, result.message
    assert result.data["shielded"] is True
    assert simnet_v11.chain.neuron(1, newcomer.hotkey.ss58_address).uid == 1
    assert not again.success
    assert again.error is not None
    assert again.error.name == "HotKeyAlreadyRegisteredInSubNet"


@pytest.mark.asyncio
async def test_burned_registration_into_a_full_subnet_shows_the_new_hotkey_at_the_pruned_uid(
    simnet_v11: Network,
) -> None:
    simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    simnet_v11.register(1, "miner")
    simnet_v11.chain.set_hyperparameters(1, max_allowed_uids=2)
    newcomer = simnet_v11.wallet("newcomer")
    async with simnet_v11.client() as client:
        result = await client.execute(bt.BurnedRegister(netuid=1), newcomer)
        metagraph = await client.subnets.metagraph(1)
    assert result.success, result.message
    assert metagraph is not None
    replaced = simnet_v11.chain.replacements[-1]
    assert metagraph.neurons[replaced.uid].hotkey == newcomer.hotkey.ss58_address
    assert len(metagraph.neurons) == 2


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("netuid", "error"), [(7, "SubnetNotExists"), (0, "RegistrationNotPermittedOnRootSubnet")]
)
async def test_burned_registration_is_refused_with_the_chains_error(
    simnet_v11: Network, netuid: int, error: str
) -> None:
    simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    async with simnet_v11.client() as client:
        result = await client.execute(bt.BurnedRegister(netuid=netuid), simnet_v11.wallet("x"))
    assert not result.success
    assert result.error is not None
    assert result.error.name == error
    assert simnet_v11.chain.netuids() == [1]


def test_the_11x_stack_raises_the_chain_rooms_one_not_simulated() -> None:
    from simnet.chain import faults

    assert NotSimulated is faults.NotSimulated


@pytest.mark.asyncio
async def test_commit_reveal_weights_are_committed_sealed_and_never_revealed_offline(
    simnet_v11: Network,
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    simnet_v11.register(1, "miner")
    simnet_v11.chain.set_hyperparameters(1, commit_reveal_weights_enabled=True)
    async with simnet_v11.client() as client:
        result = await client.execute(bt.SetWeights(netuid=1, uids=[1], weights=[1.0]), validator)
    assert result.success, result.message
    (commit,) = simnet_v11.substrate.commits
    assert (commit.netuid, commit.uid, commit.hotkey) == (1, 0, validator.hotkey.ss58_address)
    assert commit.reveal_round > 0
    assert simnet_v11.chain.weights(1, 0) == []  # revealed by drand on the real chain only
