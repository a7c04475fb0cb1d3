"""Specimens of what real subnets' protocols do, one class per behaviour simnet must judge
right: each defect found, each harmless habit passed."""

from __future__ import annotations

import enum
import json
from typing import Any

import bittensor as bt
import pydantic


def _headers(response) -> dict[str, str]:
    return {k.lower(): v for k, v in reversed(list(response.headers.items()))}


class _Base(bt.StreamingSynapse):
    """Parses the headers right; subclasses differ in how they read the body."""

    completion: str = ""

    def extract_response_json(self, response) -> dict:
        headers = _headers(response)

        def info(prefix: str) -> dict:
            return {k[len(prefix) :]: v for k, v in headers.items() if k.startswith(prefix)}

        return {
            "name": headers.get("name", ""),
            "axon": info("bt_header_axon_"),
            "dendrite": info("bt_header_dendrite_"),
            **self.model_dump(include=set(type(self).model_fields) - set(bt.Synapse.model_fields)),
        }


class _Accumulates(_Base):
    """Keeps the whole body and decodes it once at the end: correct for any chunking."""

    async def process_streaming_response(self, response):
        if response.status != 200:
            return
        buffer = b""
        async for chunk in response.content.iter_any():
            buffer += chunk
            yield chunk
        self.completion = buffer.decode("utf-8", errors="replace")


class IgnoresSplitCharacters(_Base):
    """Decodes each read with errors="ignore": a character split across reads vanishes."""

    async def process_streaming_response(self, response):
        async for chunk in response.content.iter_any():
            if response.status == 200:
                self.completion += chunk.decode("utf-8", errors="ignore")
                yield chunk


class DecodesFixedPieces(_Base):
    """Decodes each 100-byte ``iter_chunked`` piece on its own: fails on a character at byte
    100 even when the whole stream arrives at once."""

    async def process_streaming_response(self, response):
        if response.status != 200:
            return
        async for piece in response.content.iter_chunked(100):
            self.completion += piece.decode("utf-8")
            yield piece


class LosesObjectsAtBoundaries(_Base):
    """NDJSON read per network read, skipping what does not parse: an object cut by a read
    boundary is lost."""

    tokens: list[str] = pydantic.Field(default_factory=list)

    async def process_streaming_response(self, response):
        if response.status != 200:
            return
        async for chunk in response.content.iter_any():
            for line in chunk.split(b"\n"):
                try:
                    item = json.loads(line)
                except ValueError:
                    continue
                if isinstance(item, dict) and isinstance(item.get("token"), str):
                    self.tokens.append(item["token"])
            yield chunk


class YieldsPerRead(_Base):
    """Accumulates the text right but yields the JSON lines *per read*: a client that
    consumes the yields gets a different answer for each chunking."""

    async def process_streaming_response(self, response):
        if response.status != 200:
            return
        buffer = b""
        async for chunk in response.content.iter_any():
            buffer += chunk
            for line in chunk.split(b"\n"):
                try:
                    yield json.loads(line)
                except ValueError:
                    continue
        self.completion = buffer.decode("utf-8", errors="replace")


class Mood(enum.Enum):
    CALM = "calm"
    LOUD = "loud"


class Settings(pydantic.BaseModel):
    temperature: float = 0.7
    extra: dict[str, Any] = pydantic.Field(default_factory=dict)


class LooselyTyped(_Accumulates):
    """Fields typed ``Any`` (one required), ``Dict[str, Any]``, a nested model, an enum and
    an optional union: simnet must draw them all, and the correct parser passes."""

    request: Any
    meta: dict[str, Any] = pydantic.Field(default_factory=dict)
    settings: Settings | None = None
    mood: Mood = Mood.CALM
    limit: int | str | None = None


class ErrorPathReadsTheUrl(_Accumulates):
    """Refuses error responses with a message naming ``response.real_url`` and ``reason``,
    as several subnets do: correct, and must pass."""

    async def process_streaming_response(self, response):
        if not response.ok:
            raise RuntimeError(
                f"{response.real_url} answered {response.status} {response.reason}: "
                f"{(await response.text())[:80]}"
            )
        async for chunk in super().process_streaming_response(response):
            yield chunk


