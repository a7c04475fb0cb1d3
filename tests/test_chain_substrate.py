"""``subtensor.substrate`` on the 9.x/10.x doubles: raw storage queries answered with the
chain's values in the type the installed release's substrate interface returns, and raw
extrinsics (compose_call + create_signed_extrinsic + submit_extrinsic) changing the chain
as the subtensor methods do, answered with the release's own receipts."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

import simnet
from simnet import AsyncFakeSubtensor, ChainState, FakeSubtensor
from simnet._compat import Balance, DynamicInfo, Keypair, SubstrateInterface
from simnet.chain import balances


def _wallet(name: str) -> Any:
    hotkey = Keypair.create_from_uri(f"//{name}-hot")
    coldkey = Keypair.create_from_uri(f"//{name}-cold")
    return SimpleNamespace(hotkey=hotkey, coldkey=coldkey, coldkeypub=coldkey)


VALIDATOR, MINER, NEWCOMER = _wallet("validator"), _wallet("miner"), _wallet("newcomer")


def _value(result: Any) -> Any:
    """The decoded value inside whatever the release's ``query`` returned."""
    return result.value if hasattr(result, "value") else result


def _send(
    sub: FakeSubtensor,
    signer: Any,
    function: str,
    params: dict[str, Any],
    module: str = "SubtensorModule",
) -> Any:
    substrate = sub.substrate
    call = substrate.compose_call(module, function, params)
    extrinsic = substrate.create_signed_extrinsic(call=call, keypair=signer)
    return substrate.submit_extrinsic(extrinsic, wait_for_inclusion=True)


@pytest.fixture
def chain():
    state = ChainState()
    state.register(
        1, VALIDATOR.hotkey.ss58_address, VALIDATOR.coldkey.ss58_address, stake=1000,
        validator_permit=True,
    )  # fmt: skip
    state.register(1, MINER.hotkey.ss58_address, MINER.coldkey.ss58_address)
    state.set_hyperparameters(1, weights_rate_limit=0)
    yield state
    state.close()


def test_query_answers_storage_in_the_type_the_installed_substrate_interface_returns(chain):
    result = FakeSubtensor(chain).substrate.query(
        "SubtensorModule", "Uids", [1, MINER.hotkey.ss58_address]
    )

    returns = str(SubstrateInterface.query.__annotations__.get("return", ""))
    if "ScaleObj" in returns:  # 9.x: its own wrapper around numbers and lists
        from async_substrate_interface.types import ScaleObj

        assert isinstance(result, ScaleObj)
    else:  # 10.x: scalecodec's objects
        from scalecodec.base import ScaleType

        assert isinstance(result, ScaleType)
    assert result.value == 1


@pytest.mark.parametrize(
    ("module", "item", "params", "expected"),
    [
        ("SubtensorModule", "Keys", [1, 1], MINER.hotkey.ss58_address),
        ("SubtensorModule", "SubnetworkN", [1], 2),
        ("SubtensorModule", "Tempo", [1], 360),
        ("SubtensorModule", "ValidatorPermit", [1], [True, False]),
        ("SubtensorModule", "BlockAtRegistration", [1, 0], 0),
        ("SubtensorModule", "Owner", [MINER.hotkey.ss58_address], MINER.coldkey.ss58_address),
        ("SubtensorModule", "SubnetOwner", [1], VALIDATOR.coldkey.ss58_address),
        ("SubtensorModule", "Burn", [1], balances.REGISTRATION_BURN),
    ],
)
def test_query_reads_the_chains_storage_items(chain, module, item, params, expected):
    assert _value(FakeSubtensor(chain).substrate.query(module, item, params)) == expected


