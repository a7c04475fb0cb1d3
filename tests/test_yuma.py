"""The epoch of ``simnet.chain.yuma`` against subtensor's own tests.

Each scenario replays one of subtensor's tests (``pallets/subtensor/src/tests/epoch.rs``
and ``math.rs`` at the commit ``SUBTENSOR_COMMIT`` names) on a small stand-in for the
chain's storage, with the test's blocks, stakes, hyperparameters and calls, and asserts
the values that test asserts: exactly where it asserts exactly, within its epsilon where
it uses one. Which test each one replays is in its docstring.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simnet.chain import yuma
from simnet.chain.yuma import EpochResult, max_upscale_to_u16, run_epoch

M = 65_535
EMISSION = 1_000_000_000


class Storage:
    """The storage items an epoch reads and writes, changed as subtensor's calls change
    them (``set_weights``, ``replace_neuron``) between epochs."""

    def __init__(self, stakes: Sequence[int], *, block: int, tempo: int, **params: Any) -> None:
        n = len(stakes)
        self.stake = list(stakes)
        self.block = block
        self.tempo = tempo
        self.weights: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        self.bonds: Any = None
        self.last_update = [block] * n
        self.registered = [block] * n
        self.permit = [False] * n
        self.params = params

    def set_weights(self, uid: int, targets: Sequence[int], values: Sequence[int]) -> None:
        """``do_set_weights``: max-upscaled, and ``last_update`` is this block."""
        self.weights[uid] = list(zip(targets, max_upscale_to_u16(values), strict=True))
        self.last_update[uid] = self.block

    def replace(self, uid: int, stake: int = 0) -> None:
        """``replace_neuron`` + ``clear_neuron``: a new hotkey at ``uid`` this block."""
        self.registered[uid] = self.last_update[uid] = self.block
        self.weights[uid] = []
        self.weights = [[(j, 0 if j == uid else w) for j, w in row] for row in self.weights]
        if self.bonds is not None:
            self.bonds = np.array(self.bonds)
            self.bonds[uid, :] = 0
        self.permit[uid] = False
        self.stake[uid] = stake

    def epoch(self, emission: int = EMISSION, **extra: Any) -> EpochResult:
        """``SubtensorModule::epoch``: run, then persist permits and bonds."""
        result = run_epoch(
            stake=self.stake,
            weights=self.weights,
            bonds=self.bonds,
            last_update=self.last_update,
            block_at_registration=self.registered,
            validator_permit=self.permit,
            current_block=self.block,
            tempo=self.tempo,
            emission=emission,
            **{**self.params, **extra},
        )
        self.permit = list(result.validator_permit)
        self.bonds = result.bonds
        return result


def distribute_nodes(validators_n: int, network_n: int, interleave: int) -> tuple[list, list]:
    """epoch.rs ``distribute_nodes``: validators first, regularly interleaved, or shuffled."""
    if interleave == 0:
        return list(range(validators_n)), list(range(validators_n, network_n))
    if interleave == 1:
        step = network_n // validators_n
        uids = range(network_n)
        return [u for u in uids if u % step == 0], [u for u in uids if u % step != 0]
    uids = list(range(network_n))
    random.Random(interleave).shuffle(uids)
    return uids[:validators_n], uids[validators_n:]


# -- graphs --------------------------------------------------------------------------------


def test_single_uid_with_only_a_self_weight_gets_no_consensus_incentive_or_dividends() -> None:
    """epoch.rs ``test_1_graph``."""
    chain = Storage([1_000_000_000], block=1, tempo=M - 1, yuma3=False)
    chain.set_weights(0, [0], [M])
    result = chain.epoch()
    assert (result.consensus[0], result.incentive[0], result.dividends[0]) == (0, 0, 0)


def test_self_weights_only_emit_by_stake() -> None:
    """epoch.rs ``test_10_graph``: ten uids of stake 1 with self-weights only."""
    chain = Storage([1] * 10, block=1, tempo=M - 1, yuma3=False)
    for uid in range(10):
        chain.set_weights(uid, [uid], [M])
    result = chain.epoch()
    assert list(result.consensus) == [0] * 10
    assert list(result.incentive) == [0] * 10
    assert list(result.dividends) == [0] * 10
    assert list(result.emission) == [99_999_999] * 10


@pytest.mark.parametrize("server_self", [False, True])
@pytest.mark.parametrize("interleave", [0, 1, 2])
def test_512_uids_with_64_equal_validators_split_emission_evenly(
    interleave: int, server_self: bool
) -> None:
    """epoch.rs ``test_512_graph`` (Yuma2, three epochs; 'random' interleaving with a
    seeded shuffle)."""
    validators, servers = distribute_nodes(64, 512, interleave)
    stake = [328_125_000_000_000 if uid in validators else 0 for uid in range(512)]
    chain = Storage(stake, block=0, tempo=M - 1, yuma3=False, max_allowed_validators=64)
    chain.block = 1
    chain.epoch()  # sets the permits
    for uid in validators:
        chain.set_weights(uid, servers, [M // 512] * len(servers))
    if server_self:
        for uid in servers:
            chain.set_weights(uid, [uid], [M])
    for _ in range(3):
        result = chain.epoch()
    bonds = result.bonds
    validator, server = validators[0], servers[0]
    for uid in validators:
        assert result.consensus[uid] == 0
        assert result.incentive[uid] == 0
        assert result.dividends[uid] == 1023
        assert result.emission[uid] == 7_812_500
        assert bonds[uid, validator] == 0
        assert bonds[uid, server] == M
    for uid in servers:
        assert result.consensus[uid] == 146
        assert result.incentive[uid] == 146
        assert result.dividends[uid] == 0
        assert result.emission[uid] == 1_116_071
        assert bonds[uid, validator] == 0
        assert bonds[uid, server] == 0


# -- bonds, activity, deregistration (Yuma2) ----------------------------------------------


def test_yuma2_bonds_follow_the_chains_ema_to_the_last_u16() -> None:
    """epoch.rs ``test_bonds``: every bond it asserts over eight epochs."""
    chain = Storage([1, 2, 3, 4, 0, 0, 0, 0], block=1, tempo=1, yuma3=False)
    chain.params["max_allowed_validators"] = 8
    chain.epoch()
    chain.block += 1
    for uid in range(4):
        chain.set_weights(uid, [4, 5, 6, 7], [M // 4, M // 2, (M // 4) * 3, M])
    assert list(chain.epoch().bonds[:4, 4]) == [16383, 32767, 49151, 65535]

    for uid, expected in ((0, [14582, 32767, 49151, 65535]), (1, [12603, 28321, 49151, 65535])):
        chain.set_weights(uid, [uid], [M])
        chain.block += 1
        assert list(chain.epoch().bonds[:4, 4]) == expected

    chain.set_weights(2, [2], [M])
    chain.block += 1
    assert list(chain.epoch().bonds[:4, 7]) == [12602, 28320, 49150, 65535]

    chain.set_weights(2, [7], [M])
    for expected in (
        [10951, 24609, 49150, 65535],
        [9559, 21482, 49150, 65535],
        [8376, 18824, 49150, 65535],
    ):
        chain.block += 1
        assert list(chain.epoch().bonds[:4, 7]) == expected


def test_inactive_validators_lose_their_stake_in_the_epoch() -> None:
    """epoch.rs ``test_active_stake``: dividends, emissions and bonds once a validator's
    weights are older than the activity cutoff."""
    chain = Storage([1, 1, 1, 1], block=0, tempo=1, yuma3=False, max_allowed_validators=4)
    chain.epoch()
    chain.block = 1
    for uid in (0, 1):
        chain.set_weights(uid, [2, 3], [M // 2, M // 2])
    result = chain.epoch()
    assert list(result.dividends[:2]) == [32767, 32767]
    assert list(result.emission) == [250_000_000] * 4
    assert result.bonds[:2, :2].tolist() == [[0, 0], [0, 0]]
    assert result.bonds[:2, 2:].tolist() == [[M, M], [M, M]]

    chain.block = 5000 + 2  # subtensor runs to get_activity_cutoff() + 2
    chain.set_weights(0, [2, 3], [M // 2, M // 2])
    result = chain.epoch()
    assert (result.dividends[0], result.emission[0]) == (36044, 274_999_999)
    assert (result.dividends[1], result.emission[1]) == (29490, 224_999_999)
    assert list(result.bonds[0, 2:]) == [M, M]
    assert list(result.bonds[1, 2:]) == [53619, 53619]

    chain.set_weights(1, [2, 3], [M // 2, M // 2])
    chain.block = 5000 + 3
    result = chain.epoch()
    assert (result.dividends[0], result.emission[0]) == (35716, 272_501_132)
    assert (result.dividends[1], result.emission[1]) == (29818, 227_498_866)
    assert list(result.bonds[0, 2:]) == [M, M]
    assert list(result.bonds[1, 2:]) == [54712, 54712]


def test_weights_on_a_replaced_uid_are_dropped_until_set_again() -> None:
    """epoch.rs ``test_outdated_weights`` (tempo 0)."""
    chain = Storage([1, 1, 1, 1], block=1, tempo=0, yuma3=False, max_allowed_validators=4)
    chain.epoch()
    chain.block = 2
    for uid in (0, 1):
        chain.set_weights(uid, [2, 3], [2 * (M // 3), M // 3])
    for uid in (2, 3):
        chain.set_weights(uid, [uid], [M])
    chain.epoch()
    chain.replace(3)  # the least emission: registered over at block 2
    chain.block = 3
    chain.set_weights(0, [2, 3], [2 * (M // 3), M // 3])
    result = chain.epoch()
    assert result.dividends[0] == 32767
    assert result.emission[0] == 250_000_000
    assert (result.bonds[0, 2], result.bonds[0, 3]) == (M, M)


def test_no_effective_weights_emit_by_stake() -> None:
    """epoch.rs ``test_zero_weights``: no weights, self-weights only, weights on a uid
    registered over, then fresh weights."""
    chain = Storage([1, 0], block=1, tempo=M - 1, yuma3=False)
    assert list(chain.epoch().emission) == [EMISSION, 0]
    chain.set_weights(1, [1], [M])
    assert list(chain.epoch().emission) == [EMISSION, 0]
    chain.block = 2
    chain.set_weights(0, [1], [M])
    chain.replace(1)
    assert list(chain.epoch().emission) == [EMISSION, 0]
    chain.block = 3
    chain.set_weights(0, [1], [M])
    assert list(chain.epoch().emission) == [EMISSION // 2, EMISSION // 2]


def test_bonds_on_a_uid_registered_since_the_last_epoch_are_reset() -> None:
    """epoch.rs ``test_deregistered_miner_bonds``."""
    chain = Storage([1, 1, 1, 1], block=1, tempo=M - 1, yuma3=False, max_allowed_validators=4)
    chain.epoch()
    chain.block = 2
    for uid in (0, 1):
        chain.set_weights(uid, [2, 3], [2 * (M // 3), M // 3])
    chain.block, chain.tempo = 4, 2
    before = chain.epoch().bonds
    assert before[0, 2] > 0
    assert before[0, 3] > 0
    chain.block = 5
    chain.replace(3)
    for uid in (0, 1):
        chain.set_weights(uid, [2, 3], [2 * (M // 3), M // 3])
    chain.block = 6
    after = chain.epoch().bonds
    assert after[0, 2] >= before[0, 2]
    assert after[0, 3] <= before[0, 3]


# -- permits, owner, emission --------------------------------------------------------------


@pytest.mark.parametrize("assignment", [0, 1])
@pytest.mark.parametrize(("network_n", "validators_n"), [(2, 1), (4, 2), (8, 4)])
@pytest.mark.parametrize("interleave", [0, 1, 2])
def test_permits_go_to_the_largest_stakes_over_the_threshold(
    interleave: int, network_n: int, validators_n: int, assignment: int
) -> None:
    """epoch.rs ``test_validator_permits``."""
    validators, servers = distribute_nodes(validators_n, network_n, interleave)
    min_stake = validators_n
    stake = [0] * network_n
    for uid in validators:
        stake[uid] = uid + network_n if assignment else 1
    for uid in servers:
        stake[uid] = uid if assignment else 0
    chain = Storage(stake, block=1, tempo=M - 1, stake_threshold=min_stake)
    chain.params["max_allowed_validators"] = validators_n
    permit = chain.epoch().validator_permit
    for uid in validators:
        assert permit[uid] == (stake[uid] >= min_stake)
    for uid in servers:
        assert not permit[uid]
    for uid in servers:
        chain.stake[uid] += 2 * network_n
    permit = chain.epoch().validator_permit
    for uid in validators:
        assert not permit[uid]
    for uid in servers:
        assert permit[uid] == (stake[uid] + 2 * network_n >= min_stake)


def test_subnet_owner_keeps_its_self_weight() -> None:
    """epoch.rs ``test_can_set_self_weight_as_subnet_owner``: half on itself, half on
    the other uid, equal incentive."""
    result = run_epoch(
        stake=[5_000_000_000_000, 0],
        weights=[[(0, M // 2), (1, M // 2)], []],
        last_update=[2, 0],
        block_at_registration=[1, 1],
        validator_permit=[True, False],
        current_block=2,
        tempo=360,
        emission=1_000_000_000,
        owner_uid=0,
    )
    assert result.server_emission[0] > 0
    assert result.server_emission[1] > 0
    assert result.server_emission[0] == result.server_emission[1]


def test_a_single_staker_without_weights_gets_the_whole_emission() -> None:
    """epoch.rs ``test_epoch_outputs_single_staker_registered_no_weights``."""
    result = run_epoch(
        stake=[1],
        weights=[[]],
        last_update=[1],
        block_at_registration=[1],
        validator_permit=[False],
        current_block=1,
        tempo=M - 1,
        emission=1_000_000_000,
    )
    total = int(result.server_emission.sum() + result.validator_emission.sum())
    assert abs(total - 1_000_000_000) <= 1_000


def test_weights_on_a_uid_registered_after_an_active_commit_are_dropped() -> None:
    """epoch.rs ``test_epoch_masks_incoming_to_sniped_uid_prevents_inheritance``: the
    validator committed at block 21, uid 3 registered at 23; with commit-reveal off
    (``test_epoch_no_mask_when_commit_reveal_disabled``) the weight counts."""
    common: dict[str, Any] = dict(
        stake=[10_000, 100, 5_000, 10_000],
        weights=[[(0, M), (3, M)], [], [], []],
        last_update=[24, 1, 1, 23],
        block_at_registration=[1, 1, 1, 23],
        validator_permit=[True, False, False, False],
        current_block=24,
        tempo=10,
        emission=1_000,
        max_allowed_validators=3,
    )
    masked = run_epoch(**common, commit_blocks=[21, None, None, None])
    assert masked.incentive[3] == 0
    assert run_epoch(**common).incentive[3] > 0


def two_validators(weights: list[list[tuple[int, int]]], **extra: Any) -> EpochResult:
    """mechanism.rs ``mock_epoch_state``: two uids of 1 alpha, both permitted, Yuma2,
    tempo 1, updated at block 2, registered at block 1, the epoch at block 1."""
    inputs: dict[str, Any] = dict(
        stake=[1_000_000_000, 1_000_000_000],
        weights=weights,
        last_update=[2, 2],
        block_at_registration=[1, 1],
        validator_permit=[True, True],
        current_block=1,
        tempo=1,
        emission=1_000_000_000,
        yuma3=False,
    )
    return run_epoch(**{**inputs, **extra})


def test_two_validators_weighting_each_other_split_incentive_and_bond_fully() -> None:
    """mechanism.rs ``epoch_with_mechanisms_produces_per_mechanism_incentive`` and
    ``epoch_with_mechanisms_updates_bonds`` (each mechanism is one epoch)."""
    both = two_validators([[(0, M), (1, M)], [(0, M), (1, M)]])
    assert list(both.incentive) == [M // 2, M // 2]
    assert both.bonds.tolist() == [[0, M], [M, 0]]
    one_sided = two_validators([[(0, M), (1, 0)], [(0, M), (1, M)]])
    assert one_sided.bonds.tolist() == [[0, 0], [M, 0]]


def test_incentive_follows_a_single_validators_weights() -> None:
    """mechanism.rs ``epoch_with_mechanisms_incentives_proportional_to_weights`` (within
    its epsilon of 1), for both of its mechanisms."""
    for high, low in ((1, 2), (2, 1)):
        weights = [[(high, M // 5 * 4), (low, M // 5)], [(0, M), (1, M)], []]
        result = two_validators(
            weights,
            stake=[1_000_000_000, 1_000_000_000, 0],
            last_update=[2, 2, 2],
            block_at_registration=[1, 1, 1],
            validator_permit=[True, False, False],
        )
        assert abs(int(result.incentive[high]) - M // 5 * 4) <= 1
        assert abs(int(result.incentive[low]) - M // 5) <= 1


def logged_epoch(
    stake: list[int],
    last_update: list[int],
    block: int,
    weights: list[list[tuple[int, int]]] | None = None,
    emission: int = 1_000_000_000,
    **extra: Any,
) -> EpochResult:
    """epoch_logs.rs ``setup_epoch``: every uid registered at block 0, permits as given
    (validators: those with stake), tempo 10, Yuma2 (the mock's default)."""
    n = len(stake)
    return run_epoch(
        stake=stake,
        weights=weights or [[] for _ in range(n)],
        last_update=last_update,
        block_at_registration=[0] * n,
        validator_permit=[s > 0 for s in stake],
        current_block=block,
        tempo=10,
        emission=emission,
        yuma3=False,
        **extra,
    )


def test_epoch_logs_values_without_weights() -> None:
    """epoch_logs.rs ``test_simple`` (Combined Emission [500000000, 500000000]),
    ``yuma_emergency_mode`` (all inactive: stake), ``epoch_uses_active_stake_when_
    nonzero_active`` ([1, 0]) and ``epoch_topk_validator_permits``."""
    simple = logged_epoch([10**9, 10**9], [1, 1], block=1)
    assert list(simple.emission) == [500_000_000, 500_000_000]
    assert list(simple.consensus) == [0, 0]
    assert list(simple.validator_permit) == [True, True]
    emergency = logged_epoch([10**9, 10**9], [0, 0], block=1_000_000)
    assert list(emergency.active) == [False, False]
    assert list(emergency.emission) == [500_000_000, 500_000_000]
    one_active = logged_epoch([10**9, 10**9], [999, 1], block=1000)
    assert list(one_active.emission) == [1_000_000_000, 0]
    top_one = logged_epoch([2 * 10**9, 10**9], [1, 1], block=1, max_allowed_validators=1)
    assert list(top_one.validator_permit) == [True, False]


@pytest.mark.parametrize(
    ("rows", "consensus", "trust", "dividends", "emission"),
    [
        (
            [[(3, M), (4, 0)], [(3, 0), (4, M)], [(3, M), (4, 0)]],
            [0, 0, 0, M, 0],
            [M, 0, M, 0, 0],
            [M // 2, 0, M // 2, 0, 0],
            [250_000_000, 0, 250_000_000, 500_000_000, 0],
        ),
        (
            [[(3, M), (4, 0)], [(3, 0), (4, M)], [(3, M), (4, M)]],
            None,
            None,
            [M // 4, M // 4, M // 2, 0, 0],
            [125_000_000, 125_000_000, 250_000_000, 250_000_000, 250_000_000],
        ),
    ],
)
def test_epoch_logs_values_of_three_validators_on_two_servers(
    rows: list[list[tuple[int, int]]],
    consensus: list[int] | None,
    trust: list[int] | None,
    dividends: list[int],
    emission: list[int],
) -> None:
    """epoch_logs.rs ``test_validators_weight_two_distinct_servers`` and
    ``test_validator_splits_weight_across_two_servers``: the logged Consensus, Validator
    Trust, Dividends and Normalized Combined Emission, as the u16 and rao they become."""
    result = logged_epoch([10**9] * 3 + [0, 0], [1] * 5, block=1, weights=[*rows, [], []])
    if consensus is not None:
        assert list(result.consensus) == consensus
    if trust is not None:
        assert list(result.validator_trust) == trust
    assert list(result.dividends) == dividends
    assert list(result.emission) == emission


def test_epoch_logs_values_per_mechanism() -> None:
    """epoch_logs.rs ``epoch_mechanism_reads_weights_per_mechanism`` and
    ``epoch_mechanism_three_mechanisms_separate_state``: each mechanism's Normalized
    Combined Emission, of 1000."""
    three = [10**9] * 3 + [0, 0]
    for rows, emission in (
        ([[(3, M)], [(4, M)], [(3, M)]], [250, 0, 250, 500, 0]),
        ([[(4, M)], [(3, M)], [(4, M)]], [250, 0, 250, 0, 500]),
    ):
        result = logged_epoch(three, [1] * 5, block=1, weights=[*rows, [], []], emission=1000)
        assert list(result.emission) == emission
    two = [10**9] * 2 + [0, 0]
    for rows, emission in (
        ([[(2, M)], [(2, M)]], [250, 250, 500, 0]),
        ([[(2, M), (3, M)], [(2, M), (3, M)]], [250, 250, 250, 250]),
        ([[(3, M)], [(3, M)]], [250, 250, 0, 500]),
    ):
        result = logged_epoch(two, [1] * 4, block=1, weights=[*rows, [], []], emission=1000)
        assert list(result.emission) == emission


# -- Yuma3 ----------------------------------------------------------------------------------


def yuma3_scenario(stakes: Sequence[int]) -> Storage:
    """epoch.rs ``setup_yuma_3_scenario``: tempo 1, bonds penalty 0, steepness 1000,
    bonds moving average 0.975, kappa 0.5, liquid alpha in [0.1, 0.3], Yuma3, three
    permits; one epoch to give them."""
    low, high = (int(np.floor(x * 2**32 + 0.5)) * M >> 32 for x in (0.1, 0.3))
    assert (low, high) == (6553, 19660)  # set_alpha_values_32(0.1, 0.3) as u16
    chain = Storage(
        stakes,
        block=1,
        tempo=1,
        yuma3=True,
        liquid_alpha=True,
        bonds_penalty=0,
        alpha_sigmoid_steepness=1000,
        bonds_moving_average=975_000,
        kappa=M // 2,
        alpha_low=low,
        alpha_high=high,
        max_allowed_validators=3,
    )
    chain.block += 1
    chain.epoch()
    return chain


def replay_yuma3(
    chain: Storage,
    servers: list[int],
    schedule: dict[int, list[list[int]]],
    targets: dict[int, tuple[list[list[float]], list[float]]],
    epochs: int,
    reset_at: int | None = None,
) -> None:
    """Set each epoch's weights, run it, and compare bonds (as proportions) and dividends
    with subtensor's targets within its epsilon, 1e-3."""
    for epoch in range(epochs):
        if epoch in schedule:
            for uid, row in enumerate(schedule[epoch]):
                chain.set_weights(uid, servers, row)
        if epoch == reset_at:  # do_reset_bonds for uid 3's hotkey
            chain.bonds = np.array(chain.bonds)
            chain.bonds[:, 3] = 0
        chain.block += 1
        result = chain.epoch()
        if epoch in targets:
            bonds, dividends = targets[epoch]
            got_bonds = result.bonds[:3][:, servers] / M
            assert got_bonds == pytest.approx(np.array(bonds), abs=1e-3), epoch
            got = result.dividends / M
            assert got[: len(dividends)] == pytest.approx(dividends, abs=1e-3), epoch


A, B = [M, 0], [0, M]


def test_yuma3_big_validator_moving_first_keeps_most_dividends() -> None:
    """epoch.rs ``test_yuma_3_kappa_moves_first``."""
    bonds = [
        [[0.1013, 0.0], [0.1013, 0.0], [0.1013, 0.0]],
        [[0.0908, 0.1013], [0.3697, 0.0], [0.3697, 0.0]],
        [[0.0815, 0.1924], [0.3170, 0.1013], [0.5580, 0.0]],
        [[0.0731, 0.2742], [0.2765, 0.1924], [0.4306, 0.1013]],
        [[0.0656, 0.3478], [0.2435, 0.2742], [0.3589, 0.1924]],
        [[0.0588, 0.4139], [0.2157, 0.3478], [0.3089, 0.2742]],
    ]
    dividends = [
        [0.8, 0.1, 0.1],
        [1.0, 0.0, 0.0],
        [0.9382, 0.0618, 0.0],
        [0.8819, 0.0773, 0.0407],
        [0.8564, 0.0844, 0.0592],
        [0.8418, 0.0884, 0.0697],
    ]
    schedule = {0: [A, A, A], 1: [B, A, A], 2: [B, B, A], 3: [B, B, B]}
    replay_yuma3(
        yuma3_scenario([8, 1, 1, 0, 0]),
        [3, 4],
        schedule,
        dict(enumerate(zip(bonds, dividends, strict=True))),
        6,
    )


def test_yuma3_big_validator_moving_second() -> None:
    """epoch.rs ``test_yuma_3_kappa_moves_second``."""
    bonds = [
        [[0.1013, 0.0], [0.1013, 0.0], [0.1013, 0.0]],
        [[0.1924, 0.0], [0.0908, 0.2987], [0.1924, 0.0]],
        [[0.1715, 0.1013], [0.0815, 0.3697], [0.4336, 0.0]],
        [[0.1531, 0.1924], [0.0731, 0.4336], [0.3608, 0.1013]],
        [[0.1369, 0.2742], [0.0656, 0.4910], [0.3103, 0.1924]],
        [[0.1225, 0.3478], [0.0588, 0.5426], [0.2712, 0.2742]],
    ]
    dividends = [
        [0.8, 0.1, 0.1],
        [0.8446, 0.0498, 0.1056],
        [0.6868, 0.3132, 0.0],
        [0.7421, 0.2090, 0.0489],
        [0.7625, 0.1706, 0.0669],
        [0.7730, 0.1508, 0.0762],
    ]
    schedule = {0: [A, A, A], 1: [A, B, A], 2: [B, B, A], 3: [B, B, B]}
    replay_yuma3(
        yuma3_scenario([8, 1, 1, 0, 0]),
        [3, 4],
        schedule,
        dict(enumerate(zip(bonds, dividends, strict=True))),
        6,
    )


def test_yuma3_big_validator_moving_last_loses_dividends() -> None:
    """epoch.rs ``test_yuma_3_kappa_moves_last``."""
    bonds = [
        [[0.1013, 0.0], [0.1013, 0.0], [0.1013, 0.0]],
        [[0.1924, 0.0], [0.0908, 0.2987], [0.1924, 0.0]],
        [[0.2742, 0.0], [0.0815, 0.5081], [0.1715, 0.2987]],
        [[0.2416, 0.1013], [0.0731, 0.5580], [0.1531, 0.3697]],
        [[0.2141, 0.1924], [0.0656, 0.6028], [0.1369, 0.4336]],
        [[0.1903, 0.2742], [0.0588, 0.6430], [0.1225, 0.4910]],
    ]
    dividends = [
        [0.8, 0.1, 0.1],
        [0.8446, 0.0498, 0.1056],
        [0.8966, 0.0333, 0.0701],
        [0.4663, 0.3210, 0.2127],
        [0.5976, 0.2340, 0.1683],
        [0.6592, 0.1932, 0.1475],
    ]
    schedule = {0: [A, A, A], 1: [A, B, A], 2: [A, B, B], 3: [B, B, B]}
    replay_yuma3(
        yuma3_scenario([8, 1, 1, 0, 0]),
        [3, 4],
        schedule,
        dict(enumerate(zip(bonds, dividends, strict=True))),
        6,
    )


def test_yuma3_one_epoch_switch() -> None:
    """epoch.rs ``test_yuma_3_one_epoch_switch``."""
    bonds = [
        [[0.1013, 0.0], [0.1013, 0.0], [0.1013, 0.0]],
        [[0.1924, 0.0], [0.1924, 0.0], [0.1924, 0.0]],
        [[0.2742, 0.0], [0.2742, 0.0], [0.1715, 0.2987]],
        [[0.3478, 0.0], [0.3478, 0.0], [0.2554, 0.2618]],
        [[0.4139, 0.0], [0.4139, 0.0], [0.3309, 0.2312]],
        [[0.4733, 0.0], [0.4733, 0.0], [0.3987, 0.2051]],
    ]
    dividends = [
        [0.33, 0.33, 0.34],
        [0.33, 0.33, 0.34],
        [0.3782, 0.3782, 0.2436],
        [0.3628, 0.3628, 0.2745],
        [0.3541, 0.3541, 0.2917],
        [0.3487, 0.3487, 0.3026],
    ]
    schedule = {e: [A, A, A] for e in range(6)} | {2: [A, A, B]}
    replay_yuma3(
        yuma3_scenario([33, 33, 34, 0, 0]),
        [3, 4],
        schedule,
        dict(enumerate(zip(bonds, dividends, strict=True))),
        6,
    )


def test_yuma3_without_liquid_alpha_uses_the_bonds_moving_average() -> None:
    """epoch.rs ``test_yuma_3_liquid_alpha_disabled`` (its bond targets list the
    validator column too: uid 2's bond column is 0 here)."""
    bonds = [
        [[0.0250, 0.0], [0.0250, 0.0], [0.0250, 0.0]],
        [[0.0494, 0.0], [0.0494, 0.0], [0.0494, 0.0]],
        [[0.0731, 0.0], [0.0731, 0.0], [0.0481, 0.0250]],
        [[0.0963, 0.0], [0.0963, 0.0], [0.0719, 0.0244]],
        [[0.1189, 0.0], [0.1189, 0.0], [0.0951, 0.0238]],
        [[0.1409, 0.0], [0.1409, 0.0], [0.1178, 0.0232]],
    ]
    dividends = [
        [0.33, 0.33, 0.34],
        [0.33, 0.33, 0.34],
        [0.3734, 0.3734, 0.2532],
        [0.3611, 0.3611, 0.2779],
        [0.3541, 0.3541, 0.2919],
        [0.3495, 0.3495, 0.3009],
    ]
    chain = yuma3_scenario([33, 33, 34, 0, 0])
    chain.params["liquid_alpha"] = False
    schedule = {e: [A, A, A] for e in range(6)} | {2: [A, A, B]}
    replay_yuma3(chain, [3, 4], schedule, dict(enumerate(zip(bonds, dividends, strict=True))), 6)


def test_yuma3_stable_miner() -> None:
    """epoch.rs ``test_yuma_3_stable_miner``."""
    h = M // 2
    bonds = [
        [[0.0507, 0.0, 0.0507], [0.0507, 0.0, 0.0507], [0.0507, 0.0, 0.0507]],
        [[0.0962, 0.0, 0.0962], [0.0455, 0.1000, 0.0962], [0.0962, 0.0, 0.0962]],
        [[0.0863, 0.0507, 0.1371], [0.0408, 0.1405, 0.1371], [0.1770, 0.0, 0.1371]],
        [[0.0774, 0.0962, 0.1739], [0.0367, 0.1770, 0.1739], [0.1579, 0.0507, 0.1739]],
        [[0.0694, 0.1371, 0.2069], [0.0329, 0.2097, 0.2069], [0.1411, 0.0962, 0.2069]],
        [[0.0623, 0.1739, 0.2366], [0.0296, 0.2391, 0.2366], [0.1263, 0.1371, 0.2366]],
    ]
    dividends = [
        [0.8, 0.1, 0.1],
        [0.8226, 0.0745, 0.1028],
        [0.7750, 0.1685, 0.0565],
        [0.7864, 0.1372, 0.0764],
        [0.7912, 0.1241, 0.0847],
        [0.7937, 0.1173, 0.0890],
    ]
    first, second = [h, 0, h], [0, h, h]
    schedule = {
        0: [first, first, first],
        1: [first, second, first],
        2: [second, second, first],
        3: [second, second, second],
    }
    replay_yuma3(
        yuma3_scenario([8, 1, 1, 0, 0, 0]),
        [3, 4, 5],
        schedule,
        dict(enumerate(zip(bonds, dividends, strict=True))),
        6,
    )


def test_yuma3_bonds_reset_on_a_miner_clears_its_column() -> None:
    """epoch.rs ``test_yuma_3_bonds_reset`` (``do_reset_bonds`` for uid 3 before epoch 20)."""
    targets = {
        0: ([[0.1013, 0.0], [0.1013, 0.0], [0.1013, 0.0]], [0.8, 0.1, 0.1]),
        1: ([[0.1924, 0.0], [0.0908, 0.2987], [0.0908, 0.2987]], [0.8944, 0.0528, 0.0528]),
        2: ([[0.1715, 0.1013], [0.0815, 0.3697], [0.0815, 0.3697]], [0.5230, 0.2385, 0.2385]),
        19: ([[0.0269, 0.8539], [0.0131, 0.8975], [0.0131, 0.8975]], [0.7919, 0.1040, 0.1040]),
        20: ([[0.0, 0.8687], [0.0, 0.9079], [0.0, 0.9079]], [0.7928, 0.1036, 0.1036]),
        21: ([[0.0, 0.8820], [0.2987, 0.6386], [0.2987, 0.6386]], [0.8467, 0.0766, 0.0766]),
        40: ([[0.8687, 0.0578], [0.9079, 0.0523], [0.9079, 0.0523]], [0.7928, 0.1036, 0.1036]),
    }
    schedule = {0: [A, A, A], 1: [A, B, B], 21: [B, A, A]}
    schedule |= {e: [B, B, B] for e in range(2, 21)}
    schedule |= {e: [A, A, A] for e in range(22, 41)}
    replay_yuma3(yuma3_scenario([8, 1, 1, 0, 0]), [3, 4], schedule, targets, 41, reset_at=20)


def test_liquid_alpha_with_equal_bounds_is_the_plain_moving_average() -> None:
    """epoch.rs ``test_liquid_alpha_equal_values_against_itself`` (alpha_low = alpha_high
    = 0.1 against bonds_moving_average 0.9)."""
    f = np.vectorize(lambda x: round(x * 2**32))
    weights = f(np.array([[0.0, 0.1, 0.0], [0.0, 0.2, 0.4], [0.0, 0.3, 0.1], [0.0, 0.4, 0.5]]))
    bonds = f(np.array([[0.1, 0.1, 0.5], [0.0, 0.0, 0.4], [0.5, 0.1, 0.1], [0.0, 0.4, 0.2]]))
    consensus = f(np.array([0.3, 0.2, 0.1]))
    alpha = yuma._div_int(M // 10 << 32, M << 32)
    liquid = yuma._liquid_alpha_ema(
        weights,
        np.ones(weights.shape, dtype=bool),
        bonds,
        consensus,
        low=alpha,
        high=alpha,
        steepness=1000 << 32,
    )
    plain_alpha = (1 << 32) - (((900_000 << 64) // 1_000_000) >> 32)
    plain = yuma._mul(np.int64(plain_alpha), weights) + yuma._mul(
        np.int64((1 << 32) - plain_alpha), bonds
    )
    assert np.abs(liquid - plain).max() / 2**32 <= 1e-3


# -- math.rs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stake", "scores", "majority", "median"),
    [
        ([0.0, 0.0], [[0.0, 0.0], [0.0, 0.0]], 0.5, [0.0, 0.0]),
        ([0, 0.75, 0.25, 0], [[0, 0.1, 0], [0, 0.2, 0.4], [0, 0.3, 0.1], [0, 0.4, 0.5]], 0.24,
         [0, 0.3, 0.4]),
        ([0, 0.75, 0.25, 0], [[0, 0.1, 0], [0, 0.2, 0.4], [0, 0.3, 0.1], [0, 0.4, 0.5]], 0.26,
         [0, 0.2, 0.4]),
        ([0, 0.75, 0.25, 0], [[0, 0.1, 0], [0, 0.2, 0.4], [0, 0.3, 0.1], [0, 0.4, 0.5]], 0.76,
         [0, 0.2, 0.1]),
        ([0, 0.3, 0.2, 0.5], [[0, 0.1, 0], [0, 0.2, 0.4], [0, 0.3, 0.1], [0, 0, 0.5]], 0.51,
         [0, 0, 0.4]),
    ],
)  # fmt: skip
def test_consensus_is_the_stake_weighted_median_at_kappa(
    stake: list[float], scores: list[list[float]], majority: float, median: list[float]
) -> None:
    """math.rs ``test_math_weighted_median_col_sparse`` (its f32 inputs are exact in
    I32F32)."""

    def fixed(values: Any) -> Any:
        return (np.asarray(values, dtype=np.float32).astype(np.float64) * 2**32).astype(np.int64)

    got = yuma._weighted_median_columns(fixed(stake), fixed(scores), int(fixed(majority)))
    assert list(got) == list(fixed(median))


def pivot_search(stake: list[int], score: list[int], minority: int) -> int:
    """The chain's stake-weighted median as math.rs ``weighted_median`` searches for it:
    partitions around the middle element's score, narrowed by the stake below and above."""
    part, lo, hi = list(range(len(stake))), 0, sum(stake)
    while True:
        if not part:
            return 0
        if len(part) == 1:
            return score[part[0]]
        pivot = score[part[len(part) // 2]]
        lower = [i for i in part if score[i] < pivot]
        upper = [i for i in part if score[i] > pivot]
        below, above = sum(stake[i] for i in lower), sum(stake[i] for i in upper)
        if minority < lo + below and lower:
            part, hi = lower, lo + below
        elif hi - above <= minority and upper:
            part, lo = upper, hi - above
        else:
            return pivot


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2**32), st.sampled_from([0, 1, 2**30, 2**31, 3 * 2**30, 2**32])),
        min_size=1,
        max_size=9,
    ),
    st.integers(0, M),
)
def test_sorting_finds_the_value_the_chains_pivot_search_finds(
    rows: list[tuple[int, int]], kappa: int
) -> None:
    """The consensus of one column equals what the chain's partition search returns, ties
    and zero stakes included."""
    stake = np.array([s for s, _ in rows], dtype=np.int64)
    score = np.array([[w] for _, w in rows], dtype=np.int64)
    kappa_f = yuma._div_int(kappa << 32, M << 32)
    got = int(yuma._weighted_median_columns(stake, score, kappa_f)[0])
    positive = stake > 0
    if not positive.any():
        assert got == 0
        return
    use = yuma._normalize(stake[positive])
    expected = pivot_search(
        [int(x) for x in use], [int(x) for x in score[positive, 0]], int(use.sum()) - kappa_f
    )
    assert got == expected


def test_exp_is_substrate_fixeds_series_clamped_to_20() -> None:
    """math.rs ``test_math_exp_safe`` (inputs beyond +-20 give e**+-20), and each value
    is substrate-fixed's ``exp``: the I32F32 Taylor series to the 31st term, 1/e**|x|
    below 0, its I9F23 constant at 1 (computed here one input at a time)."""
    one = 1 << 32

    def series(x: int) -> int:
        x = max(-20 * one, min(20 * one, x))
        if x == 0:
            return one
        if x == one:
            return yuma._E_I9F23 << 9
        operand = abs(x)
        result, term = operand + one, operand
        for i in range(2, 32):
            term = (term * operand >> 32) // i
            result += term
        return (one << 32) // result if x < 0 else result

    inputs = [0, one, -one, 20 * one, -20 * one, 21 * one, -21 * one, 2**62, -(2**62)]
    inputs += [int(x) for x in np.random.default_rng(0).integers(-25 * one, 25 * one, 2000)]
    got = yuma._exp_safe(np.array(inputs, dtype=np.int64))
    assert [int(g) for g in got] == [series(x) for x in inputs]
    assert got[5] == got[3]
    assert got[6] == got[4]
    assert abs(int(got[1]) / one - np.e) < 1e-6


def test_weights_are_max_upscaled_as_set_weights_stores_them() -> None:
    """math.rs ``test_vec_u16_max_upscale_to_u16`` (a few of its cases)."""
    assert max_upscale_to_u16([0, 0, 0]) == [0, 0, 0]
    assert max_upscale_to_u16([1, 1, 1]) == [M, M, M]
    assert max_upscale_to_u16([0, 1, 2]) == [0, 32768, M]
    assert max_upscale_to_u16([16383, 32767, 49149, 65535]) == [16383, 32767, 49149, 65535]


def test_weights_outside_u16_are_refused() -> None:
    """The chain stores weights and bonds as u16; anything else is a caller's bug."""
    with pytest.raises(ValueError, match="u16"):
        run_epoch(
            stake=[1, 1],
            weights=[[(1, 70_000)], []],
            last_update=[1, 1],
            block_at_registration=[0, 0],
            validator_permit=[True, True],
            current_block=1,
            tempo=10,
            emission=1,
        )


# -- properties -----------------------------------------------------------------------------


@st.composite
def subnets(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 12))
    stake = draw(st.lists(st.integers(0, 10**15), min_size=n, max_size=n))
    weights = [
        draw(
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, M)),
                max_size=n,
                unique_by=lambda pair: pair[0],
            )
        )
        for _ in range(n)
    ]
    bonds = draw(st.lists(st.lists(st.integers(0, M), min_size=n, max_size=n), min_size=n,
                          max_size=n))  # fmt: skip
    return dict(
        stake=stake,
        weights=weights,
        bonds=bonds,
        last_update=draw(st.lists(st.integers(0, 100), min_size=n, max_size=n)),
        block_at_registration=draw(st.lists(st.integers(0, 100), min_size=n, max_size=n)),
        validator_permit=draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        current_block=100,
        tempo=draw(st.integers(1, 50)),
        emission=draw(st.integers(0, 10**12)),
        max_allowed_validators=draw(st.integers(1, 12)),
        yuma3=draw(st.booleans()),
        liquid_alpha=draw(st.booleans()),
        bonds_penalty=draw(st.sampled_from([0, M // 2, M])),
    )


@settings(max_examples=150, deadline=None)
@given(subnets())
def test_shares_are_proportions_and_emission_is_never_exceeded(subnet: dict[str, Any]) -> None:
    """Incentive and dividends each sum to 1 (to the u16 rounding) or are all 0; the
    emission handed out never exceeds the epoch's and loses only rounding; permits only
    on stake; the inputs are left as they were."""
    before = copy.deepcopy(subnet)
    result = run_epoch(**subnet)
    assert subnet == before
    n = len(subnet["stake"])
    for shares in (result.incentive, result.dividends):
        total = int(shares.sum())
        assert total == 0 or M - n <= total <= M
    paid = int(result.server_emission.sum() + result.validator_emission.sum())
    if sum(subnet["stake"]) > 0:
        # Each share is an I32F32 quotient (2**-32 short at most), each payout floored.
        shortfall = (n + 1) * (subnet["emission"] // 2**32 + 1) + n
        assert subnet["emission"] - shortfall <= paid <= subnet["emission"]
    assert int(result.emission.sum()) <= subnet["emission"]
    assert int(result.validator_permit.sum()) <= subnet["max_allowed_validators"]
    assert not np.any(result.bonds[~result.validator_permit])
    assert all(
        stake > 0
        for stake, permit in zip(subnet["stake"], result.validator_permit, strict=True)
        if permit
    )


def _honest_and_lazy(stakes: tuple[int, int], honest_miners: int = 9) -> EpochResult:
    """uid 0 weights the honest miners (uids 2..) alone, uid 1 every miner alike; the
    last uid is the garbage miner, weighted by uid 1 only."""
    n = 2 + honest_miners + 1
    miners = range(2, n)
    weights = [[(j, M) for j in miners if j != n - 1], [(j, M) for j in miners]]
    return run_epoch(
        stake=[*stakes, *[0] * len(miners)],
        weights=weights + [[] for _ in miners],
        last_update=[1] * n,
        block_at_registration=[0] * n,
        validator_permit=[True, True] + [False] * len(miners),
        current_block=10,
        tempo=10,
        emission=EMISSION,
    )


def test_a_lazy_validator_with_half_the_stake_pays_a_garbage_miner_unclipped() -> None:
    """What the chain gives, not a simnet bug: one honest and one lazy validator of equal
    stake, 9 honest miners and a garbage one; the lazy validator's uniform 1/10 reaches
    the garbage miner whole, 5% of incentive (2.5% of the epoch's emission: validators
    take the other half as dividends). A rehearsal showed the same as 4.8%.

    Why: consensus is the stake-weighted median at kappa = 32767/65535, a hair under one
    half. subtensor's ``weighted_median`` (``epoch/math.rs``) returns the smallest weight
    whose stake at or below it exceeds ``stake_sum - kappa`` (0.5000076); the honest
    validator's 0 carries exactly 0.5, not more, so the median is the lazy validator's
    1/10, and clipping at consensus (``min(w, consensus)``) leaves it. A two-way tie of
    stake is the one split where the larger weight wins: with any majority for the honest
    validator, however slight (1001 against 999), consensus is 0 and the garbage miner
    gets nothing; with any majority for the lazy one, it is 1/10 again."""
    tie = _honest_and_lazy((1000, 1000))
    assert tie.consensus[-1] == 6553  # floor(65535 / 10): the lazy validator's weight
    assert tie.incentive[-1] == 3276  # half of it: the lazy validator's half of the stake
    assert tie.emission[-1] == EMISSION // 40 - 1  # 2.5%, floored in fixed point
    honest_majority = _honest_and_lazy((1001, 999))
    assert (honest_majority.consensus[-1], honest_majority.incentive[-1]) == (0, 0)
    lazy_majority = _honest_and_lazy((999, 1001))
    assert lazy_majority.consensus[-1] == 6553
