"""``bittensor.Wallet`` pointed at simnet's wallets: while installed, ``bt.Wallet(name,
hotkey, path=...)`` (also ``bt.wallet``, ``from bittensor.wallet import Wallet``) is
simnet's deterministic wallet of that name and hotkey, wherever ``path`` points, as the
neuron stack's redirect gives 9.x/10.x scripts theirs. ``isinstance`` and the class's
other uses are the real class's; uninstalling puts back exactly what was there."""

from __future__ import annotations

import sys
from typing import Any

from simnet.sandbox.stand_ins import stand_in
from simnet.v11.sdk import Wallet, bittensor
from simnet.v11.wallets import Wallets

_PLACES = (("bittensor", "Wallet"), ("bittensor", "wallet"), ("bittensor.wallet", "Wallet"))
"""Where a script finds the class: the package's name, its lower-case alias, its module."""


class WalletRedirect:
    """``bittensor.Wallet`` building ``wallets``' wallets while installed."""

    def __init__(self, wallets: Wallets) -> None:
        self.wallets = wallets
        self.names: dict[str, tuple[str, str]] = {}
        """hotkey ss58 -> (wallet name, hotkey name) of every wallet built so far."""
        self._saved: list[tuple[Any, str, Any]] = []

    def build(self, name: str = "default", hotkey: str = "default", path: Any = None) -> Any:
        """Simnet's wallet ``name``/``hotkey`` (``"cold/hot"`` as the real class reads it)."""
        parsed = Wallet(name, hotkey)  # the real class's name rules and errors; no file read
        wallet = self.wallets(parsed.name, parsed.hotkey_str)
        self.names[wallet.hotkey.ss58_address] = (parsed.name, parsed.hotkey_str)
        return wallet

    def install(self) -> WalletRedirect:
        replacement = stand_in(Wallet, self.build)
        for module_name, attribute in _PLACES:
            module = sys.modules.get(module_name, bittensor)
            if getattr(module, attribute, None) is Wallet:
                self._saved.append((module, attribute, Wallet))
                setattr(module, attribute, replacement)
        return self

    def uninstall(self) -> None:
        """Put back what was there. Idempotent."""
        for module, attribute, original in self._saved:
            setattr(module, attribute, original)
        self._saved.clear()

    def __enter__(self) -> WalletRedirect:
        return self.install()

    def __exit__(self, *exc: object) -> None:
        self.uninstall()
