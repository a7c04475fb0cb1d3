"""Ready-made properties any ``StreamingSynapse`` subclass should have.

Each ``check_*`` function runs hypothesis over a protocol class and raises
:class:`PropertyFailed` with the shrunk counterexample when the property does not hold.
Call them from a plain (sync) test::

    def test_my_protocol_is_chunking_invariant():
        check_chunking_invariance(MyProtocol)

Every check takes ``max_examples``, ``seed`` (a reproducible run) and ``progress`` (a
callback given the number of examples run so far). Examples default to simnet's
active hypothesis profile (``simnet-dev``: 100 examples;
``simnet-ci``: 1000, derandomized, chosen when ``$CI`` is set).
"""

from simnet.fuzz.properties import (
    PROPERTIES,
    Counterexample,
    PropertyFailed,
    StreamOutcome,
    check_chunking_invariance,
    check_error_bodies,
    check_header_contract,
    run_protocol,
)

__all__ = [
    "PROPERTIES",
    "Counterexample",
    "PropertyFailed",
    "StreamOutcome",
    "check_chunking_invariance",
    "check_error_bodies",
    "check_header_contract",
    "run_protocol",
]
