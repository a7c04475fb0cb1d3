"""The validator on bittensor's AsyncSubtensor (the shape of streaming subnets on 10.x)."""

import asyncio

import bittensor as bt
import numpy as np
from template_subnet import spec_version
from template_subnet.config import add_args, check_config, config
from template_subnet.protocol import Dummy
from template_subnet.reward import reward
from template_subnet.weights import process_weights


class AsyncValidator:
    neuron_type = "AsyncValidatorNeuron"

    @classmethod
    def add_args(cls, parser) -> None:
        add_args(cls, parser)

    @classmethod
    def config(cls, args=None):
        return config(cls, args)

    def __init__(self, config=None):
        self.config = config or self.config()
        check_config(self.config)
        self.wallet = bt.Wallet(config=self.config)
        self.dendrite = bt.Dendrite(wallet=self.wallet)
        self.step = 0

    async def setup(self) -> None:
        self.subtensor = bt.AsyncSubtensor(config=self.config)
        await self.subtensor.initialize()
        netuid = self.config.netuid
        self.metagraph = await self.subtensor.metagraph(netuid)
        if not await self.subtensor.is_hotkey_registered(
            netuid=netuid, hotkey_ss58=self.wallet.hotkey.ss58_address
        ):
            raise SystemExit(f"{self.config.wallet.name} is not registered on netuid {netuid}")
        self.uid = self.metagraph.hotkeys.index(self.wallet.hotkey.ss58_address)
        self.tempo = await self.subtensor.tempo(netuid)
        self.scores = np.zeros(self.metagraph.n, dtype=np.float32)

    async def step_once(self) -> None:
        """Query every serving miner, score it, and set weights once an epoch has passed."""
        axons = self.metagraph.axons
        uids = [u for u in range(self.metagraph.n) if axons[u].port and u != self.uid]
        query = self.step + 1
        responses = await self.dendrite(
            axons=[self.metagraph.axons[u] for u in uids],
            synapse=Dummy(dummy_input=query),
            deserialize=True,
            timeout=5,
        )
        for uid, response in zip(uids, responses, strict=False):
            self.scores[uid] = 0.9 * self.scores[uid] + 0.1 * reward(query, response)
        self.step += 1
        block = await self.subtensor.get_current_block()
        last_update = int(self.metagraph.last_update[self.uid])
        if block - last_update > self.config.neuron.epoch_length:
            await self.set_weights()
            await self.metagraph.sync(subtensor=self.subtensor)

    async def set_weights(self) -> None:
        netuid = self.config.netuid
        uids, weights = process_weights(
            self.scores,
            min_allowed_weights=await self.subtensor.min_allowed_weights(netuid),
            max_weight_limit=await self.subtensor.max_weight_limit(netuid),
        )
        self.last_set_weights = await self.subtensor.set_weights(
            wallet=self.wallet, netuid=netuid, uids=uids, weights=weights, version_key=spec_version
        )

    async def close(self) -> None:
        await self.dendrite.aclose_session()
        await self.subtensor.close()


async def main() -> None:
    validator = AsyncValidator()
    await validator.setup()
    try:
        while True:
            await validator.step_once()
            await asyncio.sleep(1)
    finally:
        await validator.close()


if __name__ == "__main__":
    asyncio.run(main())
