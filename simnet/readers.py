"""Fuzzing streaming readers: a validator's own code reading a miner's stream from a real
``httpx.Response`` or ``aiohttp.ClientResponse`` (SSE, NDJSON, raw), for signed-HTTP
subnets on bittensor 11.x and any other. Works with whichever bittensor is installed.

    from simnet.readers import check_reader_chunking, check_reader_error_bodies

    check_reader_chunking(my_validator.read_words)      # raises PropertyFailed
    check_reader_error_bodies(my_validator.read_words)

The same from the command line (``simnet fuzz package.module:read_words``) and pytest
(``--simnet-fuzz=package.module:read_words`` or the ``simnet_fuzz`` ini setting).
"""

from simnet.fuzz.readers import (
    CLIENTS,
    ERROR_BODIES,
    READER_PROPERTIES,
    ReadOutcome,
    check_reader_chunking,
    check_reader_error_bodies,
    httpx_response,
    run_reader,
)
from simnet.fuzz.reports import Counterexample, Finding, PropertyFailed, PropertyReport

__all__ = [
    "CLIENTS",
    "ERROR_BODIES",
    "READER_PROPERTIES",
    "Counterexample",
    "Finding",
    "PropertyFailed",
    "PropertyReport",
    "ReadOutcome",
    "check_reader_chunking",
    "check_reader_error_bodies",
    "httpx_response",
    "run_reader",
]
