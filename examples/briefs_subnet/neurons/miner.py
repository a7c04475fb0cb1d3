"""The subnet's miner: answers a brief with its prompt, reversed word by word."""

import time
import typing

import bittensor as bt
from briefs_subnet.protocol import Brief
from template_subnet.base.miner import BaseMinerNeuron


class Miner(BaseMinerNeuron):
    async def forward(self, synapse: Brief) -> Brief:
        synapse.answer = " ".join(reversed(synapse.prompt.split()))
        return synapse

    async def blacklist(self, synapse: Brief) -> typing.Tuple[bool, str]:  # noqa: UP006
        return self.blacklist_for(synapse.dendrite.hotkey)

    async def priority(self, synapse: Brief) -> float:
        return self.priority_for(synapse.dendrite.hotkey)


if __name__ == "__main__":
    with Miner() as miner:
        while True:
            bt.logging.info(f"Miner running... block {miner.block}")
            time.sleep(5)
