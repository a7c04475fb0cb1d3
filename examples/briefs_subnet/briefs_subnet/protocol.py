"""The synapse miners answer: one brief from the platform."""

from typing import Optional

import bittensor as bt


class Brief(bt.Synapse):
    """The validator sends a brief; a miner answers it."""

    brief_id: str
    prompt: str
    answer: Optional[str] = None  # noqa: UP045 - pydantic on 3.9-style subnets

    def deserialize(self) -> Optional[str]:  # noqa: UP045
        return self.answer
