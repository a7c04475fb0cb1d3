"""Adversarial miners on 11.x: ASGI apps wrapping the subnet's own app (FastAPI or
aiohttp), served as the app is, answering a validator's signed requests their own way."""

from __future__ import annotations

import json
import random
import time
from typing import Any

import bittensor as bt
import httpx
import pytest
from fastapi import FastAPI

from simnet.adversaries import (
    ADVERSARIAL_MINERS,
    Copier,
    Empty,
    Garbage,
    LastSecond,
    Oversized,
    Replayer,
    ValidatorDetector,
)
from simnet.faults import DripFeed
from simnet.v11 import Network, ServedApp

from .apps import create_app, query_miner
from .test_aiohttp_miners import aiohttp_miner

PROMPT = "one two three"


def _validator(net: Network) -> bt.Wallet:
    return net.register(1, "validator", stake=1000.0, validator_permit=True)


def _serve(net: Network, name: str, wrap: Any = None, **faults: Any) -> ServedApp:
    wallet = net.wallet(name)
    app = create_app(wallet)
    return net.serve(1, wrap(app) if wrap else app, wallet, **faults)


async def _ask(net: Network, caller: bt.Wallet, served: ServedApp, prompt: str = PROMPT) -> Any:
    async with net.client() as client:
        metagraph = await client.subnets.metagraph(1)
    async with httpx.AsyncClient(timeout=5.0) as http:
        return await query_miner(http, caller, metagraph.neurons[served.uid], prompt)


def _broken(wallet: bt.Wallet) -> FastAPI:
    """An app that never answers /generate: what a copier serves and never asks."""
    app = FastAPI()

    @app.post("/generate")
    async def generate() -> None:
        raise AssertionError("a copier never computes an answer itself")

    return app


def test_the_11x_miners_have_the_neuron_stacks_strategy_names() -> None:
    assert set(ADVERSARIAL_MINERS) == {
        "copier",
        "replayer",
        "last-second",
        "empty",
        "garbage",
        "oversized",
        "validator-detector",
    }


@pytest.mark.asyncio
async def test_an_empty_miner_streams_nothing(simnet_v11: Network) -> None:
    validator = _validator(simnet_v11)
    served = _serve(simnet_v11, "empty", Empty)
    assert await _ask(simnet_v11, validator, served) == []


@pytest.mark.asyncio
async def test_a_garbage_miner_streams_wrong_tokens_of_the_right_shape(simnet_v11: Network) -> None:
    validator = _validator(simnet_v11)
    served = _serve(simnet_v11, "garbage", lambda app: Garbage(app, seed=1))
    tokens = await _ask(simnet_v11, validator, served)
    assert len(tokens) == 3
    assert all(isinstance(t, str) for t in tokens)
    assert tokens != PROMPT.split()


@pytest.mark.asyncio
async def test_an_oversized_miner_streams_each_token_grown_to_size(simnet_v11: Network) -> None:
    validator = _validator(simnet_v11)
    served = _serve(simnet_v11, "big", lambda app: Oversized(app, size=10_000))
    tokens = await _ask(simnet_v11, validator, served)
    assert [len(t) for t in tokens] == [10_000] * 3
    assert tokens[0].startswith("oneone")


@pytest.mark.asyncio
async def test_a_replayer_answers_every_later_query_with_its_first_answer(
    simnet_v11: Network,
) -> None:
    validator = _validator(simnet_v11)
    served = _serve(simnet_v11, "replayer", Replayer)
    assert await _ask(simnet_v11, validator, served, "a b c") == ["a", "b", "c"]
    assert await _ask(simnet_v11, validator, served, "d e f") == ["a", "b", "c"]


