"""The real streaming path (Axon + Dendrite through simnet) against a plain floor.

    .venv/bin/python benchmarks/e2e.py [--requests 300] [--rounds 5]

Measured in the same run, on the same host loop, with the same payload in the same
chunks:

* floor: a plain starlette StreamingResponse on uvicorn (loopback TCP), read by a
  plain aiohttp client;
* shape of an Axon: the same endpoint in a FastAPI app behind one pass-through
  ``BaseHTTPMiddleware``, which is how bittensor builds every Axon app (``AxonMiddleware``
  is a ``BaseHTTPMiddleware``), with no bittensor code at all: a lower bound for any
  path through a real Axon;
* simnet: the reference miner on a real Axon, read by the reference client through a
  real Dendrite, over TCP and over the in-memory transport.

Reported: median latency of one stream (target <= 2x the floor); 255 streams at once
(256 uids with the validator; target <= 3x); start-up and teardown of subnets of
N = 1, 16, 64, 256 miners; threads, file descriptors and RSS with 256 uids served.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

import simnet
from client import stream_prompt
from miner import EchoModel, Miner
from protocol import StreamPrompting
from simnet._compat import quiet_bittensor_logging
from simnet.network.host import AxonHost, bind_loopback

PROMPT = "the quick brown fox jumps over the lazy dog " * 8
TOKENS = EchoModel().tokens(PROMPT)
CHUNKS = ["".join(TOKENS[i : i + 3]).encode() for i in range(0, len(TOKENS), 3)]
FAN_OUT = 255
TRANSPORTS: tuple[simnet.Transport, ...] = ("tcp", "memory")


async def plain_endpoint(request: Request) -> StreamingResponse:
    await request.body()

    async def body():  # type: ignore[no-untyped-def]
        for chunk in CHUNKS:
            yield chunk

    return StreamingResponse(body(), media_type="text/event-stream")


class PassThrough(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        return await call_next(request)


def axon_shaped_app() -> FastAPI:
    app = FastAPI()
    app.add_api_route("/StreamPrompting", plain_endpoint, methods=["POST"])
    app.add_middleware(PassThrough)
    return app


BASELINES = {
    "floor": Starlette(routes=[Route("/StreamPrompting", plain_endpoint, methods=["POST"])]),
    "shape of an Axon": axon_shaped_app(),
}


async def plain_stream(session: aiohttp.ClientSession, port: int) -> str:
    payload = StreamPrompting(messages=[PROMPT]).model_dump()
    async with session.post(f"http://127.0.0.1:{port}/StreamPrompting", json=payload) as response:
        return "".join([chunk.decode() async for chunk in response.content.iter_any()])


async def last(stream):  # type: ignore[no-untyped-def]
    return [item async for item in stream][-1]


async def timed(make: Callable[[], Awaitable[Any]], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        await make()
        samples.append(time.perf_counter() - started)
    return samples


async def median_of(make: Callable[[], Awaitable[Any]], warm_up: int, times: int) -> float:
    await timed(make, warm_up)
    return statistics.median(await timed(make, times))


def miner(ctx: simnet.MinerContext) -> Miner:
    return Miner(ctx.wallet, ctx.metagraph)


async def baseline(app: Any, servers: int, requests: int, rounds: int) -> tuple[float, float]:
    """(one stream, ``servers`` streams at once) against ``app`` served ``servers`` times."""
    host = AxonHost()
    served = [host.serve(app, bind_loopback()) for _ in range(servers)]
    try:
        # A plain client with aiohttp's defaults, like the dendrite's own session (at most
        # 100 connections at once).
        async with aiohttp.ClientSession() as session:

            async def one() -> None:
                assert await plain_stream(session, served[0].port) == PROMPT

            async def all_at_once() -> None:
                texts = await asyncio.gather(*(plain_stream(session, s.port) for s in served))
                assert all(text == PROMPT for text in texts)

            single = await median_of(one, 20, requests)
            fan_out = await median_of(all_at_once, 1, rounds)
    finally:
        for server in served:
            server.request_stop()
        for server in served:
            server.wait()
        host.close()
    return single, fan_out


async def through_simnet(
    transport: simnet.Transport, requests: int, rounds: int
) -> tuple[float, float, dict[str, float]]:
    """(one stream, 255 streams at once, resources) through real Axons and a Dendrite."""
    # Not strict: a miner problem (say, the blocking detector firing on a loaded machine)
    # is printed, not raised, so that the figures are still reported.
    async with simnet.Simnet(transport=transport, strict=False) as net:
        subnet = net.subnet(1, miner, miners=FAN_OUT)
        target = subnet.axons[0]
        async with net.dendrite(subnet.validators[0]) as dendrite:

            async def one() -> None:
                final = await stream_prompt(dendrite, target, PROMPT, on_text=lambda _: None)
                assert final.completion == PROMPT

            async def all_at_once() -> None:
                streams = await dendrite(
                    subnet.axons,
                    StreamPrompting(messages=[PROMPT]),
                    streaming=True,
                    deserialize=False,
                )
                finals = await asyncio.gather(*map(last, streams))
                assert all(f.completion == PROMPT for f in finals)

            single = await median_of(one, 20, requests)
            fan_out = await median_of(all_at_once, 1, rounds)
            resources = {
                "threads": threading.active_count(),
                "fds": len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else -1,
                "rss_mb": resident_mb(),
            }
    for problem in net.problems:
        print(f"! {transport}: {problem}", file=sys.stderr)
    return single, fan_out, resources


def resident_mb() -> float:
    """The process's resident memory now (``VmRSS``), else its peak so far."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    (line,) = [line for line in status.splitlines() if line.startswith("VmRSS:")]
    return int(line.split()[1]) / 1024


