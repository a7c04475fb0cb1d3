"""The real streaming path (Axon + Dendrite through simnet) against a plain floor.

    .venv/bin/python benchmarks/e2e.py [--requests 200] [--rounds 5]

The floor, measured in the same run: a plain starlette StreamingResponse on uvicorn
(served on the same kind of loopback socket by the same host loop), read by a plain
aiohttp client, streaming the same payload in the same chunks. Reported:

* single stream: median latency of one request, simnet / floor (target <= 2x);
* fan-out: 255 miners (256 uids with the validator) streamed concurrently vs 255
  concurrent floor streams, median of the rounds (target <= 3x);
* start-up and teardown of a subnet of N = 1, 16, 64, 256 miners;
* threads, file descriptors and RSS with 256 uids served.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from starlette.applications import Starlette
from starlette.responses import StreamingResponse
from starlette.routing import Route

import simnet
from client import stream_prompt
from miner import EchoModel, Miner
from protocol import StreamPrompting
from simnet._axon import AxonHost, bind_loopback
from simnet._compat import quiet_bittensor_logging

PROMPT = "the quick brown fox jumps over the lazy dog " * 8
TOKENS = EchoModel().tokens(PROMPT)
CHUNKS = ["".join(TOKENS[i : i + 3]).encode() for i in range(0, len(TOKENS), 3)]


async def floor_endpoint(request):  # type: ignore[no-untyped-def]
    await request.body()

    async def body():  # type: ignore[no-untyped-def]
        for chunk in CHUNKS:
            yield chunk

    return StreamingResponse(body(), media_type="text/event-stream")


FLOOR_APP = Starlette(routes=[Route("/StreamPrompting", floor_endpoint, methods=["POST"])])


async def floor_stream(session: aiohttp.ClientSession, port: int) -> str:
    payload = StreamPrompting(messages=[PROMPT]).model_dump()
    async with session.post(f"http://127.0.0.1:{port}/StreamPrompting", json=payload) as response:
        return "".join([chunk.decode() async for chunk in response.content.iter_any()])


def serve_floor(host: AxonHost, count: int) -> list:  # type: ignore[type-arg]
    return [host.serve(FLOOR_APP, bind_loopback()) for _ in range(count)]


def port_of(server) -> int:  # type: ignore[no-untyped-def]
    return server.sock.getsockname()[1]


async def last(stream):  # type: ignore[no-untyped-def]
    return [item async for item in stream][-1]


async def timed(make, times: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        await make()
        samples.append(time.perf_counter() - started)
    return samples


def miner(ctx: simnet.MinerContext) -> Miner:
    return Miner(ctx.wallet, ctx.metagraph)


async def single_stream(requests: int) -> tuple[float, float]:
    host = AxonHost()
    (server,) = serve_floor(host, 1)
    async with aiohttp.ClientSession() as session:
        await timed(lambda: floor_stream(session, port_of(server)), 20)
        floor = statistics.median(
            await timed(lambda: floor_stream(session, port_of(server)), requests)
        )
    server.request_stop()
    server.wait()
    host.close()
    async with simnet.Simnet() as net:
        validator = net.register(1, "validator", stake=1000, validator_permit=True)
        axon = net.serve(1, miner)
        target = net.metagraph(1).axons[axon.uid]
        async with net.dendrite(validator) as dendrite:

            async def one() -> None:
                final = await stream_prompt(dendrite, target, PROMPT, on_text=lambda _: None)
                assert final.completion == PROMPT

            await timed(one, 20)
            real = statistics.median(await timed(one, requests))
    return floor, real


async def fan_out(miners: int, rounds: int) -> tuple[float, float, dict[str, float]]:
    host = AxonHost()
    servers = serve_floor(host, miners)
    # A plain client with aiohttp's defaults, like the dendrite's own session (at most
    # 100 connections at once).
    async with aiohttp.ClientSession() as session:

        async def floor_round() -> None:
            texts = await asyncio.gather(*(floor_stream(session, port_of(s)) for s in servers))
            assert all(text == PROMPT for text in texts)

        await floor_round()
        floor = statistics.median(await timed(floor_round, rounds))
    for server in servers:
        server.request_stop()
    for server in servers:
        server.wait()
    host.close()
    async with simnet.Simnet() as net:
        subnet = net.subnet(1, miner, miners=miners)
        async with net.dendrite(subnet.validators[0]) as dendrite:

            async def real_round() -> None:
                streams = await dendrite(
                    subnet.axons,
                    StreamPrompting(messages=[PROMPT]),
                    streaming=True,
                    deserialize=False,
                )
                finals = await asyncio.gather(*map(last, streams))
                assert all(f.completion == PROMPT for f in finals)

            await real_round()
            real = statistics.median(await timed(real_round, rounds))
            resources = {
                "threads": threading.active_count(),
                "fds": len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else -1,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
    return floor, real, resources


def startup_teardown(n: int) -> tuple[float, float]:
    net = simnet.Simnet()
    started = time.perf_counter()
    net.open()
    net.subnet(1, miner, miners=n, validators=0)
    up = time.perf_counter() - started
    started = time.perf_counter()
    net.close()
    return up, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    quiet_bittensor_logging()
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    floor, real = asyncio.run(single_stream(args.requests))
    print(
        f"single stream    floor {floor * 1e3:7.2f} ms   simnet {real * 1e3:7.2f} ms   "
        f"ratio {real / floor:5.2f}x (target <= 2x)"
    )
    floor, real, resources = asyncio.run(fan_out(255, args.rounds))
    print(
        f"fan-out 255      floor {floor * 1e3:7.1f} ms   simnet {real * 1e3:7.1f} ms   "
        f"ratio {real / floor:5.2f}x (target <= 3x)"
    )
    print(
        f"256 uids served  {resources['threads']} threads, {resources['fds']} fds, "
        f"max RSS {resources['rss_mb']:.0f} MB"
    )
    for n in (1, 16, 64, 256):
        up, down = startup_teardown(n)
        print(f"subnet of {n:3d}    start-up {up:6.2f} s   teardown {down:5.2f} s")


if __name__ == "__main__":
    main()
