"""Every difference between the bittensor releases of the neuron stack, and nothing else.

The neuron stack (``Axon``, ``Dendrite``, ``Synapse``, ``StreamingSynapse``) ships in 9.x
and 10.x; 11.0 removed it. Importing this module with 11.x installed raises
``simnet._release.WrongStack`` (one line); 11.x's names live in ``simnet.v11.sdk``.

Each difference is detected in the installed release (a signature, an annotation,
what a decoder accepts), once, never read off the version number. A data shape simnet
builds for bittensor that no longer fits (``SubnetState``, ``NeuronInfo``, the metagraph
arguments) raises :class:`simnet._release.SeamChanged`, one line, before bittensor sees it.

Importing it also registers the neuron stack's one offline patch with the shared offline
guard (bittensor's external-IP lookup answers loopback while the guard is active), so
the shared rooms never import bittensor themselves.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

from simnet._patches import EXTERNAL_IP, put_back, swap
from simnet._release import BITTENSOR_VERSION, SeamChanged, require
from simnet.sandbox.offline import GUARD, LOOPBACK_IP

require("neuron")

import bittensor  # noqa: E402
from bittensor.core.async_subtensor import AsyncSubtensor as RealAsyncSubtensor  # noqa: E402
from bittensor.core.axon import Axon  # noqa: E402
from bittensor.core.chain_data import (  # noqa: E402
    AxonInfo,
    NeuronInfo,
    NeuronInfoLite,
    SubnetHyperparameters,
    SubnetState,
)
from bittensor.core.dendrite import Dendrite  # noqa: E402

try:  # what get_metagraph_info answers; 9.0 has none
    from bittensor.core.chain_data import MetagraphInfo
except ImportError:  # pragma: no cover - depends on the installed release
    MetagraphInfo = None  # type: ignore[assignment,misc]
from bittensor.core.errors import ChainConnectionError  # noqa: E402
from bittensor.core.metagraph import Metagraph  # noqa: E402

try:  # 10.x; 9.x's AsyncSubtensor hands out plain Metagraphs
    from bittensor.core.metagraph import AsyncMetagraph
except ImportError:  # pragma: no cover - depends on the installed release
    AsyncMetagraph = Metagraph  # type: ignore[assignment,misc]
from bittensor.core.stream import StreamingSynapse  # noqa: E402
from bittensor.core.subtensor import Subtensor as RealSubtensor  # noqa: E402
from bittensor.core.synapse import Synapse, TerminalInfo  # noqa: E402
from bittensor.core.threadpool import PriorityThreadPoolExecutor  # noqa: E402
from bittensor.utils import networking  # noqa: E402
from bittensor.utils.balance import Balance  # noqa: E402
from bittensor_wallet import Keypair, Wallet  # noqa: E402

__all__ = [
    "BITTENSOR_VERSION",
    "AsyncMetagraph",
    "Axon",
    "AxonInfo",
    "Balance",
    "ChainConnectionError",
    "Dendrite",
    "Keypair",
    "Metagraph",
    "MetagraphInfo",
    "NeuronInfo",
    "NeuronInfoLite",
    "PriorityThreadPoolExecutor",
    "RealAsyncSubtensor",
    "RealSubtensor",
    "StreamingSynapse",
    "SubnetHyperparameters",
    "Synapse",
    "TerminalInfo",
    "Wallet",
    "bittensor",
    "call_arguments",
    "chain_data",
    "extrinsic_result",
    "metagraph_arguments",
    "metagraph_info",
    "networking",
    "quiet_bittensor_logging",
    "register_result",
    "reveal_commitment_result",
    "serve_result",
    "subnet_state_dict",
]


def quiet_bittensor_logging() -> None:
    """Stop bittensor's logger printing (it logs every malformed header it parses)."""
    bittensor.logging.disable_logging()


def bittensor_logging_quiet() -> bool:
    """Whether bittensor's logger is off in this process (a host process follows it)."""
    return getattr(bittensor.logging, "current_state_value", None) == "Disabled"


def _account_ids(addresses: list[str]) -> list[bytes]:
    ids = []
    for address in addresses:
        try:
            ids.append(bytes(Keypair(ss58_address=address).public_key or b""))
        except ValueError:  # not an ss58 address (tests use plain names): any 32 bytes do
            ids.append(hashlib.sha256(address.encode()).digest())
    return ids


