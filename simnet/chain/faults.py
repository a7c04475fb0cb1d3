"""Chain faults (the next calls of a named method fail, recorded like wire faults), and
``NotSimulated``, which both stacks' chain doubles raise for what they do not simulate.

    net.chain.faults.fail("set_weights", times=2)            # the chain's failure result
    net.chain.faults.fail("metagraph", error=ConnectionError("node down"))
    ...
    assert [e.method for e in net.chain.faults.events] == ["set_weights", "set_weights"]

Every subtensor double over the same :class:`~simnet.ChainState` (sync and async, the
ones bittensor's constructors build while redirected) consults the same faults.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

SIMULATED: set[str] = set()
"""Names of the subtensor methods simnet simulates (filled by the doubles)."""


class NotSimulated(NotImplementedError):
    """A chain call, storage item or attribute simnet does not simulate was used (on either
    stack: the 9.x/10.x subtensor doubles and the 11.x ``Substrate`` double raise this one
    class, naming what was asked)."""


CHAIN_FAILURE: Any = object()
"""``result=`` default: the chain's own failure result (extrinsics) or a connection error."""


@dataclass(frozen=True)
class ChainFaultEvent:
    """One call a chain fault made fail."""

    method: str
    detail: str


@dataclass
class ChainFault:
    """The next ``times`` calls of ``method`` fail: raise ``error``, or return ``result``."""

    method: str
    times: int
    error: BaseException | type[BaseException] | None = None
    result: Any = CHAIN_FAILURE


class ChainFaults:
    """The chain faults of one chain state; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[ChainFault] = []
        self._events: list[ChainFaultEvent] = []

    def fail(
        self,
        method: str,
        *,
        times: int = 1,
        error: BaseException | type[BaseException] | None = None,
        result: Any = CHAIN_FAILURE,
    ) -> ChainFault:
        """Make the next ``times`` calls of subtensor method ``method`` fail.

        With ``error`` they raise it; with ``result`` they return it; with neither,
        extrinsics (``set_weights``, ``serve_axon``, ...) return the chain's failure
        result and queries raise bittensor's ``ChainConnectionError``.
        """
        if method not in SIMULATED:
            raise ValueError(
                f"{method!r} is not a subtensor method simnet simulates; chain faults apply to "
                f"{', '.join(sorted(SIMULATED))}"
            )
        if times < 1:
            raise ValueError(f"{times=} must be at least 1")
        if error is not None and result is not CHAIN_FAILURE:
            raise ValueError("give error= or result=, not both")
        fault = ChainFault(method, times, error, result)
        with self._lock:
            self._pending.append(fault)
        return fault

    def take(self, method: str) -> ChainFault | None:
        """The fault the current call of ``method`` meets, if any (used by the doubles)."""
        with self._lock:
            for fault in self._pending:
                if fault.method == method:
                    fault.times -= 1
                    if fault.times == 0:
                        self._pending.remove(fault)
                    return fault
        return None

    def record(self, method: str, detail: str) -> None:
        with self._lock:
            self._events.append(ChainFaultEvent(method, detail))

    @property
    def events(self) -> list[ChainFaultEvent]:
        """The calls chain faults made fail, in order."""
        with self._lock:
            return list(self._events)

    @property
    def pending(self) -> list[ChainFault]:
        """Faults not used up yet."""
        with self._lock:
            return list(self._pending)

    def clear(self) -> None:
        """Drop every pending fault (events stay)."""
        with self._lock:
            self._pending.clear()
