"""Signed-HTTP miners served on simnet, reached by validators' own clients (bittensor 11.x)."""

from __future__ import annotations

import time

import bittensor as bt
import httpx
import pytest

from simnet.faults import DripFeed, FaultPlan, Latency
from simnet.v11 import BtAuth, Network, UnknownReceiver

from .apps import HotkeyAuth, create_app, query_miner, validator_step

PROMPT = {"prompt": "one two three"}


def serve_miners(net: Network, count: int) -> list[bt.Wallet]:
    wallets = [net.wallet(f"miner-{i}") for i in range(count)]
    for wallet in wallets:
        net.serve(1, create_app(wallet), wallet)
    return wallets


@pytest.mark.asyncio
@pytest.mark.simnet(transport=["tcp", "memory"])
async def test_an_unmodified_validator_step_scores_every_served_miner_and_sets_weights(
    simnet_v11: Network,
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    serve_miners(simnet_v11, 3)
    result = await validator_step(validator, prompt="a b c")
    assert result.success, result.message
    assert simnet_v11.chain.weights(1, 0) == [(1, 65535), (2, 65535), (3, 65535)]


@pytest.mark.asyncio
@pytest.mark.simnet(transport=["tcp", "memory"])
async def test_sse_arrives_chunk_by_chunk_as_the_miner_writes_it(simnet_v11: Network) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    serve_miners(simnet_v11, 1)
    simnet_v11.served[0].inject(FaultPlan(DripFeed(0.002, size=16)))
    async with simnet_v11.client() as client, simnet_v11.http() as http:
        metagraph = await client.subnets.metagraph(1)
        assert metagraph is not None
        neuron = metagraph.neurons[1]
        auth = HotkeyAuth(validator, neuron.hotkey)
        async with http.stream(
            "POST", f"http://{neuron.axon}/generate", json=PROMPT, auth=auth
        ) as r:
            pieces = [piece async for piece in r.aiter_raw()]
    assert len(pieces) > 3  # 16-byte pieces, each read as it came
    assert b"".join(pieces).count(b"data: ") == 4


@pytest.mark.asyncio
async def test_signed_requests_from_simnets_own_client_reach_the_miner_they_are_bound_to(
    simnet_v11: Network,
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    serve_miners(simnet_v11, 2)
    async with simnet_v11.http(validator) as http:
        for served in simnet_v11.served:
            response = await http.post(served.url + "/generate", json=PROMPT)
            assert response.status_code == 200, response.text
    async with simnet_v11.session() as session:  # aiohttp too, unsigned: refused
        async with session.post(simnet_v11.served[0].url + "/generate", json=PROMPT) as reply:
            assert reply.status == 401


@pytest.mark.asyncio
async def test_each_miner_keeps_its_own_nonces(simnet_v11: Network) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    serve_miners(simnet_v11, 2)
    body = b'{"prompt": "x"}'
    nonce = simnet_v11.clock.time_ns()
    async with simnet_v11.http() as http:
        statuses = []
        for served in [*simnet_v11.served, simnet_v11.served[0]]:
            headers = bt.http_auth.sign(
                validator,
                method="POST",
                path="/generate",
                body=body,
                receiver_ss58=served.hotkey,
                nonce_ns=nonce,
            )
            headers["content-type"] = "application/json"
            response = await http.post(served.url + "/generate", content=body, headers=headers)
            statuses.append(response.status_code)
    # one nonce, two receivers: two distinct requests; the third repeats the first
    assert statuses == [200, 200, 401]


@pytest.mark.asyncio
async def test_a_miner_clock_skewed_past_the_window_refuses_fresh_requests(
    simnet_v11: Network,
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    serve_miners(simnet_v11, 2)
    simnet_v11.served[1].clock.set_skew(15.0)  # 15 s ahead: a validator's now is stale
    async with simnet_v11.http(validator) as http:
        ok = await http.post(simnet_v11.served[0].url + "/generate", json=PROMPT)
        stale = await http.post(simnet_v11.served[1].url + "/generate", json=PROMPT)
    assert (ok.status_code, stale.status_code) == (200, 401)
    assert "freshness window" in stale.json()["detail"]


@pytest.mark.asyncio
async def test_moving_the_network_clock_moves_signers_and_miners_together(
    simnet_v11: Network,
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    serve_miners(simnet_v11, 1)
    simnet_v11.clock.advance(3600)
    async with simnet_v11.http(validator) as http:
        response = await http.post(simnet_v11.served[0].url + "/generate", json=PROMPT)
    assert response.status_code == 200
    assert simnet_v11.clock.time_ns() > time.time_ns() + 3599 * 10**9


@pytest.mark.asyncio
async def test_drip_feed_outlasts_a_per_read_timeout_that_never_fires(simnet_v11: Network) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    serve_miners(simnet_v11, 1)
    served = simnet_v11.served[0]
    plan = FaultPlan(DripFeed(0.01))  # a byte every 10 ms: each read far under 0.5 s
    served.inject(plan)
    async with simnet_v11.client() as client, simnet_v11.http(timeout=httpx.Timeout(0.5)) as http:
        metagraph = await client.subnets.metagraph(1)
        assert metagraph is not None
        started = time.perf_counter()
        tokens = await query_miner(http, validator, metagraph.neurons[1], "one two three")
        took = time.perf_counter() - started
    assert tokens == ["one", "two", "three"]
    assert took > 0.5  # the whole stream outlasts the read timeout, which never fired
    assert [e.fault for e in plan.events] == ["DripFeed"]


@pytest.mark.asyncio
async def test_metagraph_churn_between_steps_is_what_the_next_step_sees(
    simnet_v11: Network,
) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    serve_miners(simnet_v11, 2)
    first = await validator_step(validator)
    assert first.success
    simnet_v11.served[0].stop()  # a miner goes away; its address stays on chain
    newcomer = simnet_v11.wallet("newcomer")
    simnet_v11.serve(1, create_app(newcomer), newcomer)
    simnet_v11.advance(100)
    second = await validator_step(validator)
    assert second.success, second.message
    assert simnet_v11.chain.weights(1, 0) == [(2, 65535), (3, 65535)]


@pytest.mark.asyncio
@pytest.mark.simnet(strict=False)
async def test_an_exception_escaping_the_app_is_reported_as_the_miners_problem(
    simnet_v11: Network,
) -> None:
    async def broken(scope: dict, receive: object, send: object) -> None:
        raise RuntimeError("the miner's own bug")

    wallet = simnet_v11.wallet("broken")
    served = simnet_v11.serve(1, broken, wallet)
    async with simnet_v11.http() as http:
        response = await http.get(served.url + "/")
    assert response.status_code == 500
    assert ["the miner's own bug" in str(p) for p in simnet_v11.problems] == [True]


@pytest.mark.asyncio
async def test_wire_faults_apply_to_signed_http_miners_by_caller(simnet_v11: Network) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    serve_miners(simnet_v11, 1)
    plan = FaultPlan(Latency(0.05), caller=validator.hotkey.ss58_address)
    simnet_v11.served[0].inject(plan)
    async with simnet_v11.http(validator) as http:
        await http.post(simnet_v11.served[0].url + "/generate", json=PROMPT)
    assert [(e.fault, e.synapse) for e in plan.events] == [("Latency", "generate")]


def test_an_unknown_signing_scheme_is_named(simnet_v11: Network) -> None:
    with pytest.raises(ValueError, match="unknown signing scheme 'hmac'; simnet signs btauth/1"):
        simnet_v11.http(simnet_v11.wallet("v"), scheme="hmac")


@pytest.mark.asyncio
async def test_a_signed_request_to_an_address_no_miner_serves_is_named(simnet_v11: Network) -> None:
    validator = simnet_v11.register(1, "validator", stake=1000.0, validator_permit=True)
    serve_miners(simnet_v11, 1)
    async with simnet_v11.http(validator) as http:
        with pytest.raises(UnknownReceiver, match=r"no miner is served at 127\.0\.0\.1:9 to sign"):
            await http.post("http://127.0.0.1:9/generate", json=PROMPT)


def test_a_receiver_that_is_not_a_hotkey_address_is_named(simnet_v11: Network) -> None:
    with pytest.raises(ValueError, match="receiver 'miner-1' is not an ss58 hotkey address"):
        BtAuth(simnet_v11.wallet("v"), "miner-1")


@pytest.mark.simnet(transport=["tcp", "memory"])
def test_a_served_app_is_the_one_served_handle(simnet_v11: Network, simnet_transport) -> None:
    from tests.helpers import assert_the_one_served_handle

    wallet = simnet_v11.wallet("miner")
    assert_the_one_served_handle(simnet_v11.serve(1, create_app(wallet), wallet), simnet_transport)


def test_a_second_open_network_is_refused_in_one_line_and_closing_out_of_order_keeps_the_first():
    from simnet.v11.network import NetworkAlreadyOpen
    from simnet.v11.sdk import client_module

    original = client_module.RpcSubstrate
    first = Network(transport="memory", blocking_threshold=None).open()
    second = Network(blocking_threshold=None)
    try:
        with pytest.raises(NetworkAlreadyOpen) as refused:
            second.open()
        second.close()  # the refused one, closed before the first: changes nothing
        assert client_module.RpcSubstrate == first._rpc_substrate
    finally:
        first.close()

    assert "\n" not in str(refused.value)
    assert str(refused.value).startswith("another simnet.v11.Network is open in this process")
    assert client_module.RpcSubstrate is original
    with Network(blocking_threshold=None) as again:  # and one opens again
        assert client_module.RpcSubstrate == again._rpc_substrate
    assert client_module.RpcSubstrate is original
