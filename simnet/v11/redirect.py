"""``bittensor.Wallet`` pointed at simnet's wallets: while installed, ``bt.Wallet(name,
hotkey, path=...)`` (also ``bt.wallet``, ``from bittensor.wallet import Wallet``) is
simnet's deterministic wallet of that name and hotkey, wherever ``path`` points, as the
neuron stack's redirect gives 9.x/10.x scripts theirs. ``isinstance`` and the class's
other uses are the real class's; uninstalling puts back exactly what was there."""

from __future__ import annotations

import sys
from typing import Any

from simnet._patches import V11_WALLET, V11_WALLET_MODULE, Seam, put_back, swap
from simnet.sandbox.stand_ins import stand_in
from simnet.v11.sdk import Wallet, bittensor
from simnet.v11.wallets import Wallets


class WalletRedirect:
    """``bittensor.Wallet`` building ``wallets``' wallets while installed."""

    def __init__(self, wallets: Wallets) -> None:
        self.wallets = wallets
        self.names: dict[str, tuple[str, str]] = {}
        """hotkey ss58 -> (wallet name, hotkey name) of every wallet built so far."""
        self._saved: list[tuple[Any, dict[str, Any]]] = []

    def build(self, name: str = "default", hotkey: str = "default", path: Any = None) -> Any:
        """Simnet's wallet ``name``/``hotkey`` (``"cold/hot"`` as the real class reads it)."""
        parsed = Wallet(name, hotkey)  # the real class's name rules and errors; no file read
        wallet = self.wallets(parsed.name, parsed.hotkey_str)
        self.names[wallet.hotkey.ss58_address] = (parsed.name, parsed.hotkey_str)
        return wallet

    def install(self) -> WalletRedirect:
        replacement = stand_in(Wallet, self.build)
        try:
            for seam, module, attributes in self._places():
                originals = swap(seam, module, dict.fromkeys(attributes, replacement))
                self._saved.append((module, originals))
        except BaseException:  # a changed seam: nothing left patched
            self.uninstall()
            raise
        return self

    @staticmethod
    def _places() -> list[tuple[Seam, Any, list[str]]]:
        """Where a script finds the class: the package's name (required), its lower-case
        alias and its module (where the release has them)."""
        places = [(V11_WALLET, bittensor, ["Wallet"])]
        if getattr(bittensor, "wallet", None) is Wallet:
            places[0][2].append("wallet")
        module = sys.modules.get("bittensor.wallet")
        if module is not None:
            places.append((V11_WALLET_MODULE, module, ["Wallet"]))
        return places

    def uninstall(self) -> None:
        """Put back what was there. Idempotent."""
        for module, originals in reversed(self._saved):
            put_back(module, originals)
        self._saved.clear()

    def __enter__(self) -> WalletRedirect:
        return self.install()

    def __exit__(self, *exc: object) -> None:
        self.uninstall()
