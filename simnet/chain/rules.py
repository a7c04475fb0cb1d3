"""The chain's rules for ``set_weights``, ``serve_axon`` and registration, checked in the
order subtensor checks them, each failure named with the chain's own error. Both stacks'
chain doubles apply them."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from simnet.chain.hyperparams import U16_MAX, Hyperparameters

# The chain's explanation of each error (what bittensor prints after "This means:").
ERRORS: dict[str, str] = {
    "SubNetworkDoesNotExist": "The subnet does not exist.",
    "WeightVecNotEqualSize": "The length of the uids and weights vectors differ.",
    "HotKeyNotRegisteredInSubNet": "The hotkey is not registered in this subnet.",
    "IncorrectWeightVersionKey": "The version key is lower than the subnet's weights version.",
    "SettingWeightsTooFast": "Weights were set too soon after the last time (weights_rate_limit).",
    "DuplicateUids": "The uids vector contains duplicates.",
    "UidVecContainInvalidOne": "The uids vector contains a uid that does not exist on the subnet.",
    "WeightVecLengthIsLow": "Fewer weights than the subnet's min_allowed_weights.",
    "MaxWeightExceeded": "A weight exceeds the subnet's max_weight_limit.",
    "NeuronNoValidatorPermit": "Only neurons with a validator permit may set non-self weights.",
    "InvalidIpType": "The ip type is not 4 or 6.",
    "HotKeyAlreadyRegisteredInSubNet": "The hotkey is already registered on this subnet.",
    "CommitRevealDisabled": "Commit-reveal is not enabled on this subnet.",
    "InvalidIpAddress": "The numerically encoded ip address does not resolve to a proper ip.",
    "InvalidPort": "An invalid port was provided.",
    "HotKeyNotRegisteredInNetwork": "The hotkey is not registered in this network.",
    "SubnetNotExists": "The subnet does not exist.",
    "RegistrationNotPermittedOnRootSubnet": "Registration is not permitted on the root subnet.",
    "NoNeuronIdAvailable": "The subnet is full and has no uid a registration may replace.",
    "NotEnoughBalanceToStake": "The caller is requesting adding more stake than there exists "
    'in the coldkey account. See: "[add_stake()]"',
    # commit-reveal weights (pallets/subtensor/src/macros/errors.rs)
    "CommitRevealEnabled": "Attempting to call set_weights when commit/reveal is enabled.",
    "NoWeightsCommitFound": "No commit found for the provided hotkey+netuid combination when "
    "attempting to reveal the weights.",
    "InvalidRevealCommitHashNotMatch": "Committed hash does not equal the hashed reveal data.",
    "TooManyUnrevealedCommits": "Maximum commit limit reached.",
    "ExpiredWeightCommit": "Attempted to reveal weights that are expired.",
    "RevealTooEarly": "Attempted to reveal weights too early.",
    "CommittingWeightsTooFast": "A transactor exceeded the rate limit for setting weights.",
    "IncorrectCommitRevealVersion": "Incorrect commit-reveal version.",
    "RevealPeriodTooLarge": "The reveal period is more than the chain allows (100 epochs).",
    "RevealPeriodTooSmall": "The reveal period is less than the chain allows (1 epoch).",
    # commitments (pallets/commitments/src/lib.rs)
    "AccountNotAllowedCommit": "Account is not allowed to make commitments to the chain.",
    "TooManyFieldsInCommitmentInfo": "Account passed too many additional fields to their "
    "commitment.",
    "SpaceLimitExceeded": "Space Limit Exceeded for the current interval.",
}


class ChainRuleError(Exception):
    """A call the real chain would reject; ``error`` is the chain's error name."""

    def __init__(self, error: str, detail: str = "") -> None:
        self.error = error
        self.detail = detail
        super().__init__(message(error, detail))


def message(error: str, detail: str = "") -> str:
    """The message bittensor gives for a failed extrinsic, with simnet's detail appended."""
    text = f"Subtensor returned `{error}(Module)` error. This means: `{ERRORS[error]}`"
    return f"{text} ({detail})" if detail else text


@dataclass(frozen=True)
class WeightsCall:
    """What the chain knows when a neuron sets weights."""

    uid: int
    uids: Sequence[int]
    weights: Sequence[float]
    version_key: int
    block: int
    last_update: int
    validator_permit: bool
    subnet_size: int


def normalized(weights: Sequence[float]) -> list[int]:
    """Weights scaled so the largest is u16 max, as bittensor sends them and the chain keeps."""
    top = max(weights, default=0)
    if top <= 0:
        return [0 for _ in weights]
    return [round(w / top * U16_MAX) for w in weights]


