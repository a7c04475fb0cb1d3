"""Ready-made properties any ``StreamingSynapse`` subclass should have.

Each ``check_*`` function runs hypothesis over a protocol class and raises
:class:`PropertyFailed` with every distinct finding (each with its minimal example) when
the property does not hold; otherwise it returns a :class:`PropertyReport` whose
``notes`` say what was left out or found harmless on the installed bittensor.
``check_yields`` is opt-in (for clients that consume what is yielded).

What a validator never sends is not judged: pass ``synapse_factory=`` (the validator's
own synapse builder; no argument, or one ``random.Random``) and it is the only source of
synapses. Where the validator folds the yields itself, pass ``consumer=`` (that
function) and chunking invariance and error bodies judge what it returns.
``check_round_trip`` (opt-in: it needs the protocol's documented ``expected``) checks
that what a miner streamed is what the validator ends with.
Call them from a plain (sync) test::

    def test_my_protocol_is_chunking_invariant():
        check_chunking_invariance(MyProtocol)

Every check takes ``max_examples``, ``seed`` (a reproducible run) and ``progress`` (a
callback given the number of examples run so far). Examples default to simnet's
active hypothesis profile (``simnet-dev``: 100 examples;
``simnet-ci``: 1000, derandomized, chosen when ``$CI`` is set).
"""

from simnet.fuzz.properties import (
    OPTIONAL_PROPERTIES,
    PROPERTIES,
    check_chunking_invariance,
    check_error_bodies,
    check_header_contract,
    check_yields,
)
from simnet.fuzz.roundtrip import check_round_trip
from simnet.fuzz.runs import (
    Counterexample,
    Finding,
    PropertyFailed,
    PropertyReport,
    StreamOutcome,
    run_protocol,
)
from simnet.fuzz.samples import DEFAULT_SAMPLES, Sample

__all__ = [
    "DEFAULT_SAMPLES",
    "OPTIONAL_PROPERTIES",
    "PROPERTIES",
    "Counterexample",
    "Finding",
    "PropertyFailed",
    "PropertyReport",
    "Sample",
    "StreamOutcome",
    "check_chunking_invariance",
    "check_error_bodies",
    "check_header_contract",
    "check_round_trip",
    "check_yields",
    "run_protocol",
]