_UNMODELLED: dict[str, float] = {"rank": 0.0, "trust": 0.0, "pruning_score": 65535}
"""``NeuronInfo`` fields 9.x requires that the chain no longer computes, with what the chain
reports for them (subtensor's ``NeuronInfo``: rank and trust 0, pruning score u16 max)."""


def chain_data(cls: type, **known: Any) -> Any:
    """``cls(**known)`` for a chain-data dataclass (``NeuronInfo``, ``NeuronInfoLite``,
    ``SubnetHyperparameters``), with what the chain reports for fields a release requires
    that simnet does not model (9.x's ``rank``, ``trust``, ``pruning_score``; zero for
    hyperparameters simnet does not simulate). Hyperparameters the installed release's
    ``SubnetHyperparameters`` lacks are left out (releases add them over time). A neuron
    field simnet does not know, or one it builds that the class no longer takes, is a
    changed seam."""
    fields = {f.name for f in dataclasses.fields(cls)}
    if cls is SubnetHyperparameters:
        known = {name: value for name, value in known.items() if name in fields}
    missing = [name for name in _required_fields(cls) if name not in known]
    unknown = [name for name in missing if name not in _UNMODELLED]
    if cls is not SubnetHyperparameters and unknown:
        raise SeamChanged(cls.__name__, f"it requires {', '.join(unknown)}, unknown to simnet")
    gone = [name for name in known if name not in fields]
    if gone:
        raise SeamChanged(cls.__name__, f"it no longer has {', '.join(gone)}")
    return cls(**known, **{name: _UNMODELLED.get(name, 0.0) for name in missing})


def metagraph_info(**known: Any) -> Any:
    """The installed release's ``MetagraphInfo`` from ``known`` (what simnet models, in the
    SDK's own units), or ``None`` where the release has no such class. Fields the release
    lacks are left out; its other fields are the empty value of their type: zero
    balances, no identities, ``None`` where optional (simnet models no emissions in TAO,
    no identities)."""
    if MetagraphInfo is None:
        return None
    types = _field_types(MetagraphInfo)
    return MetagraphInfo(
        **{name: known[name] if name in known else _empty(kind) for name, kind in types.items()}
    )


@functools.cache
def _field_types(cls: type) -> dict[str, Any]:
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):  # a name only imported for type checking
        hints = {}
    return {f.name: hints.get(f.name, f.type) for f in dataclasses.fields(cls) if f.init}


