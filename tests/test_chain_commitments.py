"""Commitments as the Commitments pallet keeps them (opentensor/subtensor
14bc6f9f964b9cc362e9635dd110a487fa5d15a0, ``pallets/commitments``): only registered
hotkeys commit, three fields at most, a per-epoch space budget per hotkey and subnet,
timelocked fields revealed at their block, the newest ten reveals kept. The budgets and
outcomes below are those of the pallet's own tests (``pallets/commitments/src/tests.rs``),
with its epochs counted by simnet's epochs."""

import asyncio

import pytest
from bittensor_wallet import Keypair

from simnet import ChainState, FakeSubtensor
from simnet.chain import commitments
from simnet.chain.commitments import CommitmentTooLarge, Field, raw
from simnet.chain.rules import ChainRuleError
from simnet.neurons.async_subtensor import AsyncFakeSubtensor
from simnet.neurons.subtensor import NotSimulated, RealSubtensor

ALICE = Keypair.create_from_uri("//Alice").ss58_address
BOB = Keypair.create_from_uri("//Bob").ss58_address
STRANGER = Keypair.create_from_uri("//Charlie").ss58_address


class _Wallet:
    def __init__(self, hotkey: str) -> None:
        self.hotkey = type("Hotkey", (), {"ss58_address": hotkey})()


def _chain(**params) -> ChainState:
    chain = ChainState()
    for netuid in (1, 2):
        chain.register(netuid, ALICE, ALICE, stake=10, validator_permit=True)
        chain.register(netuid, BOB, BOB)
        chain.set_hyperparameters(netuid, tempo=10, **params)
    return chain


def _error(call, *args) -> str:
    with pytest.raises(ChainRuleError) as caught:
        call(*args)
    return caught.value.error


def test_a_registered_hotkey_commits_and_its_commitment_reads_back():
    chain = _chain()
    chain.advance(3)
    stored = chain.set_commitment(1, ALICE, [raw("model: hf.co/alice/m1")])
    assert stored.block == 3
    assert chain.commitment(1, ALICE).text == "model: hf.co/alice/m1"
    assert chain.commitment(1, BOB) is None
    assert chain.commitment(2, ALICE) is None  # per subnet


def test_only_a_hotkey_registered_on_the_subnet_may_commit():
    chain = _chain()
    assert _error(chain.set_commitment, 1, STRANGER, [raw("x")]) == "AccountNotAllowedCommit"
    assert _error(chain.set_commitment, 9, ALICE, [raw("x")]) == "AccountNotAllowedCommit"


def test_at_most_three_fields():  # the runtime's MaxCommitFields
    chain = _chain()
    chain.set_commitment(1, ALICE, [raw("a"), raw("b"), raw("c")])
    four = [raw("a"), raw("b"), raw("c"), raw("d")]
    assert _error(chain.set_commitment, 1, ALICE, four) == "TooManyFieldsInCommitmentInfo"


def test_a_field_over_its_size_cannot_be_encoded():
    assert raw(b"x" * 128).kind == "Raw"
    assert raw(b"x" * 512).kind == "BigRaw"
    with pytest.raises(CommitmentTooLarge, match="at most 512 bytes"):
        raw(b"x" * 513)
    with pytest.raises(CommitmentTooLarge, match="at most 1024"):
        Field("TimelockEncrypted", b"x" * 1025, 1)


def test_space_accumulates_within_an_epoch():
    """``tempo_based_space_limit_accumulates_in_same_window``: budget 150, 30 bytes cost 100."""
    chain = _chain()
    chain.set_commitment_max_space(150)
    chain.set_commitment(1, ALICE, [raw(b"\0" * 30)])
    assert _error(chain.set_commitment, 1, ALICE, [raw(b"\0" * 30)]) == "SpaceLimitExceeded"


