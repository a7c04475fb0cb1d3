"""Commit-reveal weights as subtensor checks them: the commit hash, the commits a hotkey
may hold, and which reveal is accepted, each failure named with the chain's error.

The spec is ``pallets/subtensor/src/subnets/weights.rs`` (``internal_commit_weights``,
``internal_commit_timelocked_weights``, ``internal_reveal_weights``, ``is_commit_expired``,
``is_reveal_block_range``) and ``coinbase/reveal_commits.rs``
(``reveal_crv3_commits_for_subnet``), read at opentensor/subtensor commit
``14bc6f9f964b9cc362e9635dd110a487fa5d15a0``. Epochs are counted by the subnet's epoch
index (``SubnetEpochIndex``: one more at every epoch); a commit made in epoch ``e`` is
revealed in epoch ``e + reveal_period`` and expires after it.

Timelocked (CRv3) commits are revealed by the chain itself, with drand's signature of
their round, at the start of the reveal epoch (or, while the round's pulse has not
arrived, at a later block of that epoch). simnet has no drand: it reveals the weights
the SDK encrypted, recorded when it encrypted them inside a simnet process, at the
block the reveal epoch starts, before that epoch runs, as the chain does when the pulse
is there in time. A commit whose plaintext simnet did not see is dropped unrevealed
when it expires, as the chain drops one it cannot decrypt.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from simnet.chain.rules import ChainRuleError

COMMIT_REVEAL_VERSION = 4
"""The chain's ``CommitRevealWeightsVersion`` (timelocked commits must name it)."""
REVEAL_PERIOD = 1
"""Epochs from a commit to its reveal on a new subnet (``DefaultRevealPeriodEpochs``)."""
MIN_REVEAL_PERIOD, MAX_REVEAL_PERIOD = 1, 100
MAX_UNREVEALED = 10
"""Unrevealed commits a hotkey may hold (per epoch, for timelocked ones)."""

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def public_key(ss58: str) -> bytes:
    """The 32-byte account id an ss58 address encodes (the chain's ``AccountId``)."""
    number = 0
    for char in ss58:
        number = number * 58 + _B58.index(char)
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    raw = b"\0" * (len(ss58) - len(ss58.lstrip("1"))) + raw
    prefix = 2 if raw[0] & 0x40 else 1
    if len(raw) != prefix + 32 + 2:
        raise ValueError(f"{ss58!r} is not an ss58 account address")
    return raw[prefix : prefix + 32]


QUICKNET_GENESIS = 1_692_803_367
QUICKNET_PERIOD = 3
"""drand quicknet's genesis (unix seconds) and period, as ``bittensor.timelock`` has them."""


def round_time(reveal_round: int) -> float:
    """The unix time drand publishes round ``reveal_round``."""
    return QUICKNET_GENESIS + (reveal_round - 1) * QUICKNET_PERIOD


def round_after(seconds: float, now: float | None = None) -> int:
    """The first drand round published at least ``seconds`` from ``now`` (what the SDKs
    encrypt a commitment for, ``blocks_until_reveal * block_time`` ahead)."""
    at = (time.time() if now is None else now) + seconds
    return max(1, math.ceil((at - QUICKNET_GENESIS) / QUICKNET_PERIOD) + 1)


def compact(n: int) -> bytes:
    """SCALE's compact encoding of a length ``n`` (one, two or four bytes)."""
    if n < 1 << 6:
        return bytes([n << 2])
    if n < 1 << 14:
        return ((n << 2) | 1).to_bytes(2, "little")
    if n < 1 << 30:
        return ((n << 2) | 2).to_bytes(4, "little")
    raise ValueError(f"{n} items is more than simnet encodes")


def _u16s(values: Sequence[int]) -> bytes:
    return compact(len(values)) + b"".join(int(v).to_bytes(2, "little") for v in values)


