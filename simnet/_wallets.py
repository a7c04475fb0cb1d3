"""The neuron stack's deterministic wallets: ``bittensor_wallet``'s ``Keypair`` and
``Wallet`` (9.x, 10.x) from the seeds the shared sandbox derives (:func:`seed_for`)."""

from __future__ import annotations

from simnet._compat import Keypair, Wallet
from simnet.sandbox.wallets import DeterministicWallets, seed_for


def keypair_for(*parts: str) -> Keypair:
    """The sr25519 keypair simnet derives from ``parts``: the same parts give the same keys."""
    # The stub says bytes; bittensor_wallet's runtime takes only a hex string here.
    return Keypair.create_from_seed(seed_for(*parts))  # type: ignore[arg-type]


class WalletFactory(DeterministicWallets):
    """Makes real wallets whose keys depend only on their names.

    ``factory("alice")`` and ``factory("alice", hotkey="miner")`` share a coldkey and
    differ in hotkey; asking twice gives the same keys. Key files are written without
    encryption under ``root`` (a fresh temporary directory unless given, in memory where
    the machine allows: :func:`simnet.sandbox.wallets.scratch_dir`), never under
    ``~/.bittensor/wallets`` unless you pass that path yourself.
    """

    def __call__(self, name: str, hotkey: str = "default") -> Wallet:
        """The wallet ``name`` with hotkey ``hotkey``, created on first use."""
        wallet: Wallet = super().__call__(name, hotkey)
        return wallet

    def _create(self, name: str, hotkey: str) -> Wallet:
        wallet = Wallet(name=name, hotkey=hotkey, path=str(self.root))
        coldkey = keypair_for("coldkey", name)
        wallet.set_coldkey(coldkey, encrypt=False, overwrite=True)
        wallet.set_coldkeypub(coldkey, overwrite=True)
        wallet.set_hotkey(keypair_for("hotkey", name, hotkey), encrypt=False, overwrite=True)
        return wallet
