"""The chain's storage items, as a node answers a raw query: each item's SCALE type and its
value, decoded (ints, bools, ss58 strings, lists, dicts; ``None`` for an empty ``Option``).

Both stacks' substrate doubles read storage here: the 11.x ``Substrate`` double hands the
values to the SDK as they are; the neuron stack's wraps them in the type the installed
release's substrate interface returns (:func:`simnet._compat.storage_result`). Names and
types are subtensor's (``pallets/subtensor/src/lib.rs``, ``pallets/commitments``, at
opentensor/subtensor 14bc6f9f9). simnet keeps no history: a query at an older block is
answered from the current state, except where a value is arithmetic on the block.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from simnet.chain import balances
from simnet.chain.blocks import last_epoch_block
from simnet.chain.faults import NotSimulated
from simnet.chain.hyperparams import STORAGE_NAMES
from simnet.chain.pruning import Owner
from simnet.chain.state import ChainState, Neuron

ZERO_ACCOUNT = "5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM"
"""The ss58 address of 32 zero bytes: an ``AccountId`` storage item's default."""

MECHANISMS = 4096
"""A storage index is ``mechanism * 4096 + netuid`` (``NetUidStorageIndex``)."""

_HYPERPARAMETER_TYPES = {
    "WeightsSetRateLimit": "u64",
    "WeightsVersionKey": "u64",
    "BondsMovingAverage": "u64",
    "CommitRevealWeightsEnabled": "bool",
    "Yuma3On": "bool",
    "LiquidAlphaOn": "bool",
    "AlphaSigmoidSteepness": "i16",
}


@dataclass(frozen=True)
class Item:
    """One storage item: its value type, its key types, and how simnet reads it.

    ``read(chain, key, block)`` gives the value at a full key; ``entries(chain, prefix,
    block)`` the ``(rest of the key, value)`` pairs of a map under a key prefix (``None``
    for a plain value). ``value_type`` is ``None`` for values simnet hands out decoded
    only (no SCALE type it encodes)."""

    value_type: str | None
    key_types: tuple[str, ...]
    read: Callable[[ChainState, tuple[Any, ...], int], Any]
    entries: Callable[[ChainState, tuple[Any, ...], int], list[tuple[Any, Any]]] | None = None


def subnet_owner(chain: ChainState, netuid: int, neurons: Sequence[Neuron] | None = None) -> Owner:
    """The owner the chain records for ``netuid`` (``SubnetOwner``, ``SubnetOwnerHotkey``);
    for a subnet simnet created without one, the keys of its uid 0 (then ``None``s).
    ``neurons``: the subnet's, when the caller has already read them."""
    recorded = chain.owner(netuid)
    if recorded.coldkey is not None:
        neurons = []
    elif neurons is None:
        neurons = chain.neurons(netuid)
    first = neurons[0] if neurons else None
    return Owner(
        recorded.coldkey or (first.coldkey if first else None),
        recorded.hotkey or (first.hotkey if first else None),
    )


def _exists(chain: ChainState, netuid: Any) -> bool:
    return int(netuid) in chain.netuids()


def _per_netuid(
    value_type: str | None, value: Callable[[ChainState, int, int], Any], default: Any
) -> Item:
    """A map keyed by netuid (or a storage index); ``default`` for a subnet that does not
    exist (the item's default value)."""

    def read(chain: ChainState, key: tuple[Any, ...], block: int) -> Any:
        netuid = int(key[0]) % MECHANISMS
        return value(chain, netuid, block) if _exists(chain, netuid) else default

    def entries(chain: ChainState, prefix: tuple[Any, ...], block: int) -> list[tuple[Any, Any]]:
        return [(n, value(chain, n, block)) for n in chain.netuids()]

    return Item(value_type, ("u16",), read, entries)


def _column(value_type: str, value: Callable[[Neuron], Any]) -> Item:
    """A per-subnet vector with one entry per uid (``LastUpdate``, ``Incentive``...)."""
    return _per_netuid(f"Vec<{value_type}>", lambda c, n, b: [value(x) for x in c.neurons(n)], [])


