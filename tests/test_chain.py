"""The chain state and the real Metagraph read from it."""

import pytest

from simnet import ChainState, FakeSubtensor, UnknownHotkey, UnknownSubnet
from simnet._compat import Metagraph


def test_registration_gives_consecutive_uids_and_is_idempotent():
    chain = ChainState()
    first = chain.register(8, "hk-0", "ck-0")
    second = chain.register(8, "hk-1", "ck-1", stake=5.0)

    assert (first.uid, second.uid) == (0, 1)
    assert chain.register(8, "hk-1", "ck-1") == second
    assert [n.hotkey for n in chain.neurons(8)] == ["hk-0", "hk-1"]


def test_unknown_subnets_and_hotkeys_are_named_in_the_error():
    chain = ChainState()
    chain.create_subnet(3)

    with pytest.raises(UnknownSubnet, match=r"netuid 8 does not exist \(subnets: 3\)"):
        chain.neurons(8)
    with pytest.raises(UnknownHotkey, match="hotkey hk-x is not registered on netuid 3"):
        chain.neuron(3, "hk-x")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.create_subnet(-1), "netuid=-1"),
        (lambda c: c.register(1, "hk", "ck", stake=-1), "stake=-1"),
        (lambda c: c.advance(-2), "blocks=-2"),
    ],
)
def test_bad_values_are_rejected_with_their_name(call, message):
    with pytest.raises(ValueError, match=message):
        call(ChainState())


def test_the_metagraph_is_a_real_one_built_from_the_state():
    chain = ChainState()
    chain.register(
        8,
        "5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM",
        "ck-0",
        stake=1000.0,
        validator_permit=True,
    )
    chain.register(8, "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw", "ck-1")
    chain.serve_axon(8, "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw", "127.0.0.1", 12345)
    chain.advance(7)

    metagraph = FakeSubtensor(chain).metagraph(8)

    assert isinstance(metagraph, Metagraph)
    assert int(metagraph.n) == 2
    assert list(metagraph.uids) == [0, 1]
    assert list(metagraph.S) == [1000.0, 0.0]
    assert list(metagraph.validator_permit) == [True, False]
    assert int(metagraph.block) == 7
    assert metagraph.axons[1].ip == "127.0.0.1"
    assert metagraph.axons[1].port == 12345
    assert metagraph.axons[0].is_serving is False
    assert metagraph.coldkeys == ["ck-0", "ck-1"]


def test_the_fake_subtensor_answers_registration_questions():
    chain = ChainState()
    chain.register(8, "hk-0", "ck-0")
    subtensor = FakeSubtensor(chain)

    assert subtensor.is_hotkey_registered("hk-0", netuid=8)
    assert subtensor.is_hotkey_registered("hk-0")
    assert not subtensor.is_hotkey_registered("hk-1", netuid=8)
    assert subtensor.get_uid_for_hotkey_on_subnet("hk-0", 8) == 0
    assert subtensor.get_uid_for_hotkey_on_subnet("hk-1", 8) is None
    assert subtensor.get_current_block() == 0


def test_simnet_metagraphs_follow_new_registrations(simnet):
    simnet.register(4, "validator", stake=10.0, validator_permit=True)
    metagraph = simnet.metagraph(4)
    assert int(metagraph.n) == 1

    newcomer = simnet.register(4, "newcomer")

    assert simnet.metagraph(4) is metagraph
    assert int(metagraph.n) == 2
    assert metagraph.hotkeys[newcomer.uid] == newcomer.hotkey


def test_a_metagraph_synced_by_the_miner_itself_stays_offline(simnet):
    simnet.register(2, "validator")
    metagraph = simnet.metagraph(2)
    simnet.chain.advance(3)

    metagraph.sync()  # what a real miner does periodically: answered by the fake subtensor

    assert int(metagraph.block) == 3
