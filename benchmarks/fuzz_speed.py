"""Fuzzing speed: simnet's properties beside bare hypothesis tests doing the same work.

    .venv/bin/python benchmarks/fuzz_speed.py [--examples N] [--rounds R] [--property P]

For the reference protocol and a JSON-lines protocol, each property runs interleaved
with a bare hypothesis test that draws the same synapses, payloads and chunkings and runs
the protocol over a minimal response double (chunks handed out by a plain async
iterator, no checks beyond the property's own comparison); ``chunking+consumer`` gives
both sides the validator's consumer. The two sides alternate which runs first in each
round. Reports examples/s (median of the rounds, with min-max), the ratio bare/simnet,
and the machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "examples" / "jsonl_subnet")]

import hypothesis  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from jsonl_subnet.protocol import JsonLinesQuery  # noqa: E402
from multidict import CIMultiDict, CIMultiDictProxy  # noqa: E402

from protocol import StreamPrompting  # noqa: E402
from simnet import strategies  # noqa: E402
from simnet._compat import quiet_bittensor_logging  # noqa: E402
from simnet.fuzz.inputs import judged_samples, payload_strategy  # noqa: E402
from simnet.fuzz.profiles import profile_settings  # noqa: E402
from simnet.fuzz.properties import ERROR_STATUSES  # noqa: E402
from simnet.fuzz.runs import base_headers, user_fields  # noqa: E402
from simnet.properties import PROPERTIES  # noqa: E402
from simnet.wire.headers import error_body  # noqa: E402

PROTOCOLS = {"reference": StreamPrompting, "json-lines": JsonLinesQuery}


class _Content:
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def iter_any(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk

    async def read(self, n: int = -1) -> bytes:
        return b"".join(self._chunks)


class _Bare:
    """The least a protocol needs: status, headers, content."""

    def __init__(self, chunks: list[bytes], headers: Any, status: int) -> None:
        self.status = status
        self.raw_headers = headers
        self.headers = CIMultiDictProxy(CIMultiDict((n.decode(), v.decode()) for n, v in headers))
        self.content = _Content(chunks)


def joined(yields: list[Any]) -> str:
    """The consumer the benchmark gives: the yielded text (or bytes, decoded), joined."""
    return "".join(y.decode(errors="replace") if isinstance(y, bytes) else str(y) for y in yields)


async def _bare_run(
    synapse: Any, chunks: list[bytes], status: int = 200, consumer: Any = None
) -> tuple[Any, Any]:
    copy = synapse.model_copy(deep=True)
    response = _Bare(chunks, base_headers(synapse, status=status), status)
    yielded = []
    try:
        async for item in copy.process_streaming_response(response):
            yielded.append(item)
        if consumer is not None:
            return consumer(yielded), None
        return user_fields(copy), copy.extract_response_json(response)
    except Exception as exc:
        return type(exc).__name__, None


# The bare tests run with the settings and the seed simnet's properties use, and draw
# from the same strategies in the same order: the same examples, not just the same kind.


def bare_chunking(cls: type, examples: int, consumer: Any = None) -> int:
    loop, count = asyncio.new_event_loop(), 0

    @hypothesis.seed(0)
    @profile_settings(examples)
    @given(
        synapse=strategies.synapses(cls),
        payload=payload_strategy(judged_samples(None)),
        data=st.data(),
    )
    def test(synapse: Any, payload: bytes, data: Any) -> None:
        nonlocal count
        count += 1
        chunks = data.draw(strategies.chunkings(payload))
        whole = loop.run_until_complete(_bare_run(synapse, [payload], consumer=consumer))
        split = loop.run_until_complete(_bare_run(synapse, chunks, consumer=consumer))
        assert repr(whole) == repr(split) or True  # the comparison's cost, not its verdict

    test()
    loop.close()
    return count


def bare_error_bodies(cls: type, examples: int) -> int:
    loop, count = asyncio.new_event_loop(), 0

    @hypothesis.seed(0)
    @profile_settings(examples)
    @given(synapse=strategies.synapses(cls), status=st.sampled_from(ERROR_STATUSES), data=st.data())
    def test(synapse: Any, status: int, data: Any) -> None:
        nonlocal count
        count += 1
        chunks = data.draw(strategies.chunkings(error_body(status)))
        fields, _ = loop.run_until_complete(_bare_run(synapse, chunks, status))
        assert repr(fields) == repr(user_fields(synapse)) or True

    test()
    loop.close()
    return count


BARE: dict[str, Callable[[type, int], int]] = {
    "chunking_invariance": bare_chunking,
    "error_bodies": bare_error_bodies,
    "chunking+consumer": lambda cls, examples: bare_chunking(cls, examples, joined),
}


def _simnet(name: str) -> Callable[[type, int], int]:
    def run(cls: type, examples: int) -> int:
        if name == "chunking+consumer":
            check = PROPERTIES["chunking_invariance"]
            return check(cls, max_examples=examples, seed=0, consumer=joined).examples
        return PROPERTIES[name](cls, max_examples=examples, seed=0).examples

    return run


def _rate(run: Callable[[type, int], int], cls: type, examples: int) -> float:
    started = time.perf_counter()
    count = run(cls, examples)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--property",
        action="append",
        choices=[*PROPERTIES, "chunking+consumer"],
        help="only these rows (repeatable; default: all)",
    )
    args = parser.parse_args()
    quiet_bittensor_logging()
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load {os.getloadavg()[0]:.2f}; {args.examples} examples x {args.rounds} rounds"
    )
    print(f"{'protocol':<12}{'property':<21}{'simnet ex/s':>18}{'bare ex/s':>18}{'ratio':>8}")
    for label, cls in PROTOCOLS.items():
        for name in args.property or [*PROPERTIES, "chunking+consumer"]:
            simnet_rates: list[float] = []
            bare_rates: list[float] = []
            for round_ in range(args.rounds):
                # Interleaved, the side that goes first alternating: a change of load
                # between the two runs of a round favours neither side.
                sides = [(_simnet(name), simnet_rates)]
                if name in BARE:
                    sides.append((BARE[name], bare_rates))
                for run, rates in sides[:: -1 if round_ % 2 else 1]:
                    rates.append(_rate(run, cls, args.examples))
            line = f"{label:<12}{name:<21}{_spread(simnet_rates):>18}"
            if bare_rates:
                ratio = statistics.median(bare_rates) / statistics.median(simnet_rates)
                line += f"{_spread(bare_rates):>18}{ratio:>7.2f}x"
            print(line)
    print(f"# load after: {os.getloadavg()[0]:.2f}")


def _spread(rates: list[float]) -> str:
    return f"{statistics.median(rates):.0f} ({min(rates):.0f}-{max(rates):.0f})"


if __name__ == "__main__":
    main()
