"""The subnet's miner: answers Dummy queries with twice the input."""

import time
import typing

import bittensor as bt
from template_subnet.base.miner import BaseMinerNeuron
from template_subnet.protocol import Dummy


class Miner(BaseMinerNeuron):
    async def forward(self, synapse: Dummy) -> Dummy:
        synapse.dummy_output = synapse.dummy_input * 2
        return synapse

    async def blacklist(self, synapse: Dummy) -> typing.Tuple[bool, str]:  # noqa: UP006
        return self.blacklist_for(synapse.dendrite.hotkey)

    async def priority(self, synapse: Dummy) -> float:
        return self.priority_for(synapse.dendrite.hotkey)


if __name__ == "__main__":
    with Miner() as miner:
        while True:
            bt.logging.info(f"Miner running... block {miner.block}")
            time.sleep(5)
