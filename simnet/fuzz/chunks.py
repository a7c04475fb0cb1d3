"""Stream bodies and the ways to cut them into chunks: the strategies every streaming
reader is fuzzed with, whichever bittensor stack is installed."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

T = TypeVar("T")


def _named(
    name: str, strategy: st.SearchStrategy[T], *args: Any, **kwargs: Any
) -> st.SearchStrategy[T]:
    """``strategy``, with the repr ``name(*args, **kwargs)`` of the call that made it."""

    def draw_built(draw: st.DrawFn, *_: Any, **__: Any) -> T:
        return draw(strategy)

    draw_built.__name__ = draw_built.__qualname__ = name
    return st.composite(draw_built)(*args, **kwargs)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidArgument(message)


def chunkings(
    payload: bytes, *, max_chunks: int | None = None, allow_empty: bool = False
) -> st.SearchStrategy[list[bytes]]:
    """Ways to cut ``payload`` into chunks whose concatenation is ``payload``.

    Up to 64 cuts anywhere between two bytes, half of them inside a multi-byte UTF-8
    sequence when the payload has one, so split characters come up often. At most
    ``max_chunks`` chunks. With
    ``allow_empty``, empty chunks are inserted too (a protocol fed lists directly may
    see them; ``iter_any()`` never yields them). Shrinks toward a single chunk, then
    toward as few cuts as still fail.
    """
    _check(isinstance(payload, bytes | bytearray), f"payload must be bytes, not {payload!r}")
    _check(max_chunks is None or max_chunks >= 1, f"{max_chunks=} must be at least 1")
    return _chunkings(bytes(payload), max_chunks, allow_empty)


@functools.lru_cache(maxsize=512)
def _chunkings(
    payload: bytes, max_chunks: int | None, allow_empty: bool
) -> st.SearchStrategy[list[bytes]]:
    # A short list of cut positions, each removable while shrinking; half of the drawn
    # positions fall inside a multi-byte UTF-8 sequence when there is one. One draw per
    # cut, not per byte: cheap for hypothesis, and the one-byte split is checked apart.
    if len(payload) < 2:
        cuts: st.SearchStrategy[list[int]] = st.just([])
    else:
        anywhere = st.integers(1, len(payload) - 1)
        inner = [i for i in range(1, len(payload)) if payload[i] & 0xC0 == 0x80]
        position = st.one_of(anywhere, st.sampled_from(inner)) if inner else anywhere
        cuts = st.lists(position, unique=True, max_size=_MAX_CUTS).map(sorted)
    limit = None if max_chunks is None else max_chunks - 1
    strategy = cuts.map(lambda points: _cut(payload, points[:limit]))
    if allow_empty:
        strategy = st.tuples(strategy, st.lists(st.integers(0, 64), max_size=3)).map(
            lambda pair: _with_empties(*pair)
        )
    return _named("chunkings", strategy, payload, max_chunks=max_chunks, allow_empty=allow_empty)


_MAX_CUTS = 64


def _cut(payload: bytes, points: Sequence[int]) -> list[bytes]:
    bounds = [0, *sorted(points), len(payload)]
    return [payload[a:b] for a, b in itertools.pairwise(bounds)] or [b""]


def _with_empties(chunks: list[bytes], positions: list[int]) -> list[bytes]:
    result = list(chunks)
    for position in positions:
        result.insert(position % (len(result) + 1), b"")
    return result


def payloads(
    *, samples: Sequence[bytes] = (), text: bool = True, max_size: int = 256
) -> st.SearchStrategy[bytes]:
    """Stream bodies: the given ``samples`` first (they are what shrinking goes back to),
    then UTF-8 text (``text=True``) or arbitrary bytes, up to ``max_size`` bytes.
    """
    _check(max_size >= 0, f"{max_size=} must not be negative")
    _check(all(isinstance(s, bytes) for s in samples), "samples must be bytes")
    generated = (
        st.text(max_size=max_size // 4).map(str.encode) if text else st.binary(max_size=max_size)
    )
    strategy = st.one_of(st.sampled_from(list(samples)), generated) if samples else generated
    return _named("payloads", strategy, samples=samples, text=text, max_size=max_size)
