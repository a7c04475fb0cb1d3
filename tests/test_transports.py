"""Both transports, TCP on 127.0.0.1 and in memory, carry the real Axon and Dendrite alike."""

import asyncio
import socket
import threading
import time
import typing
from pathlib import Path

import aiohttp
import pytest

import simnet
from client import stream_prompt
from miner import Miner
from simnet import faults
from simnet.network.host import AxonHost
from simnet.network.memory import MemoryConnector, _PipeEnd

PROMPT = "first second third fourth"

pytestmark = pytest.mark.simnet(transport=["tcp", "memory"])


class _WaitsForTheClient(Miner):
    """Sends one token, then sends the rest only once the client has seen that one."""

    def __init__(self, ctx, seen: threading.Event) -> None:
        super().__init__(ctx.wallet, ctx.metagraph, tokens_per_send=1)
        self.seen = seen
        self.waited_for_client = False

    async def _stream(self, tokens, send) -> None:
        await super()._stream(tokens[:1], send)
        deadline = time.monotonic() + 5
        while not self.seen.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        self.waited_for_client = self.seen.is_set()
        await super()._stream(tokens[1:], send)


@pytest.mark.asyncio
async def test_each_chunk_arrives_before_the_miner_sends_the_next(
    simnet_serve, simnet_dendrite, simnet_metagraph
):
    seen = threading.Event()
    miners: list[_WaitsForTheClient] = []
    axon = simnet_serve(lambda ctx: miners.append(_WaitsForTheClient(ctx, seen)) or miners[-1])

    pieces: list[str] = []

    def on_text(text: str) -> None:
        pieces.append(text)
        seen.set()

    final = await stream_prompt(
        simnet_dendrite, simnet_metagraph.axons[axon.uid], PROMPT, on_text=on_text
    )

    assert final.completion == PROMPT
    assert miners[0].waited_for_client  # nothing held the first chunk back
    assert pieces[0] == "first"


@pytest.mark.asyncio
async def test_chunks_sent_right_before_the_connection_is_cut_are_kept(
    simnet_serve, simnet_dendrite, simnet_metagraph
):
    back_to_back = lambda ctx: Miner(ctx.wallet, ctx.metagraph, tokens_per_send=1)  # noqa: E731
    axon = simnet_serve(back_to_back, faults=[faults.DisconnectAfter(chunks=3)])

    final = await stream_prompt(
        simnet_dendrite, simnet_metagraph.axons[axon.uid], PROMPT, on_text=lambda _: None
    )

    assert final.completion == "first second third"
    assert final.dendrite.status_code == 400  # the payload error, after what arrived


@pytest.mark.asyncio
async def test_an_axon_that_stopped_is_unavailable(
    simnet_serve, simnet_dendrite, simnet_metagraph, reference_miner
):
    axon = simnet_serve(reference_miner)
    target = simnet_metagraph.axons[axon.uid]
    axon.stop()

    final = await stream_prompt(simnet_dendrite, target, PROMPT, on_text=lambda _: None)

    assert final.dendrite.status_code == 503
    assert final.dendrite.status_message.startswith("Service unavailable at")


def test_the_transport_is_named_by_the_served_axon(simnet_serve, simnet_transport, reference_miner):
    axon = simnet_serve(reference_miner)
    assert axon.transport == simnet_transport
    assert axon.listen_address == ("127.0.0.1", axon.port)
    assert ("in memory" in repr(axon)) == (simnet_transport == "memory")


@pytest.fixture
def no_inet_sockets(monkeypatch):
    """Refuse to create any IPv4/IPv6 socket, as a sandbox without networking does.

    Unix socket pairs stay allowed: every asyncio event loop makes one to wake itself.
    """
    refused: list[int] = []

    class _Socket(socket.socket):
        def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
            if fileno is None and family in (socket.AF_INET, socket.AF_INET6, -1):
                refused.append(family)
                raise PermissionError(f"no network sockets here (family {family})")
            super().__init__(family, type, proto, fileno)

    monkeypatch.setattr(socket, "socket", _Socket)
    return refused


def test_the_memory_transport_creates_no_network_socket(no_inet_sockets):
    with pytest.raises(PermissionError):
        socket.socket()  # the sandbox works
    no_inet_sockets.clear()

    async def scenario() -> simnet.Simnet:
        async with simnet.Simnet(transport="memory") as net:
            validator = net.register(1, "validator", stake=1000, validator_permit=True)
            axon = net.serve(1, lambda ctx: Miner(ctx.wallet, ctx.metagraph))
            async with net.dendrite(validator) as dendrite:
                final = await stream_prompt(
                    dendrite, net.metagraph(1).axons[axon.uid], PROMPT, on_text=lambda _: None
                )
            assert (final.dendrite.status_code, final.completion) == (200, PROMPT)
        return net

    net = asyncio.run(scenario())

    assert no_inet_sockets == []
    assert net.problems == []


def test_an_unknown_transport_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"transport='udp' must be one of tcp, memory"):
        simnet.Simnet(transport="udp")  # type: ignore[arg-type]


