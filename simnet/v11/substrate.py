"""The chain behind bittensor 11's own seam: a ``Substrate`` over simnet's chain state.

The SDK's ``Client``, ``Subtensor``, ``Metagraph`` and intents are written against the
``bittensor._substrate.Substrate`` protocol; :class:`ChainSubstrate` implements it over a
:class:`~simnet.chain.state.ChainState`, the same state (blocks, registrations,
hyperparameters, weights, chain faults) the neuron stack's doubles use. Reads answer the
storage items and runtime calls the SDK's metagraph, weights and serving paths read;
writes apply the chain's rules (:mod:`simnet.chain.rules`) and report a failure as the
chain does, in the ``ExtrinsicResult``. Anything else raises :class:`NotSimulated`,
naming the item: simnet never answers a read it does not model.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import itertools
import math
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from simnet.chain import reveal
from simnet.chain.blocks import block_hash, last_epoch_block
from simnet.chain.commitments import HASHES, CommitmentTooLarge, Field
from simnet.chain.faults import CHAIN_FAILURE, SIMULATED, NotSimulated
from simnet.chain.hyperparams import STORAGE_NAMES, Hyperparameters
from simnet.chain.reveal import public_key
from simnet.chain.rules import ChainRuleError
from simnet.chain.state import BLOCK_SECONDS, ChainState, UnknownHotkey, UnknownSubnet
from simnet.v11 import timelock
from simnet.v11.sdk import Balance, Call, ChainError, ExtrinsicResult

RAO_PER_TAO = 1_000_000_000
SPEC_VERSION = 400
"""The runtime version the double reports (a subtensor runtime of late 2026)."""
_POLL_SECONDS = 0.01


@dataclass(frozen=True)
class WeightCommit:
    """A timelocked weight commit the chain accepted. The real chain reveals it with
    drand's signature of round ``reveal_round`` when its reveal epoch starts; simnet's
    chain reveals then the weights the SDK encrypted in this process
    (:mod:`simnet.v11.timelock`), and never one whose plaintext it did not see."""

    netuid: int
    uid: int
    hotkey: str
    block: int
    reveal_round: int


class ChainSubstrate:
    """bittensor 11's ``Substrate``, answered from ``chain``.

    ``bittensor.Client(substrate=ChainSubstrate(chain))`` (or ``Subtensor``/``SyncClient``)
    is the SDK's real client, offline; simnet's :class:`~simnet.v11.Network` builds them.
    """

    def __init__(
        self,
        chain: ChainState,
        *,
        address_for: Callable[[str, str, int], tuple[str, int]] | None = None,
    ) -> None:
        self.chain = chain
        self.address_for = address_for or (lambda hotkey, ip, port: (ip, port))
        """Maps an advertised axon address to the one the chain records (see
        :meth:`simnet.v11.Network.serve`)."""
        self.token_symbols: dict[int, str] = {}
        self._hashes: dict[str, int] = {}
        self._extrinsics = itertools.count()
        # signer -> the inner call (and its hash) its next shielded carrier applies
        self._shielded: dict[str, tuple[Call, str]] = {}
        self._included: dict[str, tuple[int, ExtrinsicResult]] = {}  # inner hash -> result
        self.commits: list[WeightCommit] = []
        """Timelocked weight commits accepted so far (commit-reveal subnets), in order."""
        timelock.install()
        self._storage: dict[tuple[str, str], Callable[..., Any]] = {
            ("SubtensorModule", "Uids"): self._uid,
            **{
                ("SubtensorModule", item): self._param(name) for item, name in STORAGE_NAMES.items()
            },
            ("SubtensorModule", "LastUpdate"): self._column(lambda n: n.last_update),
            ("SubtensorModule", "ValidatorPermit"): self._column(lambda n: n.validator_permit),
            ("SubtensorModule", "SubnetEpochConsensus"): lambda netuid, block: "Yuma",
            ("SubtensorModule", "LastEpochBlock"): self._last_epoch,
            ("SubtensorModule", "SubnetworkN"): lambda netuid, block: len(self._neurons(netuid)),
            ("SubtensorModule", "NetworksAdded"): lambda netuid, block: (
                netuid in self.chain.netuids()
            ),
            ("SubtensorModule", "RevealPeriodEpochs"): lambda netuid, block: (
                self.chain.reveal_period(int(netuid))
            ),
            ("SubtensorModule", "PendingEpochAt"): lambda netuid, block: 0,
            ("SubtensorModule", "SubnetEpochIndex"): self._epoch_index,
            ("SubtensorModule", "BlocksSinceLastStep"): lambda netuid, block: (
                block - self._last_epoch(netuid, block)
            ),
            ("Commitments", "CommitmentOf"): self._commitment,
            ("Commitments", "RevealedCommitments"): self._revealed,
            ("Commitments", "MaxSpace"): lambda block: self.chain.commitment_max_space(),
            # simnet models no balances: registration costs nothing, locks nothing
            ("SubtensorModule", "Burn"): lambda netuid, block: 0,
            ("SubtensorModule", "CollateralLockShare"): lambda netuid, block: 0,
        }

    # -- lifecycle and display -----------------------------------------------------------
    def balance(self, rao: int, netuid: int = 0) -> Balance:
        return Balance.from_rao(rao, netuid) if netuid else Balance.from_rao(rao)

    async def connect(self) -> None:
        return None

    async def close(self) -> None:
        return None

    # -- blocks --------------------------------------------------------------------------
    async def block_number(self) -> int:
        return self.chain.block

    async def finalized_block_number(self) -> int:
        return self.chain.block

    async def block_hash(self, block: int | None = None) -> str:
        number = self.chain.block if block is None else int(block)
        if number > self.chain.block:
            raise ChainError(f"block {number} is beyond the chain's head ({self.chain.block})")
        digest = block_hash(number)
        self._hashes[digest] = number
        return digest

    async def block_time(self) -> float:
        return self.chain.block_seconds or BLOCK_SECONDS

    async def spec_version(self) -> int:
        return SPEC_VERSION

    async def blocks(self, *, finalized: bool = False) -> AsyncIterator[dict[str, Any]]:
        """Each new block's header, as the chain's subscription gives them."""
        seen = self.chain.block
        while True:
            now = self.chain.block
            for number in range(seen + 1, now + 1):
                parent = await self.block_hash(number - 1)
                yield {"header": {"number": number, "parentHash": parent}}
            seen = now
            await asyncio.sleep(_POLL_SECONDS)

    def _at(self, digest: str | None) -> int:
        if digest is None:
            return self.chain.block
        if digest not in self._hashes:
            raise ChainError(f"simnet's chain has no block with hash {digest}")
        return self._hashes[digest]

    # -- reads ---------------------------------------------------------------------------
    async def query(
        self,
        module: str,
        storage_function: str,
        params: list[Any] | None = None,
        block_hash: str | None = None,
    ) -> Any:
        read = self._storage.get((module, storage_function))
        if read is None:
            raise NotSimulated(
                f"simnet's chain does not simulate storage {module}.{storage_function}; "
                f"it answers {', '.join(sorted(f'{m}.{f}' for m, f in self._storage))}"
            )
        return read(*(params or []), self._at(block_hash))

    async def query_batch(
        self,
        module: str,
        storage_function: str,
        param_sets: list[list[Any]],
        block_hash: str | None = None,
    ) -> list[Any]:
        return [await self.query(module, storage_function, p, block_hash) for p in param_sets]

    async def map_has_entries(
        self, module: str, storage_function: str, params: list[Any], block_hash: str | None = None
    ) -> bool:
        return bool(await self.query_map(module, storage_function, params, block_hash))

    async def query_map(
        self,
        module: str,
        storage_function: str,
        params: list[Any] | None = None,
        block_hash: str | None = None,
    ) -> list[tuple[Any, Any]]:
        key = (module, storage_function)
        if key == ("SubtensorModule", "TokenSymbol"):
            return []  # simnet's subnets use the default symbol
        if key == ("Commitments", "CommitmentOf"):
            (netuid,) = params or [0]
            return [(h, c.sdk_value()) for h, c in self.chain.commitments(int(netuid)).items()]
        if key == ("Commitments", "RevealedCommitments"):
            (netuid,) = params or [0]
            revealed = self.chain.revealed_commitments(int(netuid))
            return [(h, _revealed_records(r)) for h, r in revealed.items()]
        if key == ("SubtensorModule", "Uids"):
            return [(n.hotkey, n.uid) for n in self._neurons(*(params or []))]
        raise NotSimulated(f"simnet's chain does not simulate the map {module}.{storage_function}")

    async def runtime_call(
        self, api: str, method: str, params: list[Any], block_hash: str | None = None
    ) -> Any:
        if (api, method) != ("SubnetInfoRuntimeApi", "get_metagraph"):
            raise NotSimulated(f"simnet's chain does not simulate the runtime call {api}.{method}")
        self._fault("metagraph")
        (netuid,) = params
        return self.metagraph_record(int(netuid), self._at(block_hash))

    async def constant(self, module: str, name: str) -> Any:
        raise NotSimulated(f"simnet's chain does not simulate the constant {module}.{name}")

    # -- calls ---------------------------------------------------------------------------
    async def compose(self, call: Call) -> Call:
        return call

    async def estimate_fee(self, call: Call, keypair: Any) -> Balance:
        return Balance.from_rao(0)  # simnet's chain charges no fees

    async def account_next_index(self, address: str) -> int:
        return 0

    async def mev_next_key(self) -> bytes | None:
        """A valid ML-KEM-768 encapsulation key, as the MevShield pallet's ``NextKey``."""
        return _MEV_KEY

    async def sign_extrinsic(
        self, call: Any, keypair: Any, *, nonce: int, period: int
    ) -> tuple[bytes, str]:
        """The inner extrinsic of a shielded submission. Its encrypted carrier, submitted
        next by the same signer, applies it (simnet holds no decryption key: it keeps the
        call it signed, as the chain recovers it)."""
        raw = repr((call.module, call.function, sorted(call.params.items()), nonce)).encode()
        digest = "0x" + hashlib.sha256(raw).hexdigest()
        self._shielded[keypair.ss58_address] = (call, digest)
        return raw, digest

    async def submit(
        self,
        call: Call,
        keypair: Any,
        *,
        nonce: int | None = None,
        period: int | None = None,
        wait_for_inclusion: bool = True,
        wait_for_finalization: bool = True,
    ) -> ExtrinsicResult:
        if (call.module, call.function) != ("MevShield", "submit_encrypted"):
            return await self._apply(call, keypair.ss58_address)
        pending = self._shielded.pop(keypair.ss58_address, None)
        if pending is None:
            return self._failure("BadEncryptedCall", "no inner extrinsic was signed for it")
        inner, inner_hash = pending
        # The block author decrypts the carrier and includes the inner extrinsic, which
        # may fail on its own while the carrier succeeds.
        self._included[inner_hash] = (
            self.chain.block,
            await self._apply(inner, keypair.ss58_address),
        )
        return await self._success()

    async def _apply(self, call: Call, signer: str) -> ExtrinsicResult:
        handler = _CALLS.get((call.module, call.function))
        if handler is None:
            raise NotSimulated(
                f"simnet's chain does not simulate the call {call.module}.{call.function}; "
                f"it runs {', '.join(sorted(f'{m}.{f}' for m, f in _CALLS))}"
            )
        method, apply = handler
        failed = self._fault(method)
        if failed is not None:
            return failed
        try:
            apply(self, signer, **call.params)
        except CommitmentTooLarge:
            raise  # the SDK cannot encode such a call; the node never sees it
        except ChainRuleError as exc:
            return self._failure(exc.error, str(exc))
        except UnknownSubnet as exc:
            return self._failure("SubNetworkDoesNotExist", str(exc))
        except UnknownHotkey as exc:
            return self._failure("HotKeyNotRegisteredInSubNet", str(exc))
        return await self._success()

    async def _success(self) -> ExtrinsicResult:
        block = self.chain.block
        return ExtrinsicResult(
            success=True,
            message="Success",
            block_hash=await self.block_hash(block),
            extrinsic_id=f"{block}-{next(self._extrinsics)}",
        )

    async def find_extrinsic(self, extrinsic_hash: str, block_hash: str) -> ExtrinsicResult | None:
        """The result of a shielded inner extrinsic, in the block that included it."""
        included = self._included.get(extrinsic_hash)
        if included is None or self._at(block_hash) != included[0]:
            return None
        return included[1]

    def _failure(self, name: str, message: str) -> ExtrinsicResult:
        return ExtrinsicResult(success=False, message=message, error=ChainError(message, name=name))

    def _fault(self, method: str) -> ExtrinsicResult | None:
        fault = self.chain.faults.take(method)
        if fault is None:
            return None
        self.chain.faults.record(method, "failed by a chain fault")
        if fault.error is not None:
            raise fault.error
        if fault.result is not CHAIN_FAILURE:
            return fault.result
        if method == "metagraph":
            raise ChainError("simnet chain fault: the node did not answer get_metagraph")
        return self._failure("ChainFault", f"simnet chain fault: {method} failed")

    # -- what the double does not model: named, never answered ---------------------------
    def _refuse(self, what: str) -> NotSimulated:
        return NotSimulated(f"simnet's chain does not simulate {what}")

    async def get_block(
        self, block_number: int | None = None, block_hash: str | None = None
    ) -> dict[str, Any] | None:
        raise self._refuse("block bodies (get_block)")

    async def decode_scale(self, type_string: str, data: Any) -> Any:
        raise self._refuse("SCALE decoding (decode_scale)")

    async def events(self, block_hash: str | None = None) -> list[dict[str, Any]]:
        raise self._refuse("System.Events (events)")

    async def estimate_weight(self, call: Any, keypair: Any) -> dict[str, Any]:
        raise self._refuse("dispatch weights (estimate_weight)")

    async def prepare(
        self,
        call: Any,
        *,
        address: str,
        crypto_type: int = 1,
        nonce: int | None = None,
        period: int | None = 128,
        tip: int = 0,
        metadata_hash: bytes | None = None,
    ) -> Any:
        raise self._refuse("out-of-process signing (prepare)")

    async def submit_signature(
        self,
        unsigned: Any,
        signature: bytes | str,
        *,
        wait_for_inclusion: bool = True,
        wait_for_finalization: bool = True,
    ) -> ExtrinsicResult:
        raise self._refuse("out-of-process signing (submit_signature)")

    async def submit_signed(
        self,
        extrinsic: Any,
        keypair: Any,
        *,
        wait_for_inclusion: bool = True,
        wait_for_finalization: bool = True,
    ) -> ExtrinsicResult:
        raise self._refuse("pre-signed extrinsics (submit_signed)")

    def multisig_account(self, signatories: list[str], threshold: int) -> Any:
        raise self._refuse("multisig accounts")

    async def submit_multisig(
        self,
        call: Any,
        keypair: Any,
        multisig_account: Any,
        *,
        wait_for_inclusion: bool = True,
        wait_for_finalization: bool = True,
    ) -> ExtrinsicResult:
        raise self._refuse("multisig calls")

    # -- the chain's records -------------------------------------------------------------
    def _neurons(self, netuid: int) -> list[Any]:
        return self.chain.neurons(int(netuid))

    def _uid(self, netuid: int, hotkey: str, block: int) -> int | None:
        if int(netuid) not in self.chain.netuids():
            return None
        return next((n.uid for n in self._neurons(netuid) if n.hotkey == str(hotkey)), None)

    def _param(self, name: str) -> Callable[[int, int], Any]:
        def read(netuid: int, block: int) -> Any:
            if int(netuid) not in self.chain.netuids():
                return None
            return getattr(self.chain.hyperparameters(int(netuid)), name)

        return read

    def _column(self, value: Callable[[Any], Any]) -> Callable[[int, int], list[Any]]:
        def read(storage_index: int, block: int) -> list[Any]:
            netuid = int(storage_index) % 4096  # mechanism 0's storage index is the netuid
            if netuid not in self.chain.netuids():
                return []
            return [value(n) for n in self._neurons(netuid)]

        return read

    def _last_epoch(self, netuid: int, block: int) -> int:
        tempo = self._hyperparameters(netuid).tempo
        return last_epoch_block(block, int(netuid), tempo)

    def _epoch_index(self, netuid: int, block: int) -> int:
        if int(netuid) not in self.chain.netuids():
            return 0
        return self.chain.epoch_index(int(netuid))

    def _commitment(self, netuid: int, hotkey: str, block: int) -> dict[str, Any] | None:
        if int(netuid) not in self.chain.netuids():
            return None
        commitment = self.chain.commitment(int(netuid), str(hotkey))
        return None if commitment is None else commitment.sdk_value()

    def _revealed(self, netuid: int, hotkey: str, block: int) -> list[tuple[str, int]] | None:
        if int(netuid) not in self.chain.netuids():
            return None
        revealed = self.chain.revealed_commitments(int(netuid)).get(str(hotkey))
        return None if revealed is None else _revealed_records(revealed)

    def _hyperparameters(self, netuid: int) -> Hyperparameters:
        return self.chain.hyperparameters(int(netuid))

    def metagraph_record(self, netuid: int, block: int) -> dict[str, Any] | None:
        """The decoded ``get_metagraph`` answer for ``netuid`` at ``block`` (None: no subnet)."""
        if netuid not in self.chain.netuids():
            return None
        neurons = self._neurons(netuid)
        params = self._hyperparameters(netuid)
        stakes = [round(n.stake * RAO_PER_TAO) for n in neurons]
        last_step = last_epoch_block(block, netuid, params.tempo)
        owner = neurons[0] if neurons else None
        return {
            "netuid": netuid,
            "name": f"simnet-{netuid}",
            "symbol": "",
            "block": block,
            "tempo": params.tempo,
            "last_step": last_step,
            "blocks_since_last_step": block - last_step,
            "owner_hotkey": owner.hotkey if owner else "",
            "owner_coldkey": owner.coldkey if owner else "",
            "network_registered_at": 0,
            "num_uids": len(neurons),
            "max_uids": params.max_allowed_uids,
            "hotkeys": [n.hotkey for n in neurons],
            "coldkeys": [n.coldkey for n in neurons],
            "active": [True] * len(neurons),
            "validator_permit": [n.validator_permit for n in neurons],
            "last_update": [n.last_update for n in neurons],
            "block_at_registration": [n.registered_at for n in neurons],
            "axons": [_axon_record(n) for n in neurons],
            "alpha_stake": stakes,
            "tao_stake": [0] * len(neurons),
            "total_stake": stakes,
        }


