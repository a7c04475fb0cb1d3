"""A rehearsal: the subnet's own validators for K epochs of simnet's chain against a mix
of its own miner and adversaries; each epoch's payout recorded per strategy.

What both stacks share lives here (the plan, the chain's epochs, what they paid); each
stack's module starts its neurons: ``neuron_stack`` (9.x/10.x: the template's classes,
axons and dendrites), ``http_stack`` (11.x: the subnet's apps and validator steps)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simnet.rehearsal import mix as mixes
from simnet.rehearsal.report import EpochRecord, Member, RehearsalReport
from simnet.rehearsal.validators import AdversarialValidator
from simnet.wire.faults import DripFeed

Progress = Callable[[RehearsalReport, int], None]
"""Told the report so far and the number of epochs asked for, after each epoch."""
DRIP = DripFeed(interval=0.002, size=16)
"""How a drip-feeder sends its responses: 16 bytes every 2 ms (a template answer of about
800 bytes in some 50 pieces, a tenth of a second; at 10 ms a piece every validator step
waited a second for it)."""


@dataclass
class Rehearsal:
    """The subnet's own ``validator`` (one or more, unmodified) against ``miners``: its
    own ``miner`` (``"honest"``) and adversaries, for ``epochs`` Yuma epochs of ``tempo``
    blocks; one validator ``step`` every ``blocks_per_step`` blocks.

    On 9.x/10.x both are the subnet template's classes, built as its ``__main__`` builds
    them, from their own command line (``--netuid N --subtensor.network simnet
    --wallet.name ...`` and ``miner_args``/``validator_args``), on a redirected
    :class:`~simnet.Simnet`; ``step`` defaults to one pass of the template's run loop.

    On 11.x (:class:`simnet.v11.Network`) ``miner`` and ``validator`` are called with each
    neuron's ``bittensor.Wallet`` (its key files in the network's wallet folder) and give
    the miner's app (or an object with ``.app``) and the validator object; ``step`` is
    required (one validator step; a coroutine function is run to completion), and
    ``last-second`` needs the validator's timeout: ``options={"last-second": {"timeout":
    12.0}}``.

    ``options`` gives an adversarial miner strategy its class's keyword arguments
    (``{"last-second": {"margin": 0.5}, "garbage": {"seed": 3}}``).

    ``validators`` mixes the subnet's own (``"validator"``) with adversarial validators
    (``"weight-copier"``, ``"lazy"``, ``"stale"``); every validator has the same stake.
    """

    miner: Any
    validator: Any
    miners: Mapping[str, int] = field(default_factory=lambda: {mixes.HONEST: 4})
    validators: Mapping[str, int] = field(default_factory=lambda: {mixes.VALIDATOR: 1})
    epochs: int = 5
    tempo: int = 10
    netuid: int = 1
    miner_args: Sequence[str] = ()
    validator_args: Sequence[str] = ()
    step: Callable[[Any], Any] | None = None
    blocks_per_step: int = 1
    stake: float = 1000.0
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    progress: Progress | None = None
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.miners = mixes.check(self.miners, "miner")
        self.validators = mixes.check(self.validators, "validator")
        self.options = mixes.check_options(self.options, self.miners)
        for name in ("epochs", "tempo", "blocks_per_step"):
            if getattr(self, name) < 1:
                raise mixes.RehearsalError(f"{name}={getattr(self, name)} must be at least 1")

    def run(self, net: Any = None) -> RehearsalReport:
        """Run on ``net`` (the stack's network: a ``Simnet``, bittensor redirected to it, or
        a ``simnet.v11.Network``) or on a network of its own, in memory and without
        blocking checks: a rehearsal measures payouts, and a loaded machine starving its
        loops is not the subnet's fault."""
        from simnet._release import SIGNED_HTTP_STACK

        if SIGNED_HTTP_STACK:
            from simnet.rehearsal.http_stack import rehearse
        else:
            from simnet.rehearsal.neuron_stack import rehearse
        return rehearse(self, net)


