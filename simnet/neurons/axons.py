"""Real bittensor axons with a miner attached, served on the axon host."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from simnet._compat import Axon, PriorityThreadPoolExecutor, Wallet
from simnet._patches import AXON, found
from simnet.network.host import AxonHost
from simnet.network.servers import Server
from simnet.network.serving import ServedMiner, fault_plans, serve_app
from simnet.network.transports import TCP, BaseTransport, Listener
from simnet.sandbox.offline import LOOPBACK_IP
from simnet.wire import speedups
from simnet.wire.faults import Fault, FaultPlan
from simnet.wire.hygiene import Report


class ServedAxon(ServedMiner):
    """A real ``bittensor.Axon`` with a miner attached, listening on 127.0.0.1 (or in
    memory): a :class:`~simnet.network.serving.ServedMiner` whose ``axon`` is the Axon.

    bittensor's own ``Axon.start()`` would bind every interface (``0.0.0.0``); simnet never
    calls it and serves ``axon.app`` on a loopback socket instead.
    """

    def __init__(
        self,
        axon: Axon,
        server: Server,
        netuid: int,
        uid: int,
        faults: list[FaultPlan],
        transport: BaseTransport,
    ) -> None:
        hotkey = str(axon.wallet.hotkey.ss58_address)
        super().__init__(
            server, hotkey=hotkey, netuid=netuid, uid=uid, transport=transport, faults=faults
        )
        self.axon = axon

    def _request_stop(self) -> Server | None:
        server = super()._request_stop()
        if server is not None:
            self.axon.started = False
        return server


def loopback_init(axon: Axon, host: AxonHost, port: int, **kwargs: Any) -> None:
    """Run ``Axon.__init__`` for ``axon`` advertising 127.0.0.1:``port``, on the host's pool."""
    found(AXON, Axon, "__init__")
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
    found(AXON, axon, "thread_pool").shutdown(wait=False)
    axon.thread_pool = host.thread_pool(PriorityThreadPoolExecutor)


@functools.cache
def _default_config() -> Any:
    """``Axon.config()`` (an argparse parse of the defaults), built once per process."""
    return Axon.config()


def serve_axon(
    host: AxonHost,
    axon: Axon,
    listener: Listener,
    transport: BaseTransport,
    *,
    where: str,
    report: Report,
    registration: tuple[int, int],
    plans: list[FaultPlan],
) -> ServedAxon:
    """Serve the attached ``axon``'s app on ``listener`` through the serving pipeline,
    as neuron ``registration`` (netuid, uid)."""
    server = serve_app(host, axon.app, listener, where=where, report=report, plans=plans)
    axon.started = True
    netuid, uid = registration
    return ServedAxon(axon, server, netuid, uid, plans, transport)


def start_axon(
    host: AxonHost,
    wallet: Wallet,
    registration: tuple[int, int],
    attach: Callable[[Axon], None],
    report: Report,
    *,
    where: str,
    faults: Sequence[FaultPlan | Fault] = (),
    port: int = 0,
    transport: BaseTransport = TCP,
) -> ServedAxon:
    """Create a real ``Axon`` for ``wallet``, let ``attach`` attach handlers, and serve it
    behind ``faults``, over ``transport``."""
    plans = fault_plans(faults)
    listener = transport.listen(host.memory, port)
    try:
        axon = Axon.__new__(Axon)
        with speedups.route_analysis_once():
            loopback_init(axon, host, listener.port, wallet=wallet)
            attach(axon)
    except BaseException:
        listener.close()
        raise
    return serve_axon(
        host,
        axon,
        listener,
        transport,
        where=where,
        report=report,
        registration=registration,
        plans=plans,
    )
