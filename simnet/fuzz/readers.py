"""Fuzzing streaming readers: the code a validator writes to read a miner's stream from a
real ``httpx.Response`` (``aiter_bytes``, ``aiter_lines``, ``aiter_text``, ``aiter_raw``)
or ``aiohttp.ClientResponse`` (``content.iter_any()``, ``readline()``, ...): SSE, NDJSON
and raw readers of signed-HTTP subnets (bittensor 11.x) or any other.

A reader is ``async def read(response) -> result`` (or an async generator; its items are
the result). The properties mirror the StreamingSynapse ones: the result does not depend
on how the body was cut into chunks, and an error response never becomes content.
Whichever bittensor is installed, nothing here imports it.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st

from simnet.fuzz import chunks as cutting
from simnet.fuzz.equality import same
from simnet.fuzz.profiles import profile_settings
from simnet.fuzz.reports import Progress, PropertyReport, Runner, execute
from simnet.fuzz.response import StreamedResponse
from simnet.fuzz.samples import DEFAULT_SAMPLES, Sample, _strings, as_samples, replaced

CLIENTS = ("httpx", "aiohttp")
"""The response types a reader is fuzzed with."""
READER_URL = "http://127.0.0.1:8091/query"
CONTENT_TYPE = "application/octet-stream"
"""Neutral on purpose: a reader that needs the miner's content type passes ``content_type``."""
ERROR_BODIES: dict[int, bytes] = {
    401: b'{"detail":"signature does not verify against the claimed hotkey"}',
    403: b'{"detail":"caller is not registered on this subnet"}',
    404: b'{"detail":"Not Found"}',
    422: b'{"detail":[{"type":"missing","loc":["body","prompt"],"msg":"Field required"}]}',
    429: b'{"detail":"too many requests from this hotkey, slow down"}',
    500: b"Internal Server Error",
    503: b'{"detail":"the miner is overloaded, try again later"}',
}
"""What a FastAPI miner answers instead of a stream: ``HTTPException`` details, a
validation error, Starlette's plain-text 500."""
_LEAK = 8  # characters of an error message that, found in the result, count as a leak


class _Chunks(httpx.AsyncByteStream):
    def __init__(self, chunks: Sequence[bytes]) -> None:
        self._chunks = list(chunks)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


def httpx_response(
    chunks: Sequence[bytes], *, status: int = 200, content_type: str = CONTENT_TYPE
) -> httpx.Response:
    """A real ``httpx.Response`` whose body arrives as ``chunks``, one read each."""
    return httpx.Response(
        status,
        headers=[("content-type", content_type)],
        stream=_Chunks(chunks),
        request=httpx.Request("POST", READER_URL),
    )


@dataclass(frozen=True)
class ReadOutcome:
    """What a reader made of one response: its result, or the exception it raised."""

    result: Any
    error: tuple[str, str] | None


async def _collect(value: Any) -> Any:
    if inspect.isasyncgen(value):
        return [item async for item in value]
    if inspect.isawaitable(value):
        return await value
    return value


async def run_reader(
    reader: Callable[[Any], Any],
    chunks: Sequence[bytes],
    *,
    client: str = "httpx",
    status: int = 200,
    content_type: str = CONTENT_TYPE,
) -> ReadOutcome:
    """Give ``reader`` one response whose body arrives as ``chunks`` (an ``httpx`` or an
    ``aiohttp`` response, as ``client`` says) and report what it made of it."""
    if client not in CLIENTS:
        raise ValueError(f"unknown client {client!r}; readers are fuzzed with {', '.join(CLIENTS)}")
    result = error = None
    if client == "httpx":
        response = httpx_response(chunks, status=status, content_type=content_type)
        try:
            result = await _collect(reader(response))
        except Exception as exc:
            error = (type(exc).__name__, str(exc))
        finally:
            await response.aclose()
    else:
        headers = [(b"Content-Type", content_type.encode())]
        async with StreamedResponse(
            chunks, raw_headers=headers, status=status, url=READER_URL
        ) as r:
            try:
                result = await _collect(reader(r))
            except Exception as exc:
                error = (type(exc).__name__, str(exc))
    # A reader that raised mid-iteration leaves a response iterator to be finalized: its
    # aclose() is scheduled when the exception goes; let it run on this loop now.
    await asyncio.sleep(0)
    return ReadOutcome(result, error)


