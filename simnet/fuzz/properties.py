"""Ready-made protocol properties (implementation of :mod:`simnet.properties`)."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import hypothesis
from hypothesis import given
from hypothesis import strategies as st

from simnet._compat import Dendrite, Synapse, TerminalInfo
from simnet.fuzz import strategies
from simnet.fuzz.equality import same
from simnet.fuzz.profiles import profile_settings
from simnet.fuzz.response import StreamedResponse
from simnet.sandbox.offline import offline
from simnet.sandbox.wallets import keypair_for
from simnet.wire.headers import (
    ERROR_MESSAGES,
    HeaderSet,
    apply_changes,
    axon_response_headers,
    error_body,
)

_BASE_FIELDS = frozenset(Synapse.model_fields)
DEFAULT_SAMPLES = (b"hello world", "h\u00e9llo w\u00f6rld \u65e5\u672c\u8a9e \U0001f389\n".encode())
ERROR_STATUSES = tuple(sorted(ERROR_MESSAGES))


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
    async with StreamedResponse(chunks, raw_headers=raw_headers, status=status) as response:
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
    """The last failing example of a property run: after shrinking, the minimal one."""

    synapse: Synapse | None = None
    chunks: list[bytes] = field(default_factory=list)
    headers: HeaderSet | None = None
    status: int = 200
    reason: str = ""


class PropertyFailed(AssertionError):
    """A property does not hold; ``counterexample`` is the minimal failing example."""

    def __init__(self, message: str, counterexample: Counterexample) -> None:
        super().__init__(message)
        self.counterexample = counterexample


Progress = Callable[[int], None]
"""Called with the number of examples run so far."""


class _Runner:
    """One event loop for all examples of one property run."""

    def __init__(self, progress: Progress | None) -> None:
        self.loop = asyncio.new_event_loop()
        self.failure = Counterexample()
        self.examples = 0
        self._progress = progress

    def tick(self) -> None:
        self.examples += 1
        if self._progress is not None:
            self._progress(self.examples)

    def run(self, *args: Any, **kwargs: Any) -> StreamOutcome:
        return self.loop.run_until_complete(run_protocol(*args, **kwargs))

    def fail(self, reason: str, **example: Any) -> None:
        self.failure = Counterexample(reason=reason, **example)
        raise AssertionError(reason)

    def close(self) -> None:
        self.loop.close()


def _execute(
    name: str,
    body: Callable[[_Runner], Callable[[], None]],
    seed: int | None,
    progress: Progress | None,
    cls: type,
) -> None:
    def run_all() -> None:
        runner = _Runner(progress)
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
        except AssertionError as exc:
            raise PropertyFailed(f"{name}: {runner.failure.reason or exc}", runner.failure) from exc
        finally:
            runner.close()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        run_all()
        return
    # Called from inside a running loop (an async test): run in a thread of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run_all).result()


def check_chunking_invariance(
    cls: type[Synapse],
    *,
    payloads: st.SearchStrategy[bytes] | None = None,
    synapses: st.SearchStrategy[Synapse] | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> None:
    """What the protocol accumulates does not depend on how the bytes are chunked.

    For every payload and every chunking of it, the synapse's own fields after the
    stream, the dict ``extract_response_json`` returns and the exception raised, if
    any, equal those of the same bytes in one chunk; the split into one-byte chunks
    (of the first 512 bytes) is checked for every payload. What is yielded per chunk
    is progress and may differ.
    """
    payload_strategy = (
        strategies.payloads(samples=DEFAULT_SAMPLES) if payloads is None else payloads
    )
    synapse_strategy = strategies.synapses(cls) if synapses is None else synapses

    def body(runner: _Runner) -> Callable[[], None]:
        @profile_settings(max_examples)
        @given(synapse=synapse_strategy, payload=payload_strategy, data=st.data())
        def chunking_invariance(synapse: Synapse, payload: bytes, data: st.DataObject) -> None:
            runner.tick()
            drawn = data.draw(strategies.chunkings(payload), label="chunks")
            headers = base_headers(synapse)
            whole = runner.run(synapse, [payload], raw_headers=headers)
            # One-byte chunks (of the first 512 bytes) are checked for every payload.
            one_byte = [payload[i : i + 1] for i in range(min(len(payload), 512))]
            one_byte = [*one_byte, payload[512:]] if payload[512:] else one_byte

            def differs(chunks: list[bytes]) -> StreamOutcome | None:
                split = runner.run(synapse, chunks, raw_headers=headers)
                return None if same(split.accumulated, whole.accumulated) else split

            for chunks in (drawn, one_byte):
                split = differs(chunks)
                if split is None:
                    continue
                if chunks is one_byte:
                    # Hypothesis shrinks the drawn split, not this fixed one: report the
                    # first single cut that fails too, if there is one.
                    for cut in range(1, min(len(payload), 512)):
                        single = differs([payload[:cut], payload[cut:]])
                        if single is not None:
                            chunks, split = [payload[:cut], payload[cut:]], single
                            break
                runner.fail(
                    f"the result depends on chunking: {_difference(whole, split, len(chunks))}",
                    synapse=synapse,
                    chunks=chunks,
                    headers=HeaderSet(tuple(headers)),
                )

        return chunking_invariance

    _execute("chunking invariance", body, seed, progress, cls)


def check_header_contract(
    cls: type[Synapse],
    *,
    synapses: st.SearchStrategy[Synapse] | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> None:
    """``extract_response_json`` copes with every plausible header set.

    For headers as a real axon sends them and their plausible variations (re-cased
    names, dropped or duplicated headers, malformed numbers, non-UTF-8 values, unknown
    extras) it either returns a dict that the synapse class validates and the real
    dendrite's ``process_server_response`` accepts, whose ``axon``/``dendrite`` keys are
    all ``TerminalInfo`` field names and which does not change when only the case of
    header names does; or it raises an error whose message names a changed header.
    """
    synapse_strategy = strategies.synapses(cls) if synapses is None else synapses
    with offline():
        dendrite = Dendrite(wallet=keypair_for("hotkey", "simnet-property"))

    def body(runner: _Runner) -> Callable[[], None]:
        @profile_settings(max_examples)
        @given(synapse=synapse_strategy, data=st.data())
        def header_contract(synapse: Synapse, data: st.DataObject) -> None:
            runner.tick()
            changes = data.draw(strategies.header_changes(), label="header changes")
            headers = apply_changes(base_headers(synapse), changes)
            example = {"synapse": synapse, "headers": headers}
            outcome = runner.run(synapse, [], raw_headers=headers.raw)
            if outcome.error is not None:
                if not any(name in outcome.error[1].lower() for name in headers.changed_names):
                    runner.fail(
                        f"extract_response_json raised {outcome.error[0]}: {outcome.error[1]!r}, "
                        f"which names none of the changed headers",
                        **example,
                    )
                return
            problem = _contract_problem(runner, dendrite, synapse, headers, outcome.extracted)
            if problem:
                runner.fail(problem, **example)

        return header_contract

    _execute("header contract", body, seed, progress, cls)


def _contract_problem(
    runner: _Runner,
    dendrite: Dendrite,
    synapse: Synapse,
    headers: HeaderSet,
    extracted: Any,
) -> str | None:
    if not isinstance(extracted, dict):
        return f"extract_response_json returned {type(extracted).__name__}, not a dict"
    for side in ("axon", "dendrite"):
        unknown = set(extracted.get(side) or {}) - set(TerminalInfo.model_fields)
        if unknown:
            return f"keys under {side!r} are not TerminalInfo fields: {sorted(unknown)}"
    try:
        type(synapse)(**extracted)
    except Exception as exc:
        return f"{type(synapse).__name__} rejects what extract_response_json returned: {exc}"
    problem = _dendrite_problem(runner, dendrite, synapse, headers, extracted)
    if problem:
        return problem
    lowered = runner.run(synapse, [], raw_headers=headers.lowercased().raw)
    if not same(lowered.extracted, extracted):
        return (
            "the result depends on the case of header names: "
            f"{extracted!r} != {lowered.extracted!r} with lower-case names"
        )
    return None


def _dendrite_problem(
    runner: _Runner, dendrite: Dendrite, synapse: Synapse, headers: HeaderSet, extracted: Any
) -> str | None:
    async def merge() -> str | None:
        async with StreamedResponse([], raw_headers=headers.raw) as response:
            try:
                Synapse.from_headers(response.headers)  # type: ignore[arg-type]
            except Exception:
                return (
                    None  # bittensor's own header parsing refuses these; not the protocol's doing
                )
            try:
                # The response double offers what process_server_response reads.
                double: Any = response
                dendrite.process_server_response(double, extracted, synapse.model_copy(deep=True))
            except Exception as exc:
                return f"the real dendrite's process_server_response refused the result: {exc!r}"
        return None

    return runner.loop.run_until_complete(merge())


def check_error_bodies(
    cls: type[Synapse],
    *,
    synapses: st.SearchStrategy[Synapse] | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> None:
    """An axon's error response never becomes content.

    For each error status a bittensor axon sends (401, 403, 404, 408, 500, 503) with its
    JSON error body, chunked any way, the synapse's own fields keep the values it was
    sent with, or the protocol raises an error. (Today's dendrite hands error
    responses to ``process_streaming_response`` without looking at the status.)
    """
    synapse_strategy = strategies.synapses(cls) if synapses is None else synapses

    def body(runner: _Runner) -> Callable[[], None]:
        @profile_settings(max_examples)
        @given(synapse=synapse_strategy, status=st.sampled_from(ERROR_STATUSES), data=st.data())
        def error_bodies(synapse: Synapse, status: int, data: st.DataObject) -> None:
            runner.tick()
            chunks = data.draw(strategies.chunkings(error_body(status)), label="chunks")
            headers = base_headers(synapse, status=status)
            outcome = runner.run(synapse, chunks, raw_headers=headers, status=status)
            sent = user_fields(synapse)
            if outcome.error is None and not same(outcome.fields, sent):
                changed = {k: v for k, v in outcome.fields.items() if not same(sent.get(k), v)}
                runner.fail(
                    f"the {status} error body became content: fields changed to {changed!r}",
                    synapse=synapse,
                    chunks=chunks,
                    headers=HeaderSet(tuple(headers)),
                    status=status,
                )

        return error_bodies

    _execute("error bodies", body, seed, progress, cls)


def _difference(whole: StreamOutcome, split: StreamOutcome, chunks: int) -> str:
    """What differs between the one-chunk and the ``chunks``-chunk outcomes, in words."""
    if whole.error != split.error:
        return f"as one chunk -> {_error(whole)}; as {chunks} chunks -> {_error(split)}"
    parts = []
    for label, one, many in (
        ("field", whole.fields, split.fields),
        ("extracted key", whole.extracted or {}, split.extracted or {}),
    ):
        for key in sorted(set(one) | set(many)):
            if not same(one.get(key), many.get(key)):
                parts.append(
                    f"{label} {key!r} is {one.get(key)!r} as one chunk but "
                    f"{many.get(key)!r} as {chunks} chunks"
                )
    return "; ".join(parts)


def _error(outcome: StreamOutcome) -> str:
    return f"{outcome.error[0]}: {outcome.error[1]}" if outcome.error else "no error"


PROPERTIES: dict[str, Callable[..., None]] = {
    "chunking_invariance": check_chunking_invariance,
    "header_contract": check_header_contract,
    "error_bodies": check_error_bodies,
}
"""Every ready-made property, by name."""
