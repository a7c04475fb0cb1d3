"""``subtensor.substrate`` for the 9.x/10.x doubles: raw storage queries and extrinsics
over the chain state.

Subnets reach past the ``Subtensor`` methods to its substrate interface: ``query`` and
``query_map`` of storage items, ``get_block``/``get_block_hash``/``get_block_number``, and
``compose_call`` + ``create_signed_extrinsic`` + ``submit_extrinsic`` for the extrinsics
they send. :class:`SubstrateDouble` answers those from the same chain state the subtensor
doubles use: storage items as :mod:`simnet.chain.storage` reads them, in the type the
installed release's substrate interface returns (:func:`simnet._compat.storage_result`);
extrinsics applied by :mod:`simnet.chain.calls` under the chain's rules, answered with the
release's own ``ExtrinsicReceipt`` reading the events this double records (so
``is_success``, ``error_message``, ``process_events()`` and ``total_fee_amount`` are
bittensor's). Any other attribute of the real interface raises :class:`NotSimulated`.

What differs from a node: simnet keeps no history (a query at an older block reads the
current state), charges no fees (``total_fee_amount`` is 0), and a block body lists only
the extrinsics submitted through this double (no timestamp inherent).
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simnet._compat import (
    AsyncExtrinsicReceipt,
    AsyncQueryMapResult,
    ExtrinsicReceipt,
    QueryMapResult,
    SubstrateInterface,
    storage_entry,
    storage_result,
)
from simnet.chain import calls, storage
from simnet.chain.blocks import block_hash as _hash
from simnet.chain.blocks import block_number
from simnet.chain.commitments import CommitmentTooLarge
from simnet.chain.faults import NotSimulated
from simnet.chain.rules import ERRORS, ChainRuleError
from simnet.chain.state import ChainState, UnknownHotkey, UnknownSubnet

_PALLETS = {"System": 0, "SubtensorModule": 7, "Commitments": 18}
"""Pallet indices of subtensor's runtime (``construct_runtime!``) for the pallets whose
errors simnet reports."""
_ERROR_NAMES = ("ChainFault", *ERRORS)
_LAST_KEY = "0x" + "ff" * 32
"""The storage key a map's one page of records ends at."""
_DISPATCH_INFO = {"weight": {"ref_time": 0, "proof_size": 0}, "class": "Normal", "pays_fee": "Yes"}


@dataclass(frozen=True)
class ComposedCall:
    """What ``compose_call`` returns: a call of ``call_module.call_function``."""

    call_module: str
    call_function: str
    call_args: dict[str, Any]

    @property
    def value(self) -> dict[str, Any]:
        """The call as a decoded ``GenericCall`` reads."""
        return {
            "call_module": self.call_module,
            "call_function": self.call_function,
            "call_args": [{"name": k, "value": v} for k, v in self.call_args.items()],
        }


@dataclass(frozen=True)
class SignedExtrinsic:
    """What ``create_signed_extrinsic`` returns: ``call`` signed by ``address``."""

    call: ComposedCall
    address: str
    nonce: int
    era: Any = None
    extrinsic_hash: str = field(default="")

    @property
    def value(self) -> dict[str, Any]:
        return {
            "extrinsic_hash": self.extrinsic_hash,
            "address": self.address,
            "nonce": self.nonce,
            "era": self.era,
            "call": self.call.value,
        }


@dataclass(frozen=True)
class ModuleError:
    """An entry of the runtime's error metadata, as receipts resolve it."""

    name: str
    docs: list[str]


class RuntimeMetadata:
    """The part of the runtime metadata receipts read: the chain's error names."""

    def get_module_error(self, module_index: int, error_index: int) -> ModuleError:
        name = _ERROR_NAMES[error_index]
        return ModuleError(name, [ERRORS.get(name, "simnet chain fault")])


@dataclass
class _Block:
    extrinsics: list[SignedExtrinsic] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Included:
    """What the chain included, as every double over one chain state in this process
    sees it: the extrinsics and events of each block, and each account's next nonce."""

    blocks: dict[int, _Block] = field(default_factory=dict)
    nonces: dict[str, int] = field(default_factory=dict)


_INCLUDED: weakref.WeakKeyDictionary[ChainState, _Included] = weakref.WeakKeyDictionary()