def test_space_resets_at_the_next_epoch():
    """``tempo_based_space_limit_resets_after_tempo``: budget 250, two 20-byte commitments
    fit, a third does not until the subnet's epoch index moves."""
    chain = _chain()
    chain.set_commitment_max_space(250)
    small = [raw(b"\0" * 20)]
    chain.set_commitment(1, ALICE, small)
    chain.set_commitment(1, ALICE, small)
    assert _error(chain.set_commitment, 1, ALICE, small) == "SpaceLimitExceeded"
    chain.advance(chain.last_epoch(1) + 9 - chain.block)  # one block before the epoch
    assert _error(chain.set_commitment, 1, ALICE, small) == "SpaceLimitExceeded"
    chain.advance(1)
    assert chain.epoch_index(1) == 1
    chain.set_commitment(1, ALICE, small)


def test_budgets_are_per_subnet_and_per_hotkey():
    """``..._does_not_affect_different_netuid`` / ``..._different_user``: budget 199."""
    chain = _chain()
    chain.set_commitment_max_space(199)
    large, small = [raw(b"\0" * 40)], [raw(b"\0" * 20)]
    for netuid, hotkey in ((1, ALICE), (2, ALICE), (1, BOB)):
        chain.set_commitment(netuid, hotkey, large)
        assert _error(chain.set_commitment, netuid, hotkey, small) == "SpaceLimitExceeded"


def test_root_may_raise_the_budget():  # tempo_based_space_limit_sudo_set_max_space
    chain = _chain()
    chain.set_commitment_max_space(100)
    chain.set_commitment(1, ALICE, [raw(b"\0" * 25)])
    assert _error(chain.set_commitment, 1, ALICE, [raw(b"\0" * 25)]) == "SpaceLimitExceeded"
    chain.set_commitment_max_space(300)
    chain.set_commitment(1, ALICE, [raw(b"\0" * 25)])
    assert chain.commitment_max_space() == 300


def test_a_commitment_costs_at_least_100_bytes():
    """``usage_respects_minimum_of_100_bytes``: 50 bytes cost 100, then 110 make 210."""
    chain = _chain()
    chain.set_commitment_max_space(210)
    chain.set_commitment(1, ALICE, [raw(b"\0" * 50)])
    chain.set_commitment(1, ALICE, [raw(b"\0" * 110)])
    assert _error(chain.set_commitment, 1, ALICE, [raw(b"")]) == "SpaceLimitExceeded"
    chain = _chain()
    chain.set_commitment_max_space(209)
    chain.set_commitment(1, ALICE, [raw(b"\0" * 50)])
    assert _error(chain.set_commitment, 1, ALICE, [raw(b"\0" * 110)]) == "SpaceLimitExceeded"
    assert commitments.required_space([raw(b"\0" * 50), raw(b"\0" * 60)]) == 110


def _timelocked(text: str, block: int) -> Field:
    return Field("TimelockEncrypted", b"ciphertext", 1000, text.encode(), block)


def test_a_timelocked_field_is_revealed_at_its_block_and_then_removed():
    chain = _chain()
    chain.set_commitment(1, BOB, [_timelocked("secret", 5)])
    chain.advance(4)
    assert chain.revealed_commitments(1) == {}
    assert chain.commitment(1, BOB) is not None
    chain.advance(3)  # read at block 7: revealed at block 5, when it was due
    assert chain.revealed_commitments(1) == {BOB: [(5, b"secret")]}
    assert chain.commitment(1, BOB) is None  # single_field_entry_is_removed_after_reveal


def test_raw_fields_stay_when_the_timelocked_ones_are_revealed():
    chain = _chain()
    fields = [raw("public"), _timelocked("hidden", 2), _timelocked("later", 50)]
    chain.set_commitment(1, BOB, fields)
    chain.advance(3)
    kept = chain.commitment(1, BOB)
    assert [f.kind for f in kept.fields] == ["Raw", "TimelockEncrypted"]
    assert kept.text == "public"
    assert chain.revealed_commitments(1)[BOB] == [(2, b"hidden")]


def test_only_the_newest_ten_reveals_are_kept():
    """``revealed_commitments_keeps_only_10_newest_with_individual_single_field_commits``."""
    chain = _chain()
    for i in range(12):
        chain.set_commitment(1, BOB, [_timelocked(f"TLE #{i}", chain.block)])
        chain.advance(1)
    revealed = chain.revealed_commitments(1)[BOB]
    assert [data for _, data in revealed] == [f"TLE #{i}".encode() for i in range(2, 12)]
    assert [block for block, _ in revealed] == list(range(2, 12))


