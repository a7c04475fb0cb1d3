"""The extrinsics the chain runs when a substrate double is handed a call: ``(pallet,
function)`` with the parameters the SDKs compose, applied to the chain state under its
rules (:class:`~simnet.chain.rules.ChainRuleError` naming the chain's error, as the
subtensor methods of both stacks apply them).

Both stacks' substrate doubles use these; what differs between them is passed in a
:class:`Context` (how an advertised axon address is recorded, the plaintexts of
timelocked fields simnet saw encrypted).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simnet.chain import reveal
from simnet.chain.commitments import HASHES, CommitmentTooLarge, Field
from simnet.chain.faults import NotSimulated
from simnet.chain.rules import ChainRuleError
from simnet.chain.state import BLOCK_SECONDS, ChainState


@dataclass(frozen=True)
class Context:
    """Where a call runs: the chain, and the stack's own parts of applying it."""

    chain: ChainState
    address_for: Callable[[str, str, int], tuple[str, int]] | None = None
    """Maps an advertised axon address to the one the chain records."""
    plaintext: Callable[[bytes], bytes | None] = field(default=lambda encrypted: None)
    """The plaintext of a timelocked payload simnet saw encrypted (``None``: never seen,
    so never revealed)."""


def serve_axon(
    ctx: Context, hotkey: str, *, netuid: int, ip: int, port: int, ip_type: int, **_: Any
) -> None:
    ctx.chain.serve(
        int(netuid), hotkey, int(ip), int(ip_type), int(port), address_for=ctx.address_for
    )


def _one_mechanism(mecid: int) -> None:
    if int(mecid) != 0:
        raise ChainRuleError("SubNetworkDoesNotExist", f"mechanism {mecid} (simnet has one)")


def set_weights(
    ctx: Context,
    hotkey: str,
    *,
    netuid: int,
    dests: list[int],
    weights: list[int],
    version_key: int,
    mecid: int = 0,
) -> None:
    _one_mechanism(mecid)
    ctx.chain.set_weights(
        int(netuid), hotkey, list(dests), list(weights), version_key=int(version_key)
    )


def burned_register(ctx: Context, coldkey: str, *, netuid: int, hotkey: str) -> None:
    ctx.chain.burned_register(int(netuid), str(hotkey), coldkey)


def commit_weights(
    ctx: Context, hotkey: str, *, netuid: int, commit_hash: Any, mecid: int = 0
) -> None:
    _one_mechanism(mecid)
    digest = commit_hash if isinstance(commit_hash, str) else "0x" + bytes(commit_hash).hex()
    ctx.chain.commit_weights(int(netuid), hotkey, digest)


def reveal_weights(
    ctx: Context,
    hotkey: str,
    *,
    netuid: int,
    uids: list[int],
    values: list[int],
    salt: list[int],
    version_key: int,
    mecid: int = 0,
) -> None:
    _one_mechanism(mecid)
    ctx.chain.reveal_weights(
        int(netuid), hotkey, list(uids), list(values), list(salt), version_key=int(version_key)
    )


def set_commitment(ctx: Context, hotkey: str, *, netuid: int, info: Any) -> None:
    fields = info.get("fields", []) if isinstance(info, dict) else info
    if len(fields) == 1 and isinstance(fields[0], (list, tuple)):
        fields = fields[0]  # the SDK's {"fields": [[...]]} (a BoundedVec's inner Vec)
    ctx.chain.set_commitment(int(netuid), hotkey, [commitment_field(ctx, f) for f in fields])


def payload_bytes(value: Any) -> bytes:
    """A payload as the SDKs compose it: bytes, a list of ints, ``0x``-hex or text."""
    if isinstance(value, str):
        return bytes.fromhex(value[2:]) if value.startswith("0x") else value.encode()
    return bytes(value)


def commitment_field(ctx: Context, entry: Any) -> Field:
    """One ``Data`` value as the SDK composes it: ``"None"``, ``{"Raw5": b"hello"}``,
    ``{"TimelockEncrypted": {"encrypted": ..., "reveal_round": ...}}``..."""
    if isinstance(entry, str):
        return Field(entry)
    ((variant, value),) = dict(entry).items()
    if variant.startswith("Raw") and variant[3:].isdigit():
        data = payload_bytes(value)
        if int(variant[3:]) > 128:
            raise CommitmentTooLarge(
                f"{variant}: the chain's Data::Raw holds at most 128 bytes; the call cannot "
                "be encoded (no chain error; the node refuses it undecoded)"
            )
        if len(data) != int(variant[3:]):
            raise ValueError(f"{variant} needs {variant[3:]} bytes, got {len(data)}")
        return Field("Raw", data)
    if variant == "TimelockEncrypted":
        encrypted, reveal_round = payload_bytes(value["encrypted"]), int(value["reveal_round"])
        plaintext = ctx.plaintext(encrypted)
        if plaintext is None:
            return Field(variant, encrypted, reveal_round)
        seconds = reveal.round_time(reveal_round) - time.time()
        per_block = ctx.chain.block_seconds or BLOCK_SECONDS
        due = ctx.chain.block + max(0, math.ceil(seconds / per_block))
        return Field(variant, encrypted, reveal_round, plaintext, due)
    if variant == "BigRaw" or variant in HASHES:
        return Field(variant, payload_bytes(value))
    return Field(variant)  # an unknown variant raises, naming the chain's


Apply = Callable[..., None]

CALLS: dict[tuple[str, str], tuple[str, Apply]] = {
    ("SubtensorModule", "serve_axon"): ("serve_axon", serve_axon),
    ("SubtensorModule", "set_weights"): ("set_weights", set_weights),
    ("SubtensorModule", "set_mechanism_weights"): ("set_weights", set_weights),
    ("SubtensorModule", "burned_register"): ("burned_register", burned_register),
    ("SubtensorModule", "commit_weights"): ("commit_weights", commit_weights),
    ("SubtensorModule", "commit_mechanism_weights"): ("commit_weights", commit_weights),
    ("SubtensorModule", "reveal_weights"): ("reveal_weights", reveal_weights),
    ("SubtensorModule", "reveal_mechanism_weights"): ("reveal_weights", reveal_weights),
    ("Commitments", "set_commitment"): ("set_commitment", set_commitment),
}
"""``(pallet, function) -> (the subtensor method whose chain faults it meets, apply)``."""


def lookup(
    module: str, function: str, calls: dict[tuple[str, str], tuple[str, Apply]] = CALLS
) -> tuple[str, Apply]:
    """The call ``module.function``; :class:`NotSimulated` naming it if simnet does not
    run it."""
    found = calls.get((module, function))
    if found is None:
        raise NotSimulated(
            f"simnet's chain does not simulate the call {module}.{function}; "
            f"it runs {', '.join(sorted(f'{m}.{f}' for m, f in calls))}"
        )
    return found
