"""Deterministic, unencrypted, real ``bittensor_wallet.Wallet`` objects in a simnet directory."""

from __future__ import annotations

import hashlib
import tempfile
import threading
from pathlib import Path

from simnet._compat import Keypair, Wallet


def keypair_for(*parts: str) -> Keypair:
    """The sr25519 keypair simnet derives from ``parts``: the same parts give the same keys."""
    seed = hashlib.sha256("/".join(("simnet", *parts)).encode()).hexdigest()
    # The stub says bytes; bittensor_wallet's runtime takes only a hex string here.
    return Keypair.create_from_seed(seed)  # type: ignore[arg-type]


_SHARED: WalletFactory | None = None
_SHARED_LOCK = threading.Lock()


class WalletFactory:
    """Makes real wallets whose keys depend only on their names.

    ``factory("alice")`` and ``factory("alice", hotkey="miner")`` share a coldkey and
    differ in hotkey; asking twice gives the same keys. Key files are written without
    encryption under ``root`` (a fresh temporary directory unless given), never under
    ``~/.bittensor/wallets`` unless you pass that path yourself.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        if root is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="simnet-wallets-")
            root = self._tempdir.name
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], Wallet] = {}

    def __call__(self, name: str, hotkey: str = "default") -> Wallet:
        """The wallet ``name`` with hotkey ``hotkey``, created on first use."""
        if not name or not hotkey:
            raise ValueError(f"wallet name and hotkey must be non-empty, got {name=!r} {hotkey=!r}")
        with self._lock:
            key = (name, hotkey)
            if key not in self._cache:
                self._cache[key] = self._create(name, hotkey)
            return self._cache[key]

    def _create(self, name: str, hotkey: str) -> Wallet:
        wallet = Wallet(name=name, hotkey=hotkey, path=str(self.root))
        coldkey = keypair_for("coldkey", name)
        wallet.set_coldkey(coldkey, encrypt=False, overwrite=True)
        wallet.set_coldkeypub(coldkey, overwrite=True)
        wallet.set_hotkey(keypair_for("hotkey", name, hotkey), encrypt=False, overwrite=True)
        return wallet

    @classmethod
    def shared(cls) -> WalletFactory:
        """The process's own factory, for networks given none: wallets are made once per
        process, not once per network (its directory goes when the process ends)."""
        global _SHARED
        with _SHARED_LOCK:
            if _SHARED is None or _SHARED._tempdir is None:
                _SHARED = cls()
            return _SHARED

    def close(self) -> None:
        """Remove the temporary directory, if this factory made one."""
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def __repr__(self) -> str:
        return f"WalletFactory(root={str(self.root)!r})"
