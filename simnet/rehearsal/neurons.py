"""The subnet's own neuron classes (the subnet template's shape), built from their own
command lines on a redirected Simnet; adversaries made of its miner class."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from simnet.rehearsal.miners import AdversarialMiner

MakeAdversary = Callable[[Any, Callable[..., Any]], AdversarialMiner]
"""Given the miner neuron and its own bound ``forward``, the adversary to serve instead."""


def command_line(
    netuid: int, wallet: str, hotkey: str = "default", extra: Sequence[str] = ()
) -> list[str]:
    """A neuron's arguments, as ``python neurons/X.py ... --subtensor.network simnet`` gets."""
    return [
        "--netuid",
        str(netuid),
        "--subtensor.network",
        "simnet",
        "--wallet.name",
        wallet,
        "--wallet.hotkey",
        hotkey,
        *extra,
    ]


def build(cls: Any, argv: list[str]) -> Any:
    """``cls(cls.config(argv))`` as the template's ``__main__`` does (``cls(argv)`` for a
    plain callable)."""
    config = getattr(cls, "config", None)
    return cls(config(argv)) if callable(config) else cls(argv)


def adversarial_class(cls: type, make: MakeAdversary) -> type:
    """A subclass of the subnet's miner class whose ``forward`` is the adversary's: the
    class's own ``__init__`` attaches it to its axon beside its other synapses, which keep
    answering as the class does."""
    honest = cls.forward  # type: ignore[attr-defined]

    def forward(self: Any) -> Callable[..., Any]:
        adversary = self.__dict__.get("_simnet_adversary")
        if adversary is None:
            adversary = self.__dict__["_simnet_adversary"] = make(self, honest.__get__(self))
        return adversary.forward

    return type(cls.__name__, (cls,), {"forward": property(forward), "__module__": cls.__module__})


def start_miner(miner: Any, netuid: int) -> None:
    """What a template miner's ``run()`` does first: publish its axon and start it."""
    miner.axon.serve(netuid=netuid, subtensor=miner.subtensor)
    miner.axon.start()


def template_step(validator: Any) -> None:
    """One pass of the subnet template's ``run()`` loop: forward, sync, next step."""
    validator.loop.run_until_complete(validator.forward())
    validator.sync()
    validator.step += 1
