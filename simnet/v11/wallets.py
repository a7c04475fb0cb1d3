"""Deterministic, unencrypted, real 11.x wallets (``bittensor.Wallet``), from the same seeds
as the neuron stack's: a name gives the same hotkey and coldkey on every release."""

from __future__ import annotations

from typing import Any

from simnet.sandbox.wallets import DeterministicWallets, seed_for
from simnet.v11.sdk import Wallet


class Wallets(DeterministicWallets):
    """:class:`simnet.WalletFactory` making bittensor 11's own ``Wallet`` objects."""

    def _create(self, name: str, hotkey: str) -> Any:
        wallet = Wallet(name, hotkey, path=str(self.root))
        wallet.regenerate_coldkey(
            seed=seed_for("coldkey", name), use_password=False, overwrite=True, suppress=True
        )
        wallet.regenerate_hotkey(
            seed=seed_for("hotkey", name, hotkey), use_password=False, overwrite=True, suppress=True
        )
        return wallet
