"""The subnet's synapses: the query miners answer, and a liveness check."""

from typing import Optional

import bittensor as bt


class Dummy(bt.Synapse):
    """The validator sends ``dummy_input``; an honest miner answers twice that."""

    dummy_input: int
    dummy_output: Optional[int] = None  # noqa: UP045 - pydantic on 3.9-style subnets

    def deserialize(self) -> Optional[int]:  # noqa: UP045
        return self.dummy_output


class IsAlive(bt.Synapse):
    """Validators check a miner answers at all before querying it."""

    answer: Optional[str] = None  # noqa: UP045

    def deserialize(self) -> Optional[str]:  # noqa: UP045
        return self.answer
