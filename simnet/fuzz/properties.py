"""Ready-made protocol properties (implementation of :mod:`simnet.properties`): the error
bodies and the yields here, chunking invariance and the header contract in their own
modules, and the lists the CLI and the plugin run."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from difflib import SequenceMatcher
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from simnet._compat import Synapse
from simnet.fuzz import chunks as cutting
from simnet.fuzz.chunking import check_chunking_invariance
from simnet.fuzz.contract import check_header_contract
from simnet.fuzz.equality import same
from simnet.fuzz.inputs import (
    SampleLike,
    SynapseFactory,
    judged_samples,
    payload_strategy,
    short,
    synapse_strategy,
)
from simnet.fuzz.profiles import profile_settings
from simnet.fuzz.roundtrip import check_round_trip
from simnet.fuzz.runs import (
    Consumer,
    Progress,
    PropertyReport,
    Runner,
    StreamOutcome,
    base_headers,
    consume,
    execute,
    user_fields,
)
from simnet.fuzz.variations import HeaderSet
from simnet.wire.headers import ERROR_MESSAGES, error_body

ERROR_STATUSES = tuple(sorted(ERROR_MESSAGES))
BLANK: tuple[Any, ...] = (None, "", b"", [], {})
"""Values that hold nothing: a field cleared to one is not content."""


def check_error_bodies(
    cls: type[Synapse],
    *,
    samples: Sequence[SampleLike] | None = None,
    synapses: st.SearchStrategy[Synapse] | None = None,
    synapse_factory: SynapseFactory | None = None,
    consumer: Consumer | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> PropertyReport:
    """An axon's error response never becomes content.

    For each error status a bittensor axon sends (401, 403, 404, 408, 500, 503) with its
    JSON error body, chunked any way, the synapse's *content* fields keep the values it
    was sent with, whether or not the protocol then raises. Content fields are those the
    stream fills in a normal answer (one of the ``samples`` parsed in one chunk); a
    protocol recording the failure in fields of its own (a status, an error message) is
    not judged on those. When no sample parses, every field is content. A field cleared
    (to ``None``, ``""``, an empty list) holds nothing of the error body. (Today's dendrite hands
    error responses to ``process_streaming_response`` without looking at the status.)
    With the validator's ``consumer`` of the yields, what it returns is judged instead:
    it must return what it returns for no yields at all (or something blank, or raise).
    """
    judged = judged_samples(samples)

    def body(runner: Runner) -> Callable[[], None]:
        runner.consumer = consumer
        content: list[set[str] | None] = []  # found with the first synapse drawn

        @profile_settings(max_examples)
        @given(
            synapse=synapse_strategy(cls, synapses, synapse_factory, runner),
            status=st.sampled_from(ERROR_STATUSES),
            data=st.data(),
        )
        def error_bodies(synapse: Synapse, status: int, data: st.DataObject) -> None:
            runner.tick()
            if not content:
                content.append(_content_fields(runner, synapse, judged))
            outcome, example = _error_response(runner, synapse, status, data, "chunks")
            if consumer is not None:
                _judge_consumed(runner, consumer, outcome, status, example)
                return
            changed = _changed(user_fields(synapse), outcome.fields, content[0])
            if changed:
                then = (
                    f" (then {outcome.raised_in} raised {outcome.error[0]})"
                    if outcome.error
                    else ""
                )
                runner.fail(
                    f"the {status} error body became content: fields changed to {changed!r}{then}",
                    **example,
                )

        return error_bodies

    return execute("error bodies", body, seed, progress, cls)


def _judge_consumed(
    runner: Runner,
    consumer: Consumer,
    outcome: StreamOutcome,
    status: int,
    example: dict[str, Any],
) -> None:
    """Fail if the consumer keeps something of an error response's yields."""
    nothing = consume(consumer, [], runner.loop)
    kept = outcome.consumed
    raised = isinstance(kept, tuple) and kept[:1] == ("raised",)
    if not (raised or _blank(kept) or same(kept, nothing)):
        runner.fail(
            f"the {status} error body became content: the consumer returns {short(kept)} "
            f"where it returns {short(nothing)} for no stream",
            **example,
        )


def _content_fields(runner: Runner, synapse: Synapse, judged: dict[bytes, Any]) -> set[str] | None:
    """The fields the stream fills in a normal answer: those a sample parsed cleanly in one
    chunk changes; ``None`` (every field) when no sample does."""
    sent, headers = user_fields(synapse), base_headers(synapse)
    filled: set[str] = set()
    for payload in judged:
        outcome = runner.run(synapse, [payload], raw_headers=headers)
        if outcome.error is None:
            filled |= set(_changed(sent, outcome.fields, None))
    return filled or None


