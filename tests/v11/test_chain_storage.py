"""The 11.x Substrate double reads the chain room's storage items (shared with the neuron
stack's substrate double): the recorded subnet owner, balances and the registration burn."""

from __future__ import annotations

import bittensor as bt
import pytest

from simnet.chain import balances
from simnet.v11 import Network


@pytest.mark.asyncio
async def test_the_metagraph_reports_the_recorded_subnet_owner_not_uid_zero(
    simnet_v11: Network,
) -> None:
    simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    owner = simnet_v11.register(1, "owner")
    simnet_v11.chain.set_owner(1, owner.coldkeypub.ss58_address, owner.hotkey.ss58_address)

    record = simnet_v11.substrate.metagraph_record(1, simnet_v11.chain.block)

    assert record is not None
    assert (record["owner_hotkey"], record["owner_coldkey"]) == (
        owner.hotkey.ss58_address,
        owner.coldkeypub.ss58_address,
    )
    assert await simnet_v11.substrate.query("SubtensorModule", "SubnetOwnerHotkey", [1]) == (
        owner.hotkey.ss58_address
    )


@pytest.mark.asyncio
async def test_a_burned_registration_through_the_sdk_takes_the_burn_from_the_coldkey(
    simnet_v11: Network,
) -> None:
    simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    newcomer = simnet_v11.wallet("newcomer")
    coldkey = newcomer.coldkeypub.ss58_address
    async with simnet_v11.client() as client:
        result = await client.execute(bt.BurnedRegister(netuid=1), newcomer)

    assert result.success, result.message
    account = await simnet_v11.substrate.query("System", "Account", [coldkey])
    assert account["data"]["free"] == balances.STARTING_BALANCE - balances.REGISTRATION_BURN
    assert await simnet_v11.substrate.query("SubtensorModule", "Burn", [1]) == (
        balances.REGISTRATION_BURN
    )
