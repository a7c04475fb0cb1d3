"""Real bittensor axons with a miner attached, served on the axon host."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from simnet._compat import Axon, Wallet
from simnet.network.host import AxonHost, Listener, Server, close_listener, open_listener
from simnet.network.transports import Transport
from simnet.sandbox.offline import LOOPBACK_IP
from simnet.wire import speedups
from simnet.wire.faults import Fault, FaultPlan, as_plans
from simnet.wire.injector import FaultInjector


class ServedAxon:
    """A real ``bittensor.Axon`` with a miner attached, listening on 127.0.0.1.

    bittensor's own ``Axon.start()`` would bind every interface (``0.0.0.0``); simnet never
    calls it and serves ``axon.app`` on a loopback socket instead.
    """

    def __init__(
        self, axon: Axon, server: Server, netuid: int, uid: int, faults: list[FaultPlan]
    ) -> None:
        self.axon = axon
        self.netuid = netuid
        self.uid = uid
        self.faults = faults
        """The fault plans applied to this axon's responses (a live list)."""
        self._server: Server | None = server
        self.transport: Transport = "tcp" if server.sock is not None else "memory"
        """``"tcp"`` (a socket on 127.0.0.1) or ``"memory"`` (no socket)."""

    def inject(self, *faults: FaultPlan | Fault) -> FaultPlan:
        """Apply faults to the following requests; bare faults form one new plan.

        Returns the last plan added, whose ``events`` say what it did.
        """
        plans = as_plans(faults)
        self.faults.extend(plans)
        return plans[-1]

    def clear_faults(self) -> None:
        """Remove every fault plan: the following requests go through untouched."""
        self.faults.clear()

    @property
    def ip(self) -> str:
        """The address the axon listens on and advertises."""
        return str(self.axon.external_ip)

    @property
    def port(self) -> int:
        """The port the axon listens on and advertises."""
        return int(self.axon.external_port)

    @property
    def listen_address(self) -> tuple[str, int]:
        """The address the listening socket is bound to (the in-memory port's address
        for ``transport="memory"``)."""
        if self._server is None:
            raise RuntimeError(f"{self!r} is stopped")
        if self._server.sock is None:
            return LOOPBACK_IP, self._server.port
        host, port = self._server.sock.getsockname()[:2]
        return str(host), int(port)

    @property
    def hotkey(self) -> str:
        """The axon wallet's hotkey address."""
        return str(self.axon.wallet.hotkey.ss58_address)

    @property
    def running(self) -> bool:
        """True until :meth:`stop`."""
        return self._server is not None

    def stop(self) -> None:
        """Stop serving and close the socket. Idempotent."""
        stop_all([self])

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        where = f"{self.ip}:{self.port}" + (" in memory" if self.transport == "memory" else "")
        return f"ServedAxon(netuid={self.netuid}, uid={self.uid}, {where}, {state})"

    def _request_stop(self) -> Server | None:
        server, self._server = self._server, None
        if server is not None:
            server.request_stop()
            self.axon.started = False
        return server


def stop_all(axons: Sequence[ServedAxon]) -> None:
    """Stop ``axons`` together: shutting down takes as long for many as for one."""
    servers = [server for axon in axons if (server := axon._request_stop()) is not None]
    for server in servers:
        server.wait()


def loopback_init(axon: Axon, host: AxonHost, port: int, **kwargs: Any) -> None:
    """Run ``Axon.__init__`` for ``axon`` advertising 127.0.0.1:``port``, on the host's pool."""
    kwargs.setdefault("config", _default_config())  # Axon deep-copies it
    with speedups.unused_server_config():
        Axon.__init__(
            axon,
            ip=LOOPBACK_IP,
            port=port,
            external_ip=LOOPBACK_IP,
            external_port=port,
            max_workers=1,
            **kwargs,
        )
    # The axon made a pool of its own (no threads yet); it uses the host's instead.
    axon.thread_pool.shutdown(wait=False)
    axon.thread_pool = host.thread_pool


@functools.cache
def _default_config() -> Any:
    """``Axon.config()`` (an argparse parse of the defaults), built once per process."""
    return Axon.config()


def serve_app(
    host: AxonHost,
    axon: Axon,
    listener: Listener,
    plans: list[FaultPlan],
    wrap: Callable[[Any], Any] = lambda app: app,
) -> Server:
    """Serve ``wrap(axon.app)`` (ASGI middleware outside bittensor's own) behind the fault
    ``plans`` on ``listener``."""
    server = host.serve(FaultInjector(wrap(axon.app), plans), listener)
    axon.started = True
    return server


def start_axon(
    host: AxonHost,
    wallet: Wallet,
    netuid: int,
    uid: int,
    attach: Callable[[Axon], None],
    wrap: Callable[[Any], Any] = lambda app: app,
    faults: Sequence[FaultPlan | Fault] = (),
    port: int = 0,
    transport: Transport = "tcp",
) -> ServedAxon:
    """Create a real ``Axon`` for ``wallet``, let ``attach`` attach handlers, and serve
    ``wrap(axon.app)`` behind ``faults``, over ``transport``."""
    plans = as_plans(faults) if faults else []
    listener, port = open_listener(host, transport, port)
    try:
        axon = Axon.__new__(Axon)
        with speedups.route_analysis_once():
            loopback_init(axon, host, port, wallet=wallet)
            attach(axon)
        server = serve_app(host, axon, listener, plans, wrap)
    except BaseException:
        close_listener(host, listener)
        raise
    return ServedAxon(axon, server, netuid, uid, plans)
