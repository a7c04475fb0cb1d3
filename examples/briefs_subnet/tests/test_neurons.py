"""The validator reaches the phase that queries miners because its platform's API is
answered offline (tests/outside.toml, set for every test in pyproject.toml). Without the
stubs, simnet fails the test at its first lookup of the platform's host, naming it and
the lines that would stub it."""

import pytest

from tests import fake_platform

pytestmark = pytest.mark.simnet(redirect=True)


def test_the_validator_fetches_briefs_queries_miners_and_has_them_graded(
    simnet, two_miners, validator
):
    validator.loop.run_until_complete(validator.forward())

    assert [g["brief_id"] for g in fake_platform.graded[-2:]] == ["b-1", "b-2"]
    miner_uids = [m.uid for m in two_miners]
    assert all(validator.scores[uid] > 0 for uid in miner_uids)
    assert validator.scores[validator.uid] == 0


def test_the_validators_weights_reach_the_chain_after_an_epoch(simnet, two_miners, validator):
    validator.loop.run_until_complete(validator.forward())
    validator.step += 1
    simnet.chain.advance(6)
    validator.sync()
    assert validator.last_set_weights[0] is True
    assert {uid for uid, _ in simnet.chain.weights(1, validator.uid)} == {m.uid for m in two_miners}
