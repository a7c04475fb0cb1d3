"""The security path with real keys: every attack is refused by the real axon middleware."""

import typing

import pytest

from miner import Miner
from protocol import StreamPrompting
from simnet import attacks

pytestmark = pytest.mark.simnet(transport=["tcp", "memory"])


@pytest.fixture
def reference_axon(simnet_serve):
    return simnet_serve(lambda ctx: Miner(ctx.wallet, ctx.metagraph))


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("name", "status", "message"),
    [
        ("tampered_body", 500, "Internal Server Error #"),
        ("bad_signature", 401, "Not Verified with error: Signature mismatch"),
        ("replayed_nonce", 401, "Not Verified with error: Nonce is too old, a newer one"),
        ("stale_nonce", 401, "Not Verified with error: Nonce is too old: acceptable delta"),
        ("wrong_axon_hotkey", 401, "Not Verified with error: Signature mismatch"),
        ("unregistered_caller", 403, "Forbidden. Key is blacklisted: hotkey"),
    ],
)
async def test_each_attack_is_refused_with_the_status_bittensor_gives(
    simnet, reference_axon, simnet_validator, name, status, message
):
    result = await attacks.attack(
        simnet, reference_axon, StreamPrompting(messages=["hi"]), name, caller=simnet_validator
    )
    assert (result.status, result.rejected) == (status, True)
    assert result.message.startswith(message)


@pytest.mark.asyncio
async def test_one_line_checks_a_miner_against_every_attack(
    simnet, reference_axon, simnet_validator
):
    results = await attacks.assert_rejects(
        simnet, reference_axon, StreamPrompting(messages=["hi"]), caller=simnet_validator
    )
    assert set(results) == set(attacks.ATTACKS)


@pytest.mark.asyncio
async def test_a_miner_that_lets_strangers_in_is_reported(simnet, simnet_serve, simnet_validator):
    async def welcome_everyone(synapse: StreamPrompting) -> typing.Tuple[bool, str]:  # noqa: UP006
        return False, "welcome"

    lax = simnet_serve(lambda ctx: Miner(ctx.wallet, ctx.metagraph), blacklist=welcome_everyone)

    with pytest.raises(AssertionError, match="unregistered_caller: got 200"):
        await attacks.assert_rejects(
            simnet, lax, StreamPrompting(messages=["hi"]), caller=simnet_validator
        )


@pytest.mark.asyncio
async def test_an_explicitly_blacklisted_caller_gets_403(simnet, simnet_serve, simnet_validator):
    banned = simnet.register(1, "banned", stake=5.0)

    async def blacklist(synapse: StreamPrompting) -> typing.Tuple[bool, str]:  # noqa: UP006
        return synapse.dendrite.hotkey == banned.hotkey, "banned hotkey"

    axon = simnet_serve(lambda ctx: Miner(ctx.wallet, ctx.metagraph), blacklist=blacklist)
    honest = await attacks.attack(
        simnet, axon, StreamPrompting(messages=["hi"]), "unregistered_caller", caller=banned
    )
    assert honest.status == 200  # an unregistered key gets past this custom blacklist...
    async with simnet.dendrite(banned) as dendrite:
        responses = await dendrite(
            [simnet.metagraph(1).axons[axon.uid]],
            StreamPrompting(messages=["hi"]),
            streaming=True,
            deserialize=False,
        )
        final = [item async for item in responses[0]][-1]
    assert final.dendrite.status_code == 403  # ...but the banned one does not
    assert final.dendrite.status_message == "Forbidden. Key is blacklisted: banned hotkey."


async def _query(simnet, who, axon):
    async with simnet.dendrite(who) as dendrite:
        responses = await dendrite(
            [simnet.metagraph(axon.netuid).axons[axon.uid]],
            StreamPrompting(messages=["hi"]),
            streaming=True,
            deserialize=False,
        )
        return [item async for item in responses[0]][-1]


@pytest.mark.asyncio
async def test_low_priority_callers_are_ranked_below_but_still_served(
    simnet, reference_axon, simnet_validator
):
    poor = simnet.register(1, "poor-validator", stake=1.0)
    priority = reference_axon.axon.priority_fns["StreamPrompting"]

    def request_from(hotkey):
        synapse = StreamPrompting(messages=["hi"])
        synapse.dendrite.hotkey = hotkey
        return synapse

    assert await priority(request_from(poor.hotkey)) == 1.0
    assert await priority(request_from(simnet_validator.hotkey)) == 1000.0
    # bittensor 10.x refuses on priority only when the priority call times out (503):
    # a low-priority caller is still served.
    final = await _query(simnet, poor, reference_axon)
    assert (final.dendrite.status_code, final.completion) == (200, "hi")


def test_an_unknown_attack_is_named(simnet, reference_axon, simnet_validator):
    import asyncio

    with pytest.raises(ValueError, match="unknown attack 'sql_injection'"):
        asyncio.run(
            attacks.attack(
                simnet,
                reference_axon,
                StreamPrompting(messages=["x"]),
                "sql_injection",
                caller=simnet_validator,
            )
        )


@pytest.mark.asyncio
async def test_attacks_take_a_uid_of_a_served_axon(simnet, reference_axon, simnet_validator):
    results = await attacks.assert_rejects(
        simnet, reference_axon.uid, StreamPrompting(messages=["hi"]), caller=simnet_validator
    )
    assert set(results) == set(attacks.ATTACKS)
    with pytest.raises(ValueError, match="no axon is served at uid 77"):
        await attacks.attack(
            simnet, 77, StreamPrompting(messages=["hi"]), "bad_signature", caller=simnet_validator
        )


@pytest.mark.asyncio
@pytest.mark.simnet(redirect=True)
async def test_attacks_take_the_axon_a_redirected_miner_built(simnet, simnet_validator):
    import bittensor as bt

    simnet.register(1, "miner")
    wallet = bt.Wallet(name="miner")
    miner = Miner(wallet, bt.Subtensor().metagraph(1))
    axon = bt.Axon(wallet=wallet)
    axon.attach(forward_fn=miner.forward, blacklist_fn=miner.blacklist)
    with pytest.raises(ValueError, match=r"is not served by simnet: .*axon\.start"):
        await attacks.attack(
            simnet, axon, StreamPrompting(messages=["hi"]), "bad_signature", caller=simnet_validator
        )
    axon.serve(netuid=1, subtensor=bt.Subtensor())
    axon.start()
    results = await attacks.assert_rejects(
        simnet, axon, StreamPrompting(messages=["hi"]), caller=simnet_validator
    )
    assert set(results) == set(attacks.ATTACKS)
