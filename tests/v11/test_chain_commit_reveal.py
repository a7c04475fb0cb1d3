"""Commitments and commit-reveal weights through bittensor 11's own Client over simnet's
chain: the Commitments pallet's rules and the chain's commit-reveal (subtensor
14bc6f9f964b9cc362e9635dd110a487fa5d15a0), timelocked payloads revealed from what the SDK
encrypted in this process."""

from __future__ import annotations

import bittensor as bt
import pytest
from bittensor import calls

from simnet.chain import reveal
from simnet.v11 import Network

TEMPO = 10


def _next_epoch(net: Network) -> None:
    net.advance(net.chain.last_epoch(1) + TEMPO - net.chain.block)


def _commitment(data: bytes) -> object:
    return calls.Commitments.set_commitment(
        netuid=1, info={"fields": [[{f"Raw{len(data)}": data}]]}
    )


@pytest.mark.asyncio
async def test_a_commitment_is_set_and_read_back_through_the_sdk(simnet_v11: Network) -> None:
    miner = simnet_v11.register(1, "miner")
    stranger = simnet_v11.wallet("stranger")
    async with simnet_v11.client() as client:
        result = await client.submit_call(_commitment(b"hf.co/m1"), miner, signer="hotkey")
        refused = await client.submit_call(_commitment(b"x"), stranger, signer="hotkey")
        commitments = await client.subnets.commitments(1)
    assert result.success, result.message
    hotkey = miner.hotkey.ss58_address
    assert commitments[hotkey].data == "hf.co/m1"
    assert commitments[hotkey].uid == 0
    assert not refused.success
    assert refused.error is not None
    assert refused.error.name == "AccountNotAllowedCommit"


@pytest.mark.asyncio
async def test_the_space_budget_is_the_pallets(simnet_v11: Network) -> None:
    miner = simnet_v11.register(1, "miner")
    simnet_v11.chain.set_commitment_max_space(150)
    async with simnet_v11.client() as client:
        first = await client.submit_call(_commitment(b"a" * 30), miner, signer="hotkey")
        second = await client.submit_call(_commitment(b"b" * 30), miner, signer="hotkey")
    assert first.success, first.message
    assert second.error is not None
    assert second.error.name == "SpaceLimitExceeded"


@pytest.mark.asyncio
async def test_a_timelocked_commitment_is_revealed_at_its_round(simnet_v11: Network) -> None:
    miner = simnet_v11.register(1, "miner")
    simnet_v11.chain.block_seconds = None
    sealed = bt.timelock.encrypt("sealed answer", reveal_in="60s")
    field = {
        "TimelockEncrypted": {"encrypted": sealed.encrypted, "reveal_round": sealed.reveal_round}
    }
    call = calls.Commitments.set_commitment(netuid=1, info={"fields": [[field]]})
    async with simnet_v11.client() as client:
        result = await client.submit_call(call, miner, signer="hotkey")
        before = await client.subnets.commitments(1)
    assert result.success, result.message
    hotkey = miner.hotkey.ss58_address
    assert before[hotkey].encrypted
    assert before[hotkey].revealed == []
    committed_at = simnet_v11.chain.block
    simnet_v11.advance(6)  # 60 s at 12 s a block
    ((block, plaintext),) = simnet_v11.chain.revealed_commitments(1)[hotkey]
    assert plaintext == b"sealed answer"
    assert committed_at + 5 <= block <= committed_at + 6
    assert simnet_v11.chain.commitment(1, hotkey) is None


@pytest.mark.asyncio
async def test_set_weights_on_a_commit_reveal_subnet_is_revealed_in_the_next_epoch(
    simnet_v11: Network,
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    simnet_v11.register(1, "miner")
    simnet_v11.chain.set_hyperparameters(1, commit_reveal_weights_enabled=True, tempo=TEMPO)
    simnet_v11.advance(1)
    async with simnet_v11.client() as client:
        result = await client.execute(bt.SetWeights(netuid=1, uids=[1], weights=[1.0]), validator)
    assert result.success, result.message
    assert simnet_v11.chain.weights(1, 0) == []  # sealed until its reveal epoch
    _next_epoch(simnet_v11)
    assert simnet_v11.chain.weights(1, 0) == [(1, 65535)]
    assert simnet_v11.chain.neurons(1)[1].incentive > 0


@pytest.mark.asyncio
async def test_a_hash_commit_is_revealed_under_the_chains_rules(simnet_v11: Network) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    simnet_v11.register(1, "miner")
    simnet_v11.chain.set_hyperparameters(
        1, commit_reveal_weights_enabled=True, tempo=TEMPO, weights_rate_limit=0
    )
    hotkey = validator.hotkey.ss58_address
    digest = reveal.commit_hash(hotkey, 1, [1], [65535], [3, 4], 0)
    commit = calls.SubtensorModule.commit_weights(netuid=1, commit_hash=digest)
    early = bt.RevealWeights(netuid=1, uids=[1], weights=[1.0], salt=[3, 4])
    wrong = bt.RevealWeights(netuid=1, uids=[1], weights=[1.0], salt=[3, 5])
    async with simnet_v11.client() as client:
        committed = await client.submit_call(commit, validator, signer="hotkey")
        assert committed.success, committed.message
        too_early = await client.execute(early, validator)
        mismatch = await client.execute(wrong, validator)
        _next_epoch(simnet_v11)
        revealed = await client.execute(early, validator)
    assert too_early.error is not None
    assert too_early.error.name == "RevealTooEarly"
    assert mismatch.error is not None
    assert mismatch.error.name == "InvalidRevealCommitHashNotMatch"
    assert revealed.success, revealed.message
    assert simnet_v11.chain.weights(1, 0) == [(1, 65535)]


def test_a_commit_simnet_could_not_record_is_said_once_on_stderr_not_swallowed(capsys):
    from simnet.v11 import timelock

    timelock._SAID.discard("encrypt_at_round")
    for _ in range(2):
        timelock._unrecorded("encrypt_at_round", ValueError("the result's shape changed"))
    assert capsys.readouterr().err.splitlines() == [
        "simnet: could not record what bittensor_core.encrypt_at_round encrypted "
        "(ValueError: the result's shape changed); simnet's chain will not reveal it"
    ]
