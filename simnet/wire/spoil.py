"""Answers no honest miner would give, for both stacks' adversarial miners: a value's
garbage twin or an oversized copy of it, and an HTTP body spoiled the same way (a JSON
body's values, each JSON ``data:`` event of a server-sent stream, or raw bytes)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def garbage(value: Any, rng: random.Random) -> Any:
    """A value of ``value``'s type that no honest miner would answer."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return rng.randrange(-(2**31), 2**31)
    if isinstance(value, float):
        return rng.uniform(-1e9, 1e9)
    if isinstance(value, str):
        return "".join(rng.choice(_LETTERS) for _ in range(len(value) or 8))
    if isinstance(value, list):
        return [garbage(item, rng) for item in value]
    if isinstance(value, dict):
        return {key: garbage(item, rng) for key, item in value.items()}
    return None


def oversized(value: Any, size: int) -> Any:
    """``value`` grown to about ``size`` bytes where its type allows (strings, lists; an
    integer gets thousands of digits); a dict's values each grown."""
    if isinstance(value, str) and value:
        return (value * (size // len(value) + 1))[:size]
    if isinstance(value, list) and value:
        return value * (size // max(len(repr(value)), 1) + 1)
    if isinstance(value, dict):
        return {key: oversized(item, size) for key, item in value.items()}
    if isinstance(value, int) and not isinstance(value, bool):
        return int("9" * min(size, 4000))  # the most digits Python converts by default
    return value


def body(content: bytes, content_type: str, spoil: Callable[[Any], Any]) -> bytes:
    """``content`` with ``spoil`` applied to what it carries: a JSON body's value, the
    JSON of each ``data:`` line of an event stream (other lines, such as ``data:
    [DONE]``, kept), or else the text itself as one string."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        try:
            return json.dumps(spoil(json.loads(content))).encode()
        except ValueError:
            pass
    if kind == "text/event-stream":
        return b"\n".join(_event_line(line, spoil) for line in content.split(b"\n"))
    return str(spoil(content.decode("utf-8", "replace"))).encode()


def _event_line(line: bytes, spoil: Callable[[Any], Any]) -> bytes:
    if not line.startswith(b"data:"):
        return line
    try:
        data = json.loads(line[len(b"data:") :])
    except ValueError:
        return line
    return b"data: " + json.dumps(spoil(data)).encode()