def _axon_record(neuron: Any) -> dict[str, int]:
    if not neuron.serving:
        return {"ip": 0, "port": 0, "ip_type": 4, "protocol": 4, "version": 0}
    address = ipaddress.ip_address(neuron.axon_ip)
    return {
        "ip": int(address),
        "port": int(neuron.axon_port),
        "ip_type": address.version,
        "protocol": 4,
        "version": 1,
    }


# -- the calls the double runs: (module, function) -> (chain fault name, apply) ----------
def _serve_axon(
    sub: ChainSubstrate, hotkey: str, *, netuid: int, ip: int, port: int, ip_type: int, **_: Any
) -> None:
    sub.chain.serve(
        int(netuid), hotkey, int(ip), int(ip_type), int(port), address_for=sub.address_for
    )


def _set_weights(
    sub: ChainSubstrate,
    hotkey: str,
    *,
    netuid: int,
    dests: list[int],
    weights: list[int],
    version_key: int,
    mecid: int = 0,
) -> None:
    if mecid != 0:
        raise ChainRuleError("SubNetworkDoesNotExist", f"mechanism {mecid} (simnet has one)")
    sub.chain.set_weights(int(netuid), hotkey, dests, weights, version_key=int(version_key))


def _burned_register(sub: ChainSubstrate, coldkey: str, *, netuid: int, hotkey: str) -> None:
    sub.chain.burned_register(int(netuid), str(hotkey), coldkey)