def _empty(kind: Any) -> Any:
    """The empty value of a field annotated ``kind``."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType) or kind is None or isinstance(kind, str):
        return None
    if origin in (list, tuple, dict):
        return origin()
    if kind is Balance:
        return Balance.from_rao(0)
    return kind() if kind in (int, float, str, bool) else None


@functools.cache
def _required_fields(cls: type) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )


def extrinsic_result(success: bool, message: str) -> Any:
    """What ``Subtensor.set_weights`` and friends return: an ``ExtrinsicResponse`` where
    the release has one (10.x; it unpacks as ``success, message``), else a
    ``(success, message)`` tuple (9.x)."""
    try:
        from bittensor.core.types import ExtrinsicResponse
    except ImportError:
        return success, message
    return ExtrinsicResponse(success=success, message=message)


@functools.cache
def _metagraph_parameters() -> tuple[str, ...]:
    """``Subtensor.metagraph``'s parameters after ``netuid``, in order: ``(lite, block)``
    on 9.0-9.10, ``(lite, block, mechid)`` on 9.11-9.12, ``(mechid, lite, block)`` on 10.x."""
    names = tuple(inspect.signature(RealSubtensor.metagraph).parameters)
    if names[:2] != ("self", "netuid") or not {"lite", "block"} <= set(names):
        raise SeamChanged("Subtensor.metagraph", f"its parameters are {', '.join(names[1:])}")
    return names[2:]


def call_arguments(method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """``args``/``kwargs`` of a call to ``Subtensor.<method>`` by the installed release's
    parameter names (releases insert parameters, e.g. ``mechid``, at different places)."""
    signature = inspect.signature(getattr(RealSubtensor, method))
    return dict(signature.bind_partial(None, *args, **kwargs).arguments)


def metagraph_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[bool, Any]:
    """``(lite, block)`` from ``Subtensor.metagraph``'s arguments after ``netuid``, read
    by the installed release's own parameter order (``AsyncSubtensor.metagraph`` has
    the same)."""
    given = {**dict(zip(_metagraph_parameters(), args, strict=False)), **kwargs}
    return bool(given.get("lite", True)), given.get("block")


@functools.cache
def _result_shape(method: str) -> Callable[[bool, str], Any]:
    """What ``Subtensor.<method>`` (``serve_axon``, ``burned_register``) is annotated to
    return: ``bool`` on 9.x, an ``ExtrinsicResponse`` on 10.x."""
    returns = inspect.signature(getattr(RealSubtensor, method)).return_annotation
    name = returns if isinstance(returns, str) else getattr(returns, "__name__", repr(returns))
    if name == "bool":
        return lambda success, _message: success
    if name == "ExtrinsicResponse":
        return extrinsic_result
    raise SeamChanged(f"Subtensor.{method}", f"it returns {name}, unknown to simnet")


def serve_result(success: bool, message: str) -> Any:
    """What ``Subtensor.serve_axon`` returns in the installed release."""
    return _result_shape("serve_axon")(success, message)


def register_result(success: bool, message: str) -> Any:
    """What ``Subtensor.burned_register`` returns in the installed release."""
    return _result_shape("burned_register")(success, message)


def reveal_commitment_result(result: Any, reveal_round: int) -> Any:
    """What ``Subtensor.set_reveal_commitment`` returns in the installed release: the
    publish result, paired with the drand round where it is annotated ``tuple[bool, int]``
    (9.x)."""
    method = getattr(RealSubtensor, "set_reveal_commitment", None)
    returns = "" if method is None else inspect.signature(method).return_annotation
    text = returns if isinstance(returns, str) else repr(returns)
    return (result, reveal_round) if text.startswith("tuple") else result


_PROBE_SS58 = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"  # //Alice: any valid address


@functools.cache
def _account_id_form() -> Callable[[list[str]], list[Any]]:
    """How ``SubnetState.from_dict`` takes account ids: raw 32-byte ids, which it
    decodes (9.0-10.2.1), or ss58 strings, which it keeps (10.3 on). Asked once, by
    handing it a one-neuron state in each form."""
    forms: tuple[Callable[[list[str]], list[Any]], ...] = (list, _account_ids)
    errors = []
    for form in forms:
        state = _subnet_state(form, 1, [_PROBE_SS58], [_PROBE_SS58], [0], [True], [0], [0])
        unknown = {f.name for f in dataclasses.fields(SubnetState)} - set(state)
        if unknown:
            fields = ", ".join(sorted(unknown))
            raise SeamChanged("SubnetState", f"it has {fields}, unknown to simnet")
        try:
            decoded = SubnetState.from_dict(state)
        except Exception as exc:  # the shape bittensor rejects: try the other
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        if list(decoded.hotkeys) == [_PROBE_SS58] and list(decoded.coldkeys) == [_PROBE_SS58]:
            return form
        errors.append(f"hotkeys read back as {list(decoded.hotkeys)!r}")
    raise SeamChanged(
        "SubnetState.from_dict",
        f"it takes account ids neither as ss58 strings nor as raw bytes ({'; '.join(errors)})",
    )


def subnet_state_dict(
    netuid: int,
    hotkeys: list[str],
    coldkeys: list[str],
    stakes_rao: list[int],
    validator_permit: list[bool],
    last_update: list[int],
    registered_at: list[int],
) -> dict[str, Any]:
    """The decoded ``get_subnet_state`` answer, from which ``Metagraph.sync`` reads stakes,
    with account ids in the form the installed ``SubnetState.from_dict`` takes."""
    return _subnet_state(
        _account_id_form(),
        netuid,
        hotkeys,
        coldkeys,
        stakes_rao,
        validator_permit,
        last_update,
        registered_at,
    )


def _subnet_state(
    account_ids: Callable[[list[str]], list[Any]],
    netuid: int,
    hotkeys: list[str],
    coldkeys: list[str],
    stakes_rao: list[int],
    validator_permit: list[bool],
    last_update: list[int],
    registered_at: list[int],
) -> dict[str, Any]:
    n = len(hotkeys)
    zeros = [0] * n
    state = {
        "netuid": netuid,
        "hotkeys": account_ids(hotkeys),
        "coldkeys": account_ids(coldkeys),
        "active": [True] * n,
        "validator_permit": validator_permit,
        "pruning_score": zeros,
        "last_update": last_update,
        "emission": zeros,
        "dividends": zeros,
        "incentives": zeros,
        "consensus": zeros,
        "trust": zeros,
        "rank": zeros,
        "block_at_registration": registered_at,
        "alpha_stake": stakes_rao,
        "tao_stake": zeros,
        "total_stake": stakes_rao,
        "emission_history": [],
    }
    return state


# -- raw substrate answers (the neuron stack's substrate double) ---------------------------
# What ``subtensor.substrate.query``/``query_map`` return differs by release: the substrate
# interface of 10.x returns scalecodec ``ScaleType`` objects from ``query`` and plain
# decoded values from ``query_map``; 9.x's wraps lists and numbers in its own ``ScaleObj``,
# returns other values (ss58 strings, dicts, ``None``) as they are, and gives account ids
# inside maps as raw bytes. Read off the installed ``SubstrateInterface.query``'s return
# annotation, once.

from async_substrate_interface.async_substrate import (  # noqa: E402
    AsyncExtrinsicReceipt,
    AsyncQueryMapResult,
)
from async_substrate_interface.sync_substrate import (  # noqa: E402
    ExtrinsicReceipt,
    QueryMapResult,
    SubstrateInterface,
)

try:  # what DynamicInfo answers subtensor.subnet(); 9.0 has one too
    from bittensor.core.chain_data import DynamicInfo
except ImportError:  # pragma: no cover - depends on the installed release
    DynamicInfo = None  # type: ignore[assignment,misc]

__all__ += [
    "AsyncExtrinsicReceipt",
    "AsyncQueryMapResult",
    "DynamicInfo",
    "ExtrinsicReceipt",
    "QueryMapResult",
    "SubstrateInterface",
    "dynamic_info",
    "storage_entry",
    "storage_result",
]

_RUNTIME_TYPES: dict[str, Any] = {
    "types": {
        "AccountInfo": {
            "type": "struct",
            "type_mapping": [
                ["nonce", "u32"],
                ["consumers", "u32"],
                ["providers", "u32"],
                ["sufficients", "u32"],
                ["data", "AccountData"],
            ],
        },
        "AccountData": {
            "type": "struct",
            "type_mapping": [
                ["free", "u128"],
                ["reserved", "u128"],
                ["frozen", "u128"],
                ["flags", "u128"],
            ],
        },
        # pallets/commitments/src/types.rs: what ``CommitmentOf`` holds
        "Registration": {
            "type": "struct",
            "type_mapping": [["deposit", "u128"], ["block", "u64"], ["info", "CommitmentInfo"]],
        },
        "CommitmentInfo": {"type": "struct", "type_mapping": [["fields", "Vec<Data>"]]},
        "Data": {
            "type": "enum",
            "type_mapping": [
                ["None", "Null"],
                *[[f"Raw{n}", f"[u8; {n}]"] for n in range(129)],
                *[[name, "[u8; 32]"] for name in ("BlakeTwo256", "Sha256", "Keccak256")],
                ["ShaThree256", "[u8; 32]"],
                ["TimelockEncrypted", "TimelockEncryptedData"],
                ["ResetBondsFlag", "Null"],
                ["BigRaw", "Vec<u8>"],
            ],
        },
        "TimelockEncryptedData": {
            "type": "struct",
            "type_mapping": [["encrypted", "Vec<u8>"], ["reveal_round", "u64"]],
        },
    }
}
"""The subtensor runtime's types of the storage items simnet answers whose names
scalecodec's presets give other shapes (``System.Account``, ``Commitments.CommitmentOf``)."""


