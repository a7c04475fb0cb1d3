"""The reference protocol holds every ready-made property over 10,000 examples.

Marked ``thorough``: `make test` leaves them out (the suite's own properties run the
default budget); CI runs them once, with `make thorough` (see .ci/run)."""

import pytest

from protocol import StreamPrompting
from simnet.properties import PROPERTIES


@pytest.mark.thorough
@pytest.mark.parametrize("name", PROPERTIES)
def test_the_reference_protocol_passes_10000_examples(name):
    PROPERTIES[name](StreamPrompting, max_examples=10_000, seed=0)
