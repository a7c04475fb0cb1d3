"""The chain a validator's epoch logic lives on: epochs fire every tempo blocks and leave
Yuma's values; a full subnet replaces a uid as subtensor does and clears its state."""

import pytest

from simnet.chain import epochs
from simnet.chain.rules import ChainRuleError
from simnet.chain.state import ChainState


def _subnet(miners=3, *, tempo=10, **params):
    chain = ChainState()
    chain.register(1, "validator", "cv", stake=1000, validator_permit=True)
    for i in range(miners):
        chain.register(1, f"miner-{i}", f"cm{i}")
    chain.set_hyperparameters(1, tempo=tempo, weights_rate_limit=0, **params)
    return chain


def test_an_epoch_fires_every_tempo_blocks_after_the_last_one():
    chain = _subnet(tempo=10)
    assert chain.last_epoch(1) == 0
    chain.advance(9)
    assert chain.last_epoch(1) == 0
    chain.advance(1)
    assert chain.last_epoch(1) == 10
    chain.advance(25)  # two more epochs, at 20 and 30, each at its own block
    assert chain.last_epoch(1) == 30


def test_after_an_epoch_incentive_follows_the_validators_weights():
    chain = _subnet()
    chain.advance(1)  # weights set in the block of the miners' registration do not count
    chain.set_weights(1, "validator", [1, 2, 3], [0.5, 0.3, 0.2])
    chain.advance(10)
    validator, *miners = chain.neurons(1)
    assert [m.incentive for m in miners] == [32767, 19660, 13106]
    assert [m.consensus for m in miners] == [32767, 19660, 13106]
    assert validator.dividends == 65535
    assert validator.validator_trust == 65534
    assert validator.validator_permit
    assert sum(n.emission for n in chain.neurons(1)) == pytest.approx(
        epochs.epoch_emission(10), abs=4
    )
    assert chain.bonds(1, validator.uid) == [(1, 3276), (2, 1966), (3, 1310)]


def test_permits_go_to_the_top_stakes_at_each_epoch():
    chain = _subnet(miners=2, max_allowed_validators=1)
    chain.register(1, "whale", "cw", stake=5000)
    chain.advance(10)
    permits = {n.hotkey: n.validator_permit for n in chain.neurons(1)}
    assert permits == {"validator": False, "miner-0": False, "miner-1": False, "whale": True}


def test_run_epoch_runs_one_now_and_the_next_is_due_a_tempo_later():
    chain = _subnet(tempo=100)
    chain.advance(3)
    epoch = chain.run_epoch(1)
    assert (epoch.block, chain.last_epoch(1)) == (3, 3)
    chain.advance(99)
    assert chain.last_epoch(1) == 3
    chain.advance(1)
    assert chain.last_epoch(1) == 103


def test_a_full_subnet_replaces_the_lowest_emission_earliest_uid_and_clears_it():
    chain = _subnet(miners=3, max_allowed_uids=4, immunity_period=0, min_non_immune_uids=0)
    chain.advance(1)
    chain.set_weights(1, "validator", [1, 2, 3], [0.2, 0.5, 0.3])
    chain.advance(10)
    chain.serve_axon(1, "miner-0", "127.0.0.1", 8091)

    newcomer = chain.register(1, "newcomer", "cn")

    assert newcomer.uid == 1  # miner-0: the lowest emission (the weights gave it least)
    assert (newcomer.incentive, newcomer.emission, newcomer.serving) == (0, 0, False)
    assert newcomer.registered_at == newcomer.last_update == chain.block
    assert not chain.is_registered(1, "miner-0")
    assert [r.old_hotkey for r in chain.replacements] == ["miner-0"]
    assert dict(chain.weights(1, 0))[1] == 0  # the weight pointing at the uid is zeroed
    assert [n.hotkey for n in chain.neurons(1)] == ["validator", "newcomer", "miner-1", "miner-2"]


def test_a_full_subnet_of_immune_uids_replaces_one_of_them_and_never_the_owners():
    chain = _subnet(miners=2, max_allowed_uids=3, immunity_period=1000)
    chain.set_owner(1, "cv", "validator")
    newcomer = chain.register(1, "newcomer", "cn")
    assert newcomer.uid == 1  # all immune, fewer than 10 outside immunity: an immune one


def test_a_subnet_of_owner_hotkeys_only_has_no_uid_to_give():
    chain = ChainState()
    for i in range(2):
        chain.register(1, f"owner-{i}", "owner-ck")
    chain.set_owner(1, "owner-ck")
    chain.set_hyperparameters(1, max_allowed_uids=2, immune_owner_uids_limit=2)
    with pytest.raises(ChainRuleError, match="NoNeuronIdAvailable"):
        chain.register(1, "newcomer", "cn")
    assert [n.hotkey for n in chain.neurons(1)] == ["owner-0", "owner-1"]  # nothing lost


def test_a_state_file_of_schema_2_gains_the_epoch_columns(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '2'), ('block_offset', '7'),
            ('genesis', ''), ('block_seconds', '12');
        CREATE TABLE subnets (netuid INTEGER PRIMARY KEY);
        INSERT INTO subnets VALUES (1);
        CREATE TABLE neurons (netuid INTEGER NOT NULL, uid INTEGER NOT NULL,
            hotkey TEXT NOT NULL, coldkey TEXT NOT NULL, stake REAL NOT NULL DEFAULT 0,
            validator_permit INTEGER NOT NULL DEFAULT 0, axon_ip TEXT, axon_port INTEGER,
            last_seen REAL, last_update INTEGER NOT NULL DEFAULT 0,
            registered_at INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (netuid, uid));
        INSERT INTO neurons (netuid, uid, hotkey, coldkey) VALUES (1, 0, 'a', 'ca');
        """
    )
    old.commit()
    old.close()
    chain = ChainState(path, block_seconds=None)
    (neuron,) = chain.neurons(1)
    assert (neuron.hotkey, neuron.incentive, neuron.active) == ("a", 0, True)
    assert chain.last_epoch(1) == 7  # epochs start from the upgrade
    chain.register(1, "b", "cb")
    chain.close()