def _per_uid(value_type: str, value: Callable[[ChainState, Neuron], Any], default: Any) -> Item:
    """A double map ``(netuid, uid) -> value`` (``Keys``, ``Weights``...)."""

    def read(chain: ChainState, key: tuple[Any, ...], block: int) -> Any:
        netuid, uid = int(key[0]) % MECHANISMS, int(key[1])
        neuron = chain.neuron_at(netuid, uid) if _exists(chain, netuid) else None
        return value(chain, neuron) if neuron is not None else default

    def entries(chain: ChainState, prefix: tuple[Any, ...], block: int) -> list[tuple[Any, Any]]:
        netuid = int(prefix[0]) % MECHANISMS
        neurons = chain.neurons(netuid) if _exists(chain, netuid) else []
        return [(n.uid, value(chain, n)) for n in neurons]

    return Item(value_type, ("u16", "u16"), read, entries)


def _registered(chain: ChainState, netuid: int) -> list[str]:
    return [n.hotkey for n in chain.neurons(netuid)]


def _per_hotkey(
    value_type: str | None,
    value: Callable[[ChainState, int, str], Any],
    hotkeys: Callable[[ChainState, int], Any] = _registered,
) -> Item:
    """A double map ``(netuid, hotkey) -> Option<value>`` (``Uids``, ``CommitmentOf``),
    listed over ``hotkeys(chain, netuid)``."""

    def read(chain: ChainState, key: tuple[Any, ...], block: int) -> Any:
        netuid, hotkey = int(key[0]), str(key[1])
        return value(chain, netuid, hotkey) if _exists(chain, netuid) else None

    def entries(chain: ChainState, prefix: tuple[Any, ...], block: int) -> list[tuple[Any, Any]]:
        netuid = int(prefix[0])
        if not _exists(chain, netuid):
            return []
        pairs = [(h, value(chain, netuid, h)) for h in hotkeys(chain, netuid)]
        return [(h, v) for h, v in pairs if v is not None]

    return Item(value_type, ("u16", "AccountId"), read, entries)


def _uid(chain: ChainState, netuid: int, hotkey: str) -> int | None:
    return chain.neuron(netuid, hotkey).uid if chain.is_registered(netuid, hotkey) else None


def _commitment(chain: ChainState, netuid: int, hotkey: str) -> Any:
    commitment = chain.commitment(netuid, hotkey)
    return None if commitment is None else commitment.sdk_value()


def _revealed(chain: ChainState, netuid: int, hotkey: str) -> Any:
    revealed = chain.revealed_commitments(netuid).get(hotkey)
    return None if revealed is None else revealed_records(revealed)


def revealed_records(revealed: list[tuple[int, bytes]]) -> list[tuple[str, int]]:
    """``RevealedCommitments`` as the SDK decodes it: ``(0x-hex data, reveal block)``."""
    return [("0x" + data.hex(), block) for block, data in revealed]


def _owner_of(chain: ChainState, hotkey: str) -> str:
    """``Owner``: the coldkey that registered ``hotkey`` (the zero account if none)."""
    for netuid in chain.netuids():
        if chain.is_registered(netuid, hotkey):
            return chain.neuron(netuid, hotkey).coldkey
    return ZERO_ACCOUNT


def _owned_hotkeys(chain: ChainState, coldkey: str) -> list[str]:
    hotkeys = [n.hotkey for m in chain.netuids() for n in chain.neurons(m) if n.coldkey == coldkey]
    return list(dict.fromkeys(hotkeys))


def _hotkey_alpha(chain: ChainState, key: tuple[Any, ...], block: int) -> int:
    """``TotalHotkeyAlpha[hotkey][netuid]``: the alpha staked on ``hotkey`` there, in rao."""
    hotkey, netuid = str(key[0]), int(key[1])
    if not _exists(chain, netuid) or not chain.is_registered(netuid, hotkey):
        return 0
    return balances.rao(chain.neuron(netuid, hotkey).stake)


