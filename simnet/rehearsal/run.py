"""A rehearsal: the subnet's own validators for K epochs of simnet's chain against a mix
of its own miner and adversaries; each epoch's payout recorded per strategy."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simnet.neurons.axons import ServedAxon
from simnet.neurons.simnet import Simnet
from simnet.rehearsal import mix as mixes
from simnet.rehearsal.miners import AdversarialMiner, Copier, ValidatorDetector
from simnet.rehearsal.neurons import (
    adversarial_class,
    build,
    command_line,
    start_miner,
    template_step,
)
from simnet.rehearsal.report import EpochRecord, Member, RehearsalReport
from simnet.rehearsal.validators import AdversarialValidator
from simnet.wire.faults import DripFeed

Progress = Callable[[RehearsalReport, int], None]
"""Told the report so far and the number of epochs asked for, after each epoch."""
DRIP = DripFeed(interval=0.01, size=16)
"""How a drip-feeder sends its responses: 16 bytes every 10 ms."""


@dataclass
class Rehearsal:
    """The subnet's own ``validator`` class (one or more, unmodified) against ``miners``:
    its own ``miner`` class (``"honest"``) and adversaries, for ``epochs`` Yuma epochs of
    ``tempo`` blocks; one validator ``step`` every ``blocks_per_step`` blocks. Both
    classes are built as the subnet template's ``__main__`` builds them, from their own
    command line (``--netuid N --subtensor.network simnet --wallet.name ...`` and
    ``miner_args``/``validator_args``), on a redirected :class:`~simnet.Simnet`.

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
    step: Callable[[Any], None] = template_step
    blocks_per_step: int = 1
    stake: float = 1000.0
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    progress: Progress | None = None

    def __post_init__(self) -> None:
        self.miners = mixes.check(self.miners, "miner")
        self.validators = mixes.check(self.validators, "validator")
        for name in ("epochs", "tempo", "blocks_per_step"):
            if getattr(self, name) < 1:
                raise mixes.RehearsalError(f"{name}={getattr(self, name)} must be at least 1")

    def run(self, net: Simnet | None = None) -> RehearsalReport:
        """Run on ``net`` (bittensor redirected to it) or on a Simnet of its own, in
        memory and without blocking checks: a rehearsal measures payouts, and a loaded
        machine starving its loops is not the subnet's fault."""
        if net is None:
            with Simnet(transport="memory", blocking_threshold=None) as own:
                return self.run(own)
        net.redirect_bittensor()
        return _Run(self, net).go()


class _Run:
    def __init__(self, plan: Rehearsal, net: Simnet) -> None:
        self.plan, self.net, self.netuid = plan, net, plan.netuid
        self.members: list[Member] = []
        self.miners: list[Any] = []
        self.steps: list[Callable[[], None]] = []
        self.dendrites: list[Any] = []
        self.names: dict[int, tuple[str, str]] = {}

    def go(self) -> RehearsalReport:
        chain = self.net.chain
        chain.create_subnet(self.netuid)
        params = {"tempo": self.plan.tempo, "weights_rate_limit": 0, **self.plan.hyperparameters}
        chain.set_hyperparameters(self.netuid, **params)
        try:
            self._register()
            self._start_miners()
            self._build_validators()
            report = RehearsalReport(self.netuid, self.plan.tempo, self.members)
            self._epochs(report)
            report.findings.extend(self._idle_validators())
            return report
        finally:
            self._stop()

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
        reg = self.net.register(
            self.netuid, wallet, hotkey=hotkey, stake=stake, validator_permit=validator
        )
        coldkey = reg.wallet.coldkeypub.ss58_address
        self.members.append(Member(strategy, role, reg.uid, reg.hotkey, coldkey))  # type: ignore[arg-type]
        self.names[reg.uid] = (wallet, hotkey)

    def _start_miners(self) -> None:
        copiers = {m.hotkey for m in self.members if m.strategy == Copier.strategy}
        for member in (m for m in self.members if m.role == "miner"):
            cls = self.plan.miner
            if member.strategy in mixes.ADVERSARIAL_MINERS:
                cls = adversarial_class(cls, self._maker(member.strategy, copiers))
            wallet, hotkey = self.names[member.uid]
            miner = build(cls, command_line(self.netuid, wallet, hotkey, self.plan.miner_args))
            self.miners.append(miner)
            start_miner(miner, self.netuid)
            if member.strategy == mixes.DRIP_FEEDER:
                self._served(member.uid).inject(DRIP)

    def _served(self, uid: int) -> ServedAxon:
        return next(s for s in self.net.axons if (s.netuid, s.uid) == (self.netuid, uid))

    def _maker(
        self, strategy: str, copiers: set[str]
    ) -> Callable[[Any, Callable[..., Any]], AdversarialMiner]:
        cls = mixes.ADVERSARIAL_MINERS[strategy]
        metagraph = self.net.metagraph(self.netuid)

        def make(neuron: Any, honest: Callable[..., Any]) -> AdversarialMiner:
            if cls is Copier:
                dendrite = self.net.dendrite(neuron.wallet)
                self.dendrites.append(dendrite)
                return Copier(honest, dendrite=dendrite, metagraph=metagraph, skip=copiers)
            if cls is ValidatorDetector:
                return ValidatorDetector(honest, metagraph=metagraph)
            return cls(honest)

        return make

    def _build_validators(self) -> None:
        for member in (m for m in self.members if m.role == "validator"):
            wallet, hotkey = self.names[member.uid]
            if member.strategy == mixes.VALIDATOR:
                argv = command_line(self.netuid, wallet, hotkey, self.plan.validator_args)
                neuron = build(self.plan.validator, argv)
                self.steps.append(functools.partial(self.plan.step, neuron))
                continue
            adversary: AdversarialValidator = mixes.ADVERSARIAL_VALIDATORS[member.strategy](
                self.net.chain,
                self.net.subtensor,
                self.net.wallet(wallet, hotkey),
                self.netuid,
                every=self.plan.tempo,
            )
            self.steps.append(adversary.step)

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
            for m in self.members
            if m.role == "validator"
            and not self.net.chain.weights(self.netuid, m.uid)
            and neurons[m.uid].last_update == neurons[m.uid].registered_at
        ]

    def _stop(self) -> None:
        """Close the copiers' sessions (on the axons' loop, where they were opened); the
        miners' axons stop with the network, all at once."""
        for dendrite in self.dendrites:
            self.net.host.call(dendrite.aclose_session())