def _timelocked_commit(
    sub: ChainSubstrate,
    hotkey: str,
    *,
    netuid: int,
    commit: bytes,
    reveal_round: int,
    commit_reveal_version: int = 4,
    mecid: int = 0,
    **_: Any,
) -> None:
    if mecid != 0:
        raise ChainRuleError("SubNetworkDoesNotExist", f"mechanism {mecid} (simnet has one)")
    sealed = timelock.lookup(bytes(commit))
    payload = None
    # the chain reveals a payload only if the hotkey it names is the committer's
    if sealed is not None and sealed.weights is not None and sealed.hotkey == public_key(hotkey):
        payload = sealed.weights
    block = sub.chain.block
    sub.chain.commit_timelocked_weights(
        int(netuid),
        hotkey,
        reveal_round=int(reveal_round),
        commit=bytes(commit),
        payload=payload,
        version=int(commit_reveal_version),
    )
    uid = sub.chain.neuron(int(netuid), hotkey).uid
    sub.commits.append(WeightCommit(int(netuid), uid, hotkey, block, int(reveal_round)))


def _commit_weights(
    sub: ChainSubstrate, hotkey: str, *, netuid: int, commit_hash: Any, mecid: int = 0
) -> None:
    if mecid != 0:
        raise ChainRuleError("SubNetworkDoesNotExist", f"mechanism {mecid} (simnet has one)")
    digest = commit_hash if isinstance(commit_hash, str) else "0x" + bytes(commit_hash).hex()
    sub.chain.commit_weights(int(netuid), hotkey, digest)


