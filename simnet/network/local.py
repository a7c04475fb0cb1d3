"""The shared state file of neuron processes, whichever bittensor stack runs them: its
chain state and the wallet directory beside it (implementation of :mod:`simnet.local`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

from simnet.chain.state import ChainState, Neuron
from simnet.sandbox.wallets import DeterministicWallets

STATE_ENV = "SIMNET_STATE"
OWNER_WALLET = ("default", "default")
OWNER_STAKE = 1000.0
HEARTBEAT_SECONDS = 1.0


class LocalError(Exception):
    """A one-line explanation of why a local-network command cannot go on."""


def default_state_path() -> Path:
    """``$SIMNET_STATE``, else simnet's file in the user's cache directory."""
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV])
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "simnet" / "chain.sqlite"


class LocalState:
    """The shared chain state file and simnet's wallet directory beside it (``wallets/``);
    each stack's ``LocalNetwork`` makes its own release's wallets there."""

    wallet_factory: ClassVar[type[DeterministicWallets]]  # each stack's LocalNetwork says

    def __init__(self, path: str | Path | None = None, *, create: bool = True) -> None:
        self.path = Path(path) if path is not None else default_state_path()
        self.chain = ChainState(self.path, create=create)
        self.wallets = self.wallet_factory(self.path.parent / "wallets")

    def wallet(self, name: str, hotkey: str = "default") -> Any:
        """Wallet ``name``/``hotkey`` in simnet's wallet directory (created if missing)."""
        return self.wallets(name, hotkey)

    def ensure_subnet(self, netuid: int) -> None:
        """Create ``netuid`` if needed, with its owner registered as uid 0 (a full subnet
        never replaces it)."""
        owner = self.wallet(*OWNER_WALLET)
        coldkey, hotkey = owner.coldkeypub.ss58_address, owner.hotkey.ss58_address
        if self.chain.create_subnet(netuid, owner_coldkey=coldkey, owner_hotkey=hotkey):
            self.chain.register(netuid, hotkey, coldkey, stake=OWNER_STAKE, validator_permit=True)

    def register(
        self,
        netuid: int,
        wallet: Any,
        *,
        stake: float = 0.0,
        validator_permit: bool = False,
    ) -> Neuron:
        """Register ``wallet``'s hotkey on ``netuid`` (creating the subnet if needed)."""
        self.ensure_subnet(netuid)
        return self.chain.register(
            netuid,
            wallet.hotkey.ss58_address,
            wallet.coldkeypub.ss58_address,
            stake=stake,
            validator_permit=validator_permit,
        )