def commit_hash(
    hotkey: str,
    netuid_index: int,
    uids: Sequence[int],
    values: Sequence[int],
    salt: Sequence[int],
    version_key: int,
) -> str:
    """``get_commit_hash``: BlakeTwo256 of the SCALE-encoded ``(hotkey, netuid_index,
    uids, values, salt, version_key)``, as ``0x`` hex (the SDK's ``generate_weight_hash``)."""
    for name, items in (("uids", uids), ("values", values), ("salt", salt)):
        if any(not 0 <= int(v) < 2**16 for v in items):
            raise ValueError(f"{name} must be u16 values (0..65535)")
    data = (
        public_key(hotkey)
        + int(netuid_index).to_bytes(2, "little")
        + _u16s(uids)
        + _u16s(values)
        + _u16s(salt)
        + int(version_key).to_bytes(8, "little")
    )
    return "0x" + hashlib.blake2b(data, digest_size=32).hexdigest()


@dataclass(frozen=True)
class HashCommit:
    """One entry of ``WeightCommits[netuid][hotkey]``: the hash, its epoch, its block."""

    hash: str
    epoch: int
    block: int


def expired(commit_epoch: int, current_epoch: int, reveal_period: int) -> bool:
    """``is_commit_expired``: past its reveal epoch."""
    return current_epoch > commit_epoch + reveal_period


def check_commit(
    *,
    enabled: bool,
    registered: bool,
    block: int,
    last_update: int,
    rate_limit: int,
    unrevealed: int,
    timelocked_version: int | None = None,
) -> None:
    """Raise the chain's error for a commit, in the chain's order (``timelocked_version``:
    the version a timelocked commit names; None for a hash commit)."""
    if not enabled:
        raise ChainRuleError("CommitRevealDisabled")
    if timelocked_version is not None and timelocked_version != COMMIT_REVEAL_VERSION:
        raise ChainRuleError(
            "IncorrectCommitRevealVersion",
            f"version {timelocked_version}, the chain's is {COMMIT_REVEAL_VERSION}",
        )
    if not registered:
        raise ChainRuleError("HotKeyNotRegisteredInSubNet")
    if last_update and block - last_update < rate_limit:
        raise ChainRuleError(
            "CommittingWeightsTooFast",
            f"{block - last_update} blocks since the last commit, weights_rate_limit is "
            f"{rate_limit}",
        )
    if unrevealed >= MAX_UNREVEALED:
        raise ChainRuleError("TooManyUnrevealedCommits", f"{unrevealed} unrevealed commits")


def match_reveal(
    commits: Sequence[HashCommit],
    provided: str,
    *,
    current_epoch: int,
    reveal_period: int,
) -> int:
    """How many commits a reveal of hash ``provided`` consumes from the front of the
    queue ``commits`` (expired ones, earlier ones, and the one it reveals), or the
    chain's error, in its order: the hash first (``InvalidRevealCommitHashNotMatch``,
    or ``ExpiredWeightCommit`` if it matches an expired commit), then the timing
    (``RevealTooEarly``); ``NoWeightsCommitFound`` when nothing unexpired is left."""
    if not commits:
        raise ChainRuleError("NoWeightsCommitFound")
    stale = 0
    while stale < len(commits) and expired(commits[stale].epoch, current_epoch, reveal_period):
        stale += 1
    live = commits[stale:]
    expired_hashes = {c.hash for c in commits[:stale]}
    if not live:
        if provided in expired_hashes:
            raise ChainRuleError("ExpiredWeightCommit")
        raise ChainRuleError("NoWeightsCommitFound", "every commit has expired")
    position = next((i for i, c in enumerate(live) if c.hash == provided), None)
    if position is None:
        if provided in expired_hashes:
            raise ChainRuleError("ExpiredWeightCommit")
        raise ChainRuleError("InvalidRevealCommitHashNotMatch")
    if current_epoch != live[position].epoch + reveal_period:
        raise ChainRuleError(
            "RevealTooEarly",
            f"committed in epoch {live[position].epoch}, revealable in epoch "
            f"{live[position].epoch + reveal_period}, now {current_epoch}",
        )
    return stale + position + 1