def startup_teardown(n: int, transport: simnet.Transport) -> tuple[float, float]:
    net = simnet.Simnet(transport=transport)
    started = time.perf_counter()
    net.open()
    net.subnet(1, miner, miners=n, validators=0)
    up = time.perf_counter() - started
    started = time.perf_counter()
    net.close()
    return up, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    quiet_bittensor_logging()
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"bittensor {simnet.BITTENSOR_VERSION}; {len(CHUNKS)} chunks, {len(PROMPT)} bytes"
    )
    rows: dict[str, tuple[float, float]] = {}
    resources: dict[str, dict[str, float]] = {}
    for name, app in BASELINES.items():
        rows[name] = asyncio.run(baseline(app, FAN_OUT, args.requests, args.rounds))
    for transport in TRANSPORTS:
        single, fan_out, resources[transport] = asyncio.run(
            through_simnet(transport, args.requests, args.rounds)
        )
        rows[f"simnet, {transport}"] = single, fan_out
    floor_single, floor_fan_out = rows["floor"]
    print(f"{'':18s} {'one stream':>22s} {'255 at once':>24s}")
    for name, (single, fan_out) in rows.items():
        print(
            f"{name:18s} {single * 1e3:8.2f} ms {single / floor_single:5.2f}x   "
            f"{fan_out * 1e3:9.1f} ms {fan_out / floor_fan_out:5.2f}x"
        )
    print("targets: simnet <= 2x the floor for one stream, <= 3x for 255 at once")
    for transport, used in resources.items():
        print(
            f"256 uids, {transport:6s}: {used['threads']:.0f} threads, {used['fds']:.0f} fds, "
            f"RSS {used['rss_mb']:.0f} MB"
        )
    for n in (1, 16, 64, 256):
        for transport in TRANSPORTS:
            up, down = startup_teardown(n, transport)
            print(
                f"subnet of {n:3d}, {transport:6s}: start-up {up:6.2f} s   teardown {down:5.2f} s"
            )


if __name__ == "__main__":
    main()