def test_a_stake_reads_the_same_rao_from_storage_the_stake_methods_and_the_metagraph():
    """1.001 TAO is 1,000,999,999.99... rao in floating point: one conversion everywhere
    (bittensor's ``Balance.from_tao`` truncates it a rao short)."""
    state = ChainState()
    wallet = _wallet("stake")
    hotkey, coldkey = wallet.hotkey.ss58_address, wallet.coldkey.ss58_address
    state.register(1, hotkey, coldkey, stake=1.001)
    sub = FakeSubtensor(state)
    stored = _value(sub.substrate.query("SubtensorModule", "TotalHotkeyAlpha", [hotkey, 1]))
    assert stored == 1_001_000_000
    assert sub.get_stake(coldkey, hotkey, 1).rao == stored
    assert sub.metagraph(1).S[0] == pytest.approx(1.001)
    assert sub.subnet(1).alpha_out.rao == stored
    state.close()


def test_an_unregistered_hotkeys_uid_is_none_as_the_chains_option_is():
    state = ChainState()
    state.create_subnet(1)
    result = FakeSubtensor(state).substrate.query("SubtensorModule", "Uids", [1, "5Nobody"])
    assert _value(result) is None
    state.close()


def test_query_of_a_storage_item_simnet_does_not_model_raises_not_simulated_naming_it(chain):
    with pytest.raises(simnet.NotSimulated, match=r"SubtensorModule\.StakingHotkeys"):
        FakeSubtensor(chain).substrate.query("SubtensorModule", "StakingHotkeys", ["x"])


def test_query_map_lists_a_subnets_uids_by_hotkey(chain):
    records = FakeSubtensor(chain).substrate.query_map("SubtensorModule", "Uids", [1])

    uids = sorted(_value(uid) for _, uid in records)
    assert uids == [0, 1]


def test_query_map_lists_the_weights_a_validator_set(chain):
    sub = FakeSubtensor(chain)
    sub.set_weights(VALIDATOR, 1, [1], [1.0])

    records = {k: _value(v) for k, v in sub.substrate.query_map("SubtensorModule", "Weights", [1])}
    assert [tuple(pair) for pair in records[0]] == [(1, 65535)]


def test_query_subtensor_takes_the_installed_releases_arguments(chain):
    result = FakeSubtensor(chain).query_subtensor("Uids", params=[1, MINER.hotkey.ss58_address])
    assert _value(result) == 1


def test_raw_set_weights_sets_the_weights_the_subtensor_method_would(chain):
    sub = FakeSubtensor(chain)
    params = {"netuid": 1, "dests": [1], "weights": [65535], "version_key": 0}

    receipt = _send(sub, VALIDATOR.hotkey, "set_weights", params)

    assert receipt.is_success is True
    assert receipt.error_message is None
    assert chain.weights(1, 0) == [(1, 65535)]
    assert sub.metagraph(1, lite=False).W[0][1] == pytest.approx(1.0)


def test_raw_set_weights_fails_with_the_chains_error_as_the_subtensor_method_does(chain):
    sub = FakeSubtensor(chain)
    params = {"netuid": 1, "dests": [0], "weights": [65535], "version_key": 0}

    receipt = _send(sub, MINER.hotkey, "set_weights", params)
    method = sub.set_weights(MINER, 1, [0], [1.0])

    assert receipt.is_success is False
    assert receipt.error_message["name"] == "NeuronNoValidatorPermit"
    assert "NeuronNoValidatorPermit" in str(method)
    assert chain.weights(1, 1) == []


def test_a_chain_fault_fails_a_raw_extrinsic_too(chain):
    chain.faults.fail("set_weights")
    params = {"netuid": 1, "dests": [1], "weights": [65535], "version_key": 0}

    receipt = _send(FakeSubtensor(chain), VALIDATOR.hotkey, "set_weights", params)

    assert receipt.is_success is False
    assert [e.method for e in chain.faults.events] == ["set_weights"]


