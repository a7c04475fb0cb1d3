"""``simnet run`` on 9.x/10.x: a neuron script, unmodified, on the shared local network.

The script runs in this process as ``python`` runs it (:mod:`simnet.sandbox.programs`),
with bittensor's constructors redirected to a :class:`~simnet.Simnet` over the shared
state file (TCP on 127.0.0.1, offline, ``~`` in a temporary directory). Axons it starts
get a heartbeat ("last seen") every second; miner and validator problems go to stderr.
"""

from __future__ import annotations

from pathlib import Path

from simnet.chain.state import ChainStateError, UnknownHotkey, UnknownSubnet
from simnet.network.running import print_problem, run_program
from simnet.neurons.local import LocalNetwork
from simnet.neurons.simnet import Simnet
from simnet.neurons.subtensor import NotSimulated
from simnet.outside.stubs import Stubs
from simnet.sandbox.programs import Program
from simnet.wire.blocking import DEFAULT_BLOCKING_THRESHOLD

# simnet's own refusals: said in one line, never as the script's traceback.
SIMNET_ERRORS = (ChainStateError, UnknownSubnet, UnknownHotkey, NotSimulated)


def run(
    program: Program,
    state: Path | None,
    *,
    block_seconds: float | None = None,
    blocking_threshold: float | None = DEFAULT_BLOCKING_THRESHOLD,
    outside: Stubs | Path | None = None,
) -> int:
    """Run ``program`` on the local network in ``state``; returns its exit status.

    Each place that blocks a watched event loop is printed once as it is first seen, and
    all of them with their counts and worst durations at exit."""
    local = LocalNetwork(state)
    if block_seconds is not None:
        local.chain.block_seconds = block_seconds
    net = Simnet(
        chain=local.chain,
        wallets=local.wallets,
        strict=False,
        reporter=print_problem,
        blocking_threshold=blocking_threshold,
        outside=outside,
    )
    with net:
        net.redirect_bittensor()
        return run_program(net, program, heartbeat=lambda: _heartbeat(net), refusals=SIMNET_ERRORS)


def _heartbeat(net: Simnet) -> None:
    for axon in net.axons:
        if axon.running and axon.netuid is not None:
            try:
                net.chain.seen(axon.netuid, axon.hotkey)
            except (LookupError, ChainStateError):
                pass  # deregistered, or the file went away: the neuron sees that itself
