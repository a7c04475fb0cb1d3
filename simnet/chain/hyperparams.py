"""Per-subnet hyperparameters, with the values a newly registered subnet gets on the real chain."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from simnet.chain import yuma

U16_MAX = yuma.U16_MAX


@dataclass(frozen=True)
class Hyperparameters:
    """The hyperparameters simnet simulates, as the chain stores them.

    Defaults are what subtensor's ``init_new_network`` gives a new subnet.
    ``max_weight_limit`` is stored as the chain's u16 (65535 = 1.0); the subtensor
    doubles return it as a float, as bittensor's ``Subtensor.max_weight_limit`` does.
    """

    tempo: int = 360
    min_allowed_weights: int = 1
    max_weight_limit: int = U16_MAX
    weights_rate_limit: int = 100
    immunity_period: int = 5000
    max_allowed_validators: int = 64
    max_allowed_uids: int = 256
    activity_cutoff: int = 5000
    weights_version: int = 0
    commit_reveal_weights_enabled: bool = False
    # Yuma consensus (simnet.chain.yuma names where in subtensor each default comes from)
    kappa: int = yuma.KAPPA
    bonds_moving_avg: int = yuma.BONDS_MOVING_AVERAGE
    bonds_penalty: int = yuma.BONDS_PENALTY
    yuma3_enabled: bool = yuma.YUMA3_ENABLED
    liquid_alpha_enabled: bool = yuma.LIQUID_ALPHA_ENABLED
    alpha_low: int = yuma.ALPHA_LOW
    alpha_high: int = yuma.ALPHA_HIGH
    alpha_sigmoid_steepness: int = yuma.ALPHA_SIGMOID_STEEPNESS
    # uid replacement (subtensor lib.rs: DefaultMinNonImmuneUids, DefaultImmuneOwnerUidsLimit)
    min_non_immune_uids: int = 10
    immune_owner_uids_limit: int = 1

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.type == "bool":
                if not isinstance(value, bool):
                    raise ValueError(f"{field.name}={value!r} must be True or False")
            elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{field.name}={value!r} must be a non-negative integer")
        if self.max_weight_limit > U16_MAX:
            raise ValueError(f"max_weight_limit={self.max_weight_limit} must be at most {U16_MAX}")

    def replace(self, **changes: Any) -> Hyperparameters:
        """A copy with ``changes``; an unknown name raises ``ValueError`` naming it."""
        unknown = sorted(set(changes) - set(NAMES))
        if unknown:
            raise ValueError(
                f"unknown hyperparameter(s) {', '.join(unknown)}; simnet simulates "
                f"{', '.join(NAMES)}"
            )
        return dataclasses.replace(self, **changes)


NAMES: tuple[str, ...] = tuple(field.name for field in dataclasses.fields(Hyperparameters))
DEFAULTS = Hyperparameters()

STORAGE_NAMES: dict[str, str] = {
    "Tempo": "tempo",
    "MinAllowedWeights": "min_allowed_weights",
    "MaxWeightsLimit": "max_weight_limit",
    "WeightsSetRateLimit": "weights_rate_limit",
    "ImmunityPeriod": "immunity_period",
    "MaxAllowedValidators": "max_allowed_validators",
    "MaxAllowedUids": "max_allowed_uids",
    "ActivityCutoff": "activity_cutoff",
    "WeightsVersionKey": "weights_version",
    "CommitRevealWeightsEnabled": "commit_reveal_weights_enabled",
    "Kappa": "kappa",
    "BondsMovingAverage": "bonds_moving_avg",
    "BondsPenalty": "bonds_penalty",
    "Yuma3On": "yuma3_enabled",
    "LiquidAlphaOn": "liquid_alpha_enabled",
    "AlphaSigmoidSteepness": "alpha_sigmoid_steepness",
    "MinNonImmuneUids": "min_non_immune_uids",
    "ImmuneOwnerUidsLimit": "immune_owner_uids_limit",
}
"""The chain's storage item (``SubtensorModule``) of each hyperparameter simnet simulates
that is one value per subnet (``AlphaValues`` holds two: ``alpha_low``, ``alpha_high``)."""
