"""A dendrite talking to an axon that is not running: canned axon responses via aioresponses.

For unit tests of validator code where no miner needs to run::

    from aioresponses import aioresponses
    from simnet.neurons.mocking import mock_axon

    with aioresponses() as mocked:
        mock_axon(mocked, axon_info, MyQuery(query="hi"), body=b"...")
        final = ...  # the real Dendrite's call, answered from the mock

The response carries the headers a real axon sends. aioresponses hands the body over
in one piece, so chunk boundaries are not exercised here: use a served axon with
``faults.Rechunk``, or :mod:`simnet.properties`, for that.
"""

from simnet.neurons.mocking import (
    mock_axon,
)

__all__ = [
    "mock_axon",
]
