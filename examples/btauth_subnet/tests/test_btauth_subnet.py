"""The subnet's own miner and validator classes, built from their command lines, on
simnet's offline 11.x network: no chain, no internet, no glue."""

import pytest
from btauth_subnet.config import parse
from btauth_subnet.miner import Miner
from btauth_subnet.validator import CHALLENGE, Validator

pytestmark = [pytest.mark.asyncio, pytest.mark.simnet(transport=["tcp", "memory"])]


def argv(net, name: str, *extra: str) -> list[str]:
    return [
        "--netuid",
        "1",
        "--network",
        "local",
        "--wallet.name",
        name,
        "--wallet.path",
        str(net.wallets.root),
        *extra,
    ]


def start_miner(net, name: str) -> Miner:
    net.wallet(name)  # the key files the miner's command line points at
    miner = Miner(parse("miner", argv(net, name)))
    net.serve(1, miner.app, miner.wallet)
    return miner


async def test_the_validator_scores_honest_miners_and_sets_weights(simnet_v11):
    simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    for i in range(3):
        start_miner(simnet_v11, f"miner-{i}")
    validator = Validator(parse("validator", argv(simnet_v11, "validator")))
    simnet_v11.advance(validator.config.epoch_length)
    async with simnet_v11.client() as client, simnet_v11.http() as http:
        result = await validator.step(client, http)
    assert result is not None
    assert result.success, result.message
    assert validator.scores == {1: 1.0, 2: 1.0, 3: 1.0}
    assert simnet_v11.chain.weights(1, 0) == [(1, 65535), (2, 65535), (3, 65535)]


async def test_the_validators_own_loop_runs_unmodified(simnet_v11):
    simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    start_miner(simnet_v11, "miner")
    validator = Validator(parse("validator", argv(simnet_v11, "validator")))
    simnet_v11.advance(validator.config.epoch_length)
    await validator.run(steps=1)  # builds its own bt.Client and httpx.AsyncClient
    assert validator.scores == {1: 1.0}
    assert simnet_v11.chain.weights(1, 0) == [(1, 65535)]


async def test_a_miner_that_stops_mid_stream_gets_partial_credit(simnet_v11):
    from simnet.faults import DisconnectAfter, FaultPlan

    simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    start_miner(simnet_v11, "honest")
    start_miner(simnet_v11, "flaky")
    simnet_v11.served[1].inject(FaultPlan(DisconnectAfter(chunks=3)))
    validator = Validator(parse("validator", argv(simnet_v11, "validator")))
    async with simnet_v11.client() as client, simnet_v11.http() as http:
        await validator.step(client, http)
    assert validator.scores[1] == 1.0
    assert 0 < validator.scores[2] < 0.5


async def test_the_miner_refuses_every_forged_request(simnet_v11):
    from simnet.v11 import assert_rejects_forgeries

    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    miner = start_miner(simnet_v11, "miner")
    served = simnet_v11.served[0]
    assert served.hotkey == miner.hotkey
    await assert_rejects_forgeries(
        simnet_v11,
        served,
        caller=validator,
        path="/query",
        body=f'{{"text": "{CHALLENGE}"}}'.encode(),
        headers={"content-type": "application/json"},
    )


async def test_a_validator_whose_clock_runs_behind_the_miners_is_refused(simnet_v11):
    simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    start_miner(simnet_v11, "miner")
    simnet_v11.served[0].clock.set_skew(30.0)
    validator = Validator(parse("validator", argv(simnet_v11, "validator")))
    async with simnet_v11.client() as client, simnet_v11.http() as http:
        await validator.step(client, http)
    assert validator.scores == {1: 0.0}
