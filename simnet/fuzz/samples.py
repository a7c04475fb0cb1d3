"""Sample stream bodies, and how a one-chunk parse of one is judged.

The default samples cover the shapes miners stream (raw text, JSON, SSE, NDJSON), each
with raw UTF-8 (JSON written with ``ensure_ascii=False``), one of them long enough that
characters straddle the byte offsets fixed-size readers cut at (100, 128, 200, 256).
A protocol parses one shape, not all: a default sample is judged only when its *ASCII
twin* (each non-ASCII character replaced by as many ``x`` as it has bytes, so every
offset stays put) parses cleanly; then failing on the sample itself, or keeping fewer
bytes of text than the twin, is the protocol mishandling UTF-8. Samples the user gave
(``--body``, ``--miner``) are valid streams of the protocol by definition and are judged
as they are, and so is each one's *raw-UTF-8 twin* (its JSON ``\\uXXXX`` escapes of
non-ASCII characters written as the characters themselves, nothing else changed): a Python
miner's ``json.dumps`` escapes non-ASCII, which hides a validator that decodes split
characters wrongly until another miner sends raw UTF-8.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

_TEXT = "h\u00e9llo w\u00f6rld \u65e5\u672c\u8a9e \U0001f389"
# The 8-byte prefix puts a multi-byte character across offsets 100, 128, 200 and 256.
_LONG = "answer: " + " ".join(
    [
        "\u00bfQu\u00e9 tal?",
        "\u65e5\u672c\u8a9e\u306e\u6587",
        "na\u00efve caf\u00e9",
        "\U0001f389\U0001f680",
    ]
    * 8
)

DEFAULT_SAMPLES: tuple[bytes, ...] = (
    b"hello world",
    f"{_TEXT}\n".encode(),
    _LONG.encode(),
    json.dumps({"completion": _TEXT, "tokens": _TEXT.split()}, ensure_ascii=False).encode(),
    "".join(
        f"data: {json.dumps({'text': word}, ensure_ascii=False)}\n\n" for word in _TEXT.split()
    ).encode()
    + b"data: [DONE]\n\n",
    "".join(
        json.dumps({"token": word}, ensure_ascii=False) + "\n" for word in _LONG.split()[:12]
    ).encode(),
)
"""Bodies every protocol is fuzzed with, besides generated ones."""


def ascii_twin(payload: bytes) -> bytes | None:
    """``payload`` with each non-ASCII character replaced by as many ``x`` as it has bytes
    (so every byte offset is kept), or ``None`` if it is all ASCII or not UTF-8."""
    try:
        text = payload.decode()
    except UnicodeDecodeError:
        return None
    if text.isascii():
        return None
    return "".join(c if c.isascii() else "x" * len(c.encode()) for c in text).encode()


_ESCAPE = re.compile(rb"\\\\|\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|\\u([0-9a-f]{4})", re.I)


def raw_utf8_twin(payload: bytes) -> bytes | None:
    """``payload`` with each JSON escape of a non-ASCII character (``\\u00e9``, a surrogate
    pair) written as the character in UTF-8, or ``None`` if it has none. Escaped
    backslashes and ASCII escapes (a quote, a newline) are kept as they are."""

    def character(match: re.Match[bytes]) -> bytes:
        high, low, single = match.groups()
        if high is not None:
            pair = (int(high, 16) - 0xD800) * 0x400 + int(low, 16) - 0xDC00 + 0x10000
            return chr(pair).encode()
        code = int(single, 16) if single is not None else 0
        if code < 0x80 or 0xD800 <= code <= 0xDFFF:
            return match.group(0)  # a backslash, an ASCII escape or a lone surrogate
        return chr(code).encode()

    twin = _ESCAPE.sub(character, payload)
    return None if twin == payload else twin


@dataclass(frozen=True)
class Sample:
    """A body to judge: where it came from decides how."""

    payload: bytes
    origin: str  # "default", "body FILE", "miner SPEC"

    @property
    def given(self) -> bool:
        return self.origin != "default"


def _strings(value: Any) -> Iterator[str]:
    """Every string in ``value``, looking inside dicts, lists and tuples."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def text_bytes(value: Any) -> int:
    """How many bytes of text ``value`` holds, looking inside dicts and lists."""
    return sum(len(text.encode("utf-8", "surrogatepass")) for text in _strings(value))


def replaced(value: Any) -> bool:
    """Whether ``value`` holds U+FFFD, the mark of a decoder's ``errors="replace"``."""
    return any("\ufffd" in text for text in _strings(value))


def with_twins(given: Sequence[Sample]) -> list[Sample]:
    """Each of the user's samples followed by its raw-UTF-8 twin, when it has one."""
    result: list[Sample] = []
    for sample in given:
        result.append(sample)
        twin = raw_utf8_twin(sample.payload) if sample.given else None
        if twin is not None:
            result.append(Sample(twin, f"{sample.origin}, raw-UTF-8 twin"))
    return result


def as_samples(
    given: Sequence[Sample], defaults: Sequence[bytes] = DEFAULT_SAMPLES
) -> list[Sample]:
    """The user's samples first (each with its raw-UTF-8 twin), then the defaults."""
    return [*with_twins(given), *(Sample(payload, "default") for payload in defaults)]
