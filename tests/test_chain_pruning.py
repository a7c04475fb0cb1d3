"""Which uid a registration into a full subnet replaces: subtensor's own test cases
(pallets/subtensor/src/tests/{uids,registration}.rs at 14bc6f9f9), their expected uids."""

from dataclasses import dataclass

from simnet.chain.pruning import Owner, neuron_to_prune


@dataclass(frozen=True)
class N:
    uid: int
    hotkey: str
    coldkey: str
    emission: int = 0
    registered_at: int = 0


NOBODY = Owner()


def prune(neurons, *, block, immunity=0, floor=0, owner=NOBODY, limit=1):
    return neuron_to_prune(
        neurons,
        block=block,
        immunity_period=immunity,
        min_non_immune_uids=floor,
        owner=owner,
        immune_owner_limit=limit,
    )


def test_the_lowest_emission_goes_first_and_the_owner_hotkey_never():
    """test_get_neuron_to_prune_owner_not_pruned"""
    neurons = [N(0, "owner-hk", "owner-ck", 0), N(1, "a", "ca", 1), N(2, "b", "cb", 2)]
    assert prune(neurons, block=10, owner=Owner("owner-ck", "owner-hk")) == 1


def test_only_the_limit_of_the_owners_hotkeys_are_immortal_the_named_one_first():
    """test_get_neuron_to_prune_owner_pruned_if_not_in_sn_owner_hotkey_map"""
    neurons = [
        N(0, "owner", "owner-ck", 0, 0),
        N(1, "other-owner", "owner-ck", 1, 0),
        N(2, "a", "ca", 2, 1),
        N(3, "b", "cb", 3, 2),
    ]
    assert prune(neurons, block=10, owner=Owner("owner-ck", "owner")) == 1
    assert prune(neurons, block=10, owner=Owner("owner-ck", "other-owner")) == 0


def test_with_too_few_uids_outside_immunity_an_immune_uid_is_replaced():
    """test_prune_respects_min_non_immune_floor_prefers_immune"""
    neurons = [N(i, f"h{i}", f"c{i}", 0, i) for i in range(3)] + [N(3, "new", "c", 0, 1008)]
    assert prune(neurons, block=1008, immunity=1000, floor=3, limit=0) == 3


def test_ties_go_to_the_earliest_registration_then_the_lowest_uid():
    """test_prune_tie_breakers_non_immune_emission_block_uid"""
    neurons = [N(i, f"h{i}", f"c{i}", 10, i) for i in range(3)]
    assert prune(neurons, block=3, limit=0) == 0
    same_block = [N(i, f"h{i}", f"c{i}", 10, 5) for i in (2, 1)]
    assert prune(same_block, block=9, limit=0) == 1


def test_a_subnet_of_the_owners_hotkeys_alone_has_no_uid_to_give():
    """test_prune_all_owner_immortal_returns_none"""
    neurons = [N(i, f"owner-{i}", "owner-ck", 0, 0) for i in range(3)]
    assert prune(neurons, block=5, owner=Owner("owner-ck"), limit=10) is None


def test_all_immune_the_lowest_emission_among_them():
    """test_registration_get_uid_to_prune_all_in_immunity_period"""
    neurons = [N(0, "h0", "c0", 100, 0), N(1, "h1", "c1", 110, 1)]
    assert prune(neurons, block=1, immunity=2, limit=0, owner=Owner("someone")) == 0


def test_none_immune_the_lowest_emission():
    """test_registration_get_uid_to_prune_none_in_immunity_period"""
    neurons = [N(0, "h0", "c0", 100, 0), N(1, "h1", "c1", 110, 1)]
    assert prune(neurons, block=4, immunity=2, limit=0) == 0


def test_owner_limit_one_then_two():
    """test_registration_get_uid_to_prune_owner_immortality"""
    neurons = [
        N(0, "owner-hk", "owner-ck", 0, 0),
        N(1, "other-owner-hk", "owner-ck", 0, 1),
        N(2, "non-owner", "x", 1, 2),
    ]
    owner = Owner("owner-ck", "owner-hk")
    assert prune(neurons, block=12, immunity=1, owner=owner, limit=1) == 1
    assert prune(neurons, block=12, immunity=1, owner=owner, limit=2) == 2


def test_owner_limit_two_all_immune():
    """test_registration_get_uid_to_prune_owner_immortality_all_immune"""
    neurons = [
        N(0, "owner-hk", "owner-ck", 0, 12),
        N(1, "other-owner-hk", "owner-ck", 0, 11),
        N(2, "non-owner", "x", 1, 10),
    ]
    owner = Owner("owner-ck", "owner-hk")
    assert prune(neurons, block=21, immunity=100, owner=owner, limit=2) == 2


def test_with_the_floor_not_met_and_nobody_immune_no_uid_is_given():
    neurons = [N(i, f"h{i}", f"c{i}", 0, 0) for i in range(3)]
    assert prune(neurons, block=100, immunity=10, floor=3, limit=0) is None
