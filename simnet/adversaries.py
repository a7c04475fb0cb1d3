"""Adversarial miners and validators, for rehearsals (:class:`simnet.Rehearsal`) and for
your own tests.

A miner here is a plain miner object that ``Simnet.serve`` takes anywhere a miner goes:
it wraps your subnet's own miner (a forward function or an object with ``forward``),
answers that miner's synapse its own way, and keeps its ``blacklist`` and ``priority``::

    net.serve(1, Replayer(my_forward))
    net.serve(1, lambda ctx: ValidatorDetector(MyMiner(), metagraph=ctx.metagraph))

A validator here sets weights on simnet's chain without querying anyone; call its
``step()`` once per block.
"""

from simnet.rehearsal.miners import (
    AdversarialMiner,
    Copier,
    Empty,
    Garbage,
    LastSecond,
    Oversized,
    Replayer,
    ValidatorDetector,
)
from simnet.rehearsal.mix import ADVERSARIAL_MINERS, ADVERSARIAL_VALIDATORS
from simnet.rehearsal.validators import AdversarialValidator, Lazy, Stale, WeightCopier

__all__ = [
    "ADVERSARIAL_MINERS",
    "ADVERSARIAL_VALIDATORS",
    "AdversarialMiner",
    "AdversarialValidator",
    "Copier",
    "Empty",
    "Garbage",
    "LastSecond",
    "Lazy",
    "Oversized",
    "Replayer",
    "Stale",
    "ValidatorDetector",
    "WeightCopier",
]
