"""simnet: run a Bittensor subnet's real miner and real streaming client offline, inside pytest.

The public names are listed in ``__all__``. They are imported on first use, so that
loading simnet's pytest plugin does not import bittensor. Public submodules (each a
façade over the room that implements it): ``simnet.strategies`` and
``simnet.properties`` (fuzzing), ``simnet.faults``, ``simnet.attacks``,
``simnet.mocking``, ``simnet.local`` (the two-terminal network),
``simnet.adversaries`` (adversarial miners and validators for rehearsals) and
``simnet.readers`` (fuzzing streaming readers); ``simnet.v11`` is the bittensor 11.x
stack.

Everything else is implementation, grouped by job (see "Layout" in
``docs/contributing.md``): ``_release`` (which bittensor, which stack), ``_compat``
(bittensor release differences), ``sandbox``, ``chain``, ``wire``, ``outside`` (stubbed
outside services), ``network``, ``neurons``, ``fuzz``, ``rehearsal``, ``cli`` and
``plugin``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "AxonHost": "simnet.network.host",
    "ServedAxon": "simnet.neurons.axons",
    "Transport": "simnet.network.transports",
    "MemoryConnector": "simnet.network.memory",
    "ChainState": "simnet.chain.state",
    "Neuron": "simnet.chain.state",
    "UnknownHotkey": "simnet.chain.state",
    "UnknownSubnet": "simnet.chain.state",
    "BITTENSOR_VERSION": "simnet._release",
    "MinerContext": "simnet.neurons.handlers",
    "MinerError": "simnet.wire.hygiene",
    "MinerProblem": "simnet.wire.hygiene",
    "Registration": "simnet.neurons.subnet",
    "Simnet": "simnet.neurons.simnet",
    "LOOPBACK_IP": "simnet.sandbox.offline",
    "OfflineViolation": "simnet.sandbox.offline",
    "offline": "simnet.sandbox.offline",
    "FakeSubtensor": "simnet.neurons.subtensor",
    "NotSimulated": "simnet.chain.faults",
    "AsyncFakeSubtensor": "simnet.neurons.async_subtensor",
    "ChainFaults": "simnet.chain.faults",
    "ChainRuleError": "simnet.chain.rules",
    "Hyperparameters": "simnet.chain.hyperparams",
    "NeuronProcess": "simnet.network.processes",
    "Subnet": "simnet.neurons.subnet",
    "WalletFactory": "simnet._wallets",
    "Stubs": "simnet.outside.stubs",
    "StubsError": "simnet.outside.stubs",
    "OutsideServices": "simnet.outside.services",
    "CassetteError": "simnet.outside.cassettes",
    "recording": "simnet.outside.cassettes",
    "Rehearsal": "simnet.rehearsal.run",
    "RehearsalError": "simnet.rehearsal.mix",
    "RehearsalReport": "simnet.rehearsal.report",
}

__all__ = [
    "BITTENSOR_VERSION",
    "LOOPBACK_IP",
    "AsyncFakeSubtensor",
    "AxonHost",
    "CassetteError",
    "ChainFaults",
    "ChainRuleError",
    "ChainState",
    "FakeSubtensor",
    "Hyperparameters",
    "MemoryConnector",
    "MinerContext",
    "MinerError",
    "MinerProblem",
    "Neuron",
    "NeuronProcess",
    "NotSimulated",
    "OfflineViolation",
    "OutsideServices",
    "Registration",
    "Rehearsal",
    "RehearsalError",
    "RehearsalReport",
    "ServedAxon",
    "Simnet",
    "Stubs",
    "StubsError",
    "Subnet",
    "Transport",
    "UnknownHotkey",
    "UnknownSubnet",
    "WalletFactory",
    "__version__",
    "offline",
    "recording",
]

if TYPE_CHECKING:
    from simnet._release import BITTENSOR_VERSION
    from simnet._wallets import WalletFactory
    from simnet.chain.faults import ChainFaults, NotSimulated
    from simnet.chain.hyperparams import Hyperparameters
    from simnet.chain.rules import ChainRuleError
    from simnet.chain.state import ChainState, Neuron, UnknownHotkey, UnknownSubnet
    from simnet.network.host import AxonHost
    from simnet.network.memory import MemoryConnector
    from simnet.network.processes import NeuronProcess
    from simnet.network.transports import Transport
    from simnet.neurons.async_subtensor import AsyncFakeSubtensor
    from simnet.neurons.axons import ServedAxon
    from simnet.neurons.handlers import MinerContext
    from simnet.neurons.simnet import Simnet
    from simnet.neurons.subnet import Registration, Subnet
    from simnet.neurons.subtensor import FakeSubtensor
    from simnet.outside.cassettes import CassetteError, recording
    from simnet.outside.services import OutsideServices
    from simnet.outside.stubs import Stubs, StubsError
    from simnet.rehearsal.mix import RehearsalError
    from simnet.rehearsal.report import RehearsalReport
    from simnet.rehearsal.run import Rehearsal
    from simnet.sandbox.offline import LOOPBACK_IP, OfflineViolation, offline
    from simnet.wire.hygiene import MinerError, MinerProblem


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'simnet' has no attribute {name!r}")
    if name == "offline":
        _register_stack_patches()
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def _register_stack_patches() -> None:
    """The neuron stack adds its offline patch (bittensor's external-IP lookup) to the
    shared guard when ``simnet._compat`` is imported: do that before handing out
    :func:`offline`, so ``with simnet.offline(): bt.Axon(...)`` stays on loopback."""
    from simnet._release import NEURON_STACK

    if NEURON_STACK:
        importlib.import_module("simnet._compat")


def __dir__() -> list[str]:
    return sorted(__all__)
