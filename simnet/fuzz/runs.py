"""Running a protocol over one response, and running a property over many (the
counterexamples, findings and notes are :mod:`simnet.fuzz.reports`')."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from simnet._compat import Synapse
from simnet.fuzz import reports
from simnet.fuzz.reports import (
    Counterexample,
    Finding,
    Progress,
    PropertyFailed,
    PropertyReport,
)
from simnet.fuzz.response import DEFAULT_URL, StreamedResponse
from simnet.wire import speedups
from simnet.wire.headers import axon_response_headers

_BASE_FIELDS = frozenset(Synapse.model_fields)


@dataclass(frozen=True)
class StreamOutcome:
    """What a protocol did with one response."""

    yielded: list[Any]
    fields: dict[str, Any]
    extracted: dict[str, Any] | None
    error: tuple[str, str] | None
    raised_in: str | None = None
    """Which of the protocol's methods raised ``error``."""
    consumed: Any = None
    """What the validator's consumer returned from the yields (``("raised", type)`` if it
    raised), when one is given."""

    @property
    def accumulated(self) -> tuple[Any, ...]:
        """What must not depend on chunking: fields, the extracted dict and any error."""
        return (self.fields, self.extracted, self.error)


def url_for(synapse: Synapse) -> str:
    """Where a dendrite posts ``synapse``: the axon's address and the synapse's class name."""
    return DEFAULT_URL.rpartition("/")[0] + "/" + type(synapse).__name__


async def run_protocol(
    synapse: Synapse,
    chunks: Sequence[bytes],
    *,
    raw_headers: Sequence[tuple[bytes, bytes]] = (),
    status: int = 200,
) -> StreamOutcome:
    """Run a copy of ``synapse``'s ``process_streaming_response`` then
    ``extract_response_json`` over one response, as the dendrite does, and report."""
    copy = synapse.model_copy(deep=True)
    yielded: list[Any] = []
    extracted = error = None
    stage = "process_streaming_response"
    async with StreamedResponse(
        chunks, raw_headers=raw_headers, status=status, url=url_for(synapse)
    ) as response:
        try:
            async for item in copy.process_streaming_response(response):  # type: ignore[attr-defined]
                yielded.append(item)
            stage = "extract_response_json"
            extracted = copy.extract_response_json(response)  # type: ignore[attr-defined]
        except Exception as exc:
            error = (type(exc).__name__, str(exc))
    return StreamOutcome(yielded, user_fields(copy), extracted, error, stage if error else None)


_BASE_HEADERS: dict[tuple[type, int], list[tuple[bytes, bytes]]] = {}


def base_headers(synapse: Synapse, *, status: int = 200) -> list[tuple[bytes, bytes]]:
    """The headers a real axon sends for ``synapse``'s class, built once per class and status.

    Only ``total_size`` would differ between instances; the properties do not read it.
    """
    key = (type(synapse), status)
    if key not in _BASE_HEADERS:
        _BASE_HEADERS[key] = axon_response_headers(synapse, status=status)
    return _BASE_HEADERS[key]


def user_fields(synapse: Synapse) -> dict[str, Any]:
    """The synapse's own fields (those its class adds to ``bittensor.Synapse``)."""
    return {k: v for k, v in synapse.model_dump().items() if k not in _BASE_FIELDS}


Consumer = Callable[[list[Any]], Any]
"""The validator's own fold of a stream: given the items ``process_streaming_response``
yielded, in order, it returns what the validator keeps (sync or async)."""


def consume(consumer: Consumer, yielded: list[Any], loop: asyncio.AbstractEventLoop) -> Any:
    """What ``consumer`` returns from ``yielded`` (awaited on ``loop`` if it is async);
    ``("raised", name)`` if it raises."""
    try:
        result = consumer(list(yielded))
        return loop.run_until_complete(result) if inspect.isawaitable(result) else result
    except Exception as exc:
        return ("raised", type(exc).__name__)


class Runner(reports.Runner):
    """A property run's runner that also runs the protocol over one response, and the
    validator's consumer over what it yielded when there is one."""

    consumer: Consumer | None = None

    def run(self, *args: Any, **kwargs: Any) -> StreamOutcome:
        outcome = self.loop.run_until_complete(run_protocol(*args, **kwargs))
        if self.consumer is None:
            return outcome
        return replace(outcome, consumed=consume(self.consumer, outcome.yielded, self.loop))


def execute(
    name: str,
    body: Callable[[Runner], Callable[[], None]],
    seed: int | None,
    progress: Progress | None,
    cls: type,
) -> PropertyReport:
    """Run the hypothesis test ``body`` builds for protocol class ``cls`` (bittensor's
    schema cache held); raise :class:`PropertyFailed` with every finding, or return the
    report."""
    speedups.acquire(Synapse)
    try:
        return reports.execute(
            name, body, seed, progress, key=f"{cls.__module__}.{cls.__qualname__}", runner=Runner
        )
    finally:
        speedups.release()


__all__ = [
    "Consumer",
    "Counterexample",
    "Finding",
    "Progress",
    "PropertyFailed",
    "PropertyReport",
    "Runner",
    "StreamOutcome",
    "base_headers",
    "consume",
    "execute",
    "run_protocol",
    "url_for",
    "user_fields",
]
