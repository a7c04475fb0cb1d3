"""The subnet's validator: queries miners, scores them, sets weights every epoch."""

import asyncio

import bittensor as bt
import numpy as np
from template_subnet.base.validator import BaseValidatorNeuron
from template_subnet.protocol import Dummy, IsAlive
from template_subnet.reward import reward


class Validator(BaseValidatorNeuron):
    def miner_uids(self) -> list:
        axons = self.metagraph.axons
        serving = [uid for uid in range(self.metagraph.n) if axons[uid].port and uid != self.uid]
        return serving[: self.config.neuron.sample_size]

    async def forward(self) -> None:
        uids = self.miner_uids()
        axons = [self.metagraph.axons[uid] for uid in uids]
        timeout = self.config.neuron.timeout
        alive = await self.dendrite(
            axons=axons, synapse=IsAlive(), deserialize=True, timeout=timeout
        )
        uids = [uid for uid, answer in zip(uids, alive, strict=False) if answer == "alive"]
        query = self.step + 1
        responses = await self.dendrite(
            axons=[self.metagraph.axons[uid] for uid in uids],
            synapse=Dummy(dummy_input=query),
            deserialize=True,
            timeout=timeout,
        )
        rewards = np.array([reward(query, r) for r in responses], dtype=np.float32)
        await asyncio.sleep(self.config.neuron.step_seconds)
        self.update_scores(rewards, uids)


if __name__ == "__main__":
    validator = Validator()
    bt.logging.info(f"Validator {validator.uid} starting at block {validator.block}")
    validator.run()
