"""Turn what a test serves (forward function, miner object or factory) into axon handlers."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from simnet._compat import Axon, Metagraph, Synapse, Wallet
from simnet.network.host import AxonHost
from simnet.network.transports import TCP, BaseTransport
from simnet.neurons.axons import ServedAxon, start_axon
from simnet.wire.faults import Fault, FaultPlan
from simnet.wire.hygiene import Report, recording


@dataclass(frozen=True)
class MinerContext:
    """What a miner factory is given: the miner's own wallet, a live metagraph and the subtensor."""

    wallet: Wallet
    metagraph: Metagraph
    subtensor: Any
    netuid: int
    uid: int


@dataclass(frozen=True)
class Handlers:
    """The functions attached to an axon for one synapse type."""

    forward: Callable[..., Any]
    blacklist: Callable[..., Any] | None = None
    priority: Callable[..., Any] | None = None
    verify: Callable[..., Any] | None = None

    def attach(self, axon: Axon, report: Report | None = None) -> None:
        """Attach to ``axon`` with bittensor's own signature checks, explained on failure.

        With ``report``, exceptions from forward, blacklist, priority and the token
        streamer are reported before the axon turns them into an error response.
        """
        forward, blacklist, priority = self.forward, self.blacklist, self.priority
        if report is not None:
            forward = recording(forward, f"forward {_name(forward)}", report)
            blacklist = blacklist and recording(blacklist, f"blacklist {_name(blacklist)}", report)
            priority = priority and recording(priority, f"priority {_name(priority)}", report)
        try:
            axon.attach(
                forward_fn=forward,
                blacklist_fn=blacklist,
                priority_fn=priority,
                verify_fn=self.verify,
            )
        except AssertionError as exc:
            raise TypeError(
                f"bittensor's Axon.attach rejected the handlers: {exc}. Note that attach compares "
                "annotations exactly: blacklist must return typing.Tuple[bool, str] (not the "
                "builtin tuple), priority float, verify None, and annotations must be real "
                "classes (no `from __future__ import annotations` in the module defining them)."
            ) from exc


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", repr(fn))


def is_forward_function(candidate: object) -> bool:
    """True if ``candidate``'s first parameter is annotated with a ``Synapse`` subclass."""
    if not callable(candidate):
        return False
    try:
        params = list(inspect.signature(candidate).parameters.values())
    except (TypeError, ValueError):
        return False
    if not params:
        return False
    annotation = params[0].annotation
    return isinstance(annotation, type) and issubclass(annotation, Synapse)


def resolve_handlers(
    miner: object,
    context: MinerContext,
    *,
    blacklist: Callable[..., Any] | None = None,
    priority: Callable[..., Any] | None = None,
    verify: Callable[..., Any] | None = None,
) -> Handlers:
    """Handlers for ``miner``: a forward function, an object with ``forward``, or ``factory(ctx)``.

    Keyword arguments override the miner object's own ``blacklist``/``priority``/``verify``.
    """
    if not is_forward_function(miner) and not hasattr(miner, "forward") and callable(miner):
        miner = miner(context)
    if is_forward_function(miner):
        return Handlers(miner, blacklist, priority, verify)  # type: ignore[arg-type]
    forward = getattr(miner, "forward", None)
    if not is_forward_function(forward):
        raise TypeError(
            f"cannot serve {miner!r}: expected a forward function whose first parameter is "
            "annotated with a Synapse subclass, an object with such a .forward method, or a "
            "factory taking a simnet.MinerContext and returning one of those"
        )
    return Handlers(
        forward,  # type: ignore[arg-type]
        blacklist or getattr(miner, "blacklist", None),
        priority or getattr(miner, "priority", None),
        verify or getattr(miner, "verify", None),
    )


def serve_handlers(
    host: AxonHost,
    context: MinerContext,
    handlers: Handlers,
    report: Report,
    *,
    faults: Sequence[FaultPlan | Fault] = (),
    port: int = 0,
    transport: BaseTransport = TCP,
) -> ServedAxon:
    """Serve ``handlers`` on a real axon for ``context``'s neuron, on ``host``, with every
    miner problem going to ``report``."""
    return start_axon(
        host,
        context.wallet,
        (context.netuid, context.uid),
        lambda axon: handlers.attach(axon, report),
        report,
        where=f"axon uid {context.uid} on netuid {context.netuid}",
        faults=faults,
        port=port,
        transport=transport,
    )
