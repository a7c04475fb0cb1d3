"""Every difference between the bittensor releases of the neuron stack, and nothing else.

The neuron stack (``Axon``, ``Dendrite``, ``Synapse``, ``StreamingSynapse``) ships in 9.x
and 10.x; 11.0 removed it. Importing this module with 11.x installed raises
``simnet._release.WrongStack`` (one line); 11.x's names live in ``simnet.v11.sdk``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from typing import Any

from simnet._release import BITTENSOR_VERSION, MAJOR, require

require("neuron")
_MAJOR = MAJOR

import bittensor  # noqa: E402
from bittensor.core.async_subtensor import AsyncSubtensor as RealAsyncSubtensor  # noqa: E402
from bittensor.core.axon import Axon  # noqa: E402
from bittensor.core.chain_data import (  # noqa: E402
    AxonInfo,
    NeuronInfo,
    NeuronInfoLite,
    SubnetHyperparameters,
)
from bittensor.core.dendrite import Dendrite  # noqa: E402
from bittensor.core.errors import ChainConnectionError  # noqa: E402
from bittensor.core.metagraph import Metagraph  # noqa: E402

try:  # 10.x; 9.x's AsyncSubtensor hands out plain Metagraphs
    from bittensor.core.metagraph import AsyncMetagraph
except ImportError:  # pragma: no cover - depends on the installed release
    AsyncMetagraph = Metagraph  # type: ignore[assignment,misc]
from bittensor.core.stream import StreamingSynapse  # noqa: E402
from bittensor.core.subtensor import Subtensor as RealSubtensor  # noqa: E402
from bittensor.core.synapse import Synapse, TerminalInfo  # noqa: E402
from bittensor.core.threadpool import PriorityThreadPoolExecutor  # noqa: E402
from bittensor.utils import networking  # noqa: E402
from bittensor.utils.balance import Balance  # noqa: E402
from bittensor_wallet import Keypair, Wallet  # noqa: E402

__all__ = [
    "BITTENSOR_VERSION",
    "AsyncMetagraph",
    "Axon",
    "AxonInfo",
    "Balance",
    "ChainConnectionError",
    "Dendrite",
    "Keypair",
    "Metagraph",
    "NeuronInfo",
    "NeuronInfoLite",
    "PriorityThreadPoolExecutor",
    "RealAsyncSubtensor",
    "RealSubtensor",
    "StreamingSynapse",
    "SubnetHyperparameters",
    "Synapse",
    "TerminalInfo",
    "Wallet",
    "bittensor",
    "chain_data",
    "extrinsic_result",
    "metagraph_arguments",
    "networking",
    "quiet_bittensor_logging",
    "serve_result",
    "subnet_state_dict",
]


def quiet_bittensor_logging() -> None:
    """Stop bittensor's logger printing (it logs every malformed header it parses)."""
    bittensor.logging.disable_logging()


def _account_ids(addresses: list[str]) -> list[bytes]:
    ids = []
    for address in addresses:
        try:
            ids.append(bytes(Keypair(ss58_address=address).public_key or b""))
        except ValueError:  # not an ss58 address (tests use plain names): any 32 bytes do
            ids.append(hashlib.sha256(address.encode()).digest())
    return ids


def chain_data(cls: type, **known: Any) -> Any:
    """``cls(**known)`` for a chain-data dataclass (``NeuronInfo``, ``NeuronInfoLite``),
    with zero for fields a release requires that simnet does not model (9.x's
    ``rank``, ``trust``, ``pruning_score``)."""
    missing = {name: 0.0 for name in _required_fields(cls) if name not in known}
    return cls(**known, **missing)


@functools.cache
def _required_fields(cls: type) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )


def extrinsic_result(success: bool, message: str) -> Any:
    """What ``Subtensor.set_weights`` and friends return: an ``ExtrinsicResponse`` in
    10.x (it unpacks as ``success, message``), a ``(success, message)`` tuple in 9.x."""
    try:
        from bittensor.core.types import ExtrinsicResponse
    except ImportError:
        return success, message
    return ExtrinsicResponse(success=success, message=message)


def metagraph_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[bool, Any]:
    """``(lite, block)`` from ``Subtensor.metagraph``'s arguments after ``netuid``:
    ``(mechid, lite, block)`` in 10.x, ``(lite, block)`` in 9.x."""
    names = ("lite", "block") if _MAJOR == 9 else ("mechid", "lite", "block")
    given = {**dict(zip(names, args, strict=False)), **kwargs}
    return bool(given.get("lite", True)), given.get("block")


def serve_result(success: bool, message: str) -> Any:
    """What ``Subtensor.serve_axon`` returns: an ``ExtrinsicResponse`` in 10.x, a bool in 9.x."""
    if _MAJOR == 9:
        return success
    return extrinsic_result(success, message)


def subnet_state_dict(
    netuid: int,
    hotkeys: list[str],
    coldkeys: list[str],
    stakes_rao: list[int],
    validator_permit: list[bool],
    last_update: list[int],
    registered_at: list[int],
) -> dict[str, Any]:
    """The decoded ``get_subnet_state`` answer, from which ``Metagraph.sync`` reads stakes."""
    n = len(hotkeys)
    zeros = [0] * n
    if _MAJOR == 9:  # 9.x decodes account ids from raw bytes; 10.x takes ss58 strings
        hotkeys, coldkeys = map(_account_ids, (hotkeys, coldkeys))  # type: ignore[assignment]
    return {
        "netuid": netuid,
        "hotkeys": hotkeys,
        "coldkeys": coldkeys,
        "active": [True] * n,
        "validator_permit": validator_permit,
        "pruning_score": zeros,
        "last_update": last_update,
        "emission": zeros,
        "dividends": zeros,
        "incentives": zeros,
        "consensus": zeros,
        "trust": zeros,
        "rank": zeros,
        "block_at_registration": registered_at,
        "alpha_stake": stakes_rao,
        "tao_stake": zeros,
        "total_stake": stakes_rao,
        "emission_history": [],
    }
