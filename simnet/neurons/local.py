"""The two-terminal network over a shared state file (implementation of :mod:`simnet.local`)."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from simnet._compat import Wallet
from simnet._wallets import WalletFactory
from simnet.network.host import AxonHost
from simnet.network.local import (
    HEARTBEAT_SECONDS,
    OWNER_STAKE,
    OWNER_WALLET,
    STATE_ENV,
    LocalError,
    LocalState,
    default_state_path,
)
from simnet.network.running import print_problem
from simnet.network.transports import bind_loopback
from simnet.neurons.axons import ServedAxon
from simnet.neurons.handlers import MinerContext, resolve_handlers, serve_handlers
from simnet.neurons.subtensor import FakeSubtensor
from simnet.sandbox.offline import offline
from simnet.sandbox.wallets import DeterministicWallets

__all__ = [
    "HEARTBEAT_SECONDS",
    "OWNER_STAKE",
    "OWNER_WALLET",
    "STATE_ENV",
    "LocalError",
    "LocalNetwork",
    "default_state_path",
    "serve_forever",
]


class LocalNetwork(LocalState):
    """The shared chain state file, simnet's wallet directory and a subtensor over both."""

    wallet_factory: ClassVar[type[DeterministicWallets]] = WalletFactory
    wallets: WalletFactory

    def __init__(self, path: str | Path | None = None, *, create: bool = True) -> None:
        super().__init__(path, create=create)
        self.subtensor = FakeSubtensor(self.chain)

    def wallet(self, name: str, hotkey: str = "default") -> Wallet:
        """Wallet ``name``/``hotkey`` in simnet's wallet directory (created if missing)."""
        return self.wallets(name, hotkey)

    def axon_of(self, netuid: int, uid: int) -> Any:
        """The ``AxonInfo`` of ``uid`` on ``netuid``, or a :class:`LocalError` saying why not."""
        neurons = self.chain.neurons(netuid)
        if not 0 <= uid < len(neurons):
            raise LocalError(
                f"uid {uid} does not exist on netuid {netuid} (uids 0..{len(neurons) - 1})"
            )
        if not neurons[uid].serving:
            raise LocalError(f"uid {uid} on netuid {netuid} has no axon (it never served one)")
        return self.subtensor.metagraph(netuid).axons[uid]


def serve_forever(
    netuid: int,
    wallet_name: str,
    wallet_hotkey: str,
    port: int,
    make_miner: Callable[[MinerContext], Any],
    *,
    state: str | Path | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """Register and serve a miner on the local network until SIGINT or SIGTERM.

    The real ``bittensor.Axon`` listens on 127.0.0.1:``port``; its address goes into the
    shared state, with a heartbeat (``last seen``) every second. Miner problems (handler
    exceptions, ASGI violations) are printed to stderr as they happen.
    """
    with offline(), _until_signalled() as stopping:
        bind_loopback(port).close()  # a taken port fails before anything is registered
        local = LocalNetwork(state)
        wallet = local.wallet(wallet_name, wallet_hotkey)
        neuron = local.register(netuid, wallet)
        metagraph = local.subtensor.metagraph(netuid)
        context = MinerContext(wallet, metagraph, local.subtensor, netuid, neuron.uid)
        handlers = resolve_handlers(make_miner, context)
        host = AxonHost()
        try:
            served = serve_handlers(host, context, handlers, print_problem, port=port)
        except OSError:
            host.close()
            raise
        try:
            local.subtensor.serve_axon(netuid, served.axon)
            announce(
                f"miner uid {neuron.uid} ({wallet.hotkey.ss58_address}) serving netuid "
                f"{netuid} on {served.ip}:{served.port}; chain state {local.path}"
            )
            _heartbeat(local, served, metagraph, stopping)
        finally:
            served.stop()
            host.close()


def _heartbeat(local: LocalNetwork, served: ServedAxon, metagraph: Any, stopping: Any) -> None:
    hotkey = served.hotkey
    while not stopping():
        local.chain.seen(served.netuid, hotkey)
        metagraph.sync(subtensor=local.subtensor)
        deadline = time.monotonic() + HEARTBEAT_SECONDS
        while time.monotonic() < deadline and not stopping():
            time.sleep(0.05)


@contextmanager
def _until_signalled() -> Iterator[Callable[[], bool]]:
    received: list[int] = []

    def handle(signum: int, frame: Any) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield lambda: bool(received)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