class Run:
    """One rehearsal on one network: registration, the epochs and what they paid, and
    the findings; subclasses start the stack's miners and validators."""

    def __init__(self, plan: Rehearsal, net: Any) -> None:
        self.plan, self.net, self.netuid = plan, net, plan.netuid
        self.members: list[Member] = []
        self.steps: list[Callable[[], None]] = []
        self.names: dict[int, tuple[str, str]] = {}

    # -- what a stack provides -------------------------------------------------------
    def register(
        self, wallet: str, hotkey: str, stake: float, permit: bool
    ) -> tuple[int, str, str]:
        """Register ``wallet``/``hotkey``; its uid, hotkey and coldkey addresses."""
        raise NotImplementedError

    def start_miners(self) -> None:
        raise NotImplementedError

    def build_validators(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        """Release what the run opened beside the network."""

    # -- shared ------------------------------------------------------------------------
    def go(self) -> RehearsalReport:
        chain = self.net.chain
        try:  # stop() releases what the run opened (an event loop) however it ends
            chain.create_subnet(self.netuid)
            params = {
                "tempo": self.plan.tempo,
                "weights_rate_limit": 0,
                **self.plan.hyperparameters,
            }
            chain.set_hyperparameters(self.netuid, **params)
            self._register()
            self.start_miners()
            self.build_validators()
            report = RehearsalReport(self.netuid, self.plan.tempo, self.members)
            self._epochs(report)
            report.findings.extend(self._idle_validators())
            return report
        finally:
            self.stop()

    def _register(self) -> None:
        with self.net.chain.batch():
            for strategy, count in self.plan.validators.items():
                for i in range(count):
                    self._member(strategy, "validator", f"{strategy}-{i}", "default")
            for strategy, count in self.plan.miners.items():
                for i in range(count):
                    wallet, hotkey = (
                        (strategy, f"{strategy}-{i}")
                        if strategy == mixes.SYBIL
                        else (f"{strategy}-{i}", "default")
                    )
                    self._member(strategy, "miner", wallet, hotkey)

    def _member(self, strategy: str, role: str, wallet: str, hotkey: str) -> None:
        validator = role == "validator"
        stake = self.plan.stake if validator else 0.0
        uid, address, coldkey = self.register(wallet, hotkey, stake, validator)
        self.members.append(Member(strategy, role, uid, address, coldkey))  # type: ignore[arg-type]
        self.names[uid] = (wallet, hotkey)

    def of_role(self, role: str) -> list[Member]:
        return [m for m in self.members if m.role == role]

    def copier_hotkeys(self) -> set[str]:
        return {m.hotkey for m in self.members if m.strategy == mixes.COPIER}

    def adversary(self, cls: type[Any], strategy: str, wrapped: Any, **needs: Any) -> Any:
        """``cls(wrapped, **needs)`` with the plan's ``options`` for ``strategy`` over
        ``needs``; options the class does not take are a :class:`RehearsalError`."""
        given = {**needs, **self.plan.options.get(strategy, {})}
        try:  # only a mismatch of the options is theirs; an error building it is not
            inspect.signature(cls).bind(wrapped, **given)
        except TypeError as exc:
            raise mixes.RehearsalError(f"options for {strategy!r}: {exc}") from None
        return cls(wrapped, **given)

    def adversarial_validator(self, member: Member, subtensor: Any) -> AdversarialValidator:
        """The adversarial validator ``member`` plays, setting weights through ``subtensor``."""
        wallet, hotkey = self.names[member.uid]
        return mixes.ADVERSARIAL_VALIDATORS[member.strategy](
            self.net.chain,
            subtensor,
            self.net.wallet(wallet, hotkey),
            self.netuid,
            every=self.plan.tempo,
        )

    def _epochs(self, report: RehearsalReport) -> None:
        chain, start = self.net.chain, self.net.chain.epoch_index(self.netuid)
        limit = chain.block + (self.plan.epochs + 1) * self.plan.tempo + 1
        while len(report.epochs) < self.plan.epochs and chain.block < limit:
            for step in self.steps:
                step()
            for _ in range(self.plan.blocks_per_step):
                chain.advance(1)
                index = chain.epoch_index(self.netuid) - start
                if index > len(report.epochs):
                    report.epochs.append(self._record(index))
                    if self.plan.progress is not None:
                        self.plan.progress(report, self.plan.epochs)
                if len(report.epochs) == self.plan.epochs:
                    break

    def _record(self, index: int) -> EpochRecord:
        neurons = self.net.chain.neurons(self.netuid)
        return EpochRecord(
            index=index,
            block=self.net.chain.last_epoch(self.netuid),
            emission={n.uid: n.emission for n in neurons},
            incentive={n.uid: n.incentive for n in neurons},
            dividends={n.uid: n.dividends for n in neurons},
        )

    def _idle_validators(self) -> list[str]:
        neurons = {n.uid: n for n in self.net.chain.neurons(self.netuid)}
        return [
            f"validator uid {m.uid} ({m.strategy}) never set weights in "
            f"{self.plan.epochs} epochs of {self.plan.tempo} blocks"
            for m in self.of_role("validator")
            if not self.net.chain.weights(self.netuid, m.uid)
            and neurons[m.uid].last_update == neurons[m.uid].registered_at
        ]
