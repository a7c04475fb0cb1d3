"""``JsonLinesQuery``: the miner streams one JSON object per line, numbered from 0."""

import json
import typing
from collections.abc import AsyncIterator
from typing import Any

import bittensor as bt
import pydantic

_TERMINALS = {"axon": "bt_header_axon_", "dendrite": "bt_header_dendrite_"}


class StreamFormatError(ValueError):
    """A streamed line is not a JSON object with the next index and a string token."""


class JsonLinesQuery(bt.StreamingSynapse):
    """Ask a miner for ``query``'s tokens; they arrive as JSON lines into ``tokens``."""

    query: str = pydantic.Field("", frozen=True)
    tokens: list[str] = pydantic.Field(default_factory=list)
    # Without this the axon's body-hash check covers nothing: a tampered query would pass
    # (simnet's attacks.assert_rejects reports it as "tampered_body: got 200").
    required_hash_fields: typing.ClassVar[tuple[str, ...]] = ("query",)

    def deserialize(self) -> list[str]:
        return self.tokens

    async def process_streaming_response(self, response: Any) -> AsyncIterator[str]:
        if response.status != 200:
            await response.content.read()  # an error body is never content
            return
        pending = b""
        async for chunk in response.content.iter_any():
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line.strip():
                    yield self._take(line)
        if pending.strip():
            raise StreamFormatError(f"the stream ended inside a line: {pending[:80]!r}")

    def _take(self, line: bytes) -> str:
        try:
            item = json.loads(line)
            index, token = item["i"], item["token"]
        except (ValueError, KeyError, TypeError) as exc:
            raise StreamFormatError(f"line {line[:80]!r} is not {{'i': n, 'token': s}}") from exc
        if index != len(self.tokens) or not isinstance(token, str):
            raise StreamFormatError(f"expected token {len(self.tokens)}, got line {line[:80]!r}")
        # Assign, never append: the dendrite sends shallow copies of one synapse to every
        # axon (synapse.model_copy()), so an in-place append would land in all of them.
        self.tokens = [*self.tokens, token]
        return token

    def extract_response_json(self, response: Any) -> dict[str, Any]:
        headers: dict[str, str] = {}
        for name, value in response.headers.items():
            headers.setdefault(name.lower(), value)
        result: dict[str, Any] = {"query": self.query, "tokens": self.tokens}
        for side, prefix in _TERMINALS.items():
            result[side] = {
                name[len(prefix) :]: value
                for name, value in headers.items()
                if name.startswith(prefix)
                and name[len(prefix) :] in bt.TerminalInfo.model_fields
                and _valid(name[len(prefix) :], value)
            }
        return result


def _valid(field: str, value: str) -> bool:
    try:
        bt.TerminalInfo(**{field: value})
    except pydantic.ValidationError:
        return False
    return True
