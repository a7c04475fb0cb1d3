"""The reference streaming protocol: the tutorial's ``StreamPrompting``, made correct.

Wire format: the miner streams the completion as raw UTF-8 text, cut into chunks
anywhere (a chunk may end inside a multi-byte character).

What the client side promises:

* ``process_streaming_response`` yields the text decoded so far, piece by piece, and
  accumulates it in ``completion``. However the bytes are split into chunks, the final
  ``completion`` is the same. Bytes that are not valid UTF-8 raise
  :class:`StreamDecodeError` (naming the byte offset); text decoded before it is kept.
* When the axon answers with an error status (blacklisted, not verified, timeout,
  server error), the JSON error body is never taken as completion text: ``completion``
  keeps the value the synapse was sent with, and the body's ``message`` becomes the
  response's status message.
* ``extract_response_json`` reads header names case-insensitively (the first of
  duplicated names wins) and keeps full field names (``status_code``,
  ``process_time``). A missing or malformed metadata header (``timeout``,
  ``total_size``, ``header_size``, ``name``) falls back to the value this synapse was
  sent with; a terminal header (``bt_header_axon_*``, ``bt_header_dendrite_*``) whose
  field is unknown or whose value does not validate is left out. Each fallback is
  recorded in :attr:`StreamPrompting.header_problems`; nothing raises.
"""

import codecs
import json
import math
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

import bittensor as bt
import pydantic

_TERMINAL_PREFIXES = {"axon": "bt_header_axon_", "dendrite": "bt_header_dendrite_"}
_NUMERIC_METADATA: dict[str, type] = {"timeout": float, "total_size": int, "header_size": int}
_MAX_ERROR_MESSAGE = 1000


class StreamDecodeError(ValueError):
    """The streamed bytes are not valid UTF-8."""


class StreamPrompting(bt.StreamingSynapse):
    """A prompt (``roles``/``messages``) sent to a miner that streams back ``completion``."""

    roles: list[str] = pydantic.Field(
        default_factory=list,
        title="Roles",
        description="The role of each message, e.g. 'user'. Immutable.",
        frozen=True,
    )
    messages: list[str] = pydantic.Field(
        ...,
        title="Messages",
        description="The messages of the prompt; the miner answers the first. Immutable.",
        frozen=True,
    )
    completion: str = pydantic.Field(
        "",
        title="Completion",
        description="The text streamed back by the miner, accumulated on the client.",
    )
    required_hash_fields: ClassVar[tuple[str, ...]] = ("roles", "messages")

    _error_message: str | None = pydantic.PrivateAttr(default=None)
    _header_problems: list[str] = pydantic.PrivateAttr(default_factory=list)

    def deserialize(self) -> str:
        """The completion text."""
        return self.completion

    @property
    def header_problems(self) -> list[str]:
        """What ``extract_response_json`` fell back on, one sentence per header."""
        return list(self._header_problems)

    async def process_streaming_response(self, response: Any) -> AsyncIterator[str]:
        """Yield each newly decoded piece of text and append it to ``completion``."""
        if response.status != 200:
            self._error_message = _error_message(await response.content.read(), response.status)
            return
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0  # bytes of the stream handed to the decoder so far
        chunks = response.content.iter_any()
        while True:
            chunk = await anext(chunks, None)
            final = chunk is None
            pending = len(decoder.getstate()[0])
            try:
                text = decoder.decode(chunk or b"", final)
            except UnicodeDecodeError as exc:
                valid = exc.object[: exc.start].decode("utf-8")
                if valid:
                    self.completion += valid
                    yield valid
                raise StreamDecodeError(
                    f"streamed bytes are not valid UTF-8 at byte {offset - pending + exc.start} "
                    f"of the stream: {exc.reason}"
                ) from exc
            if text:
                self.completion += text
                yield text
            if final:
                return
            offset += len(chunk)

    def extract_response_json(self, response: Any) -> dict[str, Any]:
        """The dict the dendrite merges into this synapse (see the module docstring)."""
        self._header_problems = []
        headers = _first_of_each(response.headers.items())
        result: dict[str, Any] = {
            "name": headers.get("name") or self.name,
            **{
                field: self._number(headers, field, cast)
                for field, cast in _NUMERIC_METADATA.items()
            },
            **{
                side: self._terminal(headers, prefix) for side, prefix in _TERMINAL_PREFIXES.items()
            },
            "roles": self.roles,
            "messages": self.messages,
            "completion": self.completion,
        }
        if response.status != 200:
            result["message"] = self._error_message or f"HTTP {response.status}"
        return result

    def _number(self, headers: Mapping[str, str], field: str, cast: type) -> Any:
        fallback = getattr(self, field)
        raw = headers.get(field)
        if raw is None:
            self._header_problems.append(f"header {field!r} is missing; kept {fallback!r}")
            return fallback
        try:
            value = cast(raw.strip())
        except ValueError:
            value = None
        if value is None or value < 0 or not math.isfinite(value):
            self._header_problems.append(
                f"header {field!r} has malformed value {raw!r}; kept {fallback!r}"
            )
            return fallback
        return value

    def _terminal(self, headers: Mapping[str, str], prefix: str) -> dict[str, Any]:
        fields = bt.TerminalInfo.model_fields
        result: dict[str, Any] = {}
        for name, raw in headers.items():
            if not name.startswith(prefix):
                continue
            field = name[len(prefix) :]
            if field not in fields:
                self._header_problems.append(f"header {name!r} names no TerminalInfo field")
                continue
            try:
                bt.TerminalInfo(**{field: raw})
            except pydantic.ValidationError:
                self._header_problems.append(f"header {name!r} has malformed value {raw!r}")
                continue
            result[field] = raw
        return result


def _first_of_each(items: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in items:
        headers.setdefault(str(name).lower(), str(value))
    return headers


def _error_message(body: bytes, status: int) -> str:
    text = body.decode("utf-8", errors="replace")
    try:
        decoded = json.loads(text)
    except ValueError:
        decoded = None
    if isinstance(decoded, dict) and isinstance(decoded.get("message"), str):
        return decoded["message"]
    return (text.strip() or f"HTTP {status}")[:_MAX_ERROR_MESSAGE]
