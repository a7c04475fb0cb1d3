"""Ready-made protocol properties (implementation of :mod:`simnet.properties`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from difflib import SequenceMatcher
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from simnet._compat import BITTENSOR_VERSION, Synapse
from simnet.fuzz import chunks as cutting
from simnet.fuzz import strategies
from simnet.fuzz.equality import same
from simnet.fuzz.profiles import profile_settings
from simnet.fuzz.runs import (
    Progress,
    PropertyReport,
    Runner,
    StreamOutcome,
    base_headers,
    execute,
    user_fields,
)
from simnet.fuzz.samples import (
    Sample,
    as_samples,
    ascii_twin,
    replaced,
    text_bytes,
)
from simnet.fuzz.validator import Validator, View, reference_extract, terminal_dicts
from simnet.wire.headers import (
    ERROR_MESSAGES,
    HeaderSet,
    apply_changes,
    error_body,
    honest_variations,
)

ERROR_STATUSES = tuple(sorted(ERROR_MESSAGES))
SampleLike = bytes | Sample


def _samples(samples: Sequence[SampleLike] | None) -> list[Sample]:
    if samples is None:
        return as_samples([])
    return [s if isinstance(s, Sample) else Sample(bytes(s), "given") for s in samples]


def _synapse_strategy(
    cls: type[Synapse], synapses: st.SearchStrategy[Synapse] | None, runner: Runner
) -> st.SearchStrategy[Synapse]:
    if synapses is not None:
        return synapses
    for note in strategies.field_notes(cls):
        runner.note(note)
    return strategies.synapses(cls)


class _Comparison:
    """Compares outcomes of one protocol, leaving out what differs between two runs of the
    *same* input (a wall-clock timestamp, a random id), each with a note."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.volatile: set[tuple[str, str]] = set()

    def key(self, outcome: StreamOutcome) -> tuple[Any, ...]:
        fields = {k: v for k, v in outcome.fields.items() if ("field", k) not in self.volatile}
        extracted = outcome.extracted
        if isinstance(extracted, dict):
            extracted = {k: v for k, v in extracted.items() if ("key", k) not in self.volatile}
        error = outcome.error
        if error is not None and ("error", "message") in self.volatile:
            error = (error[0], "")
        return (fields, extracted, error)

    def same(self, a: StreamOutcome, b: StreamOutcome) -> bool:
        return same(self.key(a), self.key(b))

    def learn(self, first: StreamOutcome, again: StreamOutcome) -> None:
        """Note and leave out what differs between ``first`` and a rerun of its input."""
        for label, one, two in (
            ("field", first.fields, again.fields),
            (
                "key",
                first.extracted if isinstance(first.extracted, dict) else {},
                again.extracted if isinstance(again.extracted, dict) else {},
            ),
        ):
            for name in set(one) | set(two):
                if (label, name) not in self.volatile and not same(one.get(name), two.get(name)):
                    self.volatile.add((label, name))
                    what = "field" if label == "field" else "extracted key"
                    self.runner.note(
                        f"{what} {name!r} differs between two runs of the same bytes "
                        f"({one.get(name)!r} != {two.get(name)!r}); left out of the comparison"
                    )
        if (
            first.error
            and again.error
            and first.error != again.error
            and first.error[0] == again.error[0]
        ):
            self.volatile.add(("error", "message"))
            self.runner.note(
                "error messages differ between two runs of the same bytes; "
                "only error types are compared"
            )