def check_weights(call: WeightsCall, params: Hyperparameters) -> list[int]:
    """The u16 weights to store for ``call``, or :class:`ChainRuleError` as the chain would."""
    if len(call.uids) != len(call.weights):
        raise ChainRuleError(
            "WeightVecNotEqualSize", f"{len(call.uids)} uids, {len(call.weights)} weights"
        )
    if call.version_key < params.weights_version:
        raise ChainRuleError(
            "IncorrectWeightVersionKey", f"{call.version_key} < {params.weights_version}"
        )
    since = call.block - call.last_update
    if call.last_update and since < params.weights_rate_limit:
        raise ChainRuleError(
            "SettingWeightsTooFast",
            f"{since} blocks since the last update, weights_rate_limit is "
            f"{params.weights_rate_limit}",
        )
    if len(set(call.uids)) != len(call.uids):
        raise ChainRuleError("DuplicateUids")
    invalid = sorted(u for u in call.uids if not 0 <= u < call.subnet_size)
    if invalid:
        raise ChainRuleError("UidVecContainInvalidOne", f"uids {invalid}")
    if any(w < 0 for w in call.weights):
        raise ChainRuleError("MaxWeightExceeded", "negative weights")
    self_only = list(call.uids) == [call.uid]
    if not self_only and not call.validator_permit:
        raise ChainRuleError("NeuronNoValidatorPermit", f"uid {call.uid} has no permit")
    if not self_only and len(call.uids) < min(params.min_allowed_weights, call.subnet_size):
        raise ChainRuleError(
            "WeightVecLengthIsLow",
            f"{len(call.uids)} weights, min_allowed_weights is {params.min_allowed_weights}",
        )
    values = normalized(call.weights)
    if not self_only and params.max_weight_limit < U16_MAX:
        share = [v / max(sum(values), 1) * U16_MAX for v in values]
        if any(s > params.max_weight_limit for s in share):
            raise ChainRuleError(
                "MaxWeightExceeded", f"max_weight_limit is {params.max_weight_limit} (u16)"
            )
    return values


ROOT_NETUID = 0
"""The root subnet, where no neuron registers (subtensor's ``NetUid::ROOT``)."""
_IPV4_LIMIT = 2**32 - 1  # subtensor refuses ip >= u32::MAX for ip_type 4
_IPV6_LIMIT = 2**128 - 1


def check_axon(ip: int, ip_type: int, port: int) -> str:
    """The address a ``serve_axon`` call records, as text, or :class:`ChainRuleError` as
    subtensor's ``validate_serve_axon`` refuses it: the ip type, then the ip (zero is
    allowed, as on the chain), then the port. Unlike the chain, simnet accepts loopback
    addresses: its miners serve on 127.0.0.1. (The hotkey's registration, checked first
    on the chain, is the caller's to check; the serving rate limit is not simulated.)"""
    if ip_type not in (4, 6):
        raise ChainRuleError("InvalidIpType", f"ip_type {ip_type}")
    if not 0 <= ip < (_IPV4_LIMIT if ip_type == 4 else _IPV6_LIMIT):
        raise ChainRuleError("InvalidIpAddress", f"{ip} is not an IPv{ip_type} address")
    if not 0 < port < 2**16:
        raise ChainRuleError("InvalidPort", f"port {port}")
    address = ipaddress.IPv4Address(ip) if ip_type == 4 else ipaddress.IPv6Address(ip)
    return str(address)


def check_registration(
    netuid: int,
    hotkey: str,
    *,
    exists: bool,
    registered: bool,
    balance: int | None = None,
    burn: int = 0,
) -> None:
    """:class:`ChainRuleError` where subtensor's ``do_register`` refuses a registration
    of ``hotkey`` on ``netuid`` (a subnet that ``exists``, where the hotkey is ``registered``
    already, paid from a coldkey holding ``balance`` rao for a ``burn`` in rao), in the
    chain's order; a full subnet's ``NoNeuronIdAvailable`` comes later, from the chain
    state."""
    if netuid == ROOT_NETUID:
        raise ChainRuleError("RegistrationNotPermittedOnRootSubnet", f"netuid {netuid}")
    if not exists:
        raise ChainRuleError("SubnetNotExists", f"netuid {netuid}")
    if registered:
        raise ChainRuleError("HotKeyAlreadyRegisteredInSubNet", f"hotkey {hotkey}")
    if balance is not None and balance < burn:
        raise ChainRuleError(
            "NotEnoughBalanceToStake",
            f"the coldkey holds {balance} rao, the registration burns {burn}",
        )
