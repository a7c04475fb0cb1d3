"""The reference protocol holds every ready-made property over 10,000 examples."""

import pytest

from protocol import StreamPrompting
from simnet.properties import PROPERTIES


@pytest.mark.parametrize("name", PROPERTIES)
def test_the_reference_protocol_passes_10000_examples(name):
    PROPERTIES[name](StreamPrompting, max_examples=10_000, seed=0)
