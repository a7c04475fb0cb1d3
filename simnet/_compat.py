"""Every difference between the bittensor releases simnet supports, and nothing else.

simnet supports the releases that still ship the neuron stack (``Axon``, ``Dendrite``,
``Synapse``, ``StreamingSynapse``): 9.x and 10.x. 11.0 removed it.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

BITTENSOR_VERSION: str = importlib.metadata.version("bittensor")
_MAJOR = int(BITTENSOR_VERSION.split(".")[0])

if _MAJOR >= 11 or _MAJOR < 9:
    raise ImportError(
        f"simnet needs bittensor 9.x or 10.x (the releases with Axon, Dendrite and "
        f"StreamingSynapse); bittensor {BITTENSOR_VERSION} is installed. "
        f"Install a supported release, e.g. pip install 'bittensor>=10.3,<11'."
    )

import bittensor  # noqa: E402
from bittensor.core.axon import Axon  # noqa: E402
from bittensor.core.chain_data import AxonInfo, NeuronInfo, NeuronInfoLite  # noqa: E402
from bittensor.core.dendrite import Dendrite  # noqa: E402
from bittensor.core.metagraph import Metagraph  # noqa: E402
from bittensor.core.stream import StreamingSynapse  # noqa: E402
from bittensor.core.synapse import Synapse, TerminalInfo  # noqa: E402
from bittensor.core.threadpool import PriorityThreadPoolExecutor  # noqa: E402
from bittensor.utils import networking  # noqa: E402
from bittensor.utils.balance import Balance  # noqa: E402
from bittensor_wallet import Keypair, Wallet  # noqa: E402

__all__ = [
    "BITTENSOR_VERSION",
    "Axon",
    "AxonInfo",
    "Balance",
    "Dendrite",
    "Keypair",
    "Metagraph",
    "NeuronInfo",
    "NeuronInfoLite",
    "PriorityThreadPoolExecutor",
    "StreamingSynapse",
    "Synapse",
    "TerminalInfo",
    "Wallet",
    "bittensor",
    "extrinsic_result",
    "networking",
    "quiet_bittensor_logging",
    "subnet_state_dict",
]


def quiet_bittensor_logging() -> None:
    """Stop bittensor's logger printing (it logs every malformed header it parses)."""
    bittensor.logging.disable_logging()


def extrinsic_result(success: bool, message: str) -> Any:
    """What ``Subtensor.set_weights`` and friends return: an ``ExtrinsicResponse`` in
    10.x (it unpacks as ``success, message``), a ``(success, message)`` tuple in 9.x."""
    try:
        from bittensor.core.types import ExtrinsicResponse
    except ImportError:
        return success, message
    return ExtrinsicResponse(success=success, message=message)


def subnet_state_dict(
    netuid: int,
    hotkeys: list[str],
    coldkeys: list[str],
    stakes_rao: list[int],
    validator_permit: list[bool],
) -> dict[str, Any]:
    """The decoded ``get_subnet_state`` answer, from which ``Metagraph.sync`` reads stakes."""
    n = len(hotkeys)
    zeros = [0] * n
    return {
        "netuid": netuid,
        "hotkeys": hotkeys,
        "coldkeys": coldkeys,
        "active": [True] * n,
        "validator_permit": validator_permit,
        "pruning_score": zeros,
        "last_update": zeros,
        "emission": zeros,
        "dividends": zeros,
        "incentives": zeros,
        "consensus": zeros,
        "trust": zeros,
        "rank": zeros,
        "block_at_registration": zeros,
        "alpha_stake": stakes_rao,
        "tao_stake": zeros,
        "total_stake": stakes_rao,
        "emission_history": [],
    }
