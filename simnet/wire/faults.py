"""Fault plans and the faults they apply on the wire (implementation of :mod:`simnet.faults`)."""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Emit = Callable[[bytes, bool], Awaitable[None]]
_GONE_POLL = 0.05  # seconds between looks at whether a sleeping fault's caller has gone


def _never() -> bool:
    return False


class InjectedDisconnect(Exception):
    """Raised inside the wire to cut a response off; never reaches the test."""


@dataclass(frozen=True)
class FaultEvent:
    """One thing a fault did to one request."""

    fault: str
    synapse: str
    caller: str
    detail: str


class FaultContext:
    """What a fault knows about the one request it acts on; every hook receives it.

    ``synapse`` is the synapse class name from the request path (for a signed-HTTP
    miner, the path's first segment, e.g. ``generate``), ``caller`` the caller's hotkey
    (``bt_header_dendrite_hotkey``, ``X-Bittensor-Hotkey`` or ``Epistula-Signed-By``),
    ``timeout`` the timeout the caller
    sent (seconds), ``rng`` a random generator seeded from the plan's seed and the
    request's number (deterministic), ``plan`` the :class:`FaultPlan` that matched.
    Call :meth:`record` to add what the fault did to ``plan.events``, and wait with
    :meth:`sleep`.
    """

    def __init__(
        self,
        plan: FaultPlan,
        synapse: str,
        caller: str,
        timeout: float,
        *,
        reused: bool = False,
    ) -> None:
        self.plan = plan
        self.synapse = synapse
        self.caller = caller
        self.timeout = timeout
        self.reused = reused
        """True when the request came on a kept-alive connection that served one before."""
        self.rng = plan._next_rng()
        self.caller_gone: Callable[[], bool] = _never
        """Whether the caller has closed its connection (a dendrite does at its timeout);
        always ``False`` where the server does not say."""

    async def sleep(self, seconds: float) -> None:
        """``asyncio.sleep(seconds)``, cut short once the caller has gone: nothing sent
        after that reaches anyone, and a test's teardown need not wait it out."""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while (left := end - loop.time()) > 0 and not self.caller_gone():
            await asyncio.sleep(min(left, _GONE_POLL))

    def record(self, fault: Fault, detail: str) -> None:
        """Add a :class:`FaultEvent` for ``fault`` with ``detail`` to the plan's events."""
        self.plan._record(FaultEvent(type(fault).__name__, self.synapse, self.caller, detail))

    def __repr__(self) -> str:
        return f"FaultContext(synapse={self.synapse!r}, caller={self.caller!r})"


class Fault:
    """Base class of every fault. Subclass it and override the hooks the fault needs; the
    defaults pass everything on. Each hook gets the request's :class:`FaultContext`."""

    async def before_start(self, request: FaultContext) -> None:
        """Runs before the response status and headers are sent."""

    def replace_response(self, request: FaultContext) -> tuple[int, bytes] | None:
        """A (status, body) to answer with instead of calling the axon, or ``None``."""
        return None

    def headers(self, request: FaultContext, headers: list[tuple[bytes, bytes]]) -> list[Any]:
        """The response headers to send."""
        return headers

    def body_stage(self, request: FaultContext, emit: Emit) -> Emit:
        """A function taking each body piece (and whether more follow) and passing it on."""
        return emit

    def lose_response(self, request: FaultContext) -> tuple[int, bytes] | None:
        """A (status, body) the caller gets once the axon has handled the request in full
        and its own response was thrown away (status 0: the connection closes instead), or
        ``None`` to send the axon's response. Asked before the axon runs."""
        return None


@dataclass(frozen=True)
class Latency(Fault):
    """Wait ``seconds`` before the first byte of the response."""

    seconds: float

    def __post_init__(self) -> None:
        _non_negative(seconds=self.seconds)

    async def before_start(self, request: FaultContext) -> None:
        request.record(self, f"waited {self.seconds:.3f} s before the first byte")
        await request.sleep(self.seconds)


