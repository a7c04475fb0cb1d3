"""Miners that are aiohttp applications, served by aiohttp's own server on simnet's host
with the same transports, faults, hygiene, clocks and start/stop as ASGI miners; what
serve() cannot serve is refused at the call (bittensor 11.x)."""

from __future__ import annotations

import json

import bittensor as bt
import httpx
import pytest
from aiohttp import web

from simnet.faults import (
    DisconnectAfter,
    DripFeed,
    ErrorStatus,
    IdleDisconnect,
    LostResponse,
)
from simnet.v11 import Network, ServedApp

from .apps import query_miner, validator_step

PROMPT = "one two three four"


def aiohttp_miner(wallet: bt.Wallet, lifecycle: list[str] | None = None) -> web.Application:
    """A miner as an aiohttp subnet writes one: btauth/1 checked with the SDK's own
    ``verify`` on the raw target, SSE tokens written as they are produced."""
    hotkey = wallet.hotkey.ss58_address

    async def generate(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        try:
            bt.http_auth.verify(
                request.headers,
                body,
                method=request.method,
                path=request.raw_path,
                self_hotkey_ss58=hotkey,
            )
        except bt.http_auth.AuthError as exc:
            raise web.HTTPUnauthorized(text=str(exc)) from None
        response = web.StreamResponse(headers={"content-type": "text/event-stream"})
        await response.prepare(request)
        for token in json.loads(body)["prompt"].split():
            await response.write(f"data: {json.dumps({'token': token})}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("the aiohttp miner's own bug")

    app = web.Application()
    app.router.add_post("/generate", generate)
    app.router.add_get("/broken", broken)
    if lifecycle is not None:

        async def started(app: web.Application) -> None:
            lifecycle.append("startup")

        async def cleaned_up(app: web.Application) -> None:
            lifecycle.append("cleanup")

        app.on_startup.append(started)
        app.on_cleanup.append(cleaned_up)
    return app


def _validator(net: Network) -> bt.Wallet:
    return net.register(1, "validator", stake=1000.0, validator_permit=True)


def _serve(net: Network, name: str = "miner", lifecycle: list[str] | None = None) -> ServedApp:
    wallet = net.wallet(name)
    return net.serve(1, aiohttp_miner(wallet, lifecycle), wallet)


async def _neuron(net: Network, uid: int) -> bt.MetagraphNeuron:
    async with net.client() as client:
        metagraph = await client.subnets.metagraph(1)
    assert metagraph is not None
    return metagraph.neurons[uid]


@pytest.mark.asyncio
@pytest.mark.simnet(transport=["tcp", "memory"])
async def test_an_unmodified_validator_step_scores_aiohttp_miners_and_asgi_miners_alike(
    simnet_v11: Network,
) -> None:
    validator = _validator(simnet_v11)
    for name in ("miner-0", "miner-1"):
        _serve(simnet_v11, name)

    result = await validator_step(validator, prompt="a b c")

    assert result.success, result.message
    assert simnet_v11.chain.weights(1, 0) == [(1, 65535), (2, 65535)]


@pytest.mark.asyncio
@pytest.mark.simnet(transport=["tcp", "memory"])
async def test_an_aiohttp_miners_stream_arrives_piece_by_piece_under_drip_feed(
    simnet_v11: Network,
) -> None:
    validator = _validator(simnet_v11)
    served = _serve(simnet_v11)
    plan = served.inject(DripFeed(0.001, size=16))

    async with simnet_v11.http(validator) as http:
        async with http.stream("POST", served.url + "/generate", json={"prompt": PROMPT}) as r:
            pieces = [piece async for piece in r.aiter_raw()]

    assert len(pieces) > 5
    assert b"".join(pieces).count(b"data: ") == 5
    assert [e.fault for e in plan.events] == ["DripFeed"]


@pytest.mark.asyncio
@pytest.mark.simnet(transport=["tcp", "memory"])
async def test_a_disconnect_fault_cuts_an_aiohttp_miners_stream_after_what_was_sent(
    simnet_v11: Network,
) -> None:
    validator = _validator(simnet_v11)
    served = _serve(simnet_v11)
    plan = served.inject(DisconnectAfter(chunks=2))
    received: list[str] = []

    async def read(http: httpx.AsyncClient) -> None:
        async with http.stream("POST", served.url + "/generate", json={"prompt": PROMPT}) as r:
            async for line in r.aiter_lines():
                received.append(line)

    async with simnet_v11.http(validator) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await read(http)

    assert [line for line in received if line] == [
        'data: {"token": "one"}',
        'data: {"token": "two"}',
    ]
    assert [e.fault for e in plan.events] == ["DisconnectAfter"]
    assert simnet_v11.problems == []  # the cut is the fault's, not the miner's


@pytest.mark.asyncio
async def test_a_replacing_fault_answers_for_an_aiohttp_miner_without_calling_it(
    simnet_v11: Network,
) -> None:
    validator = _validator(simnet_v11)
    served = _serve(simnet_v11)
    served.inject(ErrorStatus(503, "busy"))

    async with simnet_v11.http(validator) as http:
        first = await http.post(served.url + "/generate", json={"prompt": PROMPT})
        served.clear_faults()
        second = await http.post(served.url + "/generate", json={"prompt": PROMPT})

    assert (first.status_code, first.headers["content-type"]) == (503, "application/json")
    assert "busy" in first.text
    assert second.status_code == 200  # the nonce of the first never reached the miner


@pytest.mark.asyncio
@pytest.mark.simnet(transport=["tcp", "memory"])
@pytest.mark.parametrize(
    ("fault", "lost"), [(LostResponse(503), 503), (LostResponse(reset=True), "reset")]
)
async def test_an_aiohttp_miner_handles_the_request_whose_response_a_fault_then_loses(
    simnet_v11: Network, fault: LostResponse, lost: int | str
) -> None:
    validator = _validator(simnet_v11)
    served = _serve(simnet_v11)
    plan = served.inject(fault)

    async with simnet_v11.http(validator) as http:
        try:
            response = await http.post(served.url + "/generate", json={"prompt": PROMPT})
            first: int | str = response.status_code
        except (httpx.RemoteProtocolError, httpx.ReadError):
            first = "reset"
        served.clear_faults()
        second = await http.post(served.url + "/generate", json={"prompt": PROMPT})

    assert first == lost
    assert second.status_code == 200
    assert [e.fault for e in plan.events] == ["LostResponse"]


@pytest.mark.asyncio
async def test_idle_disconnect_drops_a_reused_connection_to_an_aiohttp_miner(
    simnet_v11: Network,
) -> None:
    served = _serve(simnet_v11)
    plan = served.inject(IdleDisconnect())

    async with simnet_v11.http() as http:
        first = await http.post(served.url + "/generate", json={"prompt": PROMPT})
        with pytest.raises(httpx.TransportError):  # a reset, or no response: as the OS has it
            await http.post(served.url + "/generate", json={"prompt": PROMPT})

    assert first.status_code == 401  # unsigned: served, on a new connection
    assert [e.fault for e in plan.events] == ["IdleDisconnect"]


@pytest.mark.asyncio
@pytest.mark.simnet(strict=False)
async def test_an_exception_in_an_aiohttp_handler_is_reported_as_the_miners_problem(
    simnet_v11: Network,
) -> None:
    served = _serve(simnet_v11)

    async with simnet_v11.http() as http:
        broken = await http.get(served.url + "/broken")
        refused = await http.post(served.url + "/generate", json={"prompt": PROMPT})

    assert (broken.status_code, refused.status_code) == (500, 401)
    assert ["the aiohttp miner's own bug" in str(p) for p in simnet_v11.problems] == [True]


@pytest.mark.asyncio
async def test_an_aiohttp_miner_verifies_signatures_on_its_own_clock(
    simnet_v11: Network,
) -> None:
    validator = _validator(simnet_v11)
    served = _serve(simnet_v11)
    neuron = await _neuron(simnet_v11, served.uid)

    async with simnet_v11.http() as http:
        served.clock.set_skew(3600)
        with pytest.raises(httpx.HTTPStatusError, match="401"):
            await query_miner(http, validator, neuron, PROMPT)
        served.clock.set_skew(0)
        assert await query_miner(http, validator, neuron, PROMPT) == PROMPT.split()


@pytest.mark.simnet(transport=["tcp", "memory"])
def test_an_aiohttp_miners_startup_runs_at_serve_and_its_cleanup_at_stop(
    simnet_v11: Network,
) -> None:
    lifecycle: list[str] = []
    served = _serve(simnet_v11, lifecycle=lifecycle)
    assert lifecycle == ["startup"]

    served.stop()

    assert lifecycle == ["startup", "cleanup"]
    assert not served.running
    assert served.port not in simnet_v11.host.memory.ports


@pytest.mark.simnet(transport=["tcp", "memory"])
def test_an_aiohttp_miner_whose_startup_fails_raises_at_serve_and_gives_its_port_back(
    simnet_v11: Network,
) -> None:
    async def no_model(app: web.Application) -> None:
        raise RuntimeError("the model did not load")

    app = web.Application()
    app.on_startup.append(no_model)
    reserved = list(simnet_v11.host.memory.ports)

    with pytest.raises(RuntimeError, match="the model did not load"):
        simnet_v11.serve(1, app, simnet_v11.wallet("miner"))

    assert simnet_v11.served == []
    assert simnet_v11.host.memory.ports == reserved


def _wsgi(environ: dict, start_response: object) -> list[bytes]:
    return [b""]


async def _handler(request: web.Request) -> web.Response:
    return web.Response()


@pytest.mark.parametrize(
    ("app", "named"),
    [(_wsgi, "builtins.function"), (_handler, "builtins.function"), (object(), "builtins.object")],
    ids=["wsgi", "aiohttp-handler", "object"],
)
def test_what_serve_cannot_serve_is_refused_at_the_call_in_one_line(
    simnet_v11: Network, app: object, named: str
) -> None:
    wallet = simnet_v11.wallet("miner")
    with pytest.raises(TypeError) as refused:
        simnet_v11.serve(1, app, wallet)

    message = str(refused.value)
    assert message == (
        f"cannot serve a {named}: serve() takes an ASGI app (FastAPI, Starlette, or "
        "`async def app(scope, receive, send)`) or an aiohttp.web.Application"
    )
    assert simnet_v11.served == []
    assert not simnet_v11.chain.is_registered(1, wallet.hotkey.ss58_address)