def reader_client(reader: Callable[..., Any]) -> str | None:
    """The client a reader's first parameter is annotated with, if it says."""
    try:
        parameters = list(inspect.signature(reader).parameters.values())
    except (TypeError, ValueError):
        return None
    annotation = parameters[0].annotation if parameters else inspect.Parameter.empty
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__module__", "")
    return next((c for c in CLIENTS if c in str(text)), None)


class ReaderRunner(Runner):
    """A property run's runner that also runs the reader over one response."""

    def __init__(
        self,
        name: str,
        progress: Progress | None,
        reader: Callable[..., Any],
        client: str,
        content_type: str,
    ) -> None:
        super().__init__(name, progress)
        self.reader, self.client, self.content_type = reader, client, content_type

    def read(self, chunks: Sequence[bytes], *, status: int = 200) -> ReadOutcome:
        return self.loop.run_until_complete(
            run_reader(
                self.reader,
                chunks,
                client=self.client,
                status=status,
                content_type=self.content_type,
            )
        )


def choose_client(reader: Callable[..., Any], client: str | None) -> tuple[str, list[str]]:
    """The response type ``reader`` is fuzzed with (``client``, else its annotation's,
    else httpx) and the note saying so when it was a guess."""
    if not callable(reader) or isinstance(reader, type):
        raise TypeError(f"a reader is a function taking a response, not {reader!r}")
    found = reader_client(reader)
    chosen = client or found or "httpx"
    if chosen not in CLIENTS:
        raise ValueError(f"unknown client {chosen!r}; readers are fuzzed with {', '.join(CLIENTS)}")
    notes = []
    if client is None and found is None:
        notes.append(
            "the reader's response parameter names no client; fuzzed with httpx responses "
            "(pass client='aiohttp' for aiohttp)"
        )
    return chosen, notes


def _execute(
    name: str,
    body: Callable[[ReaderRunner], Callable[[], None]],
    reader: Callable[..., Any],
    client: str,
    content_type: str,
    seed: int | None,
    progress: Progress | None,
) -> PropertyReport:
    """Run a reader property; failing examples are saved per property and reader."""
    key = f"{getattr(reader, '__module__', '')}.{getattr(reader, '__qualname__', reader)}"
    return execute(
        name,
        body,
        seed,
        progress,
        key=key,
        runner=lambda name, progress: ReaderRunner(name, progress, reader, client, content_type),
    )