@dataclass(frozen=True)
class ChunkDelay(Fault):
    """Wait ``seconds`` plus a seeded random ``0..jitter`` before each body chunk."""

    seconds: float
    jitter: float = 0.0

    def __post_init__(self) -> None:
        _non_negative(seconds=self.seconds, jitter=self.jitter)

    def body_stage(self, request: FaultContext, emit: Emit) -> Emit:
        async def delayed(data: bytes, more: bool) -> None:
            if data:
                delay = self.seconds + request.rng.uniform(0, self.jitter)
                request.record(self, f"waited {delay:.4f} s before {len(data)} bytes")
                await request.sleep(delay)
            await emit(data, more)

        return delayed


@dataclass(frozen=True)
class Rechunk(Fault):
    """Re-cut the byte stream into chunks of ``sizes`` (the rest in one chunk), sent
    ``gap`` seconds apart so each arrives as a read of its own.

    Replays a chunking from :func:`simnet.strategies.chunkings` over real TCP:
    ``Rechunk.like(chunks)``.
    """

    sizes: tuple[int, ...]
    gap: float = 0.01

    def __post_init__(self) -> None:
        if not self.sizes or any(size < 1 for size in self.sizes):
            raise ValueError(f"sizes={self.sizes!r} must be positive chunk sizes")
        _non_negative(gap=self.gap)

    @classmethod
    def like(cls, chunks: Sequence[bytes], gap: float = 0.01) -> Rechunk:
        """The re-chunking that reproduces ``chunks`` (empty chunks dropped)."""
        return cls(tuple(len(chunk) for chunk in chunks if chunk), gap)

    def body_stage(self, request: FaultContext, emit: Emit) -> Emit:
        buffer = bytearray()
        sizes = list(self.sizes)

        async def send_piece(piece: bytes, more: bool) -> None:
            request.record(self, f"sent a chunk of {len(piece)} bytes")
            await emit(piece, more)
            if more:
                await asyncio.sleep(self.gap)

        async def rechunk(data: bytes, more: bool) -> None:
            buffer.extend(data)
            while sizes and len(buffer) >= sizes[0]:
                size = sizes.pop(0)
                piece = bytes(buffer[:size])
                del buffer[:size]
                await send_piece(piece, True)
            if not more:
                if buffer:
                    await send_piece(bytes(buffer), True)
                    buffer.clear()
                await emit(b"", False)

        return rechunk


@dataclass(frozen=True)
class DisconnectAfter(Fault):
    """Close the connection once ``bytes`` body bytes or ``chunks`` body chunks are sent;
    the rest of the stream, and its end, never arrive."""

    bytes: int | None = None
    chunks: int | None = None

    def __post_init__(self) -> None:
        if (self.bytes is None) == (self.chunks is None):
            raise ValueError("DisconnectAfter takes exactly one of bytes=N or chunks=N")
        _non_negative(bytes=self.bytes or 0, chunks=self.chunks or 0)

    def body_stage(self, request: FaultContext, emit: Emit) -> Emit:
        sent = {"bytes": 0, "chunks": 0}

        async def cut(data: bytes, more: bool) -> None:
            if self.bytes is not None:
                allowed = self.bytes - sent["bytes"]
                if len(data) > allowed or not more:
                    if data[:allowed]:
                        await emit(data[:allowed], True)
                    self._disconnect(request, sent["bytes"] + len(data[:allowed]), "bytes")
            elif (data and sent["chunks"] >= (self.chunks or 0)) or not more:
                self._disconnect(request, sent["chunks"], "chunks")
            sent["bytes"] += len(data)
            sent["chunks"] += 1 if data else 0
            await emit(data, more)

        return cut

    def _disconnect(self, request: FaultContext, count: int, unit: str) -> None:
        request.record(self, f"closed the connection after {count} {unit}")
        raise InjectedDisconnect


@dataclass(frozen=True)
class Truncate(Fault):
    """Send every body byte, then close the connection instead of ending the chunked body."""

    def body_stage(self, request: FaultContext, emit: Emit) -> Emit:
        total = {"bytes": 0}

        async def truncate(data: bytes, more: bool) -> None:
            total["bytes"] += len(data)
            if not more:
                if data:
                    await emit(data, True)
                request.record(self, f"closed the connection after all {total['bytes']} bytes")
                raise InjectedDisconnect
            await emit(data, more)

        return truncate