@pytest.mark.asyncio
async def test_a_last_second_miner_answers_just_inside_the_validators_timeout(
    simnet_v11: Network,
) -> None:
    validator = _validator(simnet_v11)
    served = _serve(simnet_v11, "late", lambda app: LastSecond(app, timeout=1.0, margin=0.3))
    started = time.monotonic()
    tokens = await _ask(simnet_v11, validator, served)
    assert tokens == PROMPT.split()
    assert 0.7 <= time.monotonic() - started < 5.0


@pytest.mark.asyncio
async def test_a_drip_feeder_is_the_honest_app_behind_the_drip_feed_fault(
    simnet_v11: Network,
) -> None:
    validator = _validator(simnet_v11)
    served = _serve(simnet_v11, "drip", faults=[DripFeed(0.001, size=8)])
    assert await _ask(simnet_v11, validator, served) == PROMPT.split()
    (event,) = served.faults[0].events
    assert event.detail.endswith("8 at a time")


@pytest.mark.asyncio
async def test_a_validator_detector_answers_permit_holders_and_no_one_else(
    simnet_v11: Network,
) -> None:
    validator = _validator(simnet_v11)
    outsider = simnet_v11.register(1, "outsider")  # registered, no permit
    served = _serve(simnet_v11, "detector", lambda app: ValidatorDetector(app, netuid=1))
    assert await _ask(simnet_v11, validator, served) == PROMPT.split()
    assert await _ask(simnet_v11, outsider, served) == []


@pytest.mark.asyncio
@pytest.mark.simnet(transport=["tcp", "memory"])
async def test_a_copier_answers_what_other_miners_answer_over_its_own_signed_client(
    simnet_v11: Network,
) -> None:
    validator = _validator(simnet_v11)
    for i in range(2):
        _serve(simnet_v11, f"honest-{i}")
    wallet = simnet_v11.wallet("copier")
    copier = Copier(_broken(wallet), wallet=wallet, netuid=1)
    served = simnet_v11.serve(1, copier, wallet)
    assert await _ask(simnet_v11, validator, served) == PROMPT.split()


@pytest.mark.asyncio
async def test_a_sybil_group_is_hotkeys_of_one_coldkey_answering_alike(simnet_v11: Network) -> None:
    validator = _validator(simnet_v11)
    group = [simnet_v11.wallet("sybil", f"h{i}") for i in range(3)]
    served = [simnet_v11.serve(1, create_app(w), w) for w in group]
    assert {simnet_v11.chain.neuron(1, s.hotkey).coldkey for s in served} == {
        group[0].coldkeypub.ss58_address
    }
    assert [await _ask(simnet_v11, validator, s) for s in served] == [PROMPT.split()] * 3


@pytest.mark.asyncio
async def test_an_adversary_wraps_an_aiohttp_app_and_runs_its_lifecycle(
    simnet_v11: Network,
) -> None:
    validator = _validator(simnet_v11)
    lifecycle: list[str] = []
    wallet = simnet_v11.wallet("replayer")
    served = simnet_v11.serve(1, Replayer(aiohttp_miner(wallet, lifecycle)), wallet)
    assert lifecycle == ["startup"]
    assert await _ask(simnet_v11, validator, served, "a b") == ["a", "b"]
    assert await _ask(simnet_v11, validator, served, "c d") == ["a", "b"]
    served.stop()
    assert lifecycle == ["startup", "cleanup"]


def test_an_adversary_refuses_what_serve_cannot_serve_in_one_line() -> None:
    with pytest.raises(TypeError, match=r"cannot serve a builtins\.str"):
        Empty("not an app")


def test_a_garbage_answer_keeps_an_event_streams_framing() -> None:
    from simnet.wire.spoil import body, garbage

    sse = b'data: {"token": "a"}\n\ndata: [DONE]\n\n'
    spoiled = body(sse, "text/event-stream", lambda v: garbage(v, random.Random(0)))
    lines = spoiled.split(b"\n")
    assert json.loads(lines[0][len(b"data: ") :]).keys() == {"token"}
    assert lines[2] == b"data: [DONE]"