class SplitsHeaderNames(_Accumulates):
    """The widely copied ``key.split("_")[-1]`` header pattern with a NaN-safe float read of
    the process time: harmless on bittensor 9.x/10.x (the dendrite re-reads the headers),
    so it must pass the header contract."""

    def extract_response_json(self, response) -> dict:
        headers = {
            k.decode(errors="replace"): v.decode(errors="replace") for k, v in response.raw_headers
        }

        def extract_info(prefix: str) -> dict:
            return {k.split("_")[-1]: v for k, v in headers.items() if k.startswith(prefix)}

        try:
            elapsed = float(headers.get("bt_header_dendrite_process_time", "nan"))
        except ValueError:
            elapsed = float("nan")
        return {
            "name": headers.get("name", ""),
            "axon": extract_info("bt_header_axon"),
            "dendrite": extract_info("bt_header_dendrite"),
            "elapsed": elapsed,
            "completion": self.completion,
        }


class DropsUnderscoredHeaders(_Base):
    """Reads the axon's status with ``headers["bt_header_axon_status_code"]``: behind nginx
    (which drops names with underscores) every answer becomes a parse failure."""

    async def process_streaming_response(self, response):
        if response.status != 200:
            return
        async for chunk in response.content.iter_any():
            self.completion += chunk.decode("utf-8", errors="replace")
            yield chunk

    def extract_response_json(self, response) -> dict:
        status = int(response.headers["bt_header_axon_status_code"])
        return {**super().extract_response_json(response), "axon": {"status_code": status}}


class StampsEachRun(_Accumulates):
    """Records when the stream ended and a random id: fields that differ between two runs of
    the same bytes, which no chunking comparison may count."""

    received_at: float = 0.0
    trace: str = ""

    async def process_streaming_response(self, response):
        import time
        import uuid

        async for chunk in super().process_streaming_response(response):
            yield chunk
        self.received_at = time.time()
        self.trace = uuid.uuid4().hex


class DropsNonAscii(_Accumulates):
    """Keeps only ASCII text, on purpose: no decoding bug, so no failure (a note)."""

    async def process_streaming_response(self, response):
        async for chunk in super().process_streaming_response(response):
            yield chunk
        self.completion = self.completion.encode("ascii", errors="ignore").decode()


class OptionalTexts(_Accumulates):
    """Counts its inputs in ``extract_response_json`` (``len(self.texts)``), as embedding and
    translation subnets do; ``texts`` is ``Optional`` but the validator always fills it in:
    a synapse with ``texts=None`` is one it never sends."""

    texts: list[str] | None = None

    def extract_response_json(self, response) -> dict:
        return {**super().extract_response_json(response), "count": len(self.texts)}


def build_optional_texts(rng) -> OptionalTexts:
    """The validator's own builder for :class:`OptionalTexts`: ``texts`` is always a list."""
    return OptionalTexts(texts=[f"sentence {rng.randint(0, 9)}" for _ in range(rng.randint(1, 3))])


class BadDefaultSeed(SplitsHeaderNames):
    """A class default its own type refuses (``seed: int = ''``), as a real subnet ships,
    with the split-header-names reading (which leaves ``seed`` out of what it extracts):
    bittensor's own reading of any answer fails on the default, so no header variation is
    to blame."""

    seed: int = ""  # type: ignore[assignment]


class IndexesRawHeaderNames(_Accumulates):
    """Reads the axon's status from ``response.raw_headers`` put in a plain dict, by its
    exact lower-case name: behind a Go proxy (Traefik, Caddy), which writes names as
    ``Bt_header_axon_status_code``, every answer becomes a parse failure."""

    def extract_response_json(self, response) -> dict:
        headers = {k.decode(): v.decode() for k, v in response.raw_headers}
        status = int(headers["bt_header_axon_status_code"])
        return {**super().extract_response_json(response), "axon": {"status_code": status}}


class RecordsErrors(_Base):
    """Records a failed answer in fields of its own (``error``, ``status``) and leaves the
    content untouched, as scoring validators need: correct, and must pass."""

    error: str | None = None
    status: int | None = None

    async def process_streaming_response(self, response):
        if response.status != 200:
            self.status = response.status
            self.error = (await response.text())[:200]
            return
        async for chunk in response.content.iter_any():
            self.completion += chunk.decode("utf-8", errors="replace")
            yield chunk


class WritesThenRaises(_Base):
    """Appends every chunk to the completion, then raises when the status was an error: the
    error body is already content when the exception comes."""

    async def process_streaming_response(self, response):
        buffer = b""
        async for chunk in response.content.iter_any():
            buffer += chunk
            self.completion = buffer.decode("utf-8", errors="replace")
            yield chunk
        if response.status != 200:
            raise RuntimeError(f"miner answered {response.status}")


