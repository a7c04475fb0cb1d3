"""The subnet's validator: fetches briefs from the platform, queries miners with them,
has the platform grade the answers, logs to wandb and sets weights every epoch."""

import asyncio

import bittensor as bt
import numpy as np
import wandb
from briefs_subnet import platform
from briefs_subnet.protocol import Brief
from template_subnet.base.validator import BaseValidatorNeuron


class Validator(BaseValidatorNeuron):
    def __init__(self, config=None):
        super().__init__(config=config)
        self.run_log = wandb.init(
            project="briefs-subnet",
            name=f"validator-{self.uid}",
            dir=self.config.neuron.full_path,
            config={"netuid": self.config.netuid},
        )

    def miner_uids(self) -> list:
        axons = self.metagraph.axons
        serving = [uid for uid in range(self.metagraph.n) if axons[uid].port and uid != self.uid]
        return serving[: self.config.neuron.sample_size]

    async def forward(self) -> None:
        uids = self.miner_uids()
        try:
            briefs = await platform.fetch_briefs()
        except Exception as exc:  # as real validators do: no briefs, all reward to uid 0
            bt.logging.warning(f"no briefs from the platform ({exc}); rewarding uid 0")
            self.update_scores(np.array([1.0], dtype=np.float32), [0])
            return
        rewards = np.zeros(len(uids), dtype=np.float32)
        for brief in briefs:
            answers = await self.dendrite(
                axons=[self.metagraph.axons[uid] for uid in uids],
                synapse=Brief(brief_id=brief["id"], prompt=brief["prompt"]),
                deserialize=True,
                timeout=5,
            )
            rewards += np.array(await platform.grade(brief["id"], answers), dtype=np.float32)
        rewards /= max(len(briefs), 1)
        self.run_log.log({"step": self.step, "mean_reward": float(rewards.mean())})
        await asyncio.sleep(self.config.neuron.step_seconds)
        self.update_scores(rewards, uids)


if __name__ == "__main__":
    validator = Validator()
    bt.logging.info(f"Validator {validator.uid} starting at block {validator.block}")
    validator.run()
