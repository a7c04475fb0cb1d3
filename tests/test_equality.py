"""Equality that is equality: a NaN a protocol reads equals itself, structurally."""

import math

import bittensor as bt
import pytest

from simnet.fuzz.equality import same
from simnet.properties import check_chunking_invariance


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (math.nan, math.nan),
        (
            {"score": math.nan, "n": [1, (2.0, math.nan)]},
            {"score": math.nan, "n": [1, (2.0, math.nan)]},
        ),
        ("x", "x"),
        (None, None),
    ],
)
def test_equal_values_are_the_same_nan_included(a, b):
    assert same(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (math.nan, 1.0),
        ({"score": math.nan}, {"score": math.nan, "extra": 1}),
        ([1, 2], (1, 2)),
        ({"s": "a"}, {"s": "b"}),
    ],
)
def test_different_values_are_not(a, b):
    assert not same(a, b)


class NanScore(bt.StreamingSynapse):
    """Reads a score the miner never sent: NaN, whatever the chunking."""

    received: str = ""
    score: float = 0.0

    async def process_streaming_response(self, response):
        body = b""
        async for chunk in response.content.iter_any():
            body += chunk
            yield chunk
        self.received = body.decode()
        self.score = float("nan")  # a new object each time, as parsing a header gives

    def extract_response_json(self, response) -> dict:
        return {"received": self.received, "score": self.score}


def test_a_nan_field_is_not_a_chunking_difference():
    check_chunking_invariance(NanScore, max_examples=30, seed=1)
