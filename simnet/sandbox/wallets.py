"""Deterministic, unencrypted, real wallets in a simnet directory: the seeds, the directory
and the cache both stacks share. Each stack makes its own SDK's wallets from them
(``simnet._wallets``: ``bittensor_wallet.Wallet`` for 9.x/10.x; ``simnet.v11.wallets``:
11.x's); this room imports neither."""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Self


def seed_for(*parts: str) -> str:
    """The hex seed simnet derives keys from: the same parts give the same keys, on
    every bittensor release."""
    return hashlib.sha256("/".join(("simnet", *parts)).encode()).hexdigest()


_MEMORY_FS = Path("/dev/shm")
_MEMORY_FS_MIN_FREE = 32 * 2**20  # 256 wallets take about 3 MB there


def scratch_dir() -> str | None:
    """Where throwaway wallet directories go: a memory file system where the machine has
    one (``/dev/shm`` on Linux) with room to spare and ``TMPDIR`` does not say otherwise,
    else the system's temporary directory. Creating 256 wallets is three files and two
    directories each: on a busy disk that took 0.07-1 s, in memory a steady 0.07 s."""
    if "TMPDIR" in os.environ or not os.access(_MEMORY_FS, os.W_OK | os.X_OK):
        return None
    if shutil.disk_usage(_MEMORY_FS).free < _MEMORY_FS_MIN_FREE:
        return None
    return str(_MEMORY_FS)


_SHARED: dict[type, DeterministicWallets] = {}
_SHARED_LOCK = threading.Lock()


class DeterministicWallets:
    """Makes real wallets whose keys depend only on their names (a stack's subclass says
    how, in :meth:`_create`: :class:`simnet.WalletFactory`, :class:`simnet.v11.Wallets`).

    ``factory("alice")`` and ``factory("alice", hotkey="miner")`` share a coldkey and
    differ in hotkey; asking twice gives the same keys. Key files are written without
    encryption under ``root`` (a fresh temporary directory unless given, in memory where
    the machine allows: :func:`scratch_dir`), never under
    ``~/.bittensor/wallets`` unless you pass that path yourself.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        if root is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="simnet-wallets-", dir=scratch_dir())
            root = self._tempdir.name
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], Any] = {}

    def __call__(self, name: str, hotkey: str = "default") -> Any:
        """The wallet ``name`` with hotkey ``hotkey``, created on first use."""
        if not name or not hotkey:
            raise ValueError(f"wallet name and hotkey must be non-empty, got {name=!r} {hotkey=!r}")
        with self._lock:
            key = (name, hotkey)
            if key not in self._cache:
                self._cache[key] = self._create(name, hotkey)
            return self._cache[key]

    def _create(self, name: str, hotkey: str) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not say how to make a wallet")

    @classmethod
    def shared(cls) -> Self:
        """The process's own factory, for networks given none: wallets are made once per
        process, not once per network (its directory goes when the process ends)."""
        with _SHARED_LOCK:
            factory = _SHARED.get(cls)
            if factory is None or factory._tempdir is None:
                factory = _SHARED[cls] = cls()
                atexit.register(factory.close)  # not left to tempfile's implicit clean-up
            return factory  # type: ignore[return-value]

    def close(self) -> None:
        """Remove the temporary directory, if this factory made one."""
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def __repr__(self) -> str:
        return f"WalletFactory(root={str(self.root)!r})"
