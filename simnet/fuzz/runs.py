"""Running a protocol over one response, and running a property over many: outcomes,
counterexamples, findings and notes."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import hypothesis
from hypothesis.errors import Flaky

from simnet._compat import Synapse
from simnet.fuzz.response import DEFAULT_URL, StreamedResponse
from simnet.wire import speedups
from simnet.wire.headers import HeaderSet, axon_response_headers

_BASE_FIELDS = frozenset(Synapse.model_fields)


@dataclass(frozen=True)
class StreamOutcome:
    """What a protocol did with one response."""

    yielded: list[Any]
    fields: dict[str, Any]
    extracted: dict[str, Any] | None
    error: tuple[str, str] | None

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
    async with StreamedResponse(
        chunks, raw_headers=raw_headers, status=status, url=url_for(synapse)
    ) as response:
        try:
            async for item in copy.process_streaming_response(response):  # type: ignore[attr-defined]
                yielded.append(item)
            extracted = copy.extract_response_json(response)  # type: ignore[attr-defined]
        except Exception as exc:
            error = (type(exc).__name__, str(exc))
    return StreamOutcome(yielded, user_fields(copy), extracted, error)


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


@dataclass
class Counterexample:
    """One failing example of a property: after shrinking, the minimal one."""

    synapse: Synapse | None = None
    chunks: list[bytes] = field(default_factory=list)
    headers: HeaderSet | None = None
    status: int = 200
    reason: str = ""


@dataclass(frozen=True)
class Finding:
    """One distinct way a property fails, with its minimal example."""

    property: str
    message: str
    counterexample: Counterexample


@dataclass
class PropertyReport:
    """A property that holds: how many examples ran and what simnet noted on the way
    (fields left out, findings that have no effect on the installed bittensor)."""

    property: str
    examples: int
    notes: list[str] = field(default_factory=list)


class PropertyFailed(AssertionError):
    """A property does not hold. ``findings`` holds every distinct failure (each with its
    minimal example), ``counterexample`` the first one's, ``notes`` what was noted."""

    def __init__(
        self,
        message: str,
        counterexample: Counterexample,
        *,
        findings: Sequence[Finding] = (),
        notes: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.counterexample = counterexample
        self.findings = list(findings)
        self.notes = list(notes)


Progress = Callable[[int], None]
"""Called with the number of examples run so far."""


class Runner:
    """One event loop for all examples of one property run; collects findings and notes."""

    def __init__(self, name: str, progress: Progress | None) -> None:
        self.name = name
        self.loop = asyncio.new_event_loop()
        self.failure = Counterexample()
        self.examples = 0
        self.findings: dict[Any, Finding] = {}
        self._sizes: dict[Any, int] = {}
        self._notes: dict[Any, str] = {}  # key -> text, the first noted per key
        self._progress = progress

    def tick(self) -> None:
        self.examples += 1
        if self._progress is not None:
            self._progress(self.examples)

    def run(self, *args: Any, **kwargs: Any) -> StreamOutcome:
        return self.loop.run_until_complete(run_protocol(*args, **kwargs))

    def fail(self, reason: str, **example: Any) -> None:
        """Fail this example (hypothesis then shrinks it)."""
        self.failure = Counterexample(reason=reason, **example)
        raise AssertionError(reason)

    def find(self, key: Any, reason: str, *, size: int, **example: Any) -> None:
        """Record a finding without failing the example; the smallest one per ``key`` is kept."""
        if key not in self.findings or size < self._sizes[key]:
            self._sizes[key] = size
            self.findings[key] = Finding(
                self.name, reason, Counterexample(reason=reason, **example)
            )

    def note(self, text: str, key: Any = None) -> None:
        """Note ``text`` once per ``key`` (default: the text itself)."""
        self._notes.setdefault(text if key is None else key, text)

    @property
    def notes(self) -> list[str]:
        return list(self._notes.values())

    def close(self) -> None:
        self.loop.close()


def execute(
    name: str,
    body: Callable[[Runner], Callable[[], None]],
    seed: int | None,
    progress: Progress | None,
    cls: type,
) -> PropertyReport:
    """Run the hypothesis test ``body`` builds; raise :class:`PropertyFailed` with every
    finding, or return the report."""

    def run_all() -> PropertyReport:
        runner = Runner(name, progress)
        speedups.acquire()
        try:
            test = body(runner)
            # Failing examples are saved per property *and class* (the same hook hypothesis'
            # pytest plugin uses for parametrized tests): one class's counterexample is no
            # starting point for another's.
            key = f"{cls.__module__}.{cls.__qualname__}".encode()
            test.hypothesis.inner_test._hypothesis_internal_add_digest = key  # type: ignore[attr-defined]
            if seed is not None:
                test = hypothesis.seed(seed)(test)
            test()
        except Flaky as exc:
            # The same input gave different results: nothing simnet may call a bug.
            runner.note(
                f"{name}: the protocol's result varies between runs of the same input ({exc})"
            )
        except AssertionError:
            reason = runner.failure.reason
            runner.findings = {"shrunk": Finding(name, reason, runner.failure), **runner.findings}
        finally:
            speedups.release()
            runner.close()
        notes = list(runner.notes)
        if runner.findings:
            findings = list(runner.findings.values())
            message = f"{name}: " + "; ".join(f.message for f in findings[:1])
            if len(findings) > 1:
                message += f" (and {len(findings) - 1} more finding(s))"
            raise PropertyFailed(
                message, findings[0].counterexample, findings=findings, notes=notes
            )
        return PropertyReport(name, runner.examples, notes)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run_all()
    # Called from inside a running loop (an async test): run in a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run_all).result()
