"""Equality that is equality: structural, with NaN equal to itself.

Python's ``float("nan") != float("nan")``, so a protocol that reads a NaN from a header
compares unequal to itself and a property would report a difference that is none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def same(a: Any, b: Any) -> bool:
    """True if ``a`` and ``b`` are equal, looking inside mappings, lists and tuples, with
    NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    try:
        return bool(a == b)
    except Exception:  # a value whose comparison raises (e.g. an array): compare reprs
        return repr(a) == repr(b)