def _reveal_weights(
    sub: ChainSubstrate,
    hotkey: str,
    *,
    netuid: int,
    uids: list[int],
    values: list[int],
    salt: list[int],
    version_key: int,
    mecid: int = 0,
) -> None:
    if mecid != 0:
        raise ChainRuleError("SubNetworkDoesNotExist", f"mechanism {mecid} (simnet has one)")
    sub.chain.reveal_weights(
        int(netuid), hotkey, list(uids), list(values), list(salt), version_key=int(version_key)
    )


def _set_commitment(sub: ChainSubstrate, hotkey: str, *, netuid: int, info: Any) -> None:
    fields = info.get("fields", []) if isinstance(info, dict) else info
    if len(fields) == 1 and isinstance(fields[0], (list, tuple)):
        fields = fields[0]  # the SDK's {"fields": [[...]]} (a BoundedVec's inner Vec)
    sub.chain.set_commitment(int(netuid), hotkey, [_field(sub, f) for f in fields])


def _bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(value[2:]) if value.startswith("0x") else value.encode()
    return bytes(value)


def _field(sub: ChainSubstrate, entry: Any) -> Field:
    """One ``Data`` value as the SDK composes it: ``"None"``, ``{"Raw5": b"hello"}``,
    ``{"TimelockEncrypted": {"encrypted": ..., "reveal_round": ...}}``..."""
    if isinstance(entry, str):
        return Field(entry)
    ((variant, value),) = dict(entry).items()
    if variant.startswith("Raw") and variant[3:].isdigit():
        data = _bytes(value)
        if int(variant[3:]) > 128:
            raise CommitmentTooLarge(
                f"{variant}: the chain's Data::Raw holds at most 128 bytes; the call cannot "
                "be encoded (no chain error; the node refuses it undecoded)"
            )
        if len(data) != int(variant[3:]):
            raise ValueError(f"{variant} needs {variant[3:]} bytes, got {len(data)}")
        return Field("Raw", data)
    if variant == "TimelockEncrypted":
        encrypted, reveal_round = _bytes(value["encrypted"]), int(value["reveal_round"])
        sealed = timelock.lookup(encrypted)
        if sealed is None:
            return Field(variant, encrypted, reveal_round)
        seconds = reveal.round_time(reveal_round) - time.time()
        per_block = sub.chain.block_seconds or BLOCK_SECONDS
        due = sub.chain.block + max(0, math.ceil(seconds / per_block))
        return Field(variant, encrypted, reveal_round, sealed.plaintext, due)
    if variant == "BigRaw" or variant in HASHES:
        return Field(variant, _bytes(value))
    return Field(variant)  # an unknown variant raises, naming the chain's