class ClearsCompletion(_Base):
    """``completion`` starts as ``None`` and an error answer sets it to ``""``: nothing
    became content."""

    completion: str | None = None

    async def process_streaming_response(self, response):
        if response.status != 200:
            self.completion = ""
            return
        buffer = b""
        async for chunk in response.content.iter_any():
            buffer += chunk
            yield chunk
        self.completion = buffer.decode("utf-8", errors="replace")


class OpenAIDeltas(_Base):
    """Reads an OpenAI-style SSE stream (``data: {"choices": [{"delta": {"content": ...}}]}``),
    decoding each read with ``errors="ignore"``: a character split across reads vanishes.
    Its own miners' bodies (``json.dumps``: non-ASCII escaped) never show it."""

    async def process_streaming_response(self, response):
        if response.status != 200:
            return
        pending = ""
        async for chunk in response.content.iter_any():
            pending += chunk.decode("utf-8", errors="ignore")
            *events, pending = pending.split("\n\n")
            for event in events:
                data = event.removeprefix("data: ")
                if data and data != "[DONE]":
                    self.completion += json.loads(data)["choices"][0]["delta"]["content"]
            yield chunk


def openai_body(words: list[str], *, ensure_ascii: bool = True) -> bytes:
    """An OpenAI-style SSE body of ``words``, as a Python miner writes it."""
    events = [
        json.dumps({"choices": [{"delta": {"content": w}}]}, ensure_ascii=ensure_ascii)
        for w in words
    ]
    return "".join(f"data: {e}\n\n" for e in [*events, "[DONE]"]).encode()


class YieldsRawText(_Base):
    """Yields each read as text and keeps nothing itself, error answers included: the
    validator folds the yields with a consumer of its own."""

    async def process_streaming_response(self, response):
        async for chunk in response.content.iter_any():
            yield chunk.decode("utf-8", errors="replace")


def sse_deltas(yields: list[str]) -> str:
    """A validator's SSE consumer: joins the yields, keeps the ``data:`` events' text and
    ignores anything that is not SSE (an axon's JSON error body)."""
    text = "".join(yields)
    kept = []
    for event in text.split("\n\n"):
        if event.startswith("data: ") and event != "data: [DONE]":
            kept.append(json.loads(event[len("data: ") :])["choices"][0]["delta"]["content"])
    return "".join(kept)


def json_per_chunk(yields: list[str]) -> list:
    """A validator's consumer that parses each yielded piece as a JSON object of its own:
    a piece cut mid-object is lost, and an error body is kept as an answer."""
    parsed = []
    for piece in yields:
        try:
            parsed.append(json.loads(piece))
        except ValueError:
            continue
    return parsed


class DropsNewlines(_Base):
    """Reads the stream line by line (``async for line in response.content``) and keeps
    each line without its newline: every chunking gives the same, wrong, completion."""

    async def process_streaming_response(self, response):
        if response.status != 200:
            return
        async for line in response.content:
            self.completion += line.decode("utf-8", errors="replace").rstrip("\n")
            yield line


class KeepsLines(_Accumulates):
    """The same stream kept whole: the round trip holds."""


def completion_is_the_text(body: bytes) -> dict:
    """The plain-text protocols' documented transformation: the completion is the body."""
    return {"completion": body.decode("utf-8")}


class SkipsBlankReads(_Base):
    """With ``stream=True`` skips every read that is only whitespace, taking it for a
    keep-alive: a space or newline that arrives in a read of its own is lost. Random cuts
    rarely isolate one; the one-byte split of a sample does, and only with ``stream=True``.
    Before the split was recorded outside hypothesis' replay, shrinking reached the same
    sample with ``stream=False``, the sample counted as split, the replay of the failure
    skipped the split and passed, and the failure became a "flaky" note: "holds"."""

    stream: bool = False

    async def process_streaming_response(self, response):
        if response.status != 200:
            return
        buffer = b""
        async for chunk in response.content.iter_any():
            if self.stream and not chunk.strip():
                continue
            buffer += chunk
            yield chunk
        self.completion = buffer.decode("utf-8", errors="replace")


class AppendsBytesToText(_Base):
    """Appends the raw body to ``pieces``, a ``list[str]`` (appending skips pydantic's
    validation): correct for any chunking, but every dump of the synapse makes pydantic
    warn ("Expected `str`"), hundreds of lines a run, which must never reach the output."""

    pieces: list[str] = pydantic.Field(default_factory=list)

    async def process_streaming_response(self, response):
        if response.status != 200:
            return
        buffer = b""
        async for chunk in response.content.iter_any():
            buffer += chunk
            yield chunk
        self.pieces.append(buffer)