def check_reader_chunking(
    reader: Callable[..., Any],
    *,
    client: str | None = None,
    samples: Sequence[bytes | Sample] | None = None,
    payloads: st.SearchStrategy[bytes] | None = None,
    content_type: str = CONTENT_TYPE,
    max_examples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> PropertyReport:
    """A reader's result does not depend on how the stream was cut into chunks.

    Bodies are the given ``samples`` (valid streams: each must be read without an error
    in one chunk) and simnet's default ones (raw UTF-8 text, JSON, SSE, NDJSON: kept
    when read cleanly in one chunk, else not the reader's format), then generated text.
    For every body read cleanly in one chunk, any chunking must give an equal result
    (or the same error); a result holding U+FFFD the body did not is lost text.
    """
    chosen, setup_notes = choose_client(reader, client)
    given_samples = [
        s if isinstance(s, Sample) else Sample(bytes(s), "given") for s in (samples or ())
    ]
    candidates = as_samples(given_samples, () if samples is not None else DEFAULT_SAMPLES)

    def body(runner: ReaderRunner) -> Callable[[], None]:
        for note in setup_notes:
            runner.note(note)
        judged: dict[bytes, ReadOutcome] = {}
        for sample in candidates:
            whole = runner.read([sample.payload])
            if not _steady(runner, [sample.payload], whole):
                continue
            if whole.error is not None:
                if sample.given:
                    runner.find(
                        ("unreadable", sample.payload),
                        f"cannot read a valid stream ({sample.origin}) in one chunk: "
                        f"{whole.error[0]}: {whole.error[1]}",
                        size=len(sample.payload),
                        chunks=[sample.payload],
                        client=chosen,
                    )
                continue
            if replaced(whole.result) and "\ufffd" not in sample.payload.decode("utf-8", "ignore"):
                runner.find(
                    ("replaced", sample.payload),
                    "text was lost: the result holds U+FFFD (errors='replace') the body does not",
                    size=len(sample.payload),
                    chunks=[sample.payload],
                    client=chosen,
                )
            judged[sample.payload] = whole
        strategy = payloads or cutting.payloads(samples=list(judged))

        @profile_settings(max_examples)
        @given(payload=strategy, data=st.data())
        def chunking_invariance(payload: bytes, data: st.DataObject) -> None:
            runner.tick()
            whole = judged.get(payload) or runner.read([payload])
            if whole.error is not None:
                return  # not a stream of this reader's format: nothing to compare
            drawn = data.draw(cutting.chunkings(payload), label="chunks")
            split = runner.read(drawn)
            if not _same(split, whole) and _steady(runner, [payload], whole):
                runner.fail(
                    f"the result depends on chunking: {len(drawn)} chunks gave "
                    f"{_shown(split)}, one chunk gave {_shown(whole)}",
                    chunks=drawn,
                    client=chosen,
                )

        return chunking_invariance

    return _execute("chunking invariance", body, reader, chosen, content_type, seed, progress)


def check_reader_error_bodies(
    reader: Callable[..., Any],
    *,
    client: str | None = None,
    content_type: str = CONTENT_TYPE,
    max_examples: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> PropertyReport:
    """A miner's error response never becomes content.

    For each error a FastAPI miner sends (401, 403, 404, 422, 429, 500, 503 with their
    bodies), chunked any way, the reader raises, or returns a result holding no piece of
    the error's text (8 characters or more).
    """
    chosen, setup_notes = choose_client(reader, client)

    def body(runner: ReaderRunner) -> Callable[[], None]:
        for note in setup_notes:
            runner.note(note)

        @profile_settings(max_examples)
        @given(status=st.sampled_from(sorted(ERROR_BODIES)), data=st.data())
        def error_bodies(status: int, data: st.DataObject) -> None:
            runner.tick()
            drawn = data.draw(cutting.chunkings(ERROR_BODIES[status]), label="chunks")
            outcome = runner.read(drawn, status=status)
            leaked = _leaked(ERROR_BODIES[status], outcome)
            if leaked:
                runner.fail(
                    f"the {status} error body became content: the result {_shown(outcome)} "
                    f"holds {leaked!r}",
                    chunks=drawn,
                    status=status,
                    client=chosen,
                )

        return error_bodies

    return _execute("error bodies", body, reader, chosen, content_type, seed, progress)


def _same(a: ReadOutcome, b: ReadOutcome) -> bool:
    return same((a.result, a.error), (b.result, b.error))


def _steady(runner: ReaderRunner, chunks: list[bytes], first: ReadOutcome) -> bool:
    """Whether reading the same bytes again gives the same outcome; if not, the reader's
    result varies by itself (a timestamp, a random id) and simnet notes it, never blames
    the chunking."""
    if _same(runner.read(chunks), first):
        return True
    runner.note(
        "the reader's result varies between reads of the same bytes (a clock, a random "
        "id?): bodies read that way are not checked for chunking invariance",
        key="unsteady",
    )
    return False


def _leaked(error_body: bytes, outcome: ReadOutcome) -> str | None:
    if outcome.error is not None:
        return None
    try:
        parsed: Any = json.loads(error_body)
    except ValueError:
        parsed = error_body.decode()
    messages = [m for m in _strings(parsed) if len(m) >= _LEAK]
    found = " ".join(_strings(outcome.result)) + (
        outcome.result.decode("utf-8", "replace") if isinstance(outcome.result, bytes) else ""
    )
    for message in messages:
        for start in range(len(message) - _LEAK + 1):
            piece = message[start : start + _LEAK]
            if piece in found:
                return piece
    return None


def _shown(outcome: ReadOutcome) -> str:
    if outcome.error is not None:
        return f"{outcome.error[0]}: {outcome.error[1]}"
    text = repr(outcome.result)
    return text if len(text) <= 200 else text[:200] + "..."


READER_PROPERTIES: dict[str, Callable[..., PropertyReport]] = {
    "chunking_invariance": check_reader_chunking,
    "error_bodies": check_reader_error_bodies,
}
"""Every ready-made property of a streaming reader, by name."""
