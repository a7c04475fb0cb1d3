"""A subtensor double over :class:`~simnet.chain.state.ChainState`; real metagraphs sync from it.

Every method it simulates answers from the chain state and goes through the state's
chain faults; any other ``Subtensor`` method raises :class:`NotSimulated`, naming it.
"""

from __future__ import annotations

import functools
import inspect
import ipaddress
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from simnet._compat import (
    Balance,
    ChainConnectionError,
    Metagraph,
    NeuronInfo,
    NeuronInfoLite,
    RealSubtensor,
    bittensor,
    call_arguments,
    dynamic_info,
    extrinsic_result,
    metagraph_arguments,
    register_result,
    reveal_commitment_result,
    serve_result,
    subnet_state_dict,
)
from simnet.chain import balances, reveal, storage
from simnet.chain.blocks import block_hash
from simnet.chain.commitments import CommitmentTooLarge, Field, raw, scale_bytes, scale_text
from simnet.chain.faults import CHAIN_FAILURE, SIMULATED, NotSimulated
from simnet.chain.hyperparams import STORAGE_NAMES, U16_MAX
from simnet.chain.rules import ChainRuleError, message, normalized
from simnet.chain.state import ChainState, UnknownHotkey, UnknownSubnet
from simnet.neurons.chain_data import (
    alpha,
    metagraph_info,
    neuron_info,
    neuron_info_lite,
    subnet_hyperparameters,
)
from simnet.neurons.substrate import SubstrateDouble

NETWORK = "simnet"
"""The network name simnet's subtensor and metagraphs report."""

VERSION_AS_INT = bittensor.core.settings.version_as_int
"""The SDK's default ``version_key`` for weights."""
F = TypeVar("F", bound=Callable[..., Any])


def simulated(*, extrinsic: bool = False) -> Callable[[F], F]:
    """Mark a double's method as simulated: listed for chain faults, and failing when one
    is pending (extrinsics return the chain's failure result; queries raise)."""

    def mark(method: F) -> F:
        name = method.__name__
        SIMULATED.add(name)

        @functools.wraps(method)
        def checked(self: FakeSubtensor, *args: Any, **kwargs: Any) -> Any:
            failed, result = fault_result(self.chain, name, extrinsic=extrinsic)
            return result if failed else method(self, *args, **kwargs)

        return checked  # type: ignore[return-value]

    return mark


def fault_result(chain: ChainState, name: str, *, extrinsic: bool = False) -> tuple[bool, Any]:
    """``(True, result)`` when a chain fault makes this call of ``name`` fail (or it raises
    the fault's error); ``(False, None)`` when the call goes through."""
    fault = chain.faults.take(name)
    if fault is None:
        return False, None
    chain.faults.record(name, "failed by a chain fault")
    if fault.error is not None:
        raise fault.error
    if fault.result is not CHAIN_FAILURE:
        return True, fault.result
    text = f"simnet chain fault: {name} failed"
    if not extrinsic:
        raise ChainConnectionError(text)
    return True, (serve_result if name == "serve_axon" else extrinsic_result)(False, text)


