"""The shared state file on 11.x: its chain state and 11.x's own wallets beside it, for
``simnet register``, ``simnet status``, ``simnet run`` and the ``simnet_local`` fixture."""

from __future__ import annotations

from typing import ClassVar

from simnet.network.local import LocalState
from simnet.sandbox.wallets import DeterministicWallets
from simnet.v11.wallets import Wallets


class LocalNetwork(LocalState):
    """The shared chain state file and simnet's 11.x wallets (``bittensor.Wallet``)."""

    wallet_factory: ClassVar[type[DeterministicWallets]] = Wallets
    wallets: Wallets