def test_a_slow_reader_pauses_the_in_memory_stream_and_loses_nothing(monkeypatch):
    """Flow control: aiohttp pauses reading when its buffer fills, as it would a socket."""

    chunks = [bytes([i]) * 65_536 for i in range(64)]  # 4 MiB, each chunk recognisable

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for chunk in chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    pauses: list[bool] = []
    original = _PipeEnd.pause_reading

    def pause_reading(self: _PipeEnd) -> None:
        pauses.append(True)
        original(self)

    monkeypatch.setattr(_PipeEnd, "pause_reading", pause_reading)

    async def read_slowly(port: int) -> bytes:
        async with aiohttp.ClientSession(connector=MemoryConnector(host.memory)) as session:
            async with session.get(f"http://127.0.0.1:{port}/") as response:
                await asyncio.sleep(0.2)  # let the server run ahead of the reader
                return b"".join([part async for part in response.content.iter_any()])

    host = AxonHost()
    try:
        port = host.memory.reserve()
        server = host.serve(app, port)
        received = asyncio.run(read_slowly(port))
        server.request_stop()
        server.wait()
    finally:
        host.close()

    assert received == b"".join(chunks)
    assert pauses  # the reader did fall behind, and was paused and resumed


_UNDER_PYTEST_SOCKET = """
import pytest
from client import stream_prompt
from miner import Miner

@pytest.mark.asyncio
@pytest.mark.simnet(transport=["memory", "tcp"])
async def test_stream(simnet_serve, simnet_dendrite, simnet_metagraph):
    axon = simnet_serve(lambda ctx: Miner(ctx.wallet, ctx.metagraph))
    final = await stream_prompt(simnet_dendrite, simnet_metagraph.axons[axon.uid], "hi there")
    assert (final.dendrite.status_code, final.completion) == (200, "hi there")
"""


def test_under_pytest_socket_only_the_memory_transport_works(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent.parent))  # the reference subnet
    pytester.makepyfile(_UNDER_PYTEST_SOCKET)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest_subprocess(
        "-v", "-p", "no:randomly", "--disable-socket", "--allow-unix-socket"
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*test_stream?memory?*PASSED*", "*test_stream?tcp?*FAILED*"])


def test_closing_a_network_frees_its_in_memory_ports(reference_miner):
    host = AxonHost()
    try:
        with simnet.Simnet(transport="memory", host=host) as net:
            served = [net.serve(1, reference_miner) for _ in range(3)]
            assert host.memory.ports == sorted(axon.port for axon in served)
        assert host.memory.ports == []
    finally:
        host.close()


def test_the_plugin_offers_exactly_the_transports_simnet_has():
    from simnet import plugin
    from simnet.network.transports import TRANSPORTS

    assert plugin.TRANSPORTS is TRANSPORTS
    assert TRANSPORTS == typing.get_args(simnet.Transport)


def test_a_transport_is_parsed_once_into_an_object_equal_to_its_name():
    from simnet.network.transports import MEMORY, TCP, parse_transport

    assert parse_transport("tcp") is TCP
    assert parse_transport("memory") is MEMORY
    assert parse_transport(MEMORY) is MEMORY  # an object passes through
    assert (TCP, MEMORY) == ("tcp", "memory")
    assert (str(TCP), str(MEMORY)) == ("tcp", "memory")
    assert len({TCP, "tcp", MEMORY, "memory"}) == 2
    with pytest.raises(ValueError, match=r"^net\.transport='udp' must be one of tcp, memory$"):
        parse_transport("udp", setting="net.transport")


async def _hello(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


@pytest.mark.parametrize("name", ["tcp", "memory"])
def test_a_transport_listens_and_gives_the_clients_that_reach_what_listens(name):
    import httpx

    from simnet.network.transports import parse_transport

    transport = parse_transport(name)
    host = AxonHost()

    async def fetch(port: int) -> tuple[bytes, bytes]:
        url = f"http://127.0.0.1:{port}/"
        connector = transport.connector(host.memory)
        async with aiohttp.ClientSession(connector=connector) as session:
            async with session.get(url) as response:
                by_aiohttp = await response.read()
        async with httpx.AsyncClient(transport=transport.httpx_transport(host.memory)) as client:
            by_httpx = (await client.get(url)).content
        return by_aiohttp, by_httpx

    try:
        listener = transport.listen(host.memory)
        server = host.serve(_hello, listener)
        fetched = asyncio.run(fetch(listener.port))
        server.request_stop()
        server.wait()
    finally:
        host.close()

    assert fetched == (b"hello", b"hello")
    assert host.memory.ports == []


def test_an_in_memory_listener_takes_no_port_of_the_callers_choosing():
    from simnet.network.transports import MEMORY

    host = AxonHost()
    with pytest.raises(ValueError, match="port= is for transport='tcp'"):
        MEMORY.listen(host.memory, 8091)
    host.close()


def test_a_served_axon_is_the_one_served_handle(simnet_serve, simnet_transport, reference_miner):
    from tests.helpers import assert_the_one_served_handle

    assert_the_one_served_handle(simnet_serve(reference_miner), simnet_transport)
