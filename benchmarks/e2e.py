"""The real streaming path against its baselines, interleaved in one run.

    .venv/bin/python benchmarks/e2e.py [--requests 300] [--rounds 5]

Paths, all set up first, then measured round by round in rotating order (so load
drifts hit every path alike), with the same payload in the same chunks:

* floor: a plain starlette StreamingResponse on uvicorn, served from a child process
  (``benchmarks/_servers.py``), read by a plain aiohttp client;
* shape of an Axon: the same endpoint in a FastAPI app behind one pass-through
  ``BaseHTTPMiddleware``, which is how bittensor builds every Axon app, no bittensor
  code at all (same child process): a lower bound for any path through a real Axon;
* stock bittensor: real Axons started by bittensor itself (``Axon.start()``, a uvicorn
  thread each) serving the reference miner's ``echo_forward`` from a child process
  (``benchmarks/_stock.py``, stopped while other paths are measured: each of its server
  threads polls every millisecond), read through a real Dendrite without simnet; once
  as shipped and once with simnet's schema cache on both sides;
* simnet: the same forward on real Axons served by simnet, read through a real
  Dendrite, over TCP and in memory.

Reported per path: one stream (median of each round's median, with the rounds' min-max;
measured first, in a run of its own with one server per path: with many servers up, one
stream measures the crowd, as stock bittensor's server threads each poll every
millisecond) and ``--fan-out`` streams at once (default 64; median and min-max over rounds,
streams lost counted), each as a ratio to the floor, then each simnet path as a ratio
to stock bittensor (as shipped, and with the schema cache); the load average before and
after. The floor's request body is encoded once, not per call. With
``--fan-out 255`` (256 uids) stock bittensor loses streams on a 2-core machine (its
5 s keep-alive race and 12 s timeouts), which the table reports. Then start-up and
teardown of subnets of 1, 16, 64 and 256 miners (3 rounds of ``benchmarks/startup.py``),
and threads, file descriptors and RSS with the fan-out's miners served (uids: the
miners and one validator).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import startup
from _servers import CHUNKS, PROMPT  # the same answer the miner streams

import simnet
from client import stream_prompt
from miner import echo_forward
from protocol import StreamPrompting
from simnet._compat import AxonInfo, Dendrite, quiet_bittensor_logging
from simnet.sandbox.offline import LOOPBACK_IP, offline
from simnet.wire import speedups

FAN_OUT = 64  # --fan-out 255 for 256 uids: stock bittensor then loses streams on 2 cores


# The floor's request body, encoded once: the floor measures serving, not the client's
# pydantic and JSON work per call.
PAYLOAD = StreamPrompting(messages=[PROMPT]).model_dump_json().encode()
JSON = {"Content-Type": "application/json"}


async def plain_stream(session: aiohttp.ClientSession, port: int) -> str:
    url = f"http://127.0.0.1:{port}/StreamPrompting"
    async with session.post(url, data=PAYLOAD, headers=JSON) as response:
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


@dataclass
class Path_:
    """One way of streaming the answer: one stream, and one to every server at once."""

    name: str
    one: Callable[[], Awaitable[Any]]
    all_at_once: Callable[[], Awaitable[Any]]
    singles: list[float] = field(default_factory=list)
    fan_outs: list[float] = field(default_factory=list)
    lost: int = 0  # streams of the fan-outs that did not complete
    setup: Callable[[], Awaitable[None] | None] = lambda: None
    teardown: Callable[[], None] = lambda: None


def plain_path(name: str, session: aiohttp.ClientSession, ports: list[int]) -> Path_:
    async def one() -> None:
        assert await plain_stream(session, ports[0]) == PROMPT

    async def all_at_once() -> None:
        texts = await asyncio.gather(*(plain_stream(session, port) for port in ports))
        assert all(text == PROMPT for text in texts)

    return Path_(name, one, all_at_once)


def dendrite_path(name: str, dendrite: Any, axons: list[Any]) -> Path_:
    async def one() -> None:
        final = await stream_prompt(dendrite, axons[0], PROMPT, on_text=lambda _: None)
        assert final.completion == PROMPT, final.dendrite

    async def all_at_once() -> None:
        # Streams lost (stock bittensor's keep-alive race, timeouts) are counted, not fatal.
        streams = await dendrite(
            axons, StreamPrompting(messages=[PROMPT]), streaming=True, deserialize=False
        )
        finals = await asyncio.gather(*map(last, streams))
        path.lost += sum(f.completion != PROMPT for f in finals)

    path = Path_(name, one, all_at_once)
    return path


def child(script: str, *args: str) -> tuple[subprocess.Popen[str], Any]:
    """Start ``benchmarks/SCRIPT`` and read the JSON line it prints when it is ready."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name(script)), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def stock_path(
    name: str,
    dendrite: Any,
    process: subprocess.Popen[str],
    axons: Any,
    context: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext,
) -> Path_:
    """Stock Axons in ``process``: running only while their own path is measured, with
    ``context`` entered in this process meanwhile."""
    infos = [
        AxonInfo(
            version=0,
            ip=LOOPBACK_IP,
            port=port,
            ip_type=4,
            hotkey=hotkey,
            coldkey=hotkey,
        )
        for port, hotkey in axons
    ]
    path = dendrite_path(name, dendrite, infos)
    enter, leave = during(context)
    os.kill(process.pid, signal.SIGSTOP)

    def setup() -> Awaitable[None]:
        os.kill(process.pid, signal.SIGCONT)
        enter()
        # While stopped, bittensor's servers could not close idle connections; they do
        # so on waking (5 s keep-alive). Start from fresh ones, as after any pause.
        return dendrite.aclose_session()

    def teardown() -> None:
        leave()
        os.kill(process.pid, signal.SIGSTOP)

    path.setup, path.teardown = setup, teardown
    return path


