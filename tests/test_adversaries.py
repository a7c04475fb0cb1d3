"""Adversarial miners served as any miner is, and adversarial validators on the chain."""

import time
from typing import Optional

import bittensor as bt
import pytest

from simnet.adversaries import (
    Copier,
    Empty,
    Garbage,
    LastSecond,
    Lazy,
    Oversized,
    Replayer,
    Stale,
    ValidatorDetector,
    WeightCopier,
)


class Doubling(bt.Synapse):
    x: int
    y: Optional[int] = None  # noqa: UP045 - a pydantic field, as subnets write them


async def double(synapse: Doubling) -> Doubling:
    synapse.y = synapse.x * 2
    return synapse


async def never(synapse: Doubling) -> Doubling:
    raise AssertionError("a copier never computes an answer itself")


async def ask(net, caller, served, x):
    async with net.dendrite(caller) as dendrite:
        (answer,) = await dendrite(
            axons=[net.metagraph(1).axons[served.uid]], synapse=Doubling(x=x), timeout=5
        )
    return answer.y


@pytest.mark.asyncio
async def test_an_empty_miner_answers_nothing(simnet, simnet_serve, simnet_validator):
    served = simnet_serve(Empty(double))
    assert await ask(simnet, simnet_validator, served, 3) is None


@pytest.mark.asyncio
async def test_a_garbage_miner_fills_the_answer_with_a_wrong_value_of_its_type(
    simnet, simnet_serve, simnet_validator
):
    served = simnet_serve(Garbage(double, seed=1))
    answer = await ask(simnet, simnet_validator, served, 3)
    assert isinstance(answer, int)
    assert answer != 6


@pytest.mark.asyncio
async def test_an_oversized_answer_reaches_the_validator_whole(
    simnet, simnet_serve, simnet_validator
):
    served = simnet_serve(Oversized(double))
    assert len(str(await ask(simnet, simnet_validator, served, 3))) == 4000


@pytest.mark.asyncio
async def test_a_replayer_answers_every_query_with_its_first_answer(
    simnet, simnet_serve, simnet_validator
):
    served = simnet_serve(Replayer(double))
    assert [await ask(simnet, simnet_validator, served, x) for x in (1, 2, 3)] == [2, 2, 2]


@pytest.mark.asyncio
async def test_a_last_second_miner_answers_honestly_just_inside_the_timeout():
    synapse = Doubling(x=4, timeout=0.5)
    started = time.monotonic()
    answered = await LastSecond(double, margin=0.2).forward(synapse)
    assert answered.y == 8
    assert time.monotonic() - started >= 0.29


@pytest.mark.asyncio
async def test_a_validator_detector_answers_permit_holders_only(
    simnet, simnet_serve, simnet_validator
):
    served = simnet_serve(lambda ctx: ValidatorDetector(double, metagraph=ctx.metagraph))
    stranger = simnet.register(1, "stranger")
    assert await ask(simnet, simnet_validator, served, 5) == 10
    assert await ask(simnet, stranger, served, 5) is None


@pytest.mark.asyncio
async def test_a_copier_answers_with_what_the_other_miners_answer(
    simnet, simnet_serve, simnet_validator
):
    simnet_serve(double)
    simnet_serve(double)
    copier_wallet = simnet.wallet("copier")
    dendrite = simnet.dendrite(copier_wallet)
    copier = Copier(never, dendrite=dendrite, metagraph=simnet.metagraph(1))
    served = simnet_serve(copier, name="copier")
    try:
        assert await ask(simnet, simnet_validator, served, 7) == 14
    finally:
        simnet.host.call(dendrite.aclose_session())


def test_an_adversarial_miner_keeps_the_wrapped_miners_synapse_and_blacklist():
    class Miner:
        async def forward(self, synapse: Doubling) -> Doubling:
            return synapse

        def blacklist(self, synapse: Doubling):
            return False, ""

    miner = Miner()
    adversary = Empty(miner)
    assert adversary.forward.__wrapped__ == miner.forward
    assert adversary.blacklist == miner.blacklist


def _validator(simnet, cls, *, tempo=5, cutoff=None):
    subnet = simnet.subnet(1, double, miners=3, validators=1)
    params = {"tempo": tempo, "weights_rate_limit": 0}
    if cutoff:
        params["activity_cutoff"] = cutoff
    simnet.chain.set_hyperparameters(1, **params)
    registration = simnet.register(1, cls.strategy, stake=1000, validator_permit=True)
    simnet.chain.advance(1)  # weights set at the miners' registration block do not count
    adversary = cls(simnet.chain, simnet.subtensor, registration.wallet, 1, every=tempo)
    return subnet, registration, adversary


def test_a_lazy_validator_sets_uniform_weights_on_every_serving_miner(simnet):
    subnet, registration, lazy = _validator(simnet, Lazy)
    lazy.step()
    weights = simnet.chain.weights(1, registration.uid)
    assert [uid for uid, _ in weights] == [m.uid for m in subnet.miners]
    assert len({w for _, w in weights}) == 1


def test_a_weight_copier_sets_the_last_epochs_consensus(simnet):
    subnet, registration, copier = _validator(simnet, WeightCopier)
    honest = subnet.validators[0]
    miner = subnet.miners[1].uid
    simnet.subtensor.set_weights(wallet=honest.wallet, netuid=1, uids=[miner], weights=[1.0])
    copier.step()
    assert simnet.chain.weights(1, registration.uid) == []  # no epoch yet: nothing to copy
    simnet.chain.run_epoch(1)
    copier.step()
    assert simnet.chain.weights(1, registration.uid) == [(miner, 65535)]


def test_a_stale_validator_sets_weights_again_only_near_the_activity_cutoff(simnet):
    subnet, registration, stale = _validator(simnet, Stale, tempo=5, cutoff=20)
    honest = subnet.validators[0]
    miner = subnet.miners[0].uid
    simnet.subtensor.set_weights(wallet=honest.wallet, netuid=1, uids=[miner], weights=[1.0])
    simnet.chain.run_epoch(1)
    stale.step()
    first = simnet.chain.neuron(1, registration.hotkey).last_update
    for _ in range(14):
        simnet.chain.advance(1)
        stale.step()
    assert simnet.chain.neuron(1, registration.hotkey).last_update == first
    simnet.chain.advance(1)
    stale.step()
    assert simnet.chain.neuron(1, registration.hotkey).last_update == first + 15 > 15
