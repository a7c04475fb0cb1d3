"""A subnet's epoch on simnet's chain: the stored neurons, weights and bonds in, Yuma
consensus (:mod:`simnet.chain.yuma`) over them, what the chain stores afterwards out.

Epochs fire as the chain fires them: every ``tempo`` blocks after the last epoch
(subtensor's ``should_run_epoch``: ``block - LastEpochBlock >= tempo``). What an epoch
splits is not the chain's coinbase (simnet simulates no prices, no root dividends): each
epoch hands out :data:`ALPHA_PER_BLOCK` rao for each of its ``tempo`` blocks, less the
owner's cut; the split among uids is the chain's, to the rao.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from simnet.chain import balances, yuma
from simnet.chain.hyperparams import Hyperparameters
from simnet.chain.pruning import Registered

ALPHA_PER_BLOCK = 10**9
"""Rao of alpha a subnet's miners, validators and owner share each block (one alpha)."""
OWNER_CUT = 11_796
"""The owner's cut as a u16 proportion (subtensor's DefaultSubnetOwnerCut, 18%)."""


class Staked(Registered, Protocol):
    """What an epoch reads of a neuron besides what pruning reads."""

    @property
    def stake(self) -> float: ...
    @property
    def last_update(self) -> int: ...
    @property
    def validator_permit(self) -> bool: ...


Rows = Mapping[int, Sequence[tuple[int, int]]]


@dataclass(frozen=True)
class Epoch:
    """One epoch of one subnet: when, and what Yuma made of it."""

    netuid: int
    block: int
    result: yuma.EpochResult


def epoch_emission(tempo: int) -> int:
    """Rao an epoch of ``tempo`` blocks splits among the uids (the owner's cut taken)."""
    total = ALPHA_PER_BLOCK * tempo
    return total - total * OWNER_CUT // yuma.U16_MAX


def run(
    netuid: int,
    neurons: Sequence[Staked],
    weights: Rows,
    bonds: Rows,
    params: Hyperparameters,
    *,
    block: int,
    last_epoch: int,
    owner_hotkey: str | None = None,
) -> Epoch:
    """The epoch of ``netuid`` at ``block`` over the stored state."""
    n = len(neurons)
    owner_uid = next((x.uid for x in neurons if x.hotkey == owner_hotkey), None)
    result = yuma.run_epoch(
        stake=[balances.rao(x.stake) for x in neurons],
        weights=[weights.get(uid, ()) for uid in range(n)],
        bonds=[bonds.get(uid, ()) for uid in range(n)],
        last_update=[x.last_update for x in neurons],
        block_at_registration=[x.registered_at for x in neurons],
        validator_permit=[x.validator_permit for x in neurons],
        current_block=block,
        tempo=params.tempo,
        emission=epoch_emission(params.tempo),
        last_epoch_block=last_epoch,
        activity_cutoff=params.activity_cutoff,
        kappa=params.kappa,
        bonds_moving_average=params.bonds_moving_avg,
        bonds_penalty=params.bonds_penalty,
        max_allowed_validators=params.max_allowed_validators,
        yuma3=params.yuma3_enabled,
        liquid_alpha=params.liquid_alpha_enabled,
        alpha_low=params.alpha_low,
        alpha_high=params.alpha_high,
        alpha_sigmoid_steepness=params.alpha_sigmoid_steepness,
        owner_uid=owner_uid,
    )
    return Epoch(netuid, block, result)