def test_raw_serve_axon_and_set_commitment_change_the_chain(chain):
    sub = FakeSubtensor(chain)
    hotkey = MINER.hotkey.ss58_address
    axon = {"netuid": 1, "version": 1, "ip": 16909060, "port": 8091, "ip_type": 4,
            "protocol": 4, "placeholder1": 0, "placeholder2": 0}  # fmt: skip
    info = {"fields": [[{"Raw5": b"hello"}]]}

    assert _send(sub, MINER.hotkey, "serve_axon", axon).is_success
    assert _send(
        sub, MINER.hotkey, "set_commitment", {"netuid": 1, "info": info}, "Commitments"
    ).is_success

    assert (chain.neuron(1, hotkey).axon_ip, chain.neuron(1, hotkey).axon_port) == ("1.2.3.4", 8091)
    assert sub.get_all_commitments(1) == {hotkey: "hello"}


def test_a_raw_commitment_query_decodes_with_the_releases_own_decoder(chain):
    from bittensor.core.chain_data.utils import decode_metadata

    sub = FakeSubtensor(chain)
    sub.set_commitment(MINER, 1, "hello")

    result = sub.substrate.query("Commitments", "CommitmentOf", [1, MINER.hotkey.ss58_address])

    assert decode_metadata(_value(result)) == "hello"


def test_a_call_simnet_does_not_run_is_named_when_composed(chain):
    with pytest.raises(simnet.NotSimulated, match=r"Balances\.transfer_keep_alive"):
        FakeSubtensor(chain).substrate.compose_call("Balances", "transfer_keep_alive", {})


def test_registration_burns_the_subnets_cost_from_the_coldkeys_balance(chain):
    sub = FakeSubtensor(chain)
    coldkey = NEWCOMER.coldkey.ss58_address
    before = sub.get_balance(coldkey)

    receipt = _send(
        sub,
        NEWCOMER.coldkey,
        "burned_register",
        {"netuid": 1, "hotkey": NEWCOMER.hotkey.ss58_address},
    )

    assert receipt.is_success
    assert before == Balance.from_rao(balances.STARTING_BALANCE)
    assert sub.get_balance(coldkey).rao == balances.STARTING_BALANCE - balances.REGISTRATION_BURN
    assert _value(sub.substrate.query("System", "Account", [coldkey]))["data"]["free"] == (
        balances.STARTING_BALANCE - balances.REGISTRATION_BURN
    )


def test_a_coldkey_short_of_the_burn_cannot_register(chain):
    sub = FakeSubtensor(chain)
    chain.set_balance(NEWCOMER.coldkey.ss58_address, balances.REGISTRATION_BURN - 1)
    wallet = SimpleNamespace(hotkey=NEWCOMER.hotkey, coldkeypub=NEWCOMER.coldkey)

    result = sub.burned_register(wallet, 1)

    assert "NotEnoughBalanceToStake" in str(result) or result is False
    assert not chain.is_registered(1, NEWCOMER.hotkey.ss58_address)
    assert chain.balance(NEWCOMER.coldkey.ss58_address) == balances.REGISTRATION_BURN - 1


def test_sign_and_send_extrinsic_is_the_real_method_over_the_double(chain):
    sub = FakeSubtensor(chain)
    call = sub.substrate.compose_call(
        "SubtensorModule", "burned_register", {"netuid": 1, "hotkey": NEWCOMER.hotkey.ss58_address}
    )

    result = sub.sign_and_send_extrinsic(call, NEWCOMER)

    success = result[0] if isinstance(result, tuple) else result.success
    assert success is True
    assert chain.is_registered(1, NEWCOMER.hotkey.ss58_address)


def test_an_extrinsic_sent_without_waiting_costs_no_fee(chain):
    sub = FakeSubtensor(chain)
    call = sub.substrate.compose_call(
        "SubtensorModule", "burned_register", {"netuid": 1, "hotkey": NEWCOMER.hotkey.ss58_address}
    )

    result = sub.sign_and_send_extrinsic(
        call, NEWCOMER, wait_for_inclusion=False, wait_for_finalization=False
    )

    success = result[0] if isinstance(result, tuple) else result.success
    assert success is True
    assert chain.is_registered(1, NEWCOMER.hotkey.ss58_address)
    if hasattr(result, "extrinsic_fee"):  # 10.x reports the fee
        assert result.extrinsic_fee == Balance.from_rao(0)


