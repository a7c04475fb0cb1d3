"""A subtensor double over :class:`~simnet.chain.state.ChainState`; real metagraphs sync from it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simnet._compat import (
    AxonInfo,
    Balance,
    Metagraph,
    NeuronInfo,
    NeuronInfoLite,
    bittensor,
    chain_data,
    extrinsic_result,
    subnet_state_dict,
)
from simnet.chain.state import ChainState, Neuron, UnknownHotkey

NETWORK = "simnet"
"""The network name simnet's subtensor and metagraphs report."""

_AXON_PROTOCOL = 4  # what a real Axon.info() reports


def axon_info(neuron: Neuron) -> AxonInfo:
    """The ``AxonInfo`` the chain returns for ``neuron`` (address 0.0.0.0:0 when not serving)."""
    ip = neuron.axon_ip if neuron.serving else "0.0.0.0"
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
        active=1,
        stake=stake,
        stake_dict={neuron.coldkey: stake},
        total_stake=stake,
        emission=0.0,
        incentive=0.0,
        consensus=0.0,
        validator_trust=0.0,
        dividends=0.0,
        last_update=int(neuron.last_seen or 0),
        validator_permit=neuron.validator_permit,
        prometheus_info=None,
        axon_info=axon_info(neuron),
    )


def neuron_info_lite(neuron: Neuron) -> NeuronInfoLite:
    """The real ``NeuronInfoLite`` for ``neuron``."""
    return chain_data(NeuronInfoLite, **_neuron_fields(neuron))


def neuron_info(neuron: Neuron, weights: list[tuple[int, int]]) -> NeuronInfo:
    """The real ``NeuronInfo`` for ``neuron``, with the weights it set (no bonds)."""
    return chain_data(NeuronInfo, **_neuron_fields(neuron), weights=weights, bonds=[])


class FakeSubtensor:
    """The part of ``bittensor.Subtensor`` that miners, validators and ``Metagraph.sync`` call.

    It answers from a :class:`ChainState`; nothing goes over a network.
    """

    network = NETWORK
    chain_endpoint = NETWORK

    def __init__(self, chain: ChainState) -> None:
        self.chain = chain

    def __repr__(self) -> str:
        return f"FakeSubtensor(network={self.network!r}, block={self.chain.block})"

    # -- what neurons call -------------------------------------------------------------
    def get_current_block(self) -> int:
        """The chain's current block."""
        return self.chain.block

    @property
    def block(self) -> int:
        """The chain's current block."""
        return self.chain.block

    def metagraph(self, netuid: int, lite: bool = True, block: int | None = None) -> Metagraph:
        """A real ``Metagraph`` of ``netuid``, synced from the chain state (``lite=False``
        also reads the weights into ``metagraph.W``)."""
        self.chain.neurons(netuid)  # an unknown netuid raises UnknownSubnet, naming it
        metagraph = Metagraph(netuid=netuid, network=NETWORK, lite=lite, sync=False)
        metagraph.sync(block=block, lite=lite, subtensor=self)  # type: ignore[arg-type]
        metagraph.network = NETWORK
        return metagraph

    def set_weights(
        self,
        wallet: Any,
        netuid: int,
        uids: Sequence[int],
        weights: Sequence[float],
        **_: Any,
    ) -> Any:
        """Record ``wallet``'s weights on ``netuid``, normalised to u16 as the chain does;
        read them back from ``metagraph(netuid, lite=False).W``."""
        if len(uids) != len(weights):
            return extrinsic_result(False, f"{len(uids)} uids but {len(weights)} weights")
        total = float(sum(weights))
        if total <= 0 or any(w < 0 for w in weights):
            return extrinsic_result(False, "weights must be non-negative with a positive sum")
        hotkey = wallet.hotkey.ss58_address
        try:
            self.chain.set_weights(
                netuid,
                hotkey,
                {int(u): round(w / total * 65535) for u, w in zip(uids, weights, strict=True)},
            )
        except (LookupError, ValueError) as exc:
            return extrinsic_result(False, str(exc))
        return extrinsic_result(True, f"weights set by {hotkey} on netuid {netuid}")

    def neurons(self, netuid: int, block: int | None = None) -> list[NeuronInfo]:
        """Every neuron of ``netuid`` as a real ``NeuronInfo``, with its weights."""
        return [
            neuron_info(n, self.chain.weights(netuid, n.uid)) for n in self.chain.neurons(netuid)
        ]

    def is_hotkey_registered(
        self, hotkey_ss58: str, netuid: int | None = None, block: int | None = None
    ) -> bool:
        """True if ``hotkey_ss58`` holds a uid on ``netuid`` (on any subnet if ``None``)."""
        netuids = [netuid] if netuid is not None else self.chain.netuids()
        return any(self.chain.is_registered(n, hotkey_ss58) for n in netuids)

    def get_uid_for_hotkey_on_subnet(
        self, hotkey_ss58: str, netuid: int, block: int | None = None
    ) -> int | None:
        """The uid of ``hotkey_ss58`` on ``netuid``, or ``None``."""
        try:
            return self.chain.neuron(netuid, hotkey_ss58).uid
        except (UnknownHotkey, LookupError):
            return None

    def serve_axon(self, netuid: int, axon: Any, **_: Any) -> bool:
        """Record ``axon``'s advertised address for its hotkey on ``netuid``."""
        info = axon.info()
        self.chain.serve_axon(netuid, info.hotkey, info.ip, info.port)
        return True

    # -- what Metagraph.sync reads -----------------------------------------------------
    def neurons_lite(self, netuid: int, block: int | None = None) -> list[NeuronInfoLite]:
        """Every neuron of ``netuid`` as a real ``NeuronInfoLite``."""
        return [neuron_info_lite(n) for n in self.chain.neurons(netuid)]

    def query_runtime_api(
        self, runtime_api: str, method: str, params: Any = None, block: int | None = None
    ) -> dict[str, Any] | None:
        """Answers ``SubnetInfoRuntimeApi.get_subnet_state``; other calls are not simulated."""
        if (runtime_api, method) != ("SubnetInfoRuntimeApi", "get_subnet_state"):
            raise NotImplementedError(f"simnet does not simulate {runtime_api}.{method}")
        netuid = params[0]
        neurons = self.chain.neurons(netuid)
        return subnet_state_dict(
            netuid,
            hotkeys=[n.hotkey for n in neurons],
            coldkeys=[n.coldkey for n in neurons],
            stakes_rao=[int(Balance.from_tao(n.stake).rao) for n in neurons],
            validator_permit=[n.validator_permit for n in neurons],
        )

    def get_metagraph_info(self, netuid: int, **_: Any) -> None:
        """No extra metagraph info is simulated; ``Metagraph.sync`` keeps its defaults."""
        return None

    def get_mechanism_count(self, netuid: int, block: int | None = None) -> int:
        """Every simulated subnet has one mechanism."""
        return 1

    def get_mechanism_emission_split(self, netuid: int, block: int | None = None) -> None:
        """No emission split is simulated."""
        return None
