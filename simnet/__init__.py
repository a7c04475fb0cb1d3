"""simnet: run a Bittensor subnet's real miner and real streaming client offline, inside pytest.

The public names are listed in ``__all__``. They are imported on first use, so that
loading simnet's pytest plugin does not import bittensor. Public submodules:
``simnet.strategies`` and ``simnet.properties`` (fuzzing), ``simnet.faults``,
``simnet.attacks``, ``simnet.mocking`` and ``simnet.local`` (the two-terminal network).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "AxonHost": "simnet._axon",
    "ServedAxon": "simnet._axon",
    "Transport": "simnet._axon",
    "MemoryConnector": "simnet._memory",
    "ChainState": "simnet._chain",
    "Neuron": "simnet._chain",
    "UnknownHotkey": "simnet._chain",
    "UnknownSubnet": "simnet._chain",
    "BITTENSOR_VERSION": "simnet._compat",
    "MinerContext": "simnet._handlers",
    "MinerError": "simnet._hygiene",
    "MinerProblem": "simnet._hygiene",
    "Registration": "simnet._network",
    "Simnet": "simnet._network",
    "LOOPBACK_IP": "simnet._offline",
    "OfflineViolation": "simnet._offline",
    "offline": "simnet._offline",
    "FakeSubtensor": "simnet._subtensor",
    "Subnet": "simnet._subnet",
    "WalletFactory": "simnet._wallets",
}

__all__ = [
    "BITTENSOR_VERSION",
    "LOOPBACK_IP",
    "AxonHost",
    "ChainState",
    "FakeSubtensor",
    "MemoryConnector",
    "MinerContext",
    "MinerError",
    "MinerProblem",
    "Neuron",
    "OfflineViolation",
    "Registration",
    "ServedAxon",
    "Simnet",
    "Subnet",
    "Transport",
    "UnknownHotkey",
    "UnknownSubnet",
    "WalletFactory",
    "__version__",
    "offline",
]

if TYPE_CHECKING:
    from simnet._axon import AxonHost, ServedAxon, Transport
    from simnet._chain import ChainState, Neuron, UnknownHotkey, UnknownSubnet
    from simnet._compat import BITTENSOR_VERSION
    from simnet._handlers import MinerContext
    from simnet._hygiene import MinerError, MinerProblem
    from simnet._memory import MemoryConnector
    from simnet._network import Registration, Simnet
    from simnet._offline import LOOPBACK_IP, OfflineViolation, offline
    from simnet._subnet import Subnet
    from simnet._subtensor import FakeSubtensor
    from simnet._wallets import WalletFactory


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'simnet' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