def test_get_block_shows_the_block_and_the_extrinsics_sent_in_it(chain):
    sub = FakeSubtensor(chain)
    _send(
        sub,
        VALIDATOR.hotkey,
        "set_weights",
        {"netuid": 1, "dests": [1], "weights": [1], "version_key": 0},
    )

    block = sub.substrate.get_block(block_number=chain.block)

    assert block["header"]["number"] == chain.block
    assert (
        block["header"]["hash"] == sub.substrate.get_block_hash(chain.block) == sub.get_block_hash()
    )
    assert sub.substrate.get_block_number(block["header"]["hash"]) == chain.block
    assert [e["call"]["call_function"] for e in block["extrinsics"]] == ["set_weights"]


def test_subnet_is_the_releases_dynamic_info_with_the_chains_values(chain):
    chain.set_owner(1, MINER.coldkey.ss58_address, MINER.hotkey.ss58_address)

    info = FakeSubtensor(chain).subnet(1)

    assert type(info) is DynamicInfo
    assert (info.netuid, info.tempo) == (1, 360)
    assert (info.owner_hotkey, info.owner_coldkey) == (
        MINER.hotkey.ss58_address,
        MINER.coldkey.ss58_address,
    )
    assert info.tao_in.rao == balances.POOL_TAO
    assert info.price.tao == pytest.approx(1.0)
    assert FakeSubtensor(chain).subnet(2) is None


def test_metagraph_info_reports_the_recorded_owner_not_uid_zero(chain):
    chain.set_owner(1, MINER.coldkey.ss58_address, MINER.hotkey.ss58_address)

    info = FakeSubtensor(chain).get_metagraph_info(1)

    if info is not None:  # 9.0 has no MetagraphInfo
        assert info.owner_hotkey == MINER.hotkey.ss58_address


def test_the_async_substrate_answers_awaited_with_the_releases_async_receipt(chain):
    sub = AsyncFakeSubtensor(chain)

    async def scenario() -> tuple[Any, bool, list[Any]]:
        uid = await sub.substrate.query("SubtensorModule", "Uids", [1, MINER.hotkey.ss58_address])
        call = await sub.substrate.compose_call(
            "SubtensorModule",
            "set_weights",
            {"netuid": 1, "dests": [1], "weights": [1], "version_key": 0},
        )
        extrinsic = await sub.substrate.create_signed_extrinsic(call=call, keypair=VALIDATOR.hotkey)
        receipt = await sub.substrate.submit_extrinsic(extrinsic, wait_for_inclusion=True)
        records = [r async for r in await sub.substrate.query_map("SubtensorModule", "Uids", [1])]
        return uid, await receipt.is_success, records

    uid, success, records = asyncio.run(scenario())

    assert _value(uid) == 1
    assert success is True
    assert len(records) == 2
    assert chain.weights(1, 0) == [(1, 65535)]


def test_an_accounts_nonce_moves_when_an_extrinsic_is_included_not_when_asked(chain):
    sub = FakeSubtensor(chain)
    address = VALIDATOR.hotkey.ss58_address
    assert sub.substrate.get_account_next_index(address) == 0
    assert sub.substrate.get_account_next_index(address) == 0  # asking spends nothing
    receipt = _send(
        sub,
        VALIDATOR.hotkey,
        "set_weights",
        {"netuid": 1, "dests": [1], "weights": [65535], "version_key": 0},
    )
    assert sub.substrate.get_account_next_index(address) == 1
    # a second subtensor over the same chain (another bt.Subtensor() of the neuron) sees
    # the same nonce and the same block's events
    other = FakeSubtensor(chain).substrate
    assert other.get_account_nonce(address) == 1
    assert other.get_events(receipt.block_hash) == sub.substrate.get_events(receipt.block_hash)