class SubtensorDouble:
    """What the sync and async doubles share: the chain state, the network name the real
    ones report, and :class:`NotSimulated` for any other ``Subtensor`` attribute."""

    network = NETWORK
    chain_endpoint = NETWORK
    substrate_class: type[SubstrateDouble] = SubstrateDouble

    def __init__(self, chain: ChainState, *, config: Any = None) -> None:
        self.chain = chain
        self.config = config
        self.log_verbose = False
        self._substrate: SubstrateDouble | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(network={self.network!r}, block={self.chain.block})"

    @property
    def substrate(self) -> SubstrateDouble:
        """The raw substrate interface over the chain state (:mod:`simnet.neurons.substrate`):
        storage queries, blocks and extrinsics, as the installed release answers them."""
        if self._substrate is None:
            self._substrate = self.substrate_class(self.chain)
        return self._substrate

    def __getattr__(self, name: str) -> Any:
        raise_if_unsimulated(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


class FakeSubtensor(SubtensorDouble):
    """The part of ``bittensor.Subtensor`` that miners, validators and ``Metagraph.sync`` call.

    It answers from a :class:`ChainState`; nothing goes over a network. Chain faults
    (``chain.faults``) make its calls fail on demand. Other ``Subtensor`` methods raise
    :class:`NotSimulated`.
    """

    # -- blocks ------------------------------------------------------------------------
    @simulated()
    def get_current_block(self) -> int:
        """The chain's current block."""
        return self.chain.block

    @property
    def block(self) -> int:
        """The chain's current block."""
        return self.get_current_block()

    @simulated()
    def wait_for_block(self, block: int | None = None) -> bool:
        """Wait for ``block`` (default: the next). A chain whose blocks move only on
        ``advance`` is advanced to it, as if that much time had passed."""
        target = self.chain.block + 1 if block is None else block
        seconds = self.chain.block_seconds
        while self.chain.block < target:
            if seconds is None:
                self.chain.advance(target - self.chain.block)
            else:
                time.sleep(min(seconds, 0.05))
        return True

    @simulated()
    def get_block_hash(self, block: int | None = None) -> str:
        """The hash of ``block`` (default: the current one); a block beyond the chain's head
        has none."""
        number = self.chain.block if block is None else int(block)
        if not 0 <= number <= self.chain.block:
            raise ValueError(f"block {number} is beyond the chain's head ({self.chain.block})")
        return block_hash(number)

    # -- subnets and neurons -----------------------------------------------------------
    @simulated()
    def metagraph(self, netuid: int, *args: Any, **kwargs: Any) -> Metagraph:
        """A real ``Metagraph`` of ``netuid``, synced from the chain state (``lite=False``
        also reads the weights into ``metagraph.W``). Takes the installed release's
        arguments (``mechid`` comes before ``lite`` in 10.x)."""
        lite, block = metagraph_arguments(args, kwargs)
        self.chain.require_subnet(netuid)  # an unknown netuid: UnknownSubnet, naming it
        metagraph = Metagraph(netuid=netuid, network=NETWORK, lite=lite, sync=False)
        metagraph.sync(block=block, lite=lite, subtensor=self)  # type: ignore[arg-type]
        metagraph.network = NETWORK
        return metagraph

    @simulated()
    def neurons(self, netuid: int, block: int | None = None) -> list[NeuronInfo]:
        """Every neuron of ``netuid`` as a real ``NeuronInfo``, with its weights."""
        return [
            neuron_info(n, self.chain.weights(netuid, n.uid), self.chain.bonds(netuid, n.uid))
            for n in self.chain.neurons(netuid)
        ]

    @simulated()
    def neurons_lite(self, netuid: int, block: int | None = None) -> list[NeuronInfoLite]:
        """Every neuron of ``netuid`` as a real ``NeuronInfoLite``."""
        return [neuron_info_lite(n) for n in self.chain.neurons(netuid)]

    @simulated()
    def get_neuron_for_pubkey_and_subnet(
        self, hotkey_ss58: str, netuid: int, block: int | None = None
    ) -> NeuronInfo:
        """``hotkey_ss58``'s neuron on ``netuid`` (bittensor's null neuron if none)."""
        try:
            neuron = self.chain.neuron(netuid, hotkey_ss58)
        except LookupError:
            return NeuronInfo.get_null_neuron()
        return neuron_info(
            neuron, self.chain.weights(netuid, neuron.uid), self.chain.bonds(netuid, neuron.uid)
        )

    @simulated()
    def is_hotkey_registered(
        self, hotkey_ss58: str, netuid: int | None = None, block: int | None = None
    ) -> bool:
        """True if ``hotkey_ss58`` holds a uid on ``netuid`` (on any subnet if ``None``)."""
        netuids = [netuid] if netuid is not None else self.chain.netuids()
        return any(self.chain.is_registered(n, hotkey_ss58) for n in netuids)

    @simulated()
    def is_hotkey_registered_on_subnet(
        self, hotkey_ss58: str, netuid: int, block: int | None = None
    ) -> bool:
        """True if ``hotkey_ss58`` holds a uid on ``netuid``."""
        return self.chain.is_registered(netuid, hotkey_ss58)

    @simulated()
    def get_uid_for_hotkey_on_subnet(
        self, hotkey_ss58: str, netuid: int, block: int | None = None
    ) -> int | None:
        """The uid of ``hotkey_ss58`` on ``netuid``, or ``None``."""
        try:
            return self.chain.neuron(netuid, hotkey_ss58).uid
        except (UnknownHotkey, LookupError):
            return None

    @simulated()
    def get_hotkey_owner(self, hotkey_ss58: str, block: int | None = None) -> str | None:
        """The coldkey ``hotkey_ss58`` was registered with (the chain's ``Owner``), or
        ``None`` for a hotkey holding no uid (the chain also remembers the owners of
        replaced hotkeys; simnet does not)."""
        for netuid in self.chain.netuids():
            if self.chain.is_registered(netuid, hotkey_ss58):
                return self.chain.neuron(netuid, hotkey_ss58).coldkey
        return None

    @simulated()
    def get_stake(
        self, coldkey_ss58: str, hotkey_ss58: str, netuid: int, block: int | None = None
    ) -> Balance:
        """The alpha ``coldkey_ss58`` stakes on ``hotkey_ss58`` on ``netuid`` (simnet's
        stake is its registering coldkey's; zero for any other pair)."""
        if netuid in self.chain.netuids() and self.chain.is_registered(netuid, hotkey_ss58):
            neuron = self.chain.neuron(netuid, hotkey_ss58)
            if neuron.coldkey == coldkey_ss58:
                return alpha(neuron.stake, netuid)
        return Balance.from_rao(0).set_unit(netuid)

    @simulated()
    def get_balance(self, address: str, block: int | None = None) -> Balance:
        """The free balance of coldkey ``address`` (:mod:`simnet.chain.balances`)."""
        return Balance.from_rao(self.chain.balance(address))

    @simulated()
    def subnet(self, netuid: int, block: int | None = None) -> Any:
        """The real ``DynamicInfo`` of ``netuid`` (``None`` for a subnet that does not
        exist, as on the chain): its owner, tempo, epochs and pool (simnet's pools do
        not move: :mod:`simnet.chain.balances`)."""
        if netuid not in self.chain.netuids():
            return None
        return dynamic_info(**_dynamic_fields(self.chain, netuid, block))

    @simulated()
    def query_subtensor(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """``SubtensorModule.<name>`` at ``params``, as the release's ``substrate.query``
        returns it. Takes the installed release's arguments (9.x: ``block`` before
        ``params``)."""
        given = call_arguments("query_subtensor", (name, *args), kwargs)
        block = given.get("block")
        digest = None if block is None else self.substrate.get_block_hash(block)
        return self.substrate.query("SubtensorModule", name, given.get("params"), digest)

    @simulated(extrinsic=True)
    def sign_and_send_extrinsic(self, *args: Any, **kwargs: Any) -> Any:
        """The real ``Subtensor.sign_and_send_extrinsic``, over :attr:`substrate`: the call
        runs on the chain as :meth:`substrate`'s ``submit_extrinsic`` runs it."""
        return RealSubtensor.sign_and_send_extrinsic(self, *args, **kwargs)  # type: ignore[arg-type]

    @simulated()
    def get_extrinsic_fee(self, call: Any, keypair: Any) -> Balance:
        """What ``call`` would cost ``keypair``: nothing (simnet's chain charges no fees)."""
        return Balance.from_rao(self.substrate.get_payment_info(call, keypair)["partial_fee"])

    @simulated()
    def get_netuids_for_hotkey(self, hotkey_ss58: str, block: int | None = None) -> list[int]:
        """The subnets on which ``hotkey_ss58`` holds a uid."""
        return [n for n in self.chain.netuids() if self.chain.is_registered(n, hotkey_ss58)]

    @simulated()
    def subnet_exists(self, netuid: int, block: int | None = None) -> bool:
        """True if subnet ``netuid`` exists."""
        return netuid in self.chain.netuids()

    @simulated()
    def get_all_subnets_netuid(self, block: int | None = None) -> list[int]:
        """Every subnet's netuid."""
        return self.chain.netuids()

    @simulated()
    def get_total_subnets(self, block: int | None = None) -> int:
        """How many subnets exist."""
        return len(self.chain.netuids())

    @simulated()
    def weights(self, netuid: int, mechid: int = 0, block: int | None = None) -> list[Any]:
        """``[(uid, [(target, u16 weight), ...]), ...]`` for every neuron that set weights."""
        rows = [(n.uid, self.chain.weights(netuid, n.uid)) for n in self.chain.neurons(netuid)]
        return [(uid, pairs) for uid, pairs in rows if pairs]

    @simulated()
    def blocks_since_last_update(self, netuid: int, uid: int, block: int | None = None) -> int:
        """Blocks since ``uid`` registered or last set weights on ``netuid``."""
        neurons = self.chain.neurons(netuid)
        if not 0 <= uid < len(neurons):
            raise UnknownHotkey(f"uid {uid} does not exist on netuid {netuid}")
        return (block if block is not None else self.chain.block) - neurons[uid].last_update

    # -- hyperparameters ---------------------------------------------------------------
    @simulated()
    def get_subnet_hyperparameters(self, netuid: int, block: int | None = None) -> Any:
        """The real ``SubnetHyperparameters`` of ``netuid``."""
        return subnet_hyperparameters(
            self.chain.hyperparameters(netuid), self.chain.reveal_period(netuid)
        )

    @simulated()
    def get_hyperparameter(self, param_name: str, netuid: int, block: int | None = None) -> Any:
        """A hyperparameter by its chain storage name (``"Tempo"``, ``"MaxWeightsLimit"``...)."""
        if param_name not in STORAGE_NAMES:
            raise NotSimulated(
                f"simnet does not simulate the hyperparameter {param_name!r}; it simulates "
                f"{', '.join(STORAGE_NAMES)}"
            )
        return getattr(self.chain.hyperparameters(netuid), STORAGE_NAMES[param_name])

    @simulated()
    def tempo(self, netuid: int, block: int | None = None) -> int:
        """Blocks per epoch of ``netuid``."""
        return self.chain.hyperparameters(netuid).tempo

    @simulated()
    def min_allowed_weights(self, netuid: int, block: int | None = None) -> int:
        """The fewest weights a validator may set on ``netuid``."""
        return self.chain.hyperparameters(netuid).min_allowed_weights

    @simulated()
    def max_weight_limit(self, netuid: int, block: int | None = None) -> float:
        """The largest share one weight may have on ``netuid`` (0..1)."""
        return self.chain.hyperparameters(netuid).max_weight_limit / U16_MAX

    @simulated()
    def weights_rate_limit(self, netuid: int, block: int | None = None) -> int:
        """Blocks a neuron must wait between two ``set_weights`` on ``netuid``."""
        return self.chain.hyperparameters(netuid).weights_rate_limit

    @simulated()
    def immunity_period(self, netuid: int, block: int | None = None) -> int:
        """Blocks a new registration on ``netuid`` is immune from pruning."""
        return self.chain.hyperparameters(netuid).immunity_period

    @simulated()
    def commit_reveal_enabled(self, netuid: int, block: int | None = None) -> bool:
        """Whether ``netuid`` requires commit-reveal weights (simnet: set directly)."""
        return self.chain.hyperparameters(netuid).commit_reveal_weights_enabled

    # -- extrinsics --------------------------------------------------------------------
    @simulated(extrinsic=True)
    def set_weights(
        self,
        wallet: Any,
        netuid: int,
        uids: Sequence[int] | Any,
        weights: Sequence[float] | Any,
        *args: Any,
        version_key: int = 0,
        raise_error: bool = False,
        **_: Any,
    ) -> Any:
        """Set ``wallet``'s weights on ``netuid`` under the chain's rules (rate limit,
        lengths, uids, permit, max weight); read them back from
        ``metagraph(netuid, lite=False).W``. A rejected call returns the chain's failure
        result naming its error (or raises it, with ``raise_error=True``).

        On a commit-reveal subnet it commits them timelocked, as the SDK does (CRv3): the
        chain reveals them when the reveal epoch starts (:mod:`simnet.chain.reveal`)."""
        hotkey = wallet.hotkey.ss58_address
        try:
            if self.chain.hyperparameters(netuid).commit_reveal_weights_enabled:
                values = normalized([float(w) for w in weights])
                epoch = self.chain.commit_timelocked_weights(
                    netuid,
                    hotkey,
                    reveal_round=0,
                    payload=([int(u) for u in uids], values, int(version_key)),
                )
                return extrinsic_result(
                    True, f"weights committed by {hotkey} on netuid {netuid} in epoch {epoch}"
                )
            self.chain.set_weights(
                netuid, hotkey, list(uids), list(weights), version_key=int(version_key)
            )
        except (ChainRuleError, UnknownSubnet, UnknownHotkey) as exc:
            return self._rejected(rejection(exc, hotkey, netuid), raise_error)
        return extrinsic_result(True, f"weights set by {hotkey} on netuid {netuid}")

    @simulated(extrinsic=True)
    def commit_weights(
        self,
        wallet: Any,
        netuid: int,
        salt: Sequence[int] | Any,
        uids: Sequence[int] | Any,
        weights: Sequence[int] | Any,
        *args: Any,
        version_key: int = VERSION_AS_INT,
        raise_error: bool | None = None,
        **_: Any,
    ) -> Any:
        """Commit the hash of ``wallet``'s weights (u16 values, as the SDK hashes them) on
        a commit-reveal subnet, for :meth:`reveal_weights` in ``reveal_period`` epochs."""
        hotkey = wallet.hotkey.ss58_address
        raising = _raises("commit_weights", raise_error)
        try:
            digest = reveal.commit_hash(
                hotkey, netuid, _ints(uids), _ints(weights), _ints(salt), int(version_key)
            )
            self.chain.commit_weights(netuid, hotkey, digest)
        except (ChainRuleError, UnknownSubnet, UnknownHotkey) as exc:
            return self._rejected(rejection(exc, hotkey, netuid), raising)
        return extrinsic_result(True, f"weights committed by {hotkey} on netuid {netuid}")

    @simulated(extrinsic=True)
    def reveal_weights(
        self,
        wallet: Any,
        netuid: int,
        uids: Sequence[int] | Any,
        weights: Sequence[int] | Any,
        salt: Sequence[int] | Any,
        *args: Any,
        version_key: int = VERSION_AS_INT,
        raise_error: bool | None = None,
        **_: Any,
    ) -> Any:
        """Reveal weights committed with :meth:`commit_weights`: checked as the chain
        checks them (hash, then timing), then set as weights."""
        hotkey = wallet.hotkey.ss58_address
        raising = _raises("reveal_weights", raise_error)
        try:
            self.chain.reveal_weights(
                netuid,
                hotkey,
                _ints(uids),
                _ints(weights),
                _ints(salt),
                version_key=int(version_key),
            )
        except (ChainRuleError, UnknownSubnet, UnknownHotkey) as exc:
            return self._rejected(rejection(exc, hotkey, netuid), raising)
        return extrinsic_result(True, f"weights revealed by {hotkey} on netuid {netuid}")

    @simulated()
    def get_subnet_reveal_period_epochs(self, netuid: int, block: int | None = None) -> int:
        """Epochs from a weight commit on ``netuid`` to its reveal."""
        return self.chain.reveal_period(netuid)

    # -- commitments -------------------------------------------------------------------
    def _publish(
        self, wallet: Any, netuid: int, field: Callable[[], Field], raise_error: bool
    ) -> Any:
        hotkey = wallet.hotkey.ss58_address
        try:
            self.chain.set_commitment(netuid, hotkey, [field()])
        except (ChainRuleError, CommitmentTooLarge) as exc:
            text = str(exc)
        else:
            return serve_result(True, f"commitment of {hotkey} set on netuid {netuid}")
        result = serve_result(False, text)
        if raise_error or result is False:  # 9.x raises MetadataError where 10.x returns
            raise bittensor.core.errors.MetadataError(text)
        return result

    @simulated(extrinsic=True)
    def set_commitment(
        self, wallet: Any, netuid: int, data: str, *args: Any, raise_error: bool = False, **_: Any
    ) -> Any:
        """Commit ``data`` (a ``Raw`` field, at most 128 bytes) for ``wallet``'s hotkey on
        ``netuid``, under the Commitments pallet's rules (a registered hotkey; the
        per-epoch space budget, ``SpaceLimitExceeded``)."""
        return self._publish(wallet, netuid, lambda: _raw_field(data), raise_error)

    @simulated(extrinsic=True)
    def commit(self, wallet: Any, netuid: int, data: str, *args: Any, **_: Any) -> Any:
        """9.x's name for :meth:`set_commitment`."""
        return self._publish(wallet, netuid, lambda: _raw_field(data), False)

    @simulated(extrinsic=True)
    def set_reveal_commitment(
        self,
        wallet: Any,
        netuid: int,
        data: str,
        blocks_until_reveal: int = 360,
        block_time: float = 12,
        *args: Any,
        raise_error: bool = False,
        **_: Any,
    ) -> Any:
        """Commit ``data`` timelocked, revealed ``blocks_until_reveal`` blocks from now
        (simnet keeps the plaintext; the chain decrypts it with drand's round)."""
        block = self.chain.block + int(blocks_until_reveal)
        payload = scale_bytes(data.encode())  # what the SDK encrypts, so what the chain reveals
        reveal_round = reveal.round_after(int(blocks_until_reveal) * float(block_time))

        def field() -> Field:
            return Field("TimelockEncrypted", payload, reveal_round, payload, block)

        result = self._publish(wallet, netuid, field, raise_error)
        return reveal_commitment_result(result, reveal_round)

    @simulated()
    def get_commitment_metadata(
        self, netuid: int, hotkey_ss58: str, block: int | None = None
    ) -> Any:
        """``CommitmentOf`` of ``hotkey_ss58`` as the SDK decodes it, or ``""``."""
        commitment = self.chain.commitment(netuid, hotkey_ss58)
        return "" if commitment is None else commitment.sdk_value()

    @simulated()
    def get_commitment(self, netuid: int, uid: int, block: int | None = None) -> str:
        """The commitment of the hotkey at ``uid`` as text (``""`` if none)."""
        neurons = self.chain.neurons(netuid)
        if not 0 <= uid < len(neurons):
            return ""
        commitment = self.chain.commitment(netuid, neurons[uid].hotkey)
        return "" if commitment is None else commitment.text

    @simulated()
    def get_all_commitments(self, netuid: int, block: int | None = None) -> dict[str, str]:
        """Every commitment on ``netuid`` as ``{hotkey: text}``."""
        return {hotkey: c.text for hotkey, c in self.chain.commitments(netuid).items()}

    @simulated()
    def get_revealed_commitment_by_hotkey(
        self, netuid: int, hotkey_ss58: str, block: int | None = None
    ) -> tuple[tuple[int, str], ...] | None:
        """``hotkey_ss58``'s revealed commitments as ``((block, text), ...)``, or None."""
        revealed = self.chain.revealed_commitments(netuid).get(hotkey_ss58)
        return None if revealed is None else _texts(revealed)

    @simulated()
    def get_revealed_commitment(
        self, netuid: int, uid: int, block: int | None = None
    ) -> tuple[tuple[int, str], ...] | None:
        """The revealed commitments of the hotkey at ``uid``."""
        if netuid not in self.chain.netuids():
            raise ValueError(f"Subnet with netuid {netuid} does not exist.")
        neurons = self.chain.neurons(netuid)
        if not 0 <= uid < len(neurons):
            raise ValueError(f"Subnet {netuid} does not have a neuron with uid {uid}.")
        return self.get_revealed_commitment_by_hotkey(netuid, neurons[uid].hotkey)

    @simulated()
    def get_all_revealed_commitments(
        self, netuid: int, block: int | None = None
    ) -> dict[str, tuple[tuple[int, str], ...]]:
        """Every revealed commitment on ``netuid`` as ``{hotkey: ((block, text), ...)}``."""
        return {h: _texts(r) for h, r in self.chain.revealed_commitments(netuid).items()}

    @classmethod
    def _rejected(cls, text: str, raise_error: bool) -> Any:
        return cls._refused(extrinsic_result, text, raise_error)

    @simulated(extrinsic=True)
    def serve_axon(
        self, netuid: int, axon: Any, *args: Any, raise_error: bool = False, **_: Any
    ) -> Any:
        """Record ``axon``'s advertised address for its hotkey on ``netuid``, under the
        chain's serving rules (:func:`simnet.chain.rules.check_axon`; a registered hotkey)."""
        info = axon.info()
        try:
            address = ipaddress.ip_address(info.ip)
            self.chain.serve(netuid, info.hotkey, int(address), int(info.ip_type), int(info.port))
        except ChainRuleError as exc:
            return self._refused(serve_result, str(exc), raise_error)
        return serve_result(True, f"axon of {info.hotkey} served at {info.ip}:{info.port}")

    @simulated(extrinsic=True)
    def burned_register(
        self, wallet: Any, netuid: int, *args: Any, raise_error: bool = False, **_: Any
    ) -> Any:
        """Register ``wallet``'s hotkey on ``netuid`` under the chain's rules (an existing
        subnet other than root, not registered there yet; a full subnet replaces a uid as
        :mod:`simnet.chain.pruning` says), burning the subnet's registration cost from the
        coldkey's balance (``NotEnoughBalanceToStake`` when it holds less)."""
        hotkey = wallet.hotkey.ss58_address
        try:
            neuron = self.chain.burned_register(netuid, hotkey, wallet.coldkeypub.ss58_address)
        except ChainRuleError as exc:
            return self._refused(register_result, str(exc), raise_error)
        return register_result(True, f"{hotkey} registered as uid {neuron.uid} on netuid {netuid}")

    @staticmethod
    def _refused(result: Callable[[bool, str], Any], text: str, raise_error: bool) -> Any:
        if raise_error:
            raise bittensor.core.errors.ChainTransactionError(text)
        return result(False, text)

    # -- what Metagraph.sync reads -----------------------------------------------------
    @simulated()
    def query_runtime_api(
        self, runtime_api: str, method: str, params: Any = None, block: int | None = None
    ) -> dict[str, Any] | None:
        """Answers ``SubnetInfoRuntimeApi.get_subnet_state``; other calls are not simulated."""
        if (runtime_api, method) != ("SubnetInfoRuntimeApi", "get_subnet_state"):
            raise NotSimulated(f"simnet does not simulate {runtime_api}.{method}")
        netuid = params[0]
        neurons = self.chain.neurons(netuid)
        return subnet_state_dict(
            netuid,
            hotkeys=[n.hotkey for n in neurons],
            coldkeys=[n.coldkey for n in neurons],
            stakes_rao=[balances.rao(n.stake) for n in neurons],
            validator_permit=[n.validator_permit for n in neurons],
            last_update=[n.last_update for n in neurons],
            registered_at=[n.registered_at for n in neurons],
        )

    @simulated()
    def get_metagraph_info(self, netuid: int, *args: Any, **kwargs: Any) -> Any:
        """The real ``MetagraphInfo`` of ``netuid`` (what ``Metagraph.sync`` applies:
        ``block_at_registration``, ``pool``, ``hparams``, owner keys...); ``None`` for a
        subnet or mechanism that does not exist, as on the chain. Selected indices are
        ignored: every field is given."""
        given = call_arguments("get_metagraph_info", (netuid, *args), kwargs)
        block = given.get("block")
        if netuid not in self.chain.netuids() or given.get("mechid", 0) != 0:
            return None
        return metagraph_info(self.chain, netuid, self.chain.block if block is None else block)

    @simulated()
    def get_mechanism_count(self, netuid: int, block: int | None = None) -> int:
        """Every simulated subnet has one mechanism."""
        return 1

    @simulated()
    def get_mechanism_emission_split(self, netuid: int, block: int | None = None) -> None:
        """No emission split is simulated."""
        return None

    def close(self) -> None:
        """Nothing to close: no connection was opened."""


# Simulated where the installed release has them: ``commit`` is 9.x's, the revealed
# commitments are 10.x's; elsewhere they are what the real Subtensor has not.
for _name in ("commit", "set_reveal_commitment", "get_revealed_commitment",
              "get_revealed_commitment_by_hotkey", "get_all_revealed_commitments",
              "get_commitment_metadata", "get_extrinsic_fee"):  # fmt: skip
    if not hasattr(RealSubtensor, _name):
        delattr(FakeSubtensor, _name)
        SIMULATED.discard(_name)


def _dynamic_fields(chain: ChainState, netuid: int, block: int | None) -> dict[str, Any]:
    """``DynamicInfo``'s fields for ``netuid``, in the SDK's units."""
    neurons = chain.neurons(netuid)
    owner = storage.subnet_owner(chain, netuid, neurons)
    at = chain.block if block is None else block
    last_step = chain.last_epoch(netuid)
    alpha_out = sum(balances.rao(n.stake) for n in neurons)
    tao_in = Balance.from_rao(balances.POOL_TAO).set_unit(0)
    alpha_in = Balance.from_rao(balances.POOL_ALPHA).set_unit(netuid)
    return dict(
        netuid=netuid,
        owner_hotkey=owner.hotkey or storage.ZERO_ACCOUNT,
        owner_coldkey=owner.coldkey or storage.ZERO_ACCOUNT,
        subnet_name=f"simnet-{netuid}",
        symbol="",
        tempo=chain.hyperparameters(netuid).tempo,
        last_step=last_step,
        blocks_since_last_step=at - last_step,
        emission=Balance.from_rao(0).set_unit(0),
        alpha_in=alpha_in,
        alpha_out=Balance.from_rao(alpha_out).set_unit(netuid),
        tao_in=tao_in,
        price=Balance.from_tao(tao_in.tao / alpha_in.tao).set_unit(netuid),
        k=tao_in.rao * alpha_in.rao,
        is_dynamic=netuid > 0,
        alpha_out_emission=Balance.from_rao(0).set_unit(netuid),
        alpha_in_emission=Balance.from_rao(0).set_unit(netuid),
        tao_in_emission=Balance.from_rao(0).set_unit(0),
        pending_alpha_emission=Balance.from_rao(0).set_unit(netuid),
        pending_root_emission=Balance.from_rao(0).set_unit(0),
        network_registered_at=0,
        subnet_volume=Balance.from_rao(0).set_unit(netuid),
        subnet_identity=None,
        moving_price=0.0,
    )


def rejection(exc: Exception, hotkey: str, netuid: int) -> str:
    """The failure message of an extrinsic the chain refused with ``exc``."""
    if isinstance(exc, UnknownSubnet):
        return message("SubNetworkDoesNotExist", f"netuid {netuid}")
    if isinstance(exc, UnknownHotkey):
        return message("HotKeyNotRegisteredInSubNet", f"{hotkey} on netuid {netuid}")
    return str(exc)


def _ints(values: Any) -> list[int]:
    return [int(v) for v in values]


def _raw_field(data: str) -> Field:
    field = raw(data)
    if field.kind != "Raw":  # the SDK sends Raw{len}; the chain's Raw holds 128 bytes
        raise CommitmentTooLarge(
            f"a Raw commitment field holds at most 128 bytes, this one has {len(field.data)}: "
            "the call cannot be encoded (no chain error; the node refuses it undecoded)"
        )
    return field


def _texts(revealed: list[tuple[int, bytes]]) -> tuple[tuple[int, str], ...]:
    return tuple((block, scale_text(data)) for block, data in revealed)


def _raises(method: str, raise_error: bool | None) -> bool:
    """``raise_error`` as given, else the real method's default (10.x's ``commit_weights``
    raises by default; 9.x has no such parameter and returns its failure)."""
    if raise_error is not None:
        return raise_error
    real = getattr(RealSubtensor, method, None)
    parameter = inspect.signature(real).parameters.get("raise_error") if real else None
    return bool(parameter.default) if parameter is not None else False


def raise_if_unsimulated(name: str) -> None:
    """Raise :class:`NotSimulated` if ``name`` is a public ``Subtensor`` attribute."""
    if not name.startswith("_") and hasattr(RealSubtensor, name):
        raise NotSimulated(
            f"simnet does not simulate Subtensor.{name}; simulated: {', '.join(sorted(SIMULATED))}"
        )
