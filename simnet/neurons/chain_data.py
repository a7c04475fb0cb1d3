"""The chain's answers as bittensor's own chain-data objects (``AxonInfo``, ``NeuronInfo``,
``NeuronInfoLite``, ``SubnetHyperparameters``, ``MetagraphInfo``) for the 9.x/10.x
subtensor doubles."""

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
from simnet._compat import metagraph_info as metagraph_info_object
from simnet.chain import balances
from simnet.chain.hyperparams import U16_MAX, Hyperparameters
from simnet.chain.state import ChainState, Neuron
from simnet.chain.storage import subnet_owner

__all__ = [
    "axon_info",
    "metagraph_info",
    "neuron_info",
    "neuron_info_lite",
    "subnet_hyperparameters",
]

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


def alpha(tao: float, netuid: int) -> Any:
    """``tao`` as the SDK's ``Balance`` in subnet ``netuid``'s alpha, to the nearest rao."""
    return Balance.from_rao(balances.rao(tao)).set_unit(netuid)


def _neuron_fields(neuron: Neuron) -> dict[str, Any]:
    stake = alpha(neuron.stake, neuron.netuid)
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
    """The real ``SubnetHyperparameters``, in the chain's raw units as the SDK decodes them
    (fields simnet does not simulate are zero; those the installed release lacks are left
    out)."""
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
        kappa=params.kappa,
        bonds_moving_avg=params.bonds_moving_avg,
        liquid_alpha_enabled=params.liquid_alpha_enabled,
        alpha_low=params.alpha_low,
        alpha_high=params.alpha_high,
        alpha_sigmoid_steepness=float(params.alpha_sigmoid_steepness),
        yuma_version=3 if params.yuma3_enabled else 2,  # subnet_info.rs: Yuma3On -> 3
    )


_U64_MAX = 2**64 - 1
_RHO = 10  # subtensor's InitialRho; simnet does not use it


def metagraph_info(chain: ChainState, netuid: int, block: int) -> Any:
    """The real ``MetagraphInfo`` of ``netuid`` (``get_metagraph_info``), in the units the
    SDK's own decoding gives: u16 ratios as floats (``min_allowed_weights`` too, as the SDK
    decodes it), ``bonds_moving_avg`` over u64 max, pruning scores u16 max. The pool is
    simnet's fixed one (:mod:`simnet.chain.balances`); simnet models no TAO flows and no
    identities: those are zero or empty."""
    neurons = chain.neurons(netuid)
    params = chain.hyperparameters(netuid)
    owner = subnet_owner(chain, netuid, neurons)
    last_step = chain.last_epoch(netuid)

    return metagraph_info_object(
        netuid=netuid,
        mechid=0,
        name=f"simnet-{netuid}",
        symbol="",
        network_registered_at=0,
        owner_hotkey=owner.hotkey or "",
        owner_coldkey=owner.coldkey or "",
        block=block,
        tempo=params.tempo,
        last_step=last_step,
        blocks_since_last_step=block - last_step,
        rho=_RHO,
        kappa=params.kappa,
        min_allowed_weights=params.min_allowed_weights / U16_MAX,
        max_weights_limit=params.max_weight_limit / U16_MAX,
        weights_version=params.weights_version,
        weights_rate_limit=params.weights_rate_limit,
        activity_cutoff=params.activity_cutoff,
        max_validators=params.max_allowed_validators,
        num_uids=len(neurons),
        max_uids=params.max_allowed_uids,
        registration_allowed=True,
        immunity_period=params.immunity_period,
        commit_reveal_weights_enabled=params.commit_reveal_weights_enabled,
        commit_reveal_period=chain.reveal_period(netuid),
        liquid_alpha_enabled=params.liquid_alpha_enabled,
        alpha_high=params.alpha_high / U16_MAX,
        alpha_low=params.alpha_low / U16_MAX,
        bonds_moving_avg=params.bonds_moving_avg / _U64_MAX,
        hotkeys=[n.hotkey for n in neurons],
        coldkeys=[n.coldkey for n in neurons],
        identities=[None for _ in neurons],
        axons=[axon_info(n) for n in neurons],
        active=[n.active for n in neurons],
        validator_permit=[n.validator_permit for n in neurons],
        pruning_score=[1.0 for _ in neurons],  # the chain reports u16 max
        last_update=[n.last_update for n in neurons],
        emission=[Balance.from_rao(n.emission).set_unit(netuid) for n in neurons],
        dividends=[n.dividends / U16_MAX for n in neurons],
        incentives=[n.incentive / U16_MAX for n in neurons],
        consensus=[n.consensus / U16_MAX for n in neurons],
        trust=[0.0 for _ in neurons],
        rank=[0.0 for _ in neurons],
        block_at_registration=[n.registered_at for n in neurons],
        alpha_in=Balance.from_rao(balances.POOL_ALPHA).set_unit(netuid),
        alpha_out=alpha(sum(n.stake for n in neurons), netuid),
        tao_in=Balance.from_rao(balances.POOL_TAO),
        alpha_stake=[alpha(n.stake, netuid) for n in neurons],
        tao_stake=[Balance.from_rao(0) for _ in neurons],
        total_stake=[alpha(n.stake, netuid) for n in neurons],
        tao_dividends_per_hotkey=[(n.hotkey, Balance.from_rao(0)) for n in neurons],
        alpha_dividends_per_hotkey=[(n.hotkey, alpha(0, netuid)) for n in neurons],
    )