def test_a_field_simnet_never_saw_decrypted_is_kept_unrevealed():
    chain = _chain()
    chain.set_commitment(1, BOB, [Field("TimelockEncrypted", b"ct", 7)])
    chain.advance(100)
    assert chain.revealed_commitments(1) == {}
    assert chain.commitment(1, BOB).fields[0].reveal_round == 7


def test_commitments_cross_processes_through_the_state_file(tmp_path):
    path = tmp_path / "chain.db"
    writer = ChainState(path, block_seconds=None)
    writer.register(1, ALICE, ALICE)
    writer.set_commitment(1, ALICE, [raw("shared")])
    reader = ChainState(path)
    assert reader.commitment(1, ALICE).text == "shared"
    writer.close()
    reader.close()


def test_the_subtensor_double_commits_and_reads_as_bittensor_does():
    chain = _chain()
    sub = FakeSubtensor(chain)
    result = sub.set_commitment(_Wallet(ALICE), 1, "hello")
    assert result is True or result.success
    assert sub.get_commitment(1, 0) == "hello"
    assert sub.get_commitment(1, 1) == ""
    assert sub.get_commitment(1, 99) == ""
    assert sub.get_all_commitments(1) == {ALICE: "hello"}


def test_the_subtensor_double_refuses_as_bittensor_reports_it():
    sub = FakeSubtensor(_chain())
    if hasattr(RealSubtensor, "commit"):  # 9.x: commit returns a bool, raises on failure
        with pytest.raises(Exception, match="AccountNotAllowedCommit"):
            sub.commit(_Wallet(STRANGER), 1, "x")
        return
    result = sub.set_commitment(_Wallet(STRANGER), 1, "x")
    assert not result.success
    assert "AccountNotAllowedCommit" in result.message
    too_long = sub.set_commitment(_Wallet(ALICE), 1, "x" * 129)
    assert not too_long.success
    assert "at most 128 bytes" in too_long.message
    with pytest.raises(Exception, match="AccountNotAllowedCommit"):
        sub.set_commitment(_Wallet(STRANGER), 1, "x", raise_error=True)


def test_commit_is_simulated_only_where_the_release_has_it():
    sub = FakeSubtensor(_chain())
    if hasattr(RealSubtensor, "commit"):
        assert sub.commit(_Wallet(ALICE), 1, "nine") is True
        assert sub.get_commitment(1, 0) == "nine"
    else:
        with pytest.raises(AttributeError) as caught:
            sub.commit  # noqa: B018
        assert not isinstance(caught.value, NotSimulated)


@pytest.mark.skipif(
    not hasattr(RealSubtensor, "set_reveal_commitment"),
    reason="this release's Subtensor has no set_reveal_commitment",
)
def test_a_reveal_commitment_is_revealed_blocks_later():
    chain = _chain()
    sub = FakeSubtensor(chain)
    result = sub.set_reveal_commitment(_Wallet(BOB), 1, "sealed", blocks_until_reveal=3)
    if isinstance(result, tuple):  # 9.x: (success, the drand round it is encrypted for)
        assert result[0] is True
        assert result[1] > 0
    else:
        assert result.success
    assert sub.get_revealed_commitment_by_hotkey(1, BOB) is None
    chain.advance(3)
    assert sub.get_revealed_commitment(1, 1) == ((3, "sealed"),)
    assert sub.get_all_revealed_commitments(1) == {BOB: ((3, "sealed"),)}
    if hasattr(RealSubtensor, "get_commitment_metadata"):  # 10.x
        assert sub.get_commitment_metadata(1, BOB) == ""


def test_the_async_double_commits_too():
    async def run() -> tuple[object, str]:
        sub = AsyncFakeSubtensor(_chain())
        result = await sub.set_commitment(_Wallet(ALICE), 1, "async")
        return result, await sub.get_commitment(1, 0)

    result, text = asyncio.run(run())
    assert result is True or result.success
    assert text == "async"
