"""A rehearsal on the 9.x/10.x neuron stack: the template's miner classes on their own
axons (adversaries as subclasses of the miner class), its validators stepped through one
pass of their run loop, adversarial validators setting weights through the subtensor
double."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from simnet.neurons.axons import ServedAxon
from simnet.neurons.simnet import Simnet
from simnet.rehearsal import mix as mixes
from simnet.rehearsal.miners import ADVERSARIAL_MINERS, AdversarialMiner, Copier, ValidatorDetector
from simnet.rehearsal.neurons import (
    adversarial_class,
    build,
    command_line,
    start_miner,
    template_step,
)
from simnet.rehearsal.report import RehearsalReport
from simnet.rehearsal.run import DRIP, Rehearsal, Run


def rehearse(plan: Rehearsal, net: Simnet | None) -> RehearsalReport:
    """``plan`` on ``net`` (bittensor redirected to it), or on a Simnet of its own."""
    if net is None:
        with Simnet(transport="memory", blocking_threshold=None) as own:
            return rehearse(plan, own)
    net.redirect_bittensor()
    return NeuronRun(plan, net).go()


class NeuronRun(Run):
    net: Simnet

    def __init__(self, plan: Rehearsal, net: Simnet) -> None:
        super().__init__(plan, net)
        self.miners: list[Any] = []
        self.dendrites: list[Any] = []

    def register(
        self, wallet: str, hotkey: str, stake: float, permit: bool
    ) -> tuple[int, str, str]:
        reg = self.net.register(
            self.netuid, wallet, hotkey=hotkey, stake=stake, validator_permit=permit
        )
        return reg.uid, reg.hotkey, reg.wallet.coldkeypub.ss58_address

    def start_miners(self) -> None:
        copiers = self.copier_hotkeys()
        for member in self.of_role("miner"):
            cls = self.plan.miner
            if member.strategy in ADVERSARIAL_MINERS:
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
        cls = ADVERSARIAL_MINERS[strategy]
        metagraph = self.net.metagraph(self.netuid)

        def make(neuron: Any, honest: Callable[..., Any]) -> AdversarialMiner:
            needs: dict[str, Any] = {}
            if cls is Copier:
                dendrite = self.net.dendrite(neuron.wallet)
                self.dendrites.append(dendrite)
                needs = {"dendrite": dendrite, "metagraph": metagraph, "skip": copiers}
            elif cls is ValidatorDetector:
                needs = {"metagraph": metagraph}
            adversary: AdversarialMiner = self.adversary(cls, strategy, honest, **needs)
            return adversary

        return make

    def build_validators(self) -> None:
        step = self.plan.step or template_step
        for member in self.of_role("validator"):
            wallet, hotkey = self.names[member.uid]
            if member.strategy == mixes.VALIDATOR:
                argv = command_line(self.netuid, wallet, hotkey, self.plan.validator_args)
                neuron = build(self.plan.validator, argv)
                self.steps.append(functools.partial(step, neuron))
            else:
                self.steps.append(self.adversarial_validator(member, self.net.subtensor).step)

    def stop(self) -> None:
        """Close the copiers' sessions (on the axons' loop, where they were opened); the
        miners' axons stop with the network, all at once."""
        for dendrite in self.dendrites:
            self.net.host.call(dendrite.aclose_session())
