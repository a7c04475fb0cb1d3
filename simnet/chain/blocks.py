"""Block arithmetic both stacks' chain doubles share: the hash a block is given, and where
a subnet's epochs fall."""

from __future__ import annotations

import hashlib

__all__ = ["block_hash", "last_epoch_block"]


def block_hash(block: int) -> str:
    """The hash simnet's chain gives block ``block`` (deterministic, distinct per block)."""
    return "0x" + hashlib.sha256(f"simnet-block-{block}".encode()).hexdigest()


def last_epoch_block(block: int, netuid: int, tempo: int) -> int:
    """The last block at or before ``block`` at which subnet ``netuid`` ran its epoch: the
    chain runs it when ``(block + netuid + 1) % (tempo + 1) == 0``."""
    if tempo == 0:
        return 0
    period = tempo + 1
    offset = (block + netuid + 1) % period
    return max(block - offset, 0)