def check_chunking_invariance(
    cls: type[Synapse],
    *,
    samples: Sequence[SampleLike] | None = None,
    payloads: st.SearchStrategy[bytes] | None = None,
    synapses: st.SearchStrategy[Synapse] | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> PropertyReport:
    """What the protocol accumulates does not depend on how the bytes are chunked, and
    it parses a valid stream at all.

    For every payload and every chunking of it, the synapse's own fields after the
    stream, the dict ``extract_response_json`` returns and the exception raised, if
    any, equal those of the same bytes in one chunk; the split into one-byte chunks
    (of the first 512 bytes) is checked for every payload (each sample once). The
    one-chunk parse of each sample is judged too (see :mod:`simnet.fuzz.samples`):
    ``samples`` are valid streams of the protocol (default: simnet's raw-UTF-8 text,
    JSON, SSE and NDJSON bodies). What is yielded per chunk is progress and may differ
    (see :func:`check_yields`).
    """
    judged = {sample.payload: sample for sample in reversed(_samples(samples))}
    payload_strategy = cutting.payloads(samples=list(judged)) if payloads is None else payloads

    def body(runner: Runner) -> Callable[[], None]:
        comparison = _Comparison(runner)
        baseline: list[bool] = []
        broken: set[bytes] = set()  # samples whose one-chunk parse is already a finding
        split_bytewise: set[bytes] = set()  # samples already checked in one-byte chunks

        @profile_settings(max_examples)
        @given(
            synapse=_synapse_strategy(cls, synapses, runner),
            payload=payload_strategy,
            data=st.data(),
        )
        def chunking_invariance(synapse: Synapse, payload: bytes, data: st.DataObject) -> None:
            runner.tick()
            drawn = data.draw(cutting.chunkings(payload), label="chunks")
            headers = base_headers(synapse)
            example: dict[str, Any] = {"synapse": synapse, "headers": HeaderSet(tuple(headers))}
            if not baseline:  # every sample's one-chunk parse, judged once
                baseline.append(True)
                for sample in judged.values():
                    one = runner.run(synapse, [sample.payload], raw_headers=headers)
                    problem = _baseline_problem(runner, synapse, sample, one, headers)
                    if problem:
                        broken.add(sample.payload)
                        runner.find(
                            ("baseline", problem),
                            problem,
                            size=0,
                            chunks=[sample.payload],
                            **example,
                        )
            if payload in broken:
                return
            whole = runner.run(synapse, [payload], raw_headers=headers)

            def differs(chunks: list[bytes]) -> StreamOutcome | None:
                split = runner.run(synapse, chunks, raw_headers=headers)
                if comparison.same(split, whole):
                    return None
                comparison.learn(whole, runner.run(synapse, [payload], raw_headers=headers))
                return None if comparison.same(split, whole) else split

            splits = [drawn] if payload in split_bytewise else [drawn, _one_byte(payload)]
            for chunks in splits:
                split = differs(chunks)
                if split is None:
                    continue
                if chunks is not drawn:
                    # Hypothesis shrinks the drawn split, not this fixed one: report the
                    # first single cut that fails too, if there is one.
                    for cut in range(1, min(len(payload), 512)):
                        single = differs([payload[:cut], payload[cut:]])
                        if single is not None:
                            chunks, split = [payload[:cut], payload[cut:]], single
                            break
                runner.fail(
                    f"the result depends on chunking: {_difference(whole, split, len(chunks))}",
                    chunks=chunks,
                    **example,
                )
            if payload in judged:
                split_bytewise.add(payload)  # held in one-byte chunks: enough for a sample

        return chunking_invariance

    return execute("chunking invariance", body, seed, progress, cls)


def _one_byte(payload: bytes) -> list[bytes]:
    one_byte = [payload[i : i + 1] for i in range(min(len(payload), 512))]
    return [*one_byte, payload[512:]] if payload[512:] else one_byte


def _baseline_problem(
    runner: Runner, synapse: Synapse, sample: Sample, whole: StreamOutcome, headers: Any
) -> str | None:
    """Why the one-chunk parse of a valid sample is wrong, if it is."""
    own = " of its own miner" if sample.origin.startswith("miner") else ""
    where = f" ({sample.origin})" if sample.given else ""
    twin_payload = ascii_twin(sample.payload)
    twin = runner.run(synapse, [twin_payload], raw_headers=headers) if twin_payload else None
    if not sample.given and (twin is None or twin.error is not None):
        return None  # not a stream of this protocol's shape: nothing to judge
    if whole.error is not None:
        because = "" if sample.given else " (its ASCII twin parses)"
        return (
            f"cannot parse a valid stream{own} in one chunk{where}: {whole.error[0]}: "
            f"{whole.error[1]}{because}"
        )
    if replaced(whole.fields) and "\ufffd".encode() not in sample.payload:
        return f"a valid stream{own} loses content in one chunk{where}: a field holds U+FFFD"
    if twin is not None and twin.error is None:
        kept, expected = text_bytes(whole.fields), text_bytes(twin.fields)
        if kept < expected:
            # A protocol may drop non-ASCII text on purpose (sanitising); a decoder losing
            # split characters also fails chunking invariance. Not sure: a note.
            runner.note(
                f"a valid stream{own} keeps less text in one chunk{where} than its ASCII "
                f"twin ({kept} bytes against {expected}): non-ASCII text is dropped "
                "(not a failure; a bug if it is not deliberate)"
            )
    return None


def check_header_contract(
    cls: type[Synapse],
    *,
    synapses: st.SearchStrategy[Synapse] | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> PropertyReport:
    """Header variations change nothing a validator sees.

    A response's headers are judged by their effect through the installed bittensor's
    real dendrite (``process_server_response``, ``process_error_message``): what the
    validator ends up with (the answer's status code, message and process time, the
    synapse's fields, an exception escaping the dendrite) is compared with what a
    protocol reading the headers as bittensor does would give. Every single honest
    variation (names re-cased or lower-cased as HTTP/2 does, names with underscores
    dropped as nginx does, headers repeated or reordered, a proxy's own, other
    releases' version headers) is tried, then drawn combinations with malformed values.
    An honest variation with an effect is a failure; a malformed value only the miner's
    own axon could send is a note, unless an exception escapes the dendrite or the
    validator credits changed fields; a difference the dendrite masks is a note. Every
    distinct finding is reported once, with its smallest example.
    """

    def body(runner: Runner) -> Callable[[], None]:
        validator = Validator.shared()
        enumerated: list[bool] = []

        @profile_settings(max_examples)
        @given(synapse=_synapse_strategy(cls, synapses, runner), data=st.data())
        def header_contract(synapse: Synapse, data: st.DataObject) -> None:
            runner.tick()
            base = base_headers(synapse)
            prepared = validator.prepare(synapse)

            @functools.cache
            def own() -> View:  # what the validator sees with the headers as sent; on demand
                return runner.loop.run_until_complete(
                    validator.view(prepared, [], base, escapes=False)
                )

            variations = [] if enumerated else honest_variations(base)
            enumerated.append(True)
            changes = data.draw(strategies.header_changes(), label="header changes")
            for headers in [*variations, apply_changes(base, changes)]:
                _judge_headers(runner, validator, synapse, prepared, own, headers)

        return header_contract

    return execute("header contract", body, seed, progress, cls)


def _judge_headers(
    runner: Runner,
    validator: Validator,
    synapse: Synapse,
    prepared: Synapse,
    own: Callable[[], View],
    headers: HeaderSet,
) -> None:
    def view(**kwargs: Any) -> View:
        return runner.loop.run_until_complete(validator.view(prepared, [], headers.raw, **kwargs))

    seen = view()
    right = view(extract=reference_extract, escapes=bool(seen.escaped))
    kinds = tuple(sorted({change.kind for change in headers.changes}))
    example = {"synapse": synapse, "headers": headers}
    size = len(headers.changes)
    what = (
        "; ".join(c.describe() for c in headers.changes)
        or "headers exactly as a real axon sends them"
    )
    if seen.escaped and not right.escaped:
        error = f"{seen.escaped[0]}: {seen.escaped[1]}"
        reason = f"with {what}: {error} escapes the dendrite into the validator"
        runner.find(("escaped", kinds, seen.escaped[0]), reason, size=size, **example)
        return
    if same(seen.terminal, right.terminal) and same(seen.fields, right.fields):
        effect, fields = [], []  # nothing differs from a protocol reading headers right
    else:
        effect = _effect(seen, right, own(), bool(headers.changes))
        fields = sorted(k for k in seen.fields if not same(seen.fields[k], own().fields.get(k)))
    if effect or (fields and not seen.raised):
        parts = [
            f"{k} is {_short(seen.terminal[k])} where reading the headers as bittensor does gives "
            f"{_short(right.terminal[k])}"
            for k in effect
        ] or [
            f"field {k!r} is {_short(seen.fields[k])} instead of {_short(own().fields.get(k))}"
            for k in fields
        ]
        cause = (
            f" (extract_response_json raised {seen.raised[0]}: {_short(seen.raised[1])})"
            if seen.raised
            else ""
        )
        reason = f"with {what}, the validator sees {'; '.join(parts)}{cause}"
        credited = bool(fields) and seen.terminal["status_code"] == 200
        key = ("effect", tuple(effect), tuple(fields))
        if headers.honest or credited:
            runner.find(key, reason, size=size, **example)
        elif key not in runner.findings:
            runner.note(
                "a miner's own malformed headers change only that miner's result "
                f"(not a failure), for example {reason}",
                key="malformed",  # one example is enough: they are all of one kind
            )
        return
    said, meant = terminal_dicts(seen.extracted), terminal_dicts(right.extracted)
    if not headers.honest or same(said, meant):
        return
    if not headers.changes or not same(said, terminal_dicts(own().extracted)):
        runner.note(
            f"no effect on bittensor {BITTENSOR_VERSION} (not a failure): with {what}, "
            f"extract_response_json returns axon {_short(said.get('axon'))} where the headers say "
            f"{_short(meant.get('axon'))}; the dendrite's own header merge corrects it",
            key=("masked", repr(said)),
        )


def _effect(seen: View, right: View, own: View, changed: bool) -> list[str]:
    """The terminal keys where the validator sees something else than with the headers a
    real axon sends (``own``) and than a protocol reading these headers as bittensor does
    (``right``) would give; with unchanged headers, those where the protocol raised and
    the reference did not. Two errors of the same status count as the same."""
    if changed:
        keys = [
            k
            for k in seen.terminal
            if not same(seen.terminal[k], own.terminal[k])
            and not same(seen.terminal[k], right.terminal[k])
        ]
    elif seen.raised and not right.raised:
        keys = [k for k in seen.terminal if not same(seen.terminal[k], right.terminal[k])]
    else:
        keys = []
    code = seen.terminal["dendrite_status_code"]
    if code == right.terminal["dendrite_status_code"] and code not in (200, "200", None):
        keys = [k for k in keys if k != "dendrite_status_message"]
    return keys


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) and value.startswith("'") else repr(value)
    text = text.splitlines()[0] if text else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_error_bodies(
    cls: type[Synapse],
    *,
    synapses: st.SearchStrategy[Synapse] | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> PropertyReport:
    """An axon's error response never becomes content.

    For each error status a bittensor axon sends (401, 403, 404, 408, 500, 503) with its
    JSON error body, chunked any way, the synapse's own fields keep the values it was
    sent with, or the protocol raises an error. (Today's dendrite hands error
    responses to ``process_streaming_response`` without looking at the status.)
    """

    def body(runner: Runner) -> Callable[[], None]:
        @profile_settings(max_examples)
        @given(
            synapse=_synapse_strategy(cls, synapses, runner),
            status=st.sampled_from(ERROR_STATUSES),
            data=st.data(),
        )
        def error_bodies(synapse: Synapse, status: int, data: st.DataObject) -> None:
            runner.tick()
            outcome, example = _error_response(runner, synapse, status, data, "chunks")
            sent = user_fields(synapse)
            if outcome.error is None and not same(outcome.fields, sent):
                changed = {k: v for k, v in outcome.fields.items() if not same(sent.get(k), v)}
                runner.fail(
                    f"the {status} error body became content: fields changed to {changed!r}",
                    **example,
                )

        return error_bodies

    return execute("error bodies", body, seed, progress, cls)


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
    payload_strategy = (
        cutting.payloads(samples=[s.payload for s in _samples(samples)])
        if payloads is None
        else payloads
    )

    def body(runner: Runner) -> Callable[[], None]:
        @profile_settings(max_examples)
        @given(
            synapse=_synapse_strategy(cls, synapses, runner),
            payload=payload_strategy,
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
                        f"what is yielded depends on chunking: {_short(one)} as one chunk but "
                        f"{_short(many)} as {len(chunks)} chunks",
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


PROPERTIES: dict[str, Callable[..., PropertyReport]] = {
    "chunking_invariance": check_chunking_invariance,
    "header_contract": check_header_contract,
    "error_bodies": check_error_bodies,
}
"""Every property simnet runs by default, by name."""

OPTIONAL_PROPERTIES: dict[str, Callable[..., PropertyReport]] = {"yields": check_yields}
"""Properties run on request (``simnet fuzz --yields``, ``--simnet-fuzz-yields``)."""