def _revealed_records(revealed: list[tuple[int, bytes]]) -> list[tuple[str, int]]:
    """``RevealedCommitments`` as the SDK decodes it: ``(0x-hex data, reveal block)``."""
    return [("0x" + data.hex(), block) for block, data in revealed]


_CALLS: dict[tuple[str, str], tuple[str, Callable[..., None]]] = {
    ("SubtensorModule", "serve_axon"): ("serve_axon", _serve_axon),
    ("SubtensorModule", "set_weights"): ("set_weights", _set_weights),
    ("SubtensorModule", "set_mechanism_weights"): ("set_weights", _set_weights),
    ("SubtensorModule", "burned_register"): ("burned_register", _burned_register),
    ("SubtensorModule", "commit_timelocked_mechanism_weights"): (
        "set_weights",
        _timelocked_commit,
    ),
    ("SubtensorModule", "commit_timelocked_weights"): ("set_weights", _timelocked_commit),
    ("SubtensorModule", "commit_weights"): ("commit_weights", _commit_weights),
    ("SubtensorModule", "commit_mechanism_weights"): ("commit_weights", _commit_weights),
    ("SubtensorModule", "reveal_weights"): ("reveal_weights", _reveal_weights),
    ("SubtensorModule", "reveal_mechanism_weights"): ("reveal_weights", _reveal_weights),
    ("Commitments", "set_commitment"): ("set_commitment", _set_commitment),
}
SIMULATED.update(
    {
        "serve_axon",
        "set_weights",
        "metagraph",
        "burned_register",
        "set_commitment",
        "commit_weights",
        "reveal_weights",
    }
)


def _encapsulation_key() -> bytes:
    """A well-formed ML-KEM-768 encapsulation key (three polynomials of 256 coefficients
    below q = 3329, 12 bits each, then a 32-byte seed), derived deterministically."""
    packed = bytearray()
    stream = hashlib.shake_256(b"simnet-mev-shield").digest(3 * 256 * 2)
    values = [int.from_bytes(stream[i : i + 2], "little") % 3329 for i in range(0, len(stream), 2)]
    for a, b in zip(values[::2], values[1::2], strict=True):
        packed += bytes([a & 0xFF, (a >> 8) | ((b & 0x0F) << 4), b >> 4])
    return bytes(packed) + hashlib.sha256(b"simnet-mev-shield-rho").digest()


_MEV_KEY = _encapsulation_key()
