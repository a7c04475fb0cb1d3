"""The chunking-invariance property: what a protocol accumulates does not depend on how
the bytes are chunked, and it parses a valid stream at all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from simnet._compat import Synapse
from simnet.fuzz import chunks as cutting
from simnet.fuzz.equality import same
from simnet.fuzz.inputs import (
    SampleLike,
    SynapseFactory,
    judged_samples,
    payload_strategy,
    sendable_note,
    short,
    synapse_strategy,
)
from simnet.fuzz.profiles import profile_settings
from simnet.fuzz.runs import (
    Consumer,
    Progress,
    PropertyReport,
    Runner,
    StreamOutcome,
    base_headers,
    execute,
)
from simnet.fuzz.samples import Sample, ascii_twin, replaced, text_bytes
from simnet.fuzz.variations import HeaderSet

RawHeaders = list[tuple[bytes, bytes]]
ONE_BYTE_PREFIX = 512
"""The one-byte split covers this many bytes of a body; the rest is one chunk."""


def check_chunking_invariance(
    cls: type[Synapse],
    *,
    samples: Sequence[SampleLike] | None = None,
    payloads: st.SearchStrategy[bytes] | None = None,
    synapses: st.SearchStrategy[Synapse] | None = None,
    synapse_factory: SynapseFactory | None = None,
    consumer: Consumer | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> PropertyReport:
    """What the protocol accumulates does not depend on how the bytes are chunked, and
    it parses a valid stream at all.

    For every payload and every chunking of it, the synapse's own fields after the
    stream, the dict ``extract_response_json`` returns and the exception raised, if
    any, equal those of the same bytes in one chunk. Every sample is also split into
    one-byte chunks (its first 512 bytes) once, and every generated payload each time it
    is drawn. The one-chunk parse of each sample is judged too (see
    :mod:`simnet.fuzz.samples`): ``samples`` are valid streams of the protocol (default:
    simnet's raw-UTF-8 text, JSON, SSE and NDJSON bodies), drawn first and often. A
    sample that fails to parse with one drawn synapse and parses with another is a note
    (the synapse may be one the validator never sends), unless the synapses come from
    ``synapse_factory``, the validator's own builder. What is yielded per chunk is
    progress and may differ (see :func:`check_yields`), unless the validator folds the
    yields with ``consumer`` (an SSE parser, a per-chunk JSON parser): then what the
    consumer returns, and any error the protocol raises, is what must not depend on
    chunking.
    """
    judged = judged_samples(samples)
    bodies = payload_strategy(judged) if payloads is None else payloads

    def body(runner: Runner) -> Callable[[], None]:
        runner.consumer = consumer
        comparison = _Comparison(runner)
        baseline = _Baseline(runner, judged, validator_sends=synapse_factory is not None)
        split_once: set[bytes] = set()  # samples already split into one-byte chunks

        @profile_settings(max_examples)
        @given(
            synapse=synapse_strategy(cls, synapses, synapse_factory, runner),
            payload=bodies,
            data=st.data(),
        )
        def chunking_invariance(synapse: Synapse, payload: bytes, data: st.DataObject) -> None:
            runner.tick()
            drawn = data.draw(cutting.chunkings(payload), label="chunks")
            headers = base_headers(synapse)
            baseline.judge(synapse, headers)
            if payload in baseline.broken:
                return
            case = _Case(runner, comparison, synapse, payload, headers)
            case.check(drawn)
            if payload not in judged:
                case.check_one_byte(fail=True)
            elif payload not in split_once:
                split_once.add(payload)
                case.check_one_byte(fail=False)

        return chunking_invariance

    return execute("chunking invariance", body, seed, progress, cls)


class _Comparison:
    """Compares outcomes of one protocol, leaving out what differs between two runs of the
    *same* input (a wall-clock timestamp, a random id), each with a note."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.volatile: set[tuple[str, str]] = set()

    def key(self, outcome: StreamOutcome) -> tuple[Any, ...]:
        if self.runner.consumer is not None:  # the validator keeps what its consumer returns
            return (outcome.consumed, self._error(outcome))
        fields = {k: v for k, v in outcome.fields.items() if ("field", k) not in self.volatile}
        extracted = outcome.extracted
        if isinstance(extracted, dict):
            extracted = {k: v for k, v in extracted.items() if ("key", k) not in self.volatile}
        return (fields, extracted, self._error(outcome))

    def _error(self, outcome: StreamOutcome) -> tuple[str, str] | None:
        error = outcome.error
        if error is not None and ("error", "message") in self.volatile:
            error = (error[0], "")
        return error

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


class _Case:
    """One synapse and one payload: its one-chunk outcome, and chunkings compared with it."""

    def __init__(
        self,
        runner: Runner,
        comparison: _Comparison,
        synapse: Synapse,
        payload: bytes,
        headers: RawHeaders,
    ) -> None:
        self.runner, self.comparison = runner, comparison
        self.synapse, self.payload, self.headers = synapse, payload, headers
        self.whole = self._run([payload])

    def _run(self, chunks: list[bytes]) -> StreamOutcome:
        return self.runner.run(self.synapse, chunks, raw_headers=self.headers)

    def differs(self, chunks: list[bytes]) -> StreamOutcome | None:
        """The outcome of ``chunks``, if it differs from the one-chunk outcome in anything
        that does not differ between two runs of the same bytes."""
        split = self._run(chunks)
        if self.comparison.same(split, self.whole):
            return None
        self.comparison.learn(self.whole, self._run([self.payload]))
        return None if self.comparison.same(split, self.whole) else split

    def check(self, chunks: list[bytes]) -> None:
        """Fail the example (hypothesis shrinks it) if ``chunks`` changes the outcome."""
        split = self.differs(chunks)
        if split is not None:
            self.runner.fail(self._reason(split, len(chunks)), **self._example(chunks))

    def check_one_byte(self, *, fail: bool) -> None:
        """Split into one-byte chunks; on a difference, report the first single cut that
        differs too (hypothesis shrinks drawn splits, not this fixed one). ``fail``: fail
        the example, else record a finding (a sample is split once, so a replay of the
        example by hypothesis would not split it again)."""
        chunks = _one_byte(self.payload)
        split = self.differs(chunks)
        if split is None:
            return
        for cut in range(1, min(len(self.payload), ONE_BYTE_PREFIX)):
            single = self.differs([self.payload[:cut], self.payload[cut:]])
            if single is not None:
                chunks, split = [self.payload[:cut], self.payload[cut:]], single
                break
        reason = self._reason(split, len(chunks))
        if fail:
            self.runner.fail(reason, **self._example(chunks))
        key = ("one byte", self.payload)
        self.runner.find(key, reason, size=0, fallback=True, **self._example(chunks))

    def _reason(self, split: StreamOutcome, chunks: int) -> str:
        return f"the result depends on chunking: {_difference(self.whole, split, chunks)}"

    def _example(self, chunks: list[bytes]) -> dict[str, Any]:
        return {
            "synapse": self.synapse,
            "headers": HeaderSet(tuple(self.headers)),
            "chunks": chunks,
        }


def _one_byte(payload: bytes) -> list[bytes]:
    one_byte = [payload[i : i + 1] for i in range(min(len(payload), ONE_BYTE_PREFIX))]
    rest = payload[ONE_BYTE_PREFIX:]
    return [*one_byte, rest] if rest else one_byte


class _Baseline:
    """Each sample's one-chunk parse, judged with the first synapse drawn. A sample that
    then fails to parse is retried with every later synapse until it parses; if it does,
    the failure was that synapse's (a note), unless synapses come from the validator's
    own builder."""

    def __init__(self, runner: Runner, judged: dict[bytes, Sample], *, validator_sends: bool):
        self.runner, self.judged, self.validator_sends = runner, judged, validator_sends
        self.broken: set[bytes] = set()  # samples whose one-chunk parse is a finding
        self._suspect: dict[bytes, tuple[Synapse, StreamOutcome]] = {}
        self._started = False

    def judge(self, synapse: Synapse, headers: RawHeaders) -> None:
        if self._started:
            self._retry(synapse, headers)
            return
        self._started = True
        for sample in self.judged.values():
            whole = self.runner.run(synapse, [sample.payload], raw_headers=headers)
            problem = _baseline_problem(self.runner, synapse, sample, whole, headers)
            if problem:
                self.broken.add(sample.payload)
                example: dict[str, Any] = {"synapse": synapse, "headers": HeaderSet(tuple(headers))}
                key = ("baseline", sample.payload)
                self.runner.find(key, problem, size=0, chunks=[sample.payload], **example)
                if whole.error is not None and not self.validator_sends:
                    self._suspect[sample.payload] = (synapse, whole)

    def _retry(self, synapse: Synapse, headers: RawHeaders) -> None:
        for payload, (first, whole) in list(self._suspect.items()):
            if self.runner.run(synapse, [payload], raw_headers=headers).error is not None:
                continue
            del self._suspect[payload]
            self.broken.discard(payload)
            self.runner.findings.pop(("baseline", payload), None)
            assert whole.error is not None
            what = f"{whole.raised_in or 'the protocol'} raises {whole.error[0]}"
            self.runner.note(sendable_note(what, first), key=("sendable", payload))


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


def _difference(whole: StreamOutcome, split: StreamOutcome, chunks: int) -> str:
    """What differs between the one-chunk and the ``chunks``-chunk outcomes, in words."""
    if whole.error != split.error:
        return f"as one chunk -> {_error(whole)}; as {chunks} chunks -> {_error(split)}"
    parts = []
    if not same(whole.consumed, split.consumed):
        parts.append(
            f"the consumer returns {short(whole.consumed)} as one chunk but "
            f"{short(split.consumed)} as {chunks} chunks"
        )
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