async def _done(result: Awaitable[None] | None) -> None:
    if result is not None:
        await result


async def measure(paths: list[Path_], requests: int, rounds: int, singles: bool) -> None:
    """One stream (``singles``) or the fan-out, for every path, round by round."""
    for path in paths:  # warm every path up once
        print(f"# warming up {path.name}", file=sys.stderr, flush=True)
        await _done(path.setup())
        await (timed(path.one, 20) if singles else path.all_at_once())
        path.teardown()
    per_round = max(1, requests // rounds)
    for round_ in range(rounds):
        print(f"# round {round_ + 1} of {rounds}", file=sys.stderr, flush=True)
        for path in paths[round_ % len(paths) :] + paths[: round_ % len(paths)]:
            await _done(path.setup())
            if singles:
                path.singles.append(statistics.median(await timed(path.one, per_round)))
            else:
                path.fan_outs.extend(await timed(path.all_at_once, 1))
            path.teardown()


async def compare(
    requests: int, rounds: int, fan_out: int, *, singles: bool, hosts: int = 0
) -> tuple[list[Path_], dict[str, dict[str, float]]]:
    """Every path with ``fan_out`` servers each, measured for one stream (``singles``)
    or for the fan-out; with ``hosts``, simnet over TCP on that many host processes too."""
    print(f"# starting the baselines' servers and 2 x {fan_out} stock axons", file=sys.stderr)
    servers, ports = child("_servers.py", str(fan_out))
    stock, stock_axons = child("_stock.py", str(fan_out))
    cached, cached_axons = child("_stock.py", str(fan_out), "--schema-cache")
    children = (servers, stock, cached)
    wallets = simnet.WalletFactory()
    with offline():
        stock_dendrite = Dendrite(wallet=wallets("stock-validator"))
    resources: dict[str, dict[str, float]] = {}
    try:
        async with contextlib.AsyncExitStack() as stack:
            session = await stack.enter_async_context(aiohttp.ClientSession())
            paths = [
                plain_path("floor", session, ports["floor"]),
                plain_path("shape of an Axon", session, ports["shape of an Axon"]),
                # The dendrite's side runs as shipped too (simnet's cache bypassed).
                stock_path(
                    "stock bittensor", stock_dendrite, stock, stock_axons, speedups.bypassed
                ),
                stock_path("stock + schema cache", stock_dendrite, cached, cached_axons),
            ]
            variants: list[tuple[str, dict[str, Any]]] = [
                (f"simnet, {transport}", {"transport": transport})
                for transport in startup.TRANSPORTS
            ]
            if hosts:
                variants.append((f"simnet, tcp, hosts={hosts}", {"hosts": hosts}))
            for name, options in variants:
                net = await stack.enter_async_context(simnet.Simnet(strict=False, **options))
                subnet = net.subnet(1, echo_forward, miners=fan_out)
                dendrite = await stack.enter_async_context(net.dendrite(subnet.validators[0]))
                paths.append(dendrite_path(name, dendrite, subnet.axons))
                resources[name] = used_resources()
            await measure(paths, requests, rounds, singles=singles)
            await stock_dendrite.aclose_session()
    finally:
        for process in children:
            os.kill(process.pid, signal.SIGCONT)
            assert process.stdin is not None
            process.stdin.close()
        for process in children:
            process.wait(timeout=60)
    return paths, resources


def during(
    make: Callable[[], contextlib.AbstractContextManager[Any]],
) -> tuple[Callable[[], None], Callable[[], None]]:
    """Setup and teardown that enter and leave a fresh ``make()`` context each time."""
    entered: list[contextlib.AbstractContextManager[Any]] = []

    def setup() -> None:
        entered.append(make())
        entered[-1].__enter__()

    def teardown() -> None:
        entered.pop().__exit__(None, None, None)

    return setup, teardown


def used_resources() -> dict[str, float]:
    return {
        "threads": threading.active_count(),
        "fds": len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else -1,
        "rss_mb": resident_mb(),
    }


def resident_mb() -> float:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    (line,) = [line for line in status.splitlines() if line.startswith("VmRSS:")]
    return int(line.split()[1]) / 1024


def _spread(values: list[float], scale: float = 1e3) -> str:
    if not values:
        return "-"
    low, mid, high = (v * scale for v in (min(values), statistics.median(values), max(values)))
    return f"{mid:7.2f} ({low:.2f}-{high:.2f})"


def _ratio(values: list[float], to: list[float]) -> str:
    if not values or not to:
        return "-"
    return f"{statistics.median(values) / statistics.median(to):5.2f}x"


def report(paths: list[Path_], fan_out: int) -> None:
    """The table (ratios to the floor), then each simnet path against stock bittensor."""
    floor = paths[0]
    at_once = f"{fan_out} at once, ms"
    print(f"{'':30s} {'one stream, ms':>28s} {'ratio':>6s} {at_once:>30s} {'ratio':>6s}")
    for path in paths:
        one, fan = _ratio(path.singles, floor.singles), _ratio(path.fan_outs, floor.fan_outs)
        print(
            f"{path.name:30s} {_spread(path.singles):>28s} {one:>6s} "
            f"{_spread(path.fan_outs):>30s} {fan:>6s}"
            + (f"  ({path.lost} streams lost)" if path.lost else "")
        )
    by_name = {path.name: path for path in paths}
    for stock in ("stock bittensor", "stock + schema cache"):
        for path in paths:
            if path.name.startswith("simnet"):
                base = by_name[stock]
                print(
                    f"{path.name} / {stock}: one stream {_ratio(path.singles, base.singles)}, "
                    f"{fan_out} at once {_ratio(path.fan_outs, base.fan_outs)}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--fan-out", type=int, default=FAN_OUT)
    parser.add_argument(
        "--hosts", type=int, default=0, help="also simnet over tcp on N host processes"
    )
    args = parser.parse_args()
    quiet_bittensor_logging()
    load_before = os.getloadavg()
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"bittensor {simnet.BITTENSOR_VERSION}; {len(CHUNKS)} chunks, {len(PROMPT)} bytes; "
        f"load {load_before[0]:.2f} {load_before[1]:.2f}"
    )
    # One stream against one server per path (a crowd of idle servers is not what one
    # stream costs: stock bittensor's each poll every millisecond), then the fan-out.
    ones, _ = asyncio.run(compare(args.requests, args.rounds, 1, singles=True, hosts=args.hosts))
    paths, resources = asyncio.run(
        compare(args.requests, args.rounds, args.fan_out, singles=False, hosts=args.hosts)
    )
    for path, one in zip(paths, ones, strict=True):
        path.singles = one.singles
    report(paths, args.fan_out)
    print(f"# load after: {os.getloadavg()[0]:.2f}")
    for name, used in resources.items():
        print(
            f"{args.fan_out + 1} uids ({args.fan_out} miners served), {name}: "
            f"{used['threads']:.0f} threads, {used['fds']:.0f} fds, RSS {used['rss_mb']:.0f} MB"
        )
    startup.measure([1, 16, 64, 256], rounds=3)


if __name__ == "__main__":
    main()
