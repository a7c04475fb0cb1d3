"""A rehearsal on the 11.x stack: the subnet's miner apps served on a
:class:`simnet.v11.Network` (adversaries wrapping the app), its validators stepped on a
loop of the rehearsal's own, adversarial validators setting weights through the SDK's
``SetWeights`` intent."""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Sequence
from typing import Any

from simnet.rehearsal import mix as mixes
from simnet.rehearsal.mix import RehearsalError
from simnet.rehearsal.report import Member, RehearsalReport
from simnet.rehearsal.run import DRIP, Rehearsal, Run
from simnet.v11.adversaries import ADVERSARIAL_MINERS, Copier, ValidatorDetector
from simnet.v11.network import Network
from simnet.v11.sdk import Client, SetWeights


def rehearse(plan: Rehearsal, net: Network | None) -> RehearsalReport:
    """``plan`` on ``net``, or on a Network of its own."""
    _check(plan)
    if net is None:
        with Network(transport="memory", blocking_threshold=None) as own:
            return rehearse(plan, own)
    return HttpRun(plan, net).go()


def _check(plan: Rehearsal) -> None:
    if plan.step is None:
        raise RehearsalError(
            "on bittensor 11 a rehearsal needs step=: one step of the validator it is given "
            "(e.g. step=lambda v: v.run(steps=1))"
        )
    if plan.miners.get(mixes.LAST_SECOND) and "timeout" not in plan.options.get(
        mixes.LAST_SECOND, {}
    ):
        raise RehearsalError(
            "last-second on bittensor 11 needs the validator's timeout: "
            "options={'last-second': {'timeout': SECONDS}} (an 11.x request does not carry it)"
        )


class SetWeightsThroughSdk:
    """What an adversarial validator needs of a subtensor, ``set_weights``, as the SDK's
    own ``SetWeights`` intent executed on the network's chain (on its host loop)."""

    def __init__(self, net: Network) -> None:
        self.net = net

    def set_weights(
        self, *, wallet: Any, netuid: int, uids: Sequence[int], weights: Sequence[float], **_: Any
    ) -> Any:
        intent = SetWeights(netuid=netuid, uids=list(uids), weights=list(weights))
        return self.net.host.call(Client(substrate=self.net.substrate).execute(intent, wallet))


class HttpRun(Run):
    net: Network

    def __init__(self, plan: Rehearsal, net: Network) -> None:
        super().__init__(plan, net)
        self.loop = asyncio.new_event_loop()

    def register(
        self, wallet: str, hotkey: str, stake: float, permit: bool
    ) -> tuple[int, str, str]:
        keys = self.net.register(
            self.netuid, wallet, hotkey=hotkey, stake=stake, validator_permit=permit
        )
        address = keys.hotkey.ss58_address
        uid = self.net.chain.neuron(self.netuid, address).uid
        return uid, address, keys.coldkeypub.ss58_address

    def _wallet(self, member: Member) -> Any:
        return self.net.wallet(*self.names[member.uid])

    def start_miners(self) -> None:
        for member in self.of_role("miner"):
            wallet = self._wallet(member)
            built = self.plan.miner(wallet)
            app = self._adversary(member.strategy, getattr(built, "app", built), wallet)
            faults = [DRIP] if member.strategy == mixes.DRIP_FEEDER else []
            self.net.serve(self.netuid, app, wallet, faults=faults, register=False)

    def _adversary(self, strategy: str, app: Any, wallet: Any) -> Any:
        cls = ADVERSARIAL_MINERS.get(strategy)
        if cls is None:
            return app
        needs: dict[str, Any] = {}
        if cls is Copier:
            needs = {"wallet": wallet, "netuid": self.netuid, "skip": self.copier_hotkeys()}
        elif cls is ValidatorDetector:
            needs = {"netuid": self.netuid}
        return self.adversary(cls, strategy, app, **needs)

    def build_validators(self) -> None:
        subtensor = SetWeightsThroughSdk(self.net)
        for member in self.of_role("validator"):
            if member.strategy == mixes.VALIDATOR:
                validator = self.plan.validator(self._wallet(member))
                self.steps.append(functools.partial(self._step, validator))
            else:
                self.steps.append(self.adversarial_validator(member, subtensor).step)

    def _step(self, validator: Any) -> None:
        assert self.plan.step is not None
        result = self.plan.step(validator)
        if inspect.isawaitable(result):
            self.loop.run_until_complete(result)

    def stop(self) -> None:
        """Close the validators' loop; the miners stop with the network."""
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()
