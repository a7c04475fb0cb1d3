"""The chain state: which subnets exist, who is registered on them, and where their axons are."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Neuron:
    """One registration on a subnet, as the chain records it."""

    netuid: int
    uid: int
    hotkey: str
    coldkey: str
    stake: float = 0.0
    validator_permit: bool = False
    axon_ip: str | None = None
    axon_port: int | None = None

    @property
    def serving(self) -> bool:
        """True once an axon address has been recorded for this neuron."""
        return self.axon_ip is not None and self.axon_port is not None


@dataclass
class _Subnet:
    netuid: int
    neurons: list[Neuron] = field(default_factory=list)


class UnknownSubnet(LookupError):
    """Raised when a netuid names no subnet in the chain state."""


class UnknownHotkey(LookupError):
    """Raised when a hotkey is not registered on the subnet asked about."""


class ChainState:
    """An in-memory chain: subnets, neurons and a block counter, safe to share between threads.

    Listeners registered with :meth:`subscribe` are called after every change, which is
    how simnet keeps the metagraphs it handed out in step with the state.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._subnets: dict[int, _Subnet] = {}
        self._block = 0
        self._listeners: list[Callable[[int], None]] = []
        self._held: set[int] | None = None  # netuids changed inside batch()

    @property
    def block(self) -> int:
        """The current block number."""
        return self._block

    def advance(self, blocks: int = 1) -> int:
        """Move the chain ``blocks`` forward and return the new block number."""
        if blocks < 0:
            raise ValueError(f"{blocks=} must not be negative")
        with self._lock:
            self._block += blocks
            return self._block

    def subscribe(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(netuid)`` after each change to a subnet."""
        self._listeners.append(listener)

    def create_subnet(self, netuid: int) -> None:
        """Create subnet ``netuid`` if it does not exist yet."""
        if not 0 <= netuid < 2**16:
            raise ValueError(f"{netuid=} must be in 0..65535")
        with self._lock:
            self._subnets.setdefault(netuid, _Subnet(netuid))

    def netuids(self) -> list[int]:
        """The netuids of all subnets, in order."""
        with self._lock:
            return sorted(self._subnets)

    def neurons(self, netuid: int) -> list[Neuron]:
        """The neurons of subnet ``netuid``, ordered by uid."""
        with self._lock:
            return list(self._subnet(netuid).neurons)

    def neuron(self, netuid: int, hotkey: str) -> Neuron:
        """The neuron registered with ``hotkey`` on ``netuid``."""
        with self._lock:
            for neuron in self._subnet(netuid).neurons:
                if neuron.hotkey == hotkey:
                    return neuron
        raise UnknownHotkey(f"hotkey {hotkey} is not registered on netuid {netuid}")

    def is_registered(self, netuid: int, hotkey: str) -> bool:
        """True if ``hotkey`` holds a uid on ``netuid``."""
        with self._lock:
            subnet = self._subnets.get(netuid)
            return subnet is not None and any(n.hotkey == hotkey for n in subnet.neurons)

    def register(
        self,
        netuid: int,
        hotkey: str,
        coldkey: str,
        *,
        stake: float = 0.0,
        validator_permit: bool = False,
    ) -> Neuron:
        """Give ``hotkey`` the next uid on ``netuid`` (creating the subnet if needed).

        Registering a hotkey that already holds a uid there returns that neuron unchanged.
        """
        if stake < 0:
            raise ValueError(f"{stake=} must not be negative")
        with self._lock:
            self.create_subnet(netuid)
            if self.is_registered(netuid, hotkey):
                return self.neuron(netuid, hotkey)
            subnet = self._subnets[netuid]
            neuron = Neuron(
                netuid=netuid,
                uid=len(subnet.neurons),
                hotkey=hotkey,
                coldkey=coldkey,
                stake=stake,
                validator_permit=validator_permit,
            )
            subnet.neurons.append(neuron)
        self._notify(netuid)
        return neuron

    def serve_axon(self, netuid: int, hotkey: str, ip: str, port: int) -> Neuron:
        """Record that ``hotkey``'s axon on ``netuid`` is reachable at ``ip:port``."""
        return self._update(netuid, hotkey, axon_ip=ip, axon_port=port)

    def set_stake(self, netuid: int, hotkey: str, stake: float) -> Neuron:
        """Set the stake of ``hotkey`` on ``netuid``."""
        if stake < 0:
            raise ValueError(f"{stake=} must not be negative")
        return self._update(netuid, hotkey, stake=stake)

    def _update(self, netuid: int, hotkey: str, **changes: object) -> Neuron:
        with self._lock:
            old = self.neuron(netuid, hotkey)
            new = replace(old, **changes)  # type: ignore[arg-type]
            self._subnets[netuid].neurons[old.uid] = new
        self._notify(netuid)
        return new

    def _subnet(self, netuid: int) -> _Subnet:
        try:
            return self._subnets[netuid]
        except KeyError:
            known = ", ".join(map(str, sorted(self._subnets))) or "none"
            raise UnknownSubnet(f"netuid {netuid} does not exist (subnets: {known})") from None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Hold change notifications until the block ends, then send one per subnet."""
        with self._lock:
            outer = self._held is not None
            if not outer:
                self._held = set()
        try:
            yield
        finally:
            if not outer:
                with self._lock:
                    held, self._held = self._held or set(), None
                for netuid in sorted(held):
                    self._notify(netuid)

    def _notify(self, netuid: int) -> None:
        with self._lock:
            if self._held is not None:
                self._held.add(netuid)
                return
        for listener in list(self._listeners):
            listener(netuid)