def account_info(chain: ChainState, coldkey: str) -> dict[str, Any]:
    """``System.Account`` of ``coldkey``: its free balance, nothing reserved or frozen."""
    return {
        "nonce": 0,
        "consumers": 0,
        "providers": 1,
        "sufficients": 0,
        "data": {"free": chain.balance(coldkey), "reserved": 0, "frozen": 0, "flags": 0},
    }


def _last_epoch(chain: ChainState, netuid: int, block: int) -> int:
    return last_epoch_block(block, netuid, chain.hyperparameters(netuid).tempo)


def _hyperparameter(name: str) -> Callable[[ChainState, int, int], Any]:
    return lambda chain, netuid, block: getattr(chain.hyperparameters(netuid), name)


def _owner_key(part: str) -> Callable[[ChainState, int, int], str]:
    def read(chain: ChainState, netuid: int, block: int) -> str:
        return getattr(subnet_owner(chain, netuid), part) or ZERO_ACCOUNT

    return read


def _plain(value_type: str | None, key_types: tuple[str, ...], value: Callable[..., Any]) -> Item:
    """An item read by ``value(chain, *key, block)`` (no map enumeration)."""
    return Item(value_type, key_types, lambda chain, key, block: value(chain, *key, block))


SUBTENSOR = "SubtensorModule"
ITEMS: dict[tuple[str, str], Item] = {
    **{
        (SUBTENSOR, item): _per_netuid(
            _HYPERPARAMETER_TYPES.get(item, "u16"), _hyperparameter(name), None
        )
        for item, name in STORAGE_NAMES.items()
    },
    (SUBTENSOR, "Uids"): _per_hotkey("u16", _uid),
    (SUBTENSOR, "Keys"): _per_uid("AccountId", lambda c, n: n.hotkey, ZERO_ACCOUNT),
    (SUBTENSOR, "BlockAtRegistration"): _per_uid("u64", lambda c, n: n.registered_at, 0),
    (SUBTENSOR, "Weights"): _per_uid(
        "Vec<(Compact<u16>, Compact<u16>)>", lambda c, n: c.weights(n.netuid, n.uid), []
    ),
    (SUBTENSOR, "Bonds"): _per_uid(
        "Vec<(Compact<u16>, Compact<u16>)>", lambda c, n: c.bonds(n.netuid, n.uid), []
    ),
    (SUBTENSOR, "LastUpdate"): _column("u64", lambda n: n.last_update),
    (SUBTENSOR, "ValidatorPermit"): _column("bool", lambda n: n.validator_permit),
    (SUBTENSOR, "Active"): _column("bool", lambda n: n.active),
    (SUBTENSOR, "Emission"): _column("u64", lambda n: n.emission),
    (SUBTENSOR, "Incentive"): _column("u16", lambda n: n.incentive),
    (SUBTENSOR, "Consensus"): _column("u16", lambda n: n.consensus),
    (SUBTENSOR, "Dividends"): _column("u16", lambda n: n.dividends),
    (SUBTENSOR, "ValidatorTrust"): _column("u16", lambda n: n.validator_trust),
    (SUBTENSOR, "PruningScores"): _column("u16", lambda n: 65535),
    (SUBTENSOR, "SubnetworkN"): _per_netuid("u16", lambda c, n, b: len(c.neurons(n)), 0),
    (SUBTENSOR, "NetworksAdded"): _per_netuid("bool", lambda c, n, b: True, False),
    (SUBTENSOR, "SubnetOwner"): _per_netuid("AccountId", _owner_key("coldkey"), ZERO_ACCOUNT),
    (SUBTENSOR, "SubnetOwnerHotkey"): _per_netuid("AccountId", _owner_key("hotkey"), ZERO_ACCOUNT),
    (SUBTENSOR, "SubnetTAO"): _per_netuid("u64", lambda c, n, b: balances.POOL_TAO, 0),
    (SUBTENSOR, "SubnetAlphaIn"): _per_netuid("u64", lambda c, n, b: balances.POOL_ALPHA, 0),
    (SUBTENSOR, "SubnetAlphaOut"): _per_netuid(
        "u64",
        lambda c, n, b: sum(balances.rao(x.stake) for x in c.neurons(n)),
        0,
    ),
    (SUBTENSOR, "Burn"): _per_netuid("u64", lambda c, n, b: c.burn(n), balances.REGISTRATION_BURN),
    (SUBTENSOR, "CollateralLockShare"): _per_netuid("u16", lambda c, n, b: 0, 0),
    (SUBTENSOR, "RevealPeriodEpochs"): _per_netuid("u64", lambda c, n, b: c.reveal_period(n), 1),
    (SUBTENSOR, "LastEpochBlock"): _per_netuid("u64", _last_epoch, 0),
    (SUBTENSOR, "BlocksSinceLastStep"): _per_netuid(
        "u64", lambda c, n, b: b - _last_epoch(c, n, b), 0
    ),
    (SUBTENSOR, "SubnetEpochConsensus"): _per_netuid(None, lambda c, n, b: "Yuma", "Yuma"),
    (SUBTENSOR, "PendingEpochAt"): _per_netuid("u64", lambda c, n, b: 0, 0),
    (SUBTENSOR, "SubnetEpochIndex"): _per_netuid("u64", lambda c, n, b: c.epoch_index(n), 0),
    (SUBTENSOR, "Owner"): _plain("AccountId", ("AccountId",), lambda c, h, b: _owner_of(c, h)),
    (SUBTENSOR, "OwnedHotkeys"): _plain(
        "Vec<AccountId>", ("AccountId",), lambda c, k, b: _owned_hotkeys(c, k)
    ),
    (SUBTENSOR, "TotalHotkeyAlpha"): Item("u64", ("AccountId", "u16"), _hotkey_alpha),
    ("System", "Account"): _plain(
        "AccountInfo", ("AccountId",), lambda c, k, b: account_info(c, str(k))
    ),
    ("System", "Number"): _plain("u32", (), lambda c, b: b),
    ("Commitments", "CommitmentOf"): _per_hotkey(
        "Registration", _commitment, lambda c, n: list(c.commitments(n))
    ),
    ("Commitments", "RevealedCommitments"): _per_hotkey(
        None, _revealed, lambda c, n: list(c.revealed_commitments(n))
    ),
    ("Commitments", "MaxSpace"): _plain("u32", (), lambda c, b: c.commitment_max_space()),
}
"""Every storage item simnet answers, by ``(pallet, item)``."""


