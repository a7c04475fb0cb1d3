"""Commit-reveal weights as subtensor runs them (opentensor/subtensor
14bc6f9f964b9cc362e9635dd110a487fa5d15a0, ``pallets/subtensor/src/subnets/weights.rs``
and ``coinbase/reveal_commits.rs``): the outcomes and error names are those of its tests
in ``pallets/subtensor/src/tests/weights.rs``, named on each test here."""

import pytest
from bittensor_wallet import Keypair

from simnet import ChainState, FakeSubtensor
from simnet.chain import reveal
from simnet.chain.rules import ChainRuleError
from simnet.neurons.subtensor import RealSubtensor

VALIDATOR = Keypair.create_from_uri("//Alice").ss58_address
OTHER = Keypair.create_from_uri("//Bob").ss58_address
TEMPO = 10


class _Wallet:
    def __init__(self, hotkey: str) -> None:
        self.hotkey = type("Hotkey", (), {"ss58_address": hotkey})()


def _chain(*, enabled: bool = True, rate_limit: int = 0) -> ChainState:
    chain = ChainState()
    chain.register(1, VALIDATOR, VALIDATOR, stake=100, validator_permit=True)
    chain.register(1, OTHER, OTHER, stake=10, validator_permit=True)
    chain.register(1, "miner", "ck")
    chain.set_hyperparameters(
        1, tempo=TEMPO, weights_rate_limit=rate_limit, commit_reveal_weights_enabled=enabled
    )
    return chain


def _next_epoch(chain: ChainState, epochs: int = 1) -> None:
    """Move to the block of the epoch ``epochs`` from now (it runs there)."""
    for _ in range(epochs):
        chain.advance(chain.last_epoch(1) + TEMPO - chain.block)


def _hash(uids, values, salt, hotkey: str = VALIDATOR, version_key: int = 0) -> str:
    return reveal.commit_hash(hotkey, 1, uids, values, salt, version_key)


def _error(call, *args, **kwargs) -> str:
    with pytest.raises(ChainRuleError) as caught:
        call(*args, **kwargs)
    return caught.value.error


UIDS, VALUES, SALT = [0, 2], [10, 10], [1, 2, 3, 4, 5, 6, 7, 8]


def test_the_commit_hash_is_the_sdks():
    from bittensor.utils.weight_utils import generate_weight_hash

    expected = generate_weight_hash(VALIDATOR, 1, UIDS, VALUES, 7, SALT)
    assert _hash(UIDS, VALUES, SALT, version_key=7) == expected


def test_weights_are_invisible_until_revealed_in_the_next_epoch():
    """``test_commit_reveal_weights_ok``, ``test_reveal_at_exact_epoch``."""
    chain = _chain()
    chain.commit_weights(1, VALIDATOR, _hash(UIDS, VALUES, SALT))
    assert chain.weights(1, 0) == []
    assert _error(chain.reveal_weights, 1, VALIDATOR, UIDS, VALUES, SALT) == "RevealTooEarly"
    _next_epoch(chain)
    assert chain.reveal_weights(1, VALIDATOR, UIDS, VALUES, SALT) == [(0, 65535), (2, 65535)]
    assert chain.weights(1, 0) == [(0, 65535), (2, 65535)]
    assert chain.weight_commits(1, VALIDATOR) == []


def test_a_wrong_reveal_fails_on_the_hash_first_even_when_early():
    chain = _chain()
    chain.commit_weights(1, VALIDATOR, _hash(UIDS, VALUES, SALT))
    wrong = [0, 2], [10, 11], SALT
    assert _error(chain.reveal_weights, 1, VALIDATOR, *wrong) == "InvalidRevealCommitHashNotMatch"
    _next_epoch(chain)
    assert _error(chain.reveal_weights, 1, VALIDATOR, *wrong) == "InvalidRevealCommitHashNotMatch"


def test_no_commit_and_expired_commits_are_named():
    """``test_expired_commits_handling_in_commit_and_reveal``."""
    chain = _chain()
    assert _error(chain.reveal_weights, 1, VALIDATOR, UIDS, VALUES, SALT) == "NoWeightsCommitFound"
    chain.commit_weights(1, VALIDATOR, _hash(UIDS, VALUES, SALT))
    _next_epoch(chain, 2)
    assert _error(chain.reveal_weights, 1, VALIDATOR, UIDS, VALUES, SALT) == "ExpiredWeightCommit"
    other_salt = [9] * 8
    assert (
        _error(chain.reveal_weights, 1, VALIDATOR, UIDS, VALUES, other_salt)
        == "NoWeightsCommitFound"
    )


def test_ten_commits_at_most_and_a_reveal_consumes_those_before_it():
    """``test_commit_reveal_multiple_commits``: ten commits, an eleventh refused; revealing
    the second drops the first; revealing the last empties the queue."""
    chain = _chain()
    salts = [[i] * 8 for i in range(10)]
    for salt in salts:
        chain.commit_weights(1, VALIDATOR, _hash(UIDS, VALUES, salt))
    eleventh = _hash(UIDS, VALUES, [11] * 8)
    assert _error(chain.commit_weights, 1, VALIDATOR, eleventh) == "TooManyUnrevealedCommits"
    _next_epoch(chain)
    chain.reveal_weights(1, VALIDATOR, UIDS, VALUES, salts[1])
    assert len(chain.weight_commits(1, VALIDATOR)) == 8
    chain.reveal_weights(1, VALIDATOR, UIDS, VALUES, salts[9])
    assert chain.weight_commits(1, VALIDATOR) == []