def _changed(
    sent: dict[str, Any], fields: dict[str, Any], content: set[str] | None
) -> dict[str, Any]:
    """The ``content`` fields (all, for ``None``) whose value differs from the one sent
    and is not blank (a field cleared holds nothing of an error body)."""
    return {
        k: v
        for k, v in fields.items()
        if (content is None or k in content) and not same(sent.get(k), v) and not _blank(v)
    }


def _blank(value: Any) -> bool:
    return any(value is b or (type(value) is type(b) and value == b) for b in BLANK)


def _error_response(
    runner: Runner, synapse: Synapse, status: int, data: st.DataObject, label: str
) -> tuple[StreamOutcome, dict[str, Any]]:
    """Run the protocol over an axon's ``status`` error response, chunked as drawn."""
    chunks = data.draw(cutting.chunkings(error_body(status)), label=label)
    headers = base_headers(synapse, status=status)
    outcome = runner.run(synapse, chunks, raw_headers=headers, status=status)
    example = {
        "synapse": synapse,
        "chunks": chunks,
        "headers": HeaderSet(tuple(headers)),
        "status": status,
    }
    return outcome, example


def check_yields(
    cls: type[Synapse],
    *,
    samples: Sequence[SampleLike] | None = None,
    payloads: st.SearchStrategy[bytes] | None = None,
    synapses: st.SearchStrategy[Synapse] | None = None,
    synapse_factory: SynapseFactory | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> PropertyReport:
    """What ``process_streaming_response`` yields is the same however the bytes are
    chunked, and nothing of an error body is yielded as content.

    For validators that consume the yields (a client printing tokens, a scorer parsing
    them). Yielded items are compared concatenated: nested lists are flattened and
    adjacent text (or bytes) joined, so ``["ab"], ["c"]`` equals ``["abc"]``.
    """
    bodies = payload_strategy(judged_samples(samples)) if payloads is None else payloads

    def body(runner: Runner) -> Callable[[], None]:
        @profile_settings(max_examples)
        @given(
            synapse=synapse_strategy(cls, synapses, synapse_factory, runner),
            payload=bodies,
            status=st.sampled_from(ERROR_STATUSES),
            data=st.data(),
        )
        def yields(synapse: Synapse, payload: bytes, status: int, data: st.DataObject) -> None:
            runner.tick()
            chunks = data.draw(cutting.chunkings(payload), label="chunks")
            headers = base_headers(synapse)
            example = {"synapse": synapse, "headers": HeaderSet(tuple(headers))}
            split = runner.run(synapse, chunks, raw_headers=headers)
            whole = runner.run(synapse, [payload], raw_headers=headers)
            if split.error is None and whole.error is None:
                one, many = concatenated(whole.yielded), concatenated(split.yielded)
                if not same(one, many):
                    runner.fail(
                        f"what is yielded depends on chunking: {short(one)} as one chunk but "
                        f"{short(many)} as {len(chunks)} chunks",
                        chunks=chunks,
                        **example,
                    )
            # And an error response, chunked any way, yields nothing of its body.
            failed, example = _error_response(runner, synapse, status, data, "error chunks")
            leaked = _leaked(concatenated(failed.yielded), ERROR_MESSAGES[status])
            if leaked:
                runner.fail(f"the {status} error body is yielded as content: {leaked!r}", **example)

        return yields

    return execute("yields", body, seed, progress, cls)


def concatenated(items: Sequence[Any]) -> list[Any]:
    """Yielded items flattened, with adjacent text joined and adjacent bytes joined."""
    result: list[Any] = []
    for item in _flatten(items):
        if result and type(item) in (str, bytes) and type(result[-1]) is type(item):
            result[-1] += item
        elif not (type(item) in (str, bytes) and not item):
            result.append(item)
    return result


def _flatten(items: Any) -> Iterator[Any]:
    for item in items:
        if isinstance(item, list | tuple):
            yield from _flatten(item)
        else:
            yield item


def _leaked(items: list[Any], message: str) -> str | None:
    """The longest piece of ``message`` (at least 8 characters) the yielded text contains."""
    text = "".join(
        i.decode(errors="replace") if isinstance(i, bytes) else i
        for i in items
        if isinstance(i, str | bytes)
    )
    match = SequenceMatcher(None, text, message, autojunk=False).find_longest_match(
        0, len(text), 0, len(message)
    )
    return message[match.b : match.b + match.size] if match.size >= min(8, len(message)) else None


PROPERTIES: dict[str, Callable[..., PropertyReport]] = {
    "chunking_invariance": check_chunking_invariance,
    "header_contract": check_header_contract,
    "error_bodies": check_error_bodies,
}
"""Every property simnet runs by default, by name."""

OPTIONAL_PROPERTIES: dict[str, Callable[..., PropertyReport]] = {
    "yields": check_yields,
    "round_trip": check_round_trip,
}
"""Properties run on request (``simnet fuzz --yields``, ``--simnet-fuzz-yields``;
``--round-trip MODULE:FUNC`` after ``simnet fuzz``'s target or on a ``simnet_fuzz`` line)."""
