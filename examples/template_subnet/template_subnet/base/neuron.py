"""What miners and validators share: config, wallet, subtensor, metagraph, block-based sync."""

import copy
from abc import ABC, abstractmethod
from typing import Optional

import bittensor as bt

from template_subnet import spec_version
from template_subnet.config import add_args, check_config, config


class BaseNeuron(ABC):
    """Builds the neuron's bittensor objects from its config and keeps them in sync."""

    neuron_type = "BaseNeuron"
    spec_version = spec_version

    @classmethod
    def add_args(cls, parser) -> None:
        add_args(cls, parser)

    @classmethod
    def config(cls, args: Optional[list] = None) -> "bt.Config":  # noqa: UP045
        return config(cls, args)

    def __init__(self, config: Optional["bt.Config"] = None):
        self.config = copy.deepcopy(config or self.config())
        check_config(self.config)
        self.wallet = bt.Wallet(config=self.config)
        self.subtensor = bt.Subtensor(config=self.config)
        self.metagraph = self.subtensor.metagraph(self.config.netuid)
        self.check_registered()
        self.uid = self.metagraph.hotkeys.index(self.wallet.hotkey.ss58_address)
        self.step = 0

    @property
    def block(self) -> int:
        return self.subtensor.get_current_block()

    def check_registered(self) -> None:
        if not self.subtensor.is_hotkey_registered(
            netuid=self.config.netuid, hotkey_ss58=self.wallet.hotkey.ss58_address
        ):
            raise SystemExit(
                f"Wallet {self.config.wallet.name} is not registered on netuid "
                f"{self.config.netuid}; register it first"
            )

    def blocks_since_update(self) -> int:
        return self.block - int(self.metagraph.last_update[self.uid])

    def sync(self) -> None:
        self.check_registered()
        if self.blocks_since_update() > self.config.neuron.epoch_length:
            self.resync_metagraph()
        if self.should_set_weights():
            self.set_weights()

    def resync_metagraph(self) -> None:
        self.metagraph.sync(subtensor=self.subtensor)

    def should_set_weights(self) -> bool:
        return False

    def set_weights(self) -> None:  # pragma: no cover - validators override it
        raise NotImplementedError

    @abstractmethod
    def run(self) -> None: ...
