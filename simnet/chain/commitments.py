"""The Commitments pallet's rules: what one ``set_commitment`` may carry, what it costs
against the per-epoch space budget, and when timelocked fields are revealed.

The spec is subtensor's ``pallets/commitments`` (``lib.rs``, ``types.rs``) and the
runtime's configuration of it (``runtime/src/lib.rs``), read at opentensor/subtensor
commit ``14bc6f9f964b9cc362e9635dd110a487fa5d15a0``; the expected behaviour of its tests
(``pallets/commitments/src/tests.rs``) is checked in ``tests/test_chain_commitments.py``.
The order of the checks is the pallet's: the committer must hold a uid on the subnet
(``AccountNotAllowedCommit``), carry at most :data:`MAX_FIELDS` fields
(``TooManyFieldsInCommitmentInfo``), and fit the space left of its budget for the
subnet's current epoch (``SpaceLimitExceeded``).

What simnet cannot do offline: decrypt a timelocked field. The chain decrypts it with
drand's signature of its ``reveal_round``, in the first block that has that pulse. simnet
keeps the plaintext recorded when the SDK encrypted it inside a simnet process, with the
block the SDK aimed at, and reveals it at that block; a field whose plaintext simnet did
not see is kept and never revealed (as the chain keeps a field it cannot decrypt yet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from simnet.chain.reveal import compact
from simnet.chain.rules import ChainRuleError

MAX_SPACE = 3100
"""Bytes a hotkey may commit on one subnet per epoch (the pallet's ``DefaultMaxSpace``;
root can change it, :meth:`~simnet.chain.state.ChainState.set_commitment_max_space`)."""
MIN_USED_SPACE = 100
"""Every commitment costs at least this much of the budget, however small."""
MAX_FIELDS = 3
"""Fields one commitment may carry (the runtime's ``MaxCommitFields``)."""
MAX_REVEALS = 10
"""Revealed commitments kept per hotkey and subnet (the newest)."""
SIZE_LIMITS = {"Raw": 128, "BigRaw": 512, "TimelockEncrypted": 1024}
"""The largest payload each kind of field holds (``types.rs``: ``Data::Raw`` up to 128
bytes, ``BigRaw`` 512, ``MAX_TIMELOCK_COMMITMENT_SIZE_BYTES`` 1024)."""
HASHES = ("BlakeTwo256", "Sha256", "Keccak256", "ShaThree256")
KINDS = ("None", "Raw", "BigRaw", *HASHES, "TimelockEncrypted", "ResetBondsFlag")


class CommitmentTooLarge(ValueError):
    """A field larger than the chain's ``Data`` type holds. The chain has no error name
    for it: such a call cannot be encoded (the SDK fails before sending it) and a node
    refuses it undecoded."""


@dataclass(frozen=True)
class Field:
    """One field of a commitment, as the pallet's ``Data`` holds it.

    ``reveal_round`` is the drand round of a timelocked field; ``plaintext`` and
    ``reveal_block`` are simnet's: what the SDK encrypted, and the block it aimed at.
    """

    kind: str
    data: bytes = b""
    reveal_round: int | None = None
    plaintext: bytes | None = field(default=None, compare=False)
    reveal_block: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown commitment field {self.kind!r}; the chain has {KINDS}")
        limit = SIZE_LIMITS.get(self.kind)
        if limit is not None and len(self.data) > limit:
            raise CommitmentTooLarge(
                f"a {self.kind} commitment field holds at most {limit} bytes, this one has "
                f"{len(self.data)}: the call cannot be encoded (no chain error; the node "
                "refuses it undecoded)"
            )
        if self.kind in HASHES and len(self.data) != 32:
            raise ValueError(f"a {self.kind} field is a 32-byte hash, not {len(self.data)} bytes")

    @property
    def space(self) -> int:
        """What the field counts against the budget (``Data::len_for_rate_limit``)."""
        return 0 if self.kind in ("None", "ResetBondsFlag") else len(self.data)

    @property
    def timelocked(self) -> bool:
        return self.kind == "TimelockEncrypted"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "data": self.data.hex(),
            "reveal_round": self.reveal_round,
            "plaintext": None if self.plaintext is None else self.plaintext.hex(),
            "reveal_block": self.reveal_block,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Field:
        plaintext = value.get("plaintext")
        return cls(
            value["kind"],
            bytes.fromhex(value["data"]),
            value.get("reveal_round"),
            None if plaintext is None else bytes.fromhex(plaintext),
            value.get("reveal_block"),
        )

    def sdk_value(self) -> dict[str, Any] | str:
        """The field as the SDK decodes ``CommitmentOf`` (``{"Raw5": "0x..."}``)."""
        if self.kind in ("None", "ResetBondsFlag"):
            return self.kind
        if self.timelocked:
            return {
                "TimelockEncrypted": {
                    "encrypted": "0x" + self.data.hex(),
                    "reveal_round": self.reveal_round,
                }
            }
        name = f"Raw{len(self.data)}" if self.kind == "Raw" else self.kind
        return {name: "0x" + self.data.hex()}


def scale_bytes(data: bytes) -> bytes:
    """``data`` SCALE-encoded as ``Vec<u8>`` (a compact length, then the bytes): what the
    SDKs timelock-encrypt for a commitment, so what the chain reveals."""
    return compact(len(data)) + data


def scale_text(data: bytes) -> str:
    """A revealed commitment as the SDKs read it: the compact length prefix skipped
    (``decode_revealed_commitment``), the rest as UTF-8."""
    if not data:
        return ""
    offset = {0: 1, 1: 2}.get(data[0] & 0b11, 4)
    return data[offset:].decode("utf-8", errors="ignore")


def raw(data: bytes | str) -> Field:
    """A plain field (``Raw`` up to 128 bytes, ``BigRaw`` up to 512)."""
    payload = data.encode() if isinstance(data, str) else bytes(data)
    return Field("Raw" if len(payload) <= SIZE_LIMITS["Raw"] else "BigRaw", payload)


@dataclass(frozen=True)
class Commitment:
    """``CommitmentOf[netuid][hotkey]``: the fields of the last commitment, and its block."""

    netuid: int
    hotkey: str
    block: int
    fields: tuple[Field, ...]

    @property
    def text(self) -> str:
        """What the SDK's ``get_commitment`` returns: the first field's bytes as UTF-8
        (undecodable bytes dropped), or ``""`` for a field that carries none."""
        first = self.fields[0] if self.fields else None
        if first is None or first.kind in ("None", "ResetBondsFlag"):
            return ""
        return first.data.decode("utf-8", errors="ignore")

    def sdk_value(self) -> dict[str, Any]:
        """``CommitmentOf`` as the SDK decodes it (what ``decode_metadata`` reads)."""
        return {
            "deposit": 0,
            "block": self.block,
            "info": {"fields": [f.sdk_value() for f in self.fields]},
        }


@dataclass(frozen=True)
class Usage:
    """``UsedSpaceOf[netuid][hotkey]``: bytes used in the epoch ``epoch``."""

    epoch: int = 0
    used: int = 0


def required_space(fields: Sequence[Field]) -> int:
    """What a commitment of ``fields`` costs against the budget (at least 100)."""
    return max(sum(f.space for f in fields), MIN_USED_SPACE)


def check(
    fields: Sequence[Field],
    *,
    registered: bool,
    usage: Usage,
    epoch: int,
    max_space: int = MAX_SPACE,
    detail: str = "",
) -> Usage:
    """The budget after a ``set_commitment`` of ``fields`` in epoch ``epoch``, or the
    chain's error, in the pallet's order."""
    if not registered:
        raise ChainRuleError("AccountNotAllowedCommit", detail)
    if len(fields) > MAX_FIELDS:
        raise ChainRuleError(
            "TooManyFieldsInCommitmentInfo", f"{len(fields)} fields, at most {MAX_FIELDS}"
        )
    if usage.epoch != epoch:
        usage = Usage(epoch, 0)
    needed = required_space(fields)
    if usage.used + needed > max_space:
        raise ChainRuleError(
            "SpaceLimitExceeded",
            f"{usage.used} of {max_space} bytes used this epoch, this commitment needs {needed}",
        )
    return replace(usage, used=usage.used + needed)


def reveal(fields: Sequence[Field], block: int) -> tuple[list[Field], list[tuple[bytes, int]]]:
    """Split ``fields`` into those kept and the ``(plaintext, block)`` revealed by ``block``,
    each at the block it was due. A field that decrypts to nothing is dropped unrevealed,
    as the chain drops it."""
    kept: list[Field] = []
    revealed: list[tuple[bytes, int]] = []
    for f in fields:
        due = f.reveal_block
        if not f.timelocked or f.plaintext is None or due is None or due > block:
            kept.append(f)
        elif f.plaintext:
            revealed.append((f.plaintext, due))
    return kept, sorted(revealed, key=lambda item: item[1])


def keep_newest(reveals: list[tuple[bytes, int]]) -> list[tuple[bytes, int]]:
    """The newest :data:`MAX_REVEALS` of a hotkey's revealed commitments."""
    return reveals[-MAX_REVEALS:]
