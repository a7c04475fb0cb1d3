"""``simnet run`` on 11.x: a subnet's own neuron script, unmodified, on the shared state.

While the script runs in this process (:mod:`simnet.sandbox.programs`), every
``bittensor.Client``/``SyncClient``/``Subtensor`` it builds, whatever network name or
endpoint it gives, reaches the chain in the shared state file through simnet's
``Substrate`` double (so separate processes see each other's registrations, axons and
weights); ``bittensor.Wallet`` is simnet's wallet of that name from the state's wallet
directory (:mod:`simnet.v11.redirect`); ``~`` is a temporary directory. The script's own
HTTP server is its miner: the address it publishes with ``ServeAxon`` is recorded as
``127.0.0.1`` on the port it advertised, as a NAT would map it, and gets a heartbeat
("last seen") every second while something answers there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from simnet.chain.faults import NotSimulated
from simnet.chain.state import ChainState, ChainStateError
from simnet.network.processes import answers
from simnet.network.running import print_problem, run_program, say
from simnet.outside.stubs import Stubs
from simnet.sandbox.offline import LOOPBACK_IP
from simnet.sandbox.programs import Program
from simnet.v11.local import LocalNetwork
from simnet.v11.network import Network
from simnet.v11.redirect import WalletRedirect
from simnet.v11.sdk import Call, ExtrinsicResult
from simnet.v11.substrate import ChainSubstrate
from simnet.wire.blocking import DEFAULT_BLOCKING_THRESHOLD

# simnet's own refusals: said in one line, never as the script's traceback.
SIMNET_ERRORS = (ChainStateError, NotSimulated)
_NOT_REGISTERED = frozenset({"HotKeyNotRegisteredInSubNet", "HotKeyNotRegisteredInNetwork"})


def run(
    program: Program,
    state: Path | None,
    *,
    block_seconds: float | None = None,
    blocking_threshold: float | None = DEFAULT_BLOCKING_THRESHOLD,
    outside: Stubs | Path | None = None,
) -> int:
    """Run ``program`` on the 11.x chain in ``state``; returns its exit status."""
    local = LocalNetwork(state)
    if block_seconds is not None:
        local.chain.block_seconds = block_seconds
    redirect = WalletRedirect(local.wallets)
    net = ProcessNetwork(
        local.chain, redirect, blocking_threshold=blocking_threshold, outside=outside
    )
    with net, redirect, _temporary_home():
        return run_program(net, program, heartbeat=net.heartbeat, refusals=SIMNET_ERRORS)


class ProcessNetwork(Network):
    """The 11.x network of one ``simnet run`` process: the SDK's clients reach the shared
    chain; the miners are the script's own servers, which simnet does not serve."""

    substrate: ProcessSubstrate

    def __init__(self, chain: ChainState, redirect: WalletRedirect, **kwargs: Any) -> None:
        super().__init__(chain=chain, wallets=redirect.wallets, strict=False, **kwargs)
        self._reporter = print_problem
        self.substrate = ProcessSubstrate(chain, redirect, address_for=self._address_for)

    def _address_for(self, hotkey: str, ip: str, port: int) -> tuple[str, int]:
        """The script's own server listens on this host: its advertised address (its
        ``0.0.0.0``, its public IP) is recorded as loopback, on the port it advertised."""
        if hotkey in self._endpoints:
            return super()._address_for(hotkey, ip, port)
        return LOOPBACK_IP, port

    def heartbeat(self) -> None:
        """ "Last seen" for every axon this process published that answers at its address."""
        for netuid, hotkey in list(self.substrate.published):
            try:
                neuron = self.chain.neuron(netuid, hotkey)
                if neuron.serving and answers(neuron.axon_ip, neuron.axon_port):
                    self.chain.seen(netuid, hotkey)
            except (LookupError, ChainStateError):
                pass  # deregistered, or the file went away: the neuron sees that itself


class ProcessSubstrate(ChainSubstrate):
    """The chain as one process's SDK clients see it: remembers which axons it published
    and says, in one line on stderr, when a call is refused for an unregistered hotkey."""

    def __init__(self, chain: ChainState, redirect: WalletRedirect, **kwargs: Any) -> None:
        super().__init__(chain, **kwargs)
        self.redirect = redirect
        self.published: set[tuple[int, str]] = set()
        self._noted: set[tuple[int, str]] = set()

    async def _apply(self, call: Call, signer: str) -> ExtrinsicResult:
        result = await super()._apply(call, signer)
        netuid = call.params.get("netuid")
        if netuid is None:
            return result
        key = (int(netuid), signer)
        if result.success and call.function == "serve_axon":
            self.published.add(key)
        error = getattr(result.error, "name", None)
        if not result.success and error in _NOT_REGISTERED and key not in self._noted:
            self._noted.add(key)
            say(self._unregistered(*key))
        return result

    def _unregistered(self, netuid: int, hotkey: str) -> str:
        name = self.redirect.names.get(hotkey)
        if name is None:
            how = f"simnet register --ss58 {hotkey} --netuid {netuid}"
            return f"hotkey {hotkey} is not registered on netuid {netuid} ({how})"
        wallet, hot = name
        how = f"simnet register {wallet}{f' --hotkey {hot}' if hot != 'default' else ''}"
        return (
            f"wallet {wallet}/{hot} (hotkey {hotkey}) is not registered on netuid {netuid} "
            f"({how} --netuid {netuid})"
        )


@contextmanager
def _temporary_home() -> Iterator[None]:
    """``~`` in a temporary directory while the script runs (its caches, its configs)."""
    saved = os.environ.get("HOME")
    with tempfile.TemporaryDirectory(prefix="simnet-home-") as home:
        os.environ["HOME"] = home
        try:
            yield
        finally:
            if saved is None:
                os.environ.pop("HOME", None)
            else:
                os.environ["HOME"] = saved