@functools.cache
def _query_returns() -> str:
    """``"ScaleType"`` (scalecodec objects) or ``"ScaleObj"`` (9.x's wrapper)."""
    annotation = str(inspect.signature(SubstrateInterface.query).return_annotation)
    for form in ("ScaleObj", "ScaleType"):
        if form in annotation:
            return form
    raise SeamChanged("SubstrateInterface.query", f"it returns {annotation}, unknown to simnet")


def _scale_obj() -> Any:
    """9.x's ``ScaleObj`` (10.x has none)."""
    import async_substrate_interface.types

    return async_substrate_interface.types.ScaleObj  # type: ignore[attr-defined,unused-ignore]


@functools.cache
def _scale_runtime() -> Any:
    from scalecodec.base import RuntimeConfigurationObject
    from scalecodec.type_registry import load_type_registry_preset

    runtime = RuntimeConfigurationObject(ss58_format=42)
    legacy = load_type_registry_preset("legacy")
    if legacy is None:  # pragma: no cover - depends on the installed scalecodec
        raise SeamChanged("scalecodec", "it has no 'legacy' type registry preset")
    runtime.update_type_registry(legacy)
    runtime.update_type_registry(_RUNTIME_TYPES)
    return runtime


def _scale_object(value_type: str, value: Any) -> Any:
    """A decoded scalecodec object of ``value_type`` holding ``value``: encoded and decoded
    by scalecodec itself, as the node's answer would be."""
    runtime = _scale_runtime()
    data = runtime.create_scale_object(value_type).encode(_ss58_or_id(value_type, value))
    decoded = runtime.create_scale_object(value_type, data=data)
    decoded.decode()
    return decoded


