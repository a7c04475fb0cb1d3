"""Yuma consensus as subtensor's epoch computes it: a pure function over plain inputs.

The spec is subtensor's own code, read at opentensor/subtensor commit
``14bc6f9f964b9cc362e9635dd110a487fa5d15a0`` (30 June 2026, runtime spec 425):
``Pallet::epoch_mechanism`` in ``pallets/subtensor/src/epoch/run_epoch.rs`` (the sparse
epoch the chain runs; ``epoch_dense_mechanism`` is test-only) and the fixed-point helpers
of ``pallets/subtensor/src/epoch/math.rs``, with substrate-fixed v0.6.0
(encointer/substrate-fixed ``d5f70362``) for the arithmetic. This module is written from
that reading, not translated line by line; :func:`run_epoch` says step by step what it
computes.

The chain computes in fixed point, and the metagraph shows the u16 values it stores, so
the arithmetic here is the chain's, exactly: every value is an ``I32F32`` held as its
raw integer (``value * 2**32``) in an ``int64`` array; a product is rounded towards
minus infinity and a quotient towards zero (substrate-fixed's ``mul``/``div``), a
division by zero gives 0 (``safe_div``), stake is normalized in ``I64F64`` first, and a
proportion becomes a u16 as ``floor(x * 65535)``. With the same inputs the u16 values
(consensus, incentive, dividends, validator trust, stake weight), the emissions in rao
and the stored bonds are the chain's to the last unit (``tests/test_yuma.py`` checks them
against the exact values of subtensor's own epoch tests).

What is not here, by design: the coinbase (how much alpha an epoch gets, the owner cut,
root dividends, child-key splits: ``emission`` is handed in), and state changes outside
the epoch (deregistration, ``do_reset_bonds`` on a commitment, commit-reveal bookkeeping:
pass the active commits' blocks as ``commit_blocks``). Rank, trust and pruning score are
no longer computed by the chain; it reports :data:`RANK`, :data:`TRUST` and
:data:`PRUNING_SCORE` for every uid.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar, cast

import numpy as np
import numpy.typing as npt

SUBTENSOR_COMMIT = "14bc6f9f964b9cc362e9635dd110a487fa5d15a0"

# -- what subtensor gives a new subnet (at SUBTENSOR_COMMIT) ---------------------------
# runtime/src/lib.rs: SubtensorInitialKappa = 32_767 (0.5 as u16).
KAPPA = 32_767
# runtime/src/lib.rs: SubtensorInitialBondsMovingAverage = 900_000 (parts per million).
BONDS_MOVING_AVERAGE = 900_000
# runtime/src/lib.rs: SubtensorInitialBondsPenalty = u16::MAX (weights for bonds are clipped).
BONDS_PENALTY = 65_535
# subnets/subnet.rs, init_new_network: set_yuma3_enabled(netuid, true) (the storage
# default, DefaultYuma3 in lib.rs, is false: subnets older than the switch run Yuma2).
YUMA3_ENABLED = True
# lib.rs: DefaultLiquidAlpha = false.
LIQUID_ALPHA_ENABLED = False
# lib.rs: DefaultAlphaValues = (45875, 58982), (alpha_low, alpha_high) as u16 (0.7, 0.9).
ALPHA_LOW = 45_875
ALPHA_HIGH = 58_982
# runtime/src/lib.rs: SubtensorInitialAlphaSigmoidSteepness = 1000.
ALPHA_SIGMOID_STEEPNESS = 1_000
# subnets/subnet.rs, init_new_network: set_max_allowed_validators(netuid, 64).
MAX_ALLOWED_VALIDATORS = 64
# lib.rs: INITIAL_ACTIVITY_CUTOFF_FACTOR_MILLI = 13_889; utils/misc.rs,
# get_activity_cutoff_blocks: cutoff = max(1, factor_milli * tempo / 1000) blocks.
ACTIVITY_CUTOFF_FACTOR_MILLI = 13_889
# lib.rs: DefaultStakeThreshold = 0 (stake below it does not count in the epoch).
STAKE_THRESHOLD = 0
# What NeuronInfo reports for the fields the chain no longer computes.
RANK = 0
TRUST = 0
PRUNING_SCORE = 65_535

U16_MAX = 65_535

_FRAC = 32
_ONE = 1 << _FRAC
_HALF = 1 << (_FRAC - 1)
_LOW32 = np.uint64(0xFFFF_FFFF)
# substrate-fixed's e (consts::E, U2F126) as the I9F23 constant its exp() returns for 1.
_E_I9F23 = 0xADF8_5458_A2BB_4A9A_AFDC_5620_273D_3CF1 >> 103
_EXP_LIMIT = 20 << _FRAC  # math.rs exp_safe clamps its input to [-20, 20]
_NO_COMMIT = np.iinfo(np.int64).max

Raw = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
U16s = npt.NDArray[np.uint16]
# A matrix as the chain stores it: one row per uid of (target uid, u16 value) pairs, or a
# dense n x n array (a zero entry then means "no entry").
SparseRows = Sequence[Iterable[tuple[int, int]]]
MatrixInput = SparseRows | npt.ArrayLike


@dataclass(frozen=True)
class EpochResult:
    """What one epoch leaves in the chain's storage, per uid (index = uid).

    The u16 arrays are what the metagraph shows (divide by 65535 for the floats bittensor
    prints); ``bonds`` is the ``Bonds`` map to hand to the next epoch.
    """

    active: Bools
    """``Active``: weights set within the activity cutoff."""
    stake_weight: U16s
    """``StakeWeight``: normalized stake after the stake threshold, as u16."""
    consensus: U16s
    """``Consensus``: stake-weighted median weight per uid, with kappa as the majority."""
    incentive: U16s
    """``Incentive``: the miners' share (clipped weights times active stake, normalized)."""
    dividends: U16s
    """``Dividends``: the validators' share, from bonds."""
    validator_trust: U16s
    """``ValidatorTrust``: sum of each validator's weights after clipping at consensus."""
    validator_permit: Bools
    """``ValidatorPermit`` for the next epoch: the top ``max_allowed_validators`` by stake."""
    emission: npt.NDArray[np.int64]
    """``Emission`` in rao: each uid's share of the epoch's emission (what the metagraph
    shows as emission)."""
    server_emission: npt.NDArray[np.int64]
    """The miner part of the emission, rao (incentive / (sum of incentive and dividends))."""
    validator_emission: npt.NDArray[np.int64]
    """The validator part, rao (dividends / the same sum; the stake when nothing is earned)."""
    bonds: U16s
    """``Bonds`` after the epoch (n x n, row = validator): the EMA bonds of uids holding a
    new permit, zero rows for the others. Yuma3 stores proportions, Yuma2 column
    max-upscaled values; hand it back as ``bonds`` with the same ``yuma3`` setting."""