@dataclass(frozen=True)
class Stall(Fault):
    """After ``after_chunks`` body chunks, stop sending for ``seconds`` (default: the
    request's own timeout plus one second, so the caller times out)."""

    after_chunks: int = 0
    seconds: float | None = None

    def __post_init__(self) -> None:
        _non_negative(after_chunks=self.after_chunks, seconds=self.seconds or 0)

    def body_stage(self, request: FaultContext, emit: Emit) -> Emit:
        sent = {"chunks": 0, "stalled": False}

        async def stall(data: bytes, more: bool) -> None:
            if not sent["stalled"] and sent["chunks"] >= self.after_chunks:
                sent["stalled"] = True
                seconds = request.timeout + 1.0 if self.seconds is None else self.seconds
                request.record(self, f"stalled {seconds:.3f} s after {sent['chunks']} chunks")
                await request.sleep(seconds)
            sent["chunks"] += 1 if data else 0
            await emit(data, more)

        return stall


@dataclass(frozen=True)
class DripFeed(Fault):
    """Send the body ``size`` bytes at a time, ``interval`` seconds apart: a stream that
    never goes quiet for a whole per-read timeout (httpx's, aiohttp's ``sock_read``) yet
    takes ``interval * len(body) / size`` seconds, so only a total deadline stops it."""

    interval: float
    size: int = 1

    def __post_init__(self) -> None:
        _non_negative(interval=self.interval)
        if self.size < 1:
            raise ValueError(f"size={self.size!r} must be at least 1 byte")

    def body_stage(self, request: FaultContext, emit: Emit) -> Emit:
        sent = {"bytes": 0}

        async def drip(data: bytes, more: bool) -> None:
            for start in range(0, len(data), self.size):
                if sent["bytes"]:
                    await request.sleep(self.interval)
                piece = data[start : start + self.size]
                sent["bytes"] += len(piece)
                await emit(piece, True)
            if not more:
                request.record(self, f"sent {sent['bytes']} bytes {self.size} at a time")
                await emit(b"", False)

        return drip


@dataclass(frozen=True)
class ErrorStatus(Fault):
    """Answer with ``status`` and a JSON ``{"message": ...}`` body instead of the stream,
    as an overloaded proxy would; the axon never sees the request."""

    status: int = 503
    message: str = "Service unavailable (simnet fault)"

    def __post_init__(self) -> None:
        _error_status(self.status)

    def replace_response(self, request: FaultContext) -> tuple[int, bytes] | None:
        request.record(self, f"answered {self.status} instead of the stream")
        return self.status, _message(self.message)


NO_ANSWER = 0
"""The status :meth:`Fault.lose_response` gives to close the connection with no answer."""


@dataclass(frozen=True)
class LostResponse(Fault):
    """The axon (or signed-HTTP miner) gets the request and handles it in full, then its
    response is lost on the way back: the caller gets ``status`` and a JSON ``{"message":
    ...}`` body, as from a proxy that gave up, or with ``reset=True`` the connection closes
    with no answer. A btauth/1 miner has stored the request's nonce by then, so a caller
    that retries with the same signed headers sends a replay a correct miner refuses."""

    status: int = 503
    message: str = "Service unavailable (simnet fault)"
    reset: bool = False

    def __post_init__(self) -> None:
        _error_status(self.status)

    def lose_response(self, request: FaultContext) -> tuple[int, bytes] | None:
        if self.reset:
            request.record(self, "closed the connection after the axon handled the request")
            return NO_ANSWER, b""
        request.record(self, f"answered {self.status} after the axon handled the request")
        return self.status, _message(self.message)


def _error_status(status: int) -> None:
    if not 400 <= status <= 599:
        raise ValueError(f"status={status} must be an HTTP error status (400..599)")


def _message(message: str) -> bytes:
    return json.dumps({"message": message}).encode()


@dataclass(frozen=True)
class IdleDisconnect(Fault):
    """Close a kept-alive connection when the next request arrives on it, with no
    response: what a server does whose idle timeout fires just as the client's pool
    reuses the connection (a production axon closes idle connections after 5 s, aiohttp
    reuses them for 15 s). The first request on each connection is served; the caller's
    reused one is lost, as real validators see against real axons."""

    def replace_response(self, request: FaultContext) -> tuple[int, bytes] | None:
        if request.reused:
            request.record(self, "closed the idle kept-alive connection the request came on")
            raise InjectedDisconnect
        return None