def _ss58_or_id(value_type: str, value: Any) -> Any:
    """An account id scalecodec can encode (tests' plain names become 32-byte ids)."""
    if value_type == "AccountId":
        return "0x" + _account_ids([value])[0].hex()
    if value_type == "Vec<AccountId>":
        return ["0x" + raw.hex() for raw in _account_ids(list(value))]
    return value


def _raw_account(value: str) -> tuple[tuple[int, ...]]:
    """An account id as 9.x's decoder gives it inside maps: ``((32 ints),)``."""
    return (tuple(_account_ids([value])[0]),)


def _raw_registration(value: dict[str, Any]) -> dict[str, Any]:
    """``CommitmentOf`` as 9.x's decoder gives it: the fields' ``BoundedVec`` a 1-tuple,
    byte arrays as ``(tuple of ints,)``."""

    def field(entry: Any) -> Any:
        if isinstance(entry, str):
            return entry
        ((variant, data),) = entry.items()
        if isinstance(data, str):
            return {variant: (tuple(bytes.fromhex(data.removeprefix("0x"))),)}
        return entry

    fields = tuple(field(f) for f in value["info"]["fields"])
    return {**value, "info": {"fields": (fields,)}}


def storage_result(
    value_type: str | None, value: Any, *, item: str, unsupported: type[Exception]
) -> Any:
    """What the installed release's ``substrate.query`` returns for storage ``item`` of
    ``value_type`` holding the decoded ``value``; ``unsupported`` (naming the item) where
    the release wants a SCALE object and simnet has no type to build it from."""
    if _query_returns() == "ScaleObj":
        ScaleObj = _scale_obj()
        if value_type == "Vec<AccountId>":
            value = [_raw_account(v) for v in value]
        if value_type == "Registration" and value is not None:
            value = _raw_registration(value)
        return ScaleObj(value) if isinstance(value, (list, tuple, int, float)) else value
    if value_type is None:
        raise unsupported(f"simnet does not build the SCALE object of {item} for this release")
    if value is None:
        return _scale_object(f"Option<{value_type}>", None)
    return _scale_object(value_type, value)


def storage_entry(key_type: str, key: Any, value_type: str | None, value: Any) -> list[Any]:
    """One record of the installed release's ``substrate.query_map``: ``[key, value]``."""
    if _query_returns() == "ScaleObj":
        ScaleObj = _scale_obj()
        if key_type == "AccountId":
            key = _raw_account(key)
        if value_type == "AccountId":
            value = _raw_account(value)
        if value_type == "Registration":
            value = _raw_registration(value)
        return [key, ScaleObj(value)]
    if value_type is not None:
        value = _scale_object(value_type, value).value
    if key_type == "AccountId":
        key = _scale_object("AccountId", key).value
    return [key, value]


def dynamic_info(**known: Any) -> Any:
    """The installed release's ``DynamicInfo`` from ``known`` (what simnet models, in the
    SDK's units); its other fields are the empty value of their type. A field simnet
    builds that the class no longer has is a changed seam."""
    if DynamicInfo is None:  # pragma: no cover - depends on the installed release
        raise SeamChanged("DynamicInfo", "the installed bittensor has no such class")
    kinds = _field_types(DynamicInfo)
    gone = sorted(set(known) - set(kinds))
    if gone:
        raise SeamChanged("DynamicInfo", f"it no longer has {', '.join(gone)}")
    return DynamicInfo(
        **{name: known[name] if name in known else _empty(kind) for name, kind in kinds.items()}
    )


def _loopback_external_ip() -> str:
    return LOOPBACK_IP


def _external_ip_on_loopback() -> Callable[[], None]:
    """While the offline guard is active, bittensor's external-IP lookup answers loopback."""
    originals = swap(EXTERNAL_IP, networking, {"get_external_ip": _loopback_external_ip})
    return lambda: put_back(networking, originals)


GUARD.while_active("bittensor's external-IP lookup", _external_ip_on_loopback)