def activity_cutoff_blocks(tempo: int, factor_milli: int = ACTIVITY_CUTOFF_FACTOR_MILLI) -> int:
    """The chain's activity cutoff in blocks for a subnet of this tempo (at least 1)."""
    return max(1, factor_milli * tempo // 1000)


def max_upscale_to_u16(values: Sequence[int]) -> list[int]:
    """u16 weights scaled so the largest is 65535, as ``set_weights`` stores them.

    subtensor's ``vec_u16_max_upscale_to_u16`` (math.rs), in its fixed point: the values
    are scaled by 65535 / max and rounded half away from zero.
    """
    top = max(values, default=0)
    if top == 0:
        return [0 for _ in values]
    out = []
    for value in values:
        if top > 32_768:
            scale = _div_int(U16_MAX << _FRAC, top << _FRAC)
            raw = (value << _FRAC) * scale >> _FRAC
        else:
            raw = _div_int((value * U16_MAX) << _FRAC, top << _FRAC)
        out.append(min(U16_MAX, (raw + _HALF) >> _FRAC))
    return out


def run_epoch(
    *,
    stake: Sequence[float],
    weights: MatrixInput,
    bonds: MatrixInput | None = None,
    last_update: Sequence[int],
    block_at_registration: Sequence[int],
    validator_permit: Sequence[bool],
    current_block: int,
    tempo: int,
    emission: int,
    last_epoch_block: int = 0,
    activity_cutoff: int | None = None,
    kappa: int = KAPPA,
    bonds_moving_average: int = BONDS_MOVING_AVERAGE,
    bonds_penalty: int = BONDS_PENALTY,
    max_allowed_validators: int = MAX_ALLOWED_VALIDATORS,
    yuma3: bool = YUMA3_ENABLED,
    liquid_alpha: bool = LIQUID_ALPHA_ENABLED,
    alpha_low: int = ALPHA_LOW,
    alpha_high: int = ALPHA_HIGH,
    alpha_sigmoid_steepness: int = ALPHA_SIGMOID_STEEPNESS,
    stake_threshold: int = STAKE_THRESHOLD,
    owner_uid: int | None = None,
    commit_blocks: Sequence[int | None] | None = None,
) -> EpochResult:
    """One epoch of subnet ``n = len(stake)`` uids, as ``epoch_mechanism`` computes it.

    Inputs are per uid (index = uid), as the chain stores them:

    - ``stake``: the stake weight in rao (alpha stake plus tao stake times the tao
      weight); ints are exact, floats are rounded to ``I64F64``.
    - ``weights``: ``Weights``, u16 values as ``set_weights`` stored them
      (:func:`max_upscale_to_u16`); ``bonds``: ``Bonds`` from the previous epoch
      (:attr:`EpochResult.bonds`), none on a new subnet. Rows of ``(uid, value)`` pairs,
      or dense n x n arrays. An explicit zero weight counts as an entry (it decays the
      bond instead of dropping it when liquid alpha is on); dense input cannot say that.
    - ``last_update``: the block of the registration, then of each accepted weights
      call; ``block_at_registration``; ``validator_permit``: the permits the previous
      epoch gave (all False before the first).
    - ``current_block``, ``tempo``, and ``last_epoch_block``: the block of the previous
      epoch (``LastMechansimStepBlock``; 0 if none): bonds on uids registered since then
      are dropped.
    - ``emission``: the rao (alpha) this epoch splits.
    - ``activity_cutoff``: blocks; the chain's own, :func:`activity_cutoff_blocks` of
      the tempo, when None.
    - ``commit_blocks``: with commit-reveal on, per uid the block of its earliest
      unexpired commit (None: none); weights from such a uid to uids registered after
      that block are dropped, as the chain does against sniping.

    Hyperparameters are as the chain stores them (u16 proportions, ``bonds_moving_average``
    in parts per million); the defaults are a new subnet's.
    """
    n = len(stake)
    for name, values in (
        ("last_update", last_update),
        ("block_at_registration", block_at_registration),
        ("validator_permit", validator_permit),
    ):
        if len(values) != n:
            raise ValueError(f"{name} has {len(values)} entries for {n} uids")
    if activity_cutoff is None:
        activity_cutoff = activity_cutoff_blocks(tempo)
    updated = np.asarray(last_update, dtype=np.int64).reshape(n)
    registered = np.asarray(block_at_registration, dtype=np.int64).reshape(n)
    owner = owner_uid if owner_uid is not None and 0 <= owner_uid < n else None

    # -- activity: weights older than the cutoff do not count --------------------------
    inactive = updated + activity_cutoff < current_block
    active = ~inactive

    # -- stake: I64F64, threshold (never for the owner), normalized, then I32F32 --------
    if all(type(s) is int for s in stake):
        stake64 = [int(s) << 64 if s > 0 else 0 for s in stake]
    else:
        stake64 = [_to_i64f64(s) for s in stake]
    stake64 = [
        0 if uid != owner and (s >> 64) < stake_threshold else s for uid, s in enumerate(stake64)
    ]
    total64 = sum(stake64)
    if total64:
        stake64 = [(s << 64) // total64 for s in stake64]
    stake_f = np.array([s >> _FRAC for s in stake64], dtype=np.int64).reshape(n)

    # -- permits: the previous epoch's decide whose weights count; new ones are the top
    # max_allowed_validators by stake (ties go to the higher uid); the owner always has one
    old_permit = np.asarray(validator_permit, dtype=bool).reshape(n).copy()
    new_permit = _topk_nonzero(stake_f, max_allowed_validators)
    if owner is not None:
        old_permit[owner] = True
        new_permit[owner] = True

    active_stake = stake_f.copy()
    active_stake[inactive | ~old_permit] = 0
    active_stake = _normalize(active_stake)

    # -- weights: permitted rows, no self-weight (but the owner's), none on uids
    # registered since the row was set, row-normalized ----------------------------------
    w_u16, w_entry = _matrix(weights, n)
    owner_self = bool(w_entry[owner, owner]) if owner is not None else False
    w_entry[~old_permit, :] = False
    diagonal = np.arange(n)
    w_entry[diagonal, diagonal] = False
    if owner is not None:
        w_entry[owner, owner] = owner_self
    w_entry &= ~(updated[:, None] <= registered[None, :])
    if commit_blocks is not None:
        committed = np.array(
            [_NO_COMMIT if c is None else c for c in commit_blocks], dtype=np.int64
        ).reshape(n)
        w_entry &= ~(committed[:, None] < registered[None, :])
    w_u16 = np.where(w_entry, w_u16, 0)
    row_sum = w_u16.sum(axis=1, keepdims=True)
    # (w << 32) / (sum << 32) in I32F32 is exactly (w << 32) // sum.
    w = np.where(row_sum > 0, (w_u16 << _FRAC) // np.maximum(row_sum, 1), 0)

    # -- consensus, clipping, validator trust, incentive --------------------------------
    kappa_f = _div_int(kappa << _FRAC, U16_MAX << _FRAC)
    consensus = _weighted_median_columns(active_stake, w, kappa_f)
    clipped = np.minimum(w, consensus[None, :])
    clipped_entry = w_entry & ~((w > consensus[None, :]) & (consensus[None, :] <= 0))
    validator_trust = clipped.sum(axis=1)
    incentive = _normalize(_mul(active_stake[:, None], clipped).sum(axis=0))

    # -- weights for bonds: bonds_penalty interpolates from weights (0) to clipped (1) ---
    penalty_f = _div_int(bonds_penalty << _FRAC, U16_MAX << _FRAC)
    if penalty_f == 0:
        w_bonds, w_bonds_entry = w, w_entry
    elif penalty_f == _ONE:
        w_bonds, w_bonds_entry = clipped, clipped_entry
    else:
        w_bonds = w + _mul(np.int64(penalty_f), clipped - w)
        w_bonds_entry = w_bonds > 0
        w_bonds = np.where(w_bonds_entry, w_bonds, 0)

    # -- bonds: drop those on uids registered since the last epoch ---------------------
    b_u16, _ = _matrix(bonds if bonds is not None else [[] for _ in range(n)], n)
    last_tempo = max(0, current_block - tempo) if last_epoch_block == 0 else last_epoch_block + 1
    b_u16[:, last_tempo <= registered] = 0
    moving_average = ((bonds_moving_average << 64) // 1_000_000) >> _FRAC
    alpha = _ONE - moving_average

    if yuma3:
        # Bonds are u16 proportions; EMA towards the weights, liquid alpha per cell.
        old = (b_u16 << _FRAC) // U16_MAX
        if liquid_alpha and bool(np.any(consensus != 0)):
            ema = _liquid_alpha_ema(
                w_bonds,
                w_bonds_entry,
                old,
                consensus,
                low=_div_int(alpha_low << _FRAC, U16_MAX << _FRAC),
                high=_div_int(alpha_high << _FRAC, U16_MAX << _FRAC),
                steepness=alpha_sigmoid_steepness << _FRAC,
            )
        else:
            ema = _mul(np.int64(alpha), w_bonds) + _mul(np.int64(_ONE - alpha), old)
            ema = np.maximum(ema, 0)
        per_validator = _mul(_col_normalize(ema), incentive[None, :]).sum(axis=1)
        dividends = _normalize(_mul(per_validator, active_stake))
        stored = ema
    else:
        # Yuma2: column-normalized bonds and stake-weighted deltas, EMA, then dividends
        # from the normalized EMA; stored column max-upscaled.
        # u16 bonds over their column sums: (b << 32) / (sum << 32) is (b << 32) // sum.
        col_sum = b_u16.sum(axis=0, keepdims=True)
        old = np.where(col_sum > 0, (b_u16 << _FRAC) // np.maximum(col_sum, 1), b_u16 << _FRAC)
        delta = _col_normalize(_mul(w_bonds, active_stake[:, None]))
        ema = _mul(np.int64(alpha), delta) + _mul(np.int64(_ONE - alpha), old)
        ema = _col_normalize(np.maximum(ema, 0))
        dividends = _normalize(_mul(incentive[None, :], ema).sum(axis=1))
        col_max = ema.max(axis=0, initial=0)
        stored = np.where(col_max > 0, _div(ema, np.maximum(col_max, 1)[None, :]), ema)

    # -- emission: incentive to miners, dividends to validators; stake if nothing earned -
    combined = incentive + dividends
    emission_sum = int(combined.sum())
    if emission_sum:
        server_share = _div(incentive, np.int64(emission_sum))
        validator_share = _div(dividends, np.int64(emission_sum))
        combined_share = _normalize(combined)
    else:
        server_share = incentive
        fallback = stake_f if int(active_stake.sum()) == 0 else active_stake
        validator_share = fallback
        combined_share = fallback

    bonds_out = np.where(new_permit[:, None], _to_u16(stored), 0).astype(np.uint16)
    return EpochResult(
        active=_frozen(active),
        stake_weight=_frozen(_to_u16(stake_f)),
        consensus=_frozen(_to_u16(consensus)),
        incentive=_frozen(_to_u16(incentive)),
        dividends=_frozen(_to_u16(dividends)),
        validator_trust=_frozen(_to_u16(validator_trust)),
        validator_permit=_frozen(new_permit),
        emission=_frozen(_rao(combined_share, emission)),
        server_emission=_frozen(_rao(server_share, emission)),
        validator_emission=_frozen(_rao(validator_share, emission)),
        bonds=_frozen(bonds_out),
    )


# -- inputs ------------------------------------------------------------------------------


def _matrix(matrix: MatrixInput, n: int) -> tuple[Raw, Bools]:
    """The u16 values of a stored matrix as n x n int64, and which cells have an entry
    (targets and rows beyond ``n`` are ignored, as the chain ignores them)."""
    if _is_dense(matrix):
        dense = np.asarray(matrix, dtype=np.int64)
        if dense.ndim != 2:
            raise ValueError(f"a dense matrix must be 2-d, got shape {dense.shape}")
        values = np.zeros((n, n), dtype=np.int64)
        rows, cols = min(n, dense.shape[0]), min(n, dense.shape[1])
        values[:rows, :cols] = dense[:rows, :cols]
        _check_u16(values)
        return values, values != 0
    rows_in = cast("SparseRows", matrix)
    sparse = [row if isinstance(row, Sequence) else list(row) for row in rows_in[:n]]
    lengths = [len(row) for row in sparse]
    flat = np.fromiter(
        itertools.chain.from_iterable(itertools.chain.from_iterable(sparse)),
        dtype=np.int64,
        count=2 * sum(lengths),
    ).reshape(-1, 2)
    row_of = np.repeat(np.arange(len(sparse)), lengths)
    keep = flat[:, 0] < n
    row_of, targets = row_of[keep], flat[keep, 0]
    values = np.zeros((n, n), dtype=np.int64)
    entry = np.zeros((n, n), dtype=bool)
    values[row_of, targets] = flat[keep, 1]
    entry[row_of, targets] = True
    _check_u16(values)
    return values, entry


def _check_u16(values: Raw) -> None:
    if values.size and (int(np.min(values)) < 0 or int(np.max(values)) > U16_MAX):
        raise ValueError("weights and bonds are u16 values, 0 to 65535, as the chain stores them")


def _is_dense(matrix: object) -> bool:
    """Whether a matrix is given dense (an array, or rows of numbers) rather than as rows
    of (uid, value) pairs."""
    if isinstance(matrix, np.ndarray):
        return True
    if not isinstance(matrix, Sequence):
        return False
    for row in matrix:
        if isinstance(row, np.ndarray):
            return row.ndim == 1
        if isinstance(row, Sequence) and len(row) > 0:
            return isinstance(row[0], (int, np.integer))
    return False


def _to_i64f64(value: float) -> int:
    """A stake as the raw bits of an I64F64 (ints exact, floats rounded to nearest)."""
    if isinstance(value, (int, np.integer)):
        return max(0, int(value)) << 64
    exact = Fraction(float(value)) * (1 << 64)
    return max(0, round(exact))


# -- I32F32 arithmetic on raw int64 arrays -------------------------------------------------


def _mul(a: npt.ArrayLike, b: npt.ArrayLike) -> Raw:
    """a * b in I32F32, rounded towards minus infinity (substrate-fixed's ``mul``)."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if a.size == 0 or b.size == 0:
        return np.zeros(np.broadcast_shapes(a.shape, b.shape), dtype=np.int64)
    a_min, a_max, b_min, b_max = int(a.min()), int(a.max()), int(b.min()), int(b.max())
    if a_min >= 0 and b_min >= 0:
        ua, ub = a.view(np.uint64), b.view(np.uint64)  # same bits for values >= 0
        if a_max * b_max < 1 << 64:  # the whole product fits in 64 bits
            return ((ua * ub) >> np.uint64(_FRAC)).view(np.int64)
        return _umul(ua, ub).view(np.int64)
    negative = (a < 0) != (b < 0)
    ua = np.abs(a).astype(np.uint64)
    ub = np.abs(b).astype(np.uint64)
    low = (ua & _LOW32) * (ub & _LOW32)
    result = _umul(ua, ub).astype(np.int64)
    inexact = (low & _LOW32) != 0
    return np.where(negative, -(result + inexact), result)


def _umul(ua: npt.NDArray[np.uint64], ub: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """floor(ua * ub / 2**32) for unsigned raw values whose result fits in 63 bits."""
    shift = np.uint64(_FRAC)
    return (
        ua * (ub >> shift)
        + (ua >> shift) * (ub & _LOW32)
        + (((ua & _LOW32) * (ub & _LOW32)) >> shift)
    )


def _div(a: npt.ArrayLike, b: npt.ArrayLike) -> Raw:
    """a / b in I32F32, rounded towards zero; 0 where b is 0 (``safe_div``)."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
    if a.size == 0:
        return np.zeros(a.shape, dtype=np.int64)
    zero = b == 0
    if int(a.min()) >= 0 and int(b.min()) >= 0:
        ua, ub = a.view(np.uint64), np.where(zero, 1, b).view(np.uint64)
        if int(a.max()) < 1 << 32:  # a << 32 fits in 64 bits
            result = ((ua << np.uint64(_FRAC)) // ub).view(np.int64)
        else:
            result = _udiv(ua, ub).view(np.int64)
        return np.where(zero, 0, result)
    negative = (a < 0) != (b < 0)
    ua = np.abs(a).astype(np.uint64)
    ub = np.where(zero, 1, np.abs(b)).astype(np.uint64)
    result = _udiv(ua, ub).astype(np.int64)
    return np.where(zero, 0, np.where(negative, -result, result))


def _udiv(ua: npt.NDArray[np.uint64], ub: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """floor((ua << 32) / ub) by long division, as many bits at a time as fit in 64."""
    quotient = ua // ub
    rest = ua % ub
    step = max(1, 64 - int(np.max(ub)).bit_length())
    fraction = np.zeros(ua.shape, dtype=np.uint64)
    left = _FRAC
    while left > 0:
        k = min(step, left)
        rest = rest << np.uint64(k)
        fraction = (fraction << np.uint64(k)) | (rest // ub)
        rest = rest % ub
        left -= k
    return (quotient << np.uint64(_FRAC)) | fraction


def _one_over(b: Raw) -> Raw:
    """1 / b in I32F32 for b >= 1: floor(2**64 / b) without leaving 64 bits."""
    ub = b.astype(np.uint64)
    quotient = np.uint64(2**64 - 1) // ub
    quotient += (quotient + np.uint64(1)) * ub == 0  # b divides 2**64: one more
    return quotient.view(np.int64)


def _div_int(a: int, b: int) -> int:
    """Raw I32F32 ``a / b`` for raw ints, rounded towards zero; 0 for b == 0."""
    if b == 0:
        return 0
    quotient = (abs(a) << _FRAC) // abs(b)
    return -quotient if (a < 0) != (b < 0) else quotient


def _normalize(x: Raw) -> Raw:
    """Each value over the sum (unchanged if the sum is 0): math.rs ``inplace_normalize``."""
    total = int(x.sum())
    return x if total == 0 else _div(x, np.int64(total))


def _col_normalize(x: Raw) -> Raw:
    """Each column over its sum, where that is not 0."""
    sums = x.sum(axis=0)
    return np.where(sums[None, :] != 0, _div(x, sums[None, :]), x)


def _to_u16(x: Raw) -> U16s:
    """``fixed_proportion_to_u16``: floor(x * 65535), saturated to [0, 65535]."""
    return np.clip((x * U16_MAX) >> _FRAC, 0, U16_MAX).astype(np.uint16)


def _rao(share: Raw, emission: int) -> npt.NDArray[np.int64]:
    """floor(share * emission) as the chain's I96F32 product gives it."""
    return np.array([s * emission >> _FRAC if s > 0 else 0 for s in share.tolist()], dtype=np.int64)


_Array = TypeVar("_Array", bound=npt.NDArray[np.generic])


def _frozen(array: _Array) -> _Array:
    array = array.copy()
    array.setflags(write=False)
    return array


# -- the epoch's steps ---------------------------------------------------------------------


def _topk_nonzero(stake: Raw, k: int) -> Bools:
    """True for the ``k`` largest non-zero stakes; a stable ascending sort drops the
    smallest, so of equal stakes the lower uid loses (math.rs ``is_topk_nonzero``)."""
    keep = stake != 0
    n = len(stake)
    if n < k:
        return keep
    order = np.argsort(stake, kind="stable")
    keep[order[: n - k]] = False
    return keep


def _weighted_median_columns(active_stake: Raw, w: Raw, kappa: int) -> Raw:
    """Per column, the stake-weighted median of the weights of the uids with active
    stake, at majority ``kappa`` (math.rs ``weighted_median_col_sparse``).

    The chain's pivot search returns, per column, the smallest weight ``v`` whose
    cumulative stake (of weights <= v) exceeds ``stake_sum - kappa``, or the largest
    weight if none does; the sums are exact integer sums of the re-normalized stake, so
    sorting gives the same value.
    """
    n = w.shape[1]
    rows = np.flatnonzero(active_stake > 0)
    if len(rows) == 0:
        return np.zeros(n, dtype=np.int64)
    use_stake = _normalize(active_stake[rows])
    minority = int(use_stake.sum()) - kappa
    scores = w[rows]
    order = np.argsort(scores, axis=0)  # the order of equal scores does not change v
    sorted_scores = np.take_along_axis(scores, order, axis=0)
    cumulative = np.cumsum(use_stake[order], axis=0)
    above = cumulative > minority
    index = np.where(above.any(axis=0), above.argmax(axis=0), len(rows) - 1)
    return sorted_scores[index, np.arange(n)]


def _liquid_alpha_ema(
    w: Raw, w_entry: Bools, old: Raw, consensus: Raw, *, low: int, high: int, steepness: int
) -> Raw:
    """Yuma3 bonds with liquid alpha (``mat_ema_alpha_sparse``): per cell an alpha from a
    sigmoid of how far the weight is from consensus (buying) or the bond from the weight
    (selling); cells without a weight entry keep no bond."""
    ema = np.zeros_like(w)
    if not w_entry.any():
        return ema
    weight, bond = w[w_entry], old[w_entry]
    cons = np.broadcast_to(consensus[None, :], w.shape)[w_entry]
    buy = np.clip(weight - cons, 0, _ONE)
    sell = np.clip(bond - weight, 0, _ONE)
    diff = np.where(weight >= bond, buy, sell)
    scale = _div_int(steepness, -100 << _FRAC)
    exponent = _mul(np.int64(scale), diff - _HALF)
    # Cells on consensus (diff 0) share one value: compute it once.
    on_consensus = diff == 0
    power = np.empty_like(exponent)
    power[on_consensus] = _exp_safe(np.array([_mul(np.int64(scale), np.int64(-_HALF))]))[0]
    power[~on_consensus] = _exp_safe(exponent[~on_consensus])
    sigmoid = _one_over(_ONE + power)
    alpha = np.maximum(np.minimum(low + _mul(sigmoid, np.int64(high - low)), high), low)
    value = _mul(_ONE - alpha, bond) + np.maximum(_mul(alpha, weight), 0)
    ema[w_entry] = np.maximum(np.minimum(value, _ONE), 0)
    return ema


def _exp_safe(x: Raw) -> Raw:
    """e**x in I32F32 for x clamped to [-20, 20]: substrate-fixed's ``exp`` (its Taylor
    series to the 31st term in I32F32, 1/e**|x| for negative x)."""
    x = np.clip(x, -_EXP_LIMIT, _EXP_LIMIT)
    operand = np.abs(x).view(np.uint64)
    shift = np.uint64(_FRAC)
    op_hi, op_lo = operand >> shift, operand & _LOW32
    result = operand + np.uint64(_ONE)
    term = operand.copy()
    high, low = np.empty_like(term), np.empty_like(term)
    for i in range(2, _FRAC):
        # term * operand (floor), then / i (towards zero), as the chain's series does;
        # in place, word by word: (t_hi * o_lo) + (t_lo * o_lo >> 32) + t * o_hi
        np.right_shift(term, shift, out=high)
        high *= op_lo
        np.bitwise_and(term, _LOW32, out=low)
        low *= op_lo
        low >>= shift
        term *= op_hi
        term += high
        term += low
        term //= np.uint64(i)
        if i % 4 == 0 and not term.any():
            break
        result += term
    signed = result.view(np.int64)
    negative = x < 0
    if negative.any():
        signed[negative] = _one_over(signed[negative])
    signed = np.where(x == _ONE, np.int64(_E_I9F23 << (_FRAC - 23)), signed)
    return np.where(x == 0, np.int64(_ONE), signed)
