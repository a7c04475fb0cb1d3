"""The chain's answers as bittensor's own chain-data objects (``AxonInfo``, ``NeuronInfo``,
``NeuronInfoLite``, ``SubnetHyperparameters``) for the 9.x/10.x subtensor doubles."""

from __future__ import annotations

from typing import Any

from simnet._compat import (
    AxonInfo,
    Balance,
    NeuronInfo,
    NeuronInfoLite,
    SubnetHyperparameters,
    bittensor,
    chain_data,
)
from simnet.chain.hyperparams import U16_MAX, Hyperparameters
from simnet.chain.state import Neuron

__all__ = ["axon_info", "neuron_info", "neuron_info_lite", "subnet_hyperparameters"]

_AXON_PROTOCOL = 4  # what a real Axon.info() reports


def axon_info(neuron: Neuron) -> AxonInfo:
    """The ``AxonInfo`` the chain returns for ``neuron`` (address 0.0.0.0:0 when not serving)."""
    ip = neuron.axon_ip if neuron.axon_ip is not None and neuron.serving else "0.0.0.0"
    return AxonInfo(
        version=bittensor.core.settings.version_as_int,
        ip=ip,
        port=neuron.axon_port or 0,
        ip_type=6 if ":" in ip else 4,
        hotkey=neuron.hotkey,
        coldkey=neuron.coldkey,
        protocol=_AXON_PROTOCOL,
        placeholder1=0,
        placeholder2=0,
    )


def _neuron_fields(neuron: Neuron) -> dict[str, Any]:
    stake = Balance.from_tao(neuron.stake).set_unit(neuron.netuid)
    return dict(
        hotkey=neuron.hotkey,
        coldkey=neuron.coldkey,
        uid=neuron.uid,
        netuid=neuron.netuid,
        active=int(neuron.active),
        stake=stake,
        stake_dict={neuron.coldkey: stake},
        total_stake=stake,
        emission=neuron.emission / 1e9,
        incentive=neuron.incentive / U16_MAX,
        consensus=neuron.consensus / U16_MAX,
        validator_trust=neuron.validator_trust / U16_MAX,
        dividends=neuron.dividends / U16_MAX,
        last_update=neuron.last_update,
        validator_permit=neuron.validator_permit,
        prometheus_info=None,
        axon_info=axon_info(neuron),
    )


def neuron_info_lite(neuron: Neuron) -> NeuronInfoLite:
    """The real ``NeuronInfoLite`` for ``neuron``."""
    return chain_data(NeuronInfoLite, **_neuron_fields(neuron))


def neuron_info(
    neuron: Neuron, weights: list[tuple[int, int]], bonds: list[tuple[int, int]]
) -> NeuronInfo:
    """The real ``NeuronInfo`` for ``neuron``, with the weights it set and its bonds."""
    return chain_data(
        NeuronInfo, **_neuron_fields(neuron), weights=weights, bonds=[list(b) for b in bonds]
    )


def subnet_hyperparameters(params: Hyperparameters, reveal_period: int = 1) -> Any:
    """The real ``SubnetHyperparameters`` (fields simnet does not simulate are zero)."""
    return chain_data(
        SubnetHyperparameters,
        tempo=params.tempo,
        min_allowed_weights=params.min_allowed_weights,
        max_weight_limit=params.max_weight_limit,
        weights_rate_limit=params.weights_rate_limit,
        immunity_period=params.immunity_period,
        max_validators=params.max_allowed_validators,
        activity_cutoff=params.activity_cutoff,
        weights_version=params.weights_version,
        commit_reveal_weights_enabled=params.commit_reveal_weights_enabled,
        commit_reveal_period=reveal_period,
        registration_allowed=True,
    )