class SubstrateDouble:
    """The sync ``SubstrateInterface`` of a :class:`~simnet.neurons.subtensor.FakeSubtensor`."""

    receipt: Callable[..., Any] = ExtrinsicReceipt
    map_result: Callable[..., Any] = QueryMapResult

    def __init__(self, chain: ChainState) -> None:
        self.chain = chain
        self.metadata = RuntimeMetadata()
        self._context = calls.Context(chain)
        included = _INCLUDED.setdefault(chain, _Included())
        self._blocks, self._nonces = included.blocks, included.nonces

    def __repr__(self) -> str:
        return f"{type(self).__name__}(block={self.chain.block})"

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_") and hasattr(SubstrateInterface, name):
            raise NotSimulated(
                f"simnet does not simulate Subtensor.substrate.{name}; it simulates "
                f"{', '.join(SIMULATED_CALLS)}"
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # -- blocks --------------------------------------------------------------------------
    def get_block_hash(self, block_id: int | None = None) -> str:
        number = self.chain.block if block_id is None else int(block_id)
        if not 0 <= number <= self.chain.block:
            raise ValueError(f"block {number} is beyond the chain's head ({self.chain.block})")
        return _hash(number)

    def get_chain_head(self) -> str:
        return _hash(self.chain.block)

    def get_chain_finalised_head(self) -> str:
        return _hash(self.chain.block)

    def get_block_number(self, block_hash: str | None = None) -> int:
        return self._number(block_hash)

    def _number(self, digest: str | None) -> int:
        return self.chain.block if digest is None else block_number(digest, self.chain.block)

    def get_block(
        self,
        block_hash: str | None = None,
        block_number: int | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The block's header and the extrinsics submitted through this double in it."""
        number = self._number(block_hash) if block_number is None else int(block_number)
        if not 0 <= number <= self.chain.block:
            raise ValueError(f"block {number} is beyond the chain's head ({self.chain.block})")
        parent = _hash(number - 1) if number else "0x" + "00" * 32
        recorded = self._blocks.get(number, _Block())
        return {
            "header": {"number": number, "hash": _hash(number), "parentHash": parent},
            "extrinsics": [e.value for e in recorded.extrinsics],
        }

    def get_events(self, block_hash: str | None = None) -> list[dict[str, Any]]:
        """The events of the extrinsics this double applied in the block."""
        return list(self._blocks.get(self._number(block_hash), _Block()).events)

    def init_runtime(self, block_hash: str | None = None, block_id: int | None = None) -> Any:
        return self

    # -- storage -------------------------------------------------------------------------
    def query(
        self,
        module: str,
        storage_function: str,
        params: list[Any] | None = None,
        block_hash: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """The storage item's value, as the installed release's interface returns it."""
        found = storage.item(module, storage_function)
        value = storage.read(self.chain, module, storage_function, params, self._number(block_hash))
        return storage_result(
            found.value_type, value, item=f"{module}.{storage_function}", unsupported=NotSimulated
        )

    def query_map(
        self,
        module: str,
        storage_function: str,
        params: list[Any] | None = None,
        block_hash: str | None = None,
        max_results: int | None = None,
        start_key: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """The map's entries under ``params``, as the release's ``QueryMapResult``: all of
        them on the first page (the page after it, asked from :data:`_LAST_KEY`, is empty)."""
        found = storage.item(module, storage_function)
        pairs = storage.entries(
            self.chain, module, storage_function, params, self._number(block_hash)
        )
        if start_key == _LAST_KEY:
            pairs = []
        key_type = found.key_types[len(params or [])]
        records = [storage_entry(key_type, k, found.value_type, v) for k, v in pairs]
        records = records[:max_results] if max_results is not None else records
        return self.map_result(
            records=records,
            page_size=len(records) + 1,
            substrate=self,
            last_key=_LAST_KEY,
            module=module,
            storage_function=storage_function,
            params=params,
            block_hash=block_hash,
            max_results=max_results,
        )

    # -- extrinsics ----------------------------------------------------------------------
    def compose_call(
        self,
        call_module: str,
        call_function: str,
        call_params: dict[str, Any] | None = None,
        block_hash: str | None = None,
    ) -> ComposedCall:
        calls.lookup(call_module, call_function)  # a call simnet does not run: named now
        return ComposedCall(call_module, call_function, dict(call_params or {}))

    def get_account_next_index(self, account_address: str) -> int:
        """The nonce the account's next extrinsic takes: how many it has had included (a
        node answers the same until one more is)."""
        return self._nonces.get(account_address, 0)

    get_account_nonce = get_account_next_index

    def create_signed_extrinsic(
        self,
        call: ComposedCall,
        keypair: Any,
        era: Any = None,
        nonce: int | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> SignedExtrinsic:
        address = keypair.ss58_address
        nonce = self._nonces.get(address, 0) if nonce is None else int(nonce)
        digest = hashlib.sha256(repr((call, address, nonce)).encode()).hexdigest()
        return SignedExtrinsic(call, address, nonce, era, "0x" + digest)

    def get_payment_info(self, call: Any, keypair: Any) -> dict[str, Any]:
        """simnet's chain charges no fees."""
        return {"class": "Normal", "partial_fee": 0, "weight": _DISPATCH_INFO["weight"]}

    def submit_extrinsic(
        self,
        extrinsic: SignedExtrinsic,
        wait_for_inclusion: bool = False,
        wait_for_finalization: bool = False,
    ) -> Any:
        """Apply ``extrinsic`` in the current block; the release's receipt for it."""
        if not isinstance(extrinsic, SignedExtrinsic):
            raise TypeError(
                f"submit_extrinsic takes what create_signed_extrinsic returned, not "
                f"{type(extrinsic).__name__}"
            )
        number = self.chain.block
        recorded = self._blocks.setdefault(number, _Block())
        index = len(recorded.extrinsics)
        recorded.extrinsics.append(extrinsic)
        address = extrinsic.address
        self._nonces[address] = max(self._nonces.get(address, 0), extrinsic.nonce + 1)
        error = self._apply(extrinsic)
        recorded.events.extend(_events(index, error))
        return self.receipt(
            substrate=self,
            extrinsic_hash=extrinsic.extrinsic_hash,
            block_hash=_hash(number),
            block_number=number,
            extrinsic_idx=index,
            finalized=wait_for_finalization,
        )

    def _apply(self, extrinsic: SignedExtrinsic) -> str | None:
        """Run the call on the chain; the chain's error name if it failed."""
        call = extrinsic.call
        method, apply = calls.lookup(call.call_module, call.call_function)
        fault = self.chain.faults.take(method)
        if fault is not None:
            self.chain.faults.record(method, "failed by a chain fault")
            if fault.error is not None:
                raise fault.error
            return "ChainFault"
        try:
            apply(self._context, extrinsic.address, **call.call_args)
        except CommitmentTooLarge:
            raise  # the SDK cannot encode such a call; the node never sees it
        except ChainRuleError as exc:
            return exc.error
        except UnknownSubnet:
            return "SubNetworkDoesNotExist"
        except UnknownHotkey:
            return "HotKeyNotRegisteredInSubNet"
        return None

    def close(self) -> None:
        """Nothing to close."""


def _events(index: int, error: str | None) -> list[dict[str, Any]]:
    """The events a node records for extrinsic ``index``: its fee, then its outcome."""

    def event(module: str, name: str, attributes: dict[str, Any]) -> dict[str, Any]:
        body = {"module_id": module, "event_id": name, "attributes": attributes}
        return {"phase": {"ApplyExtrinsic": index}, "extrinsic_idx": index, "event": body}

    fee = event("TransactionPayment", "TransactionFeePaid", {"actual_fee": 0, "tip": 0})
    if error is None:
        return [fee, event("System", "ExtrinsicSuccess", {"dispatch_info": _DISPATCH_INFO})]
    pallet = _PALLETS["Commitments" if error in _COMMITMENT_ERRORS else "SubtensorModule"]
    dispatch_error = {
        "Module": {"index": pallet, "error": f"0x{_ERROR_NAMES.index(error):02x}000000"}
    }
    failed = {"dispatch_info": _DISPATCH_INFO, "dispatch_error": dispatch_error}
    return [fee, event("System", "ExtrinsicFailed", failed)]


_COMMITMENT_ERRORS = frozenset(
    {"AccountNotAllowedCommit", "TooManyFieldsInCommitmentInfo", "SpaceLimitExceeded"}
)


class AsyncSubstrateDouble(SubstrateDouble):
    """The ``AsyncSubstrateInterface`` of an ``AsyncFakeSubtensor``: the same answers,
    awaited, with the release's ``AsyncExtrinsicReceipt``."""

    receipt = AsyncExtrinsicReceipt
    map_result = AsyncQueryMapResult


def _awaited(name: str) -> Callable[..., Any]:
    sync = getattr(SubstrateDouble, name)

    async def method(self: AsyncSubstrateDouble, *args: Any, **kwargs: Any) -> Any:
        return sync(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = sync.__doc__
    return method


SIMULATED_CALLS = (
    "query",
    "query_map",
    "get_block",
    "get_block_hash",
    "get_block_number",
    "get_chain_head",
    "get_chain_finalised_head",
    "get_events",
    "compose_call",
    "create_signed_extrinsic",
    "submit_extrinsic",
    "get_account_next_index",
    "get_account_nonce",
    "get_payment_info",
    "init_runtime",
    "close",
)
"""What the substrate doubles answer (``metadata`` too: the chain's error names)."""

for _name in SIMULATED_CALLS:
    setattr(AsyncSubstrateDouble, _name, _awaited(_name))