def test_commits_are_rate_limited_and_need_commit_reveal_and_registration():
    """``test_commit_weights_rate_limit``, ``test_reveal_weights_when_commit_reveal_disabled``."""
    chain = _chain(rate_limit=5)
    chain.advance(5)
    digest = _hash(UIDS, VALUES, SALT)
    chain.commit_weights(1, VALIDATOR, digest)
    assert _error(chain.commit_weights, 1, VALIDATOR, digest) == "CommittingWeightsTooFast"
    assert chain.neuron(1, VALIDATOR).last_update == 5  # a commit counts as an update
    assert _error(chain.commit_weights, 1, "stranger", digest) == "HotKeyNotRegisteredInSubNet"
    disabled = _chain(enabled=False)
    assert _error(disabled.commit_weights, 1, VALIDATOR, digest) == "CommitRevealDisabled"
    assert (
        _error(disabled.reveal_weights, 1, VALIDATOR, UIDS, VALUES, SALT) == "CommitRevealDisabled"
    )


def test_set_weights_is_refused_while_commit_reveal_is_on():
    chain = _chain()
    assert _error(chain.set_weights, 1, VALIDATOR, [2], [1.0]) == "CommitRevealEnabled"


def test_a_longer_reveal_period_moves_the_reveal_epoch():
    """``test_tempo_and_reveal_period_change_during_commit_reveal_process``, in short."""
    chain = _chain()
    chain.set_reveal_period(1, 2)
    assert _error(chain.set_reveal_period, 1, 0) == "RevealPeriodTooSmall"
    assert _error(chain.set_reveal_period, 1, 101) == "RevealPeriodTooLarge"
    chain.commit_weights(1, VALIDATOR, _hash(UIDS, VALUES, SALT))
    _next_epoch(chain)
    assert _error(chain.reveal_weights, 1, VALIDATOR, UIDS, VALUES, SALT) == "RevealTooEarly"
    _next_epoch(chain)
    chain.reveal_weights(1, VALIDATOR, UIDS, VALUES, SALT)


def test_timelocked_commits_are_revealed_when_their_reveal_epoch_opens():
    """``test_reveal_crv3_commits_success``: weights appear at the epoch block of the reveal
    epoch, before that epoch runs (so it already counts them)."""
    chain = _chain()
    chain.advance(1)  # weights count only on uids registered before their update
    chain.commit_timelocked_weights(1, VALIDATOR, reveal_round=1000, payload=([2], [65535], 0))
    assert _error(chain.commit_timelocked_weights, 1, VALIDATOR, reveal_round=1000, version=3) == (
        "IncorrectCommitRevealVersion"
    )
    chain.advance(chain.last_epoch(1) + TEMPO - 1 - chain.block)
    assert chain.weights(1, 0) == []
    chain.advance(1)
    assert chain.weights(1, 0) == [(2, 65535)]
    assert chain.neurons(1)[2].incentive > 0  # the epoch at that block used them
    assert chain.timelocked_commits(1) == []


def test_a_timelocked_commit_the_chain_would_refuse_is_dropped():
    """``test_reveal_crv3_commits_do_set_weights_failure``: the reveal skips it."""
    chain = _chain()
    chain.commit_timelocked_weights(1, VALIDATOR, reveal_round=1, payload=([7], [65535], 0))
    chain.commit_timelocked_weights(1, OTHER, reveal_round=1, payload=([2], [65535], 0))
    _next_epoch(chain)
    assert chain.weights(1, 0) == []
    assert chain.weights(1, 1) == [(2, 65535)]


def test_a_timelocked_commit_without_its_plaintext_expires_unrevealed():
    """``test_reveal_crv3_commits_removes_past_epoch_commits``."""
    chain = _chain()
    chain.commit_timelocked_weights(1, VALIDATOR, reveal_round=1, commit=b"sealed")
    _next_epoch(chain)
    assert len(chain.timelocked_commits(1)) == 1
    _next_epoch(chain)
    assert chain.timelocked_commits(1) == []
    assert chain.weights(1, 0) == []


def test_the_subtensor_double_drives_commit_reveal_as_the_sdk_does():
    chain = _chain()
    sub = FakeSubtensor(chain)
    wallet = _Wallet(VALIDATOR)
    assert sub.commit_reveal_enabled(1) is True
    assert sub.get_subnet_reveal_period_epochs(1) == 1
    committed = sub.commit_weights(wallet, 1, SALT, UIDS, VALUES, version_key=0)
    assert committed[0] is True
    early = sub.reveal_weights(wallet, 1, UIDS, VALUES, SALT, version_key=0)
    assert early[0] is False
    assert "RevealTooEarly" in early[1]
    _next_epoch(chain)
    assert sub.reveal_weights(wallet, 1, UIDS, VALUES, SALT, version_key=0)[0] is True
    assert sub.metagraph(1, lite=False).W[0].tolist()[2] == pytest.approx(0.5)


def test_set_weights_on_a_commit_reveal_subnet_commits_timelocked():
    chain = _chain()
    sub = FakeSubtensor(chain)
    assert sub.set_weights(_Wallet(VALIDATOR), 1, [2], [0.5])[0] is True
    assert sub.weights(1) == []
    _next_epoch(chain)
    assert sub.weights(1) == [(0, [(2, 65535)])]


@pytest.mark.skipif(
    "raise_error" not in RealSubtensor.commit_weights.__code__.co_varnames,
    reason="this release's commit_weights takes no raise_error (it returns, never raises)",
)
def test_commit_weights_raises_by_default_as_10x_does():
    sub = FakeSubtensor(_chain(enabled=False))
    with pytest.raises(Exception, match="CommitRevealDisabled"):
        sub.commit_weights(_Wallet(VALIDATOR), 1, SALT, UIDS, VALUES)
