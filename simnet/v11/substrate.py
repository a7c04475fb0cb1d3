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
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from simnet.chain import balances, calls, storage
from simnet.chain.blocks import block_hash, last_epoch_block
from simnet.chain.commitments import CommitmentTooLarge
from simnet.chain.faults import CHAIN_FAILURE, SIMULATED, NotSimulated
from simnet.chain.hyperparams import Hyperparameters
from simnet.chain.reveal import public_key
from simnet.chain.rules import ChainRuleError
from simnet.chain.state import BLOCK_SECONDS, ChainState, UnknownHotkey, UnknownSubnet
from simnet.v11 import timelock
from simnet.v11.sdk import Balance, Call, ChainError, ExtrinsicResult

SPEC_VERSION = 400
"""The runtime version the double reports (a subtensor runtime of late 2026)."""
_POLL_SECONDS = 0.01


@dataclass(frozen=True)
class _Context(calls.Context):
    """Where a call runs on this double: the shared context, and the double itself (its
    record of timelocked weight commits)."""

    substrate: ChainSubstrate | None = None


def _plaintext(encrypted: bytes) -> bytes | None:
    sealed = timelock.lookup(encrypted)
    return None if sealed is None else sealed.plaintext


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
        self._context = _Context(
            chain, address_for=self.address_for, plaintext=_plaintext, substrate=self
        )

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
        return storage.read(self.chain, module, storage_function, params, self._at(block_hash))

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
        if (module, storage_function) == ("SubtensorModule", "TokenSymbol"):
            return []  # simnet's subnets use the default symbol
        return storage.entries(self.chain, module, storage_function, params, self._at(block_hash))

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
        method, apply = calls.lookup(call.module, call.function, _CALLS)
        failed = self._fault(method)
        if failed is not None:
            return failed
        try:
            apply(self._context, signer, **call.params)
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

    def _hyperparameters(self, netuid: int) -> Hyperparameters:
        return self.chain.hyperparameters(int(netuid))

    def metagraph_record(self, netuid: int, block: int) -> dict[str, Any] | None:
        """The decoded ``get_metagraph`` answer for ``netuid`` at ``block`` (None: no subnet)."""
        if netuid not in self.chain.netuids():
            return None
        neurons = self._neurons(netuid)
        params = self._hyperparameters(netuid)
        stakes = [balances.rao(n.stake) for n in neurons]
        last_step = last_epoch_block(block, netuid, params.tempo)
        owner = storage.subnet_owner(self.chain, netuid, neurons)
        return {
            "netuid": netuid,
            "name": f"simnet-{netuid}",
            "symbol": "",
            "block": block,
            "tempo": params.tempo,
            "last_step": last_step,
            "blocks_since_last_step": block - last_step,
            "owner_hotkey": owner.hotkey or "",
            "owner_coldkey": owner.coldkey or "",
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
def _timelocked_commit(
    ctx: _Context,
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
    assert ctx.substrate is not None
    sealed = timelock.lookup(bytes(commit))
    payload = None
    # the chain reveals a payload only if the hotkey it names is the committer's
    if sealed is not None and sealed.weights is not None and sealed.hotkey == public_key(hotkey):
        payload = sealed.weights
    block = ctx.chain.block
    ctx.chain.commit_timelocked_weights(
        int(netuid),
        hotkey,
        reveal_round=int(reveal_round),
        commit=bytes(commit),
        payload=payload,
        version=int(commit_reveal_version),
    )
    uid = ctx.chain.neuron(int(netuid), hotkey).uid
    ctx.substrate.commits.append(WeightCommit(int(netuid), uid, hotkey, block, int(reveal_round)))


_CALLS: dict[tuple[str, str], tuple[str, Callable[..., None]]] = {
    **calls.CALLS,
    ("SubtensorModule", "commit_timelocked_mechanism_weights"): (
        "set_weights",
        _timelocked_commit,
    ),
    ("SubtensorModule", "commit_timelocked_weights"): ("set_weights", _timelocked_commit),
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
