"""Adversarial miners and validators, for rehearsals (:class:`simnet.Rehearsal`) and for
your own tests; the same names on both stacks.

On 9.x/10.x a miner here is a plain miner object that ``Simnet.serve`` takes anywhere a
miner goes: it wraps your subnet's own miner (a forward function or an object with
``forward``), answers that miner's synapse its own way, and keeps its ``blacklist`` and
``priority``::

    net.serve(1, Replayer(my_forward))
    net.serve(1, lambda ctx: ValidatorDetector(MyMiner(), metagraph=ctx.metagraph))

On 11.x a miner here is an ASGI app wrapping your subnet's own app (ASGI, such as
FastAPI, or an ``aiohttp.web.Application``), which ``simnet.v11.Network.serve`` takes
anywhere the app goes; what reads the chain takes ``netuid=`` (see
:mod:`simnet.v11.adversaries`)::

    net.serve(1, Replayer(create_app(wallet)), wallet)
    net.serve(1, ValidatorDetector(create_app(wallet), netuid=1), wallet)

A validator here sets weights on simnet's chain without querying anyone; call its
``step()`` once per block.
"""

from simnet._release import SIGNED_HTTP_STACK as _SIGNED_HTTP_STACK
from simnet.rehearsal.validators import (
    ADVERSARIAL_VALIDATORS,
    AdversarialValidator,
    Lazy,
    Stale,
    WeightCopier,
)

if _SIGNED_HTTP_STACK:
    from simnet.v11.adversaries import (
        ADVERSARIAL_MINERS,
        AdversarialMiner,
        Copier,
        Empty,
        Garbage,
        LastSecond,
        Oversized,
        Replayer,
        ValidatorDetector,
    )
else:
    from simnet.rehearsal.miners import (
        ADVERSARIAL_MINERS,
        AdversarialMiner,
        Copier,
        Empty,
        Garbage,
        LastSecond,
        Oversized,
        Replayer,
        ValidatorDetector,
    )

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
