"""Block arithmetic both stacks' chain doubles share: the hash a block is given, and where
a subnet's epochs fall."""

from __future__ import annotations

import hashlib

__all__ = ["block_hash", "block_number", "last_epoch_block"]

_NUMBERS: dict[str, int] = {}  # the blocks this process has given hashes for, by hash
_REMEMBERED = 100_000


def block_hash(block: int) -> str:
    """The hash simnet's chain gives block ``block`` (deterministic, distinct per block)."""
    digest = "0x" + hashlib.sha256(f"simnet-block-{block}".encode()).hexdigest()
    if len(_NUMBERS) >= _REMEMBERED:
        _NUMBERS.clear()
    _NUMBERS[digest] = block
    return digest


def block_number(digest: str, head: int) -> int:
    """The block at or before ``head`` whose hash is ``digest`` (a hash given out in this
    process is looked up; another is searched for from the head down); a ``ValueError``
    if there is none."""
    number = _NUMBERS.get(digest)
    if number is not None and number <= head:
        return number
    for number in range(head, -1, -1):
        if block_hash(number) == digest:
            return number
    raise ValueError(f"simnet's chain has no block with hash {digest}")


def last_epoch_block(block: int, netuid: int, tempo: int) -> int:
    """The last block at or before ``block`` at which subnet ``netuid`` ran its epoch: the
    chain runs it when ``(block + netuid + 1) % (tempo + 1) == 0``."""
    if tempo == 0:
        return 0
    period = tempo + 1
    offset = (block + netuid + 1) % period
    return max(block - offset, 0)