@dataclass(frozen=True)
class MutateHeaders(Fault):
    """Drop, re-case (upper case) or overwrite response headers, as a proxy might."""

    drop: tuple[str, ...] = ()
    recase: tuple[str, ...] = ()
    set: tuple[tuple[str, bytes], ...] = field(default=())

    def headers(self, request: FaultContext, headers: list[tuple[bytes, bytes]]) -> list[Any]:
        drop = {name.lower().encode() for name in self.drop}
        recase = {name.lower().encode() for name in self.recase}
        overwrite = {name.lower().encode(): value for name, value in self.set}
        result = []
        for name, value in headers:
            key = name.lower()
            if key in drop:
                continue
            result.append((name.upper() if key in recase else name, overwrite.get(key, value)))
        changes = [f"dropped {list(self.drop)}"] if self.drop else []
        changes += [f"re-cased {list(self.recase)}"] if self.recase else []
        changes += [f"set {[n for n, _ in self.set]}"] if self.set else []
        request.record(self, "; ".join(changes) or "no change")
        return result


class FaultPlan:
    """Faults applied in order to matching requests, deterministic under ``seed``.

    ``synapse`` (a class or its name) and ``caller`` (a hotkey address) narrow which
    requests the plan applies to; ``limit`` stops it after that many requests.
    """

    def __init__(
        self,
        *faults: Fault,
        synapse: type | str | None = None,
        caller: str | None = None,
        seed: int = 0,
        limit: int | None = None,
    ) -> None:
        if not all(isinstance(fault, Fault) for fault in faults):
            raise TypeError(f"FaultPlan takes Fault objects, got {faults!r}")
        self.faults = faults
        self.synapse = synapse if synapse is None or isinstance(synapse, str) else synapse.__name__
        self.caller = caller
        self.seed = seed
        self.limit = limit
        self._lock = threading.Lock()
        self._requests = 0
        self._events: list[FaultEvent] = []
        self.on_record: Callable[[FaultEvent], None] | None = None
        """Called with each event as it is recorded (a host process sends it home)."""

    def __getstate__(self) -> dict[str, Any]:
        # sent to a host process: the lock and the local listener stay here
        state = dict(self.__dict__)
        del state["_lock"]
        state["on_record"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def events(self) -> list[FaultEvent]:
        """What the faults did, in order."""
        with self._lock:
            return list(self._events)

    def matches(self, synapse: str, caller: str) -> bool:
        """True if this plan applies to a request for ``synapse`` from ``caller``."""
        with self._lock:
            exhausted = self.limit is not None and self._requests >= self.limit
        return not exhausted and self.synapse in (None, synapse) and self.caller in (None, caller)

    def _next_rng(self) -> random.Random:
        with self._lock:
            self._requests += 1
            return random.Random(f"{self.seed}/{self._requests}")

    def _record(self, event: FaultEvent) -> None:
        with self._lock:
            self._events.append(event)
        if self.on_record is not None:
            self.on_record(event)

    def __repr__(self) -> str:
        faults = ", ".join(map(repr, self.faults))
        scope = "".join(
            f", {k}={v!r}" for k, v in (("synapse", self.synapse), ("caller", self.caller)) if v
        )
        return f"FaultPlan({faults}{scope}, seed={self.seed})"


def _non_negative(**values: float) -> None:
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"{name}={value} must not be negative")


def as_plans(faults: Sequence[FaultPlan | Fault]) -> list[FaultPlan]:
    """Plans as given, with runs of bare faults gathered into one plan each."""
    plans: list[FaultPlan] = []
    loose: list[Fault] = []
    for item in faults:
        if isinstance(item, FaultPlan):
            if loose:
                plans.append(FaultPlan(*loose))
                loose = []
            plans.append(item)
        elif isinstance(item, Fault):
            loose.append(item)
        else:
            raise TypeError(f"expected a FaultPlan or a Fault, got {item!r}")
    if loose:
        plans.append(FaultPlan(*loose))
    return plans