def item(module: str, name: str) -> Item:
    """The storage item ``module.name``; :class:`NotSimulated` naming it if simnet does
    not answer it."""
    found = ITEMS.get((module, name))
    if found is None:
        raise NotSimulated(
            f"simnet's chain does not simulate storage {module}.{name}; it answers "
            f"{', '.join(sorted(f'{m}.{f}' for m, f in ITEMS))}"
        )
    return found


def read(chain: ChainState, module: str, name: str, key: list[Any] | None, block: int) -> Any:
    """The value of ``module.name`` at ``key`` (a value's key is empty)."""
    found = item(module, name)
    given = tuple(key or ())
    if len(given) != len(found.key_types):
        raise ValueError(
            f"{module}.{name} takes {len(found.key_types)} key(s) "
            f"({', '.join(found.key_types) or 'none'}), got {len(given)}"
        )
    return found.read(chain, given, block)


def entries(
    chain: ChainState, module: str, name: str, prefix: list[Any] | None, block: int
) -> list[tuple[Any, Any]]:
    """The ``(key, value)`` pairs of the map ``module.name`` under ``prefix`` (the key
    parts given; the pairs' keys are the rest). Maps keyed by an account, which simnet
    cannot list, raise :class:`NotSimulated`."""
    found = item(module, name)
    given = tuple(prefix or ())
    if not found.key_types:
        raise ValueError(f"{module}.{name} is a plain value, not a map")
    if found.entries is None or len(given) != len(found.key_types) - 1:
        raise NotSimulated(
            f"simnet does not list the map {module}.{name} under {len(given)} key(s); it "
            f"lists it under {len(found.key_types) - 1}"
            if found.entries is not None
            else f"simnet does not list the map {module}.{name} (query it by key)"
        )
    return found.entries(chain, given, block)
