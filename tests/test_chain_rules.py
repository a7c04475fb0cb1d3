"""Chain semantics a validator's epoch logic relies on: blocks, hyperparameters, the
rules of set_weights, chain faults, and what is not simulated."""

import sqlite3
import time

import pytest

from simnet import ChainState, FakeSubtensor
from simnet.chain.state import SCHEMA_VERSION
from simnet.neurons.subtensor import NotSimulated


class _Wallet:
    """Stands for a wallet: set_weights reads only the hotkey address."""

    def __init__(self, hotkey: str) -> None:
        self.hotkey = type("Hotkey", (), {"ss58_address": hotkey})()


def _subnet(*, miners: int = 3, **params) -> tuple[ChainState, FakeSubtensor]:
    chain = ChainState()
    chain.register(1, "validator", "ck", stake=1000, validator_permit=True)
    for i in range(miners):
        chain.register(1, f"miner-{i}", "ck")
    if params:
        chain.set_hyperparameters(1, **params)
    return chain, FakeSubtensor(chain)


def _set(sub: FakeSubtensor, uids, weights, hotkey: str = "validator", **kwargs):
    return sub.set_weights(_Wallet(hotkey), 1, uids, weights, **kwargs)


def test_last_update_is_the_registration_block_then_the_block_of_each_accepted_set_weights():
    chain, sub = _subnet(weights_rate_limit=10)
    chain.advance(7)
    late = chain.register(1, "late", "ck")
    assert late.last_update == late.registered_at == 7
    assert sub.metagraph(1).last_update.tolist() == [0, 0, 0, 0, 7]

    chain.advance(30)
    assert _set(sub, [1, 2, 3], [1, 1, 1])[0]
    assert sub.metagraph(1).last_update[0] == 37
    assert sub.blocks_since_last_update(1, 0) == 0


def test_setting_weights_again_within_the_rate_limit_is_refused_with_the_chains_error():
    chain, sub = _subnet(weights_rate_limit=5)
    chain.advance(1)
    assert _set(sub, [1, 2, 3], [1, 1, 1])[0]
    chain.advance(4)
    success, message = _set(sub, [1, 2, 3], [1, 1, 1])
    assert not success
    assert "SettingWeightsTooFast" in message
    chain.advance(1)
    assert _set(sub, [1, 2, 3], [1, 1, 1])[0]


@pytest.mark.parametrize(
    ("params", "uids", "weights", "hotkey", "error"),
    [
        ({}, [1, 2], [1.0], "validator", "WeightVecNotEqualSize"),
        ({}, [1, 1], [1.0, 1.0], "validator", "DuplicateUids"),
        ({}, [1, 9], [1.0, 1.0], "validator", "UidVecContainInvalidOne"),
        ({"min_allowed_weights": 3}, [1, 2], [1.0, 1.0], "validator", "WeightVecLengthIsLow"),
        ({"max_weight_limit": 32768}, [1, 2], [9.0, 1.0], "validator", "MaxWeightExceeded"),
        ({}, [2], [1.0], "miner-0", "NeuronNoValidatorPermit"),
        ({}, [1], [1.0], "stranger", "HotKeyNotRegisteredInSubNet"),
        ({"weights_version": 3}, [1], [1.0], "validator", "IncorrectWeightVersionKey"),
    ],
)
def test_set_weights_is_validated_as_the_chain_does(params, uids, weights, hotkey, error):
    _, sub = _subnet(**params)
    success, message = _set(sub, uids, weights, hotkey=hotkey)
    assert not success
    assert f"`{error}(Module)`" in message


def test_a_miner_may_set_weights_on_itself_alone():
    _, sub = _subnet()
    assert _set(sub, [2], [1.0], hotkey="miner-1")[0]


def test_raise_error_raises_bittensors_chain_error_instead():
    from bittensor.core.errors import ChainError

    _, sub = _subnet()
    with pytest.raises(ChainError, match="DuplicateUids"):
        _set(sub, [1, 1], [1.0, 1.0], raise_error=True)


def test_hyperparameters_have_the_chains_defaults_and_a_setter():
    chain, sub = _subnet()
    assert (sub.tempo(1), sub.min_allowed_weights(1), sub.weights_rate_limit(1)) == (360, 1, 100)
    assert sub.max_weight_limit(1) == 1.0
    assert sub.immunity_period(1) == 5000
    chain.set_hyperparameters(1, tempo=10, max_weight_limit=32768)
    assert sub.tempo(1) == 10
    assert sub.get_hyperparameter("Tempo", 1) == 10
    assert sub.max_weight_limit(1) == pytest.approx(0.5, abs=1e-4)
    assert sub.get_subnet_hyperparameters(1).tempo == 10


def test_an_unknown_hyperparameter_is_named_with_the_ones_simulated():
    chain, _ = _subnet()
    with pytest.raises(ValueError, match=r"unknown hyperparameter.*tmepo.*simulates tempo"):
        chain.set_hyperparameters(1, tmepo=10)
    with pytest.raises(ValueError, match="tempo=-1 must be a non-negative integer"):
        chain.set_hyperparameters(1, tempo=-1)


def test_hyperparameters_and_blocks_are_shared_through_a_state_file(tmp_path):
    first = ChainState(tmp_path / "chain.sqlite", block_seconds=0.05)
    first.register(1, "validator", "ck")
    first.set_hyperparameters(1, tempo=12)
    second = ChainState(tmp_path / "chain.sqlite")
    assert second.hyperparameters(1).tempo == 12
    assert second.block_seconds == pytest.approx(0.05)
    start = second.block
    time.sleep(0.12)
    assert second.block >= start + 2


def test_an_in_memory_block_moves_only_when_told_and_wait_for_block_moves_it():
    chain, sub = _subnet()
    assert chain.block_seconds is None
    start = chain.block
    assert sub.wait_for_block(start + 3)
    assert chain.block == start + 3


def test_a_state_file_of_schema_1_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE subnets (netuid INTEGER PRIMARY KEY);
        CREATE TABLE neurons (netuid INTEGER NOT NULL, uid INTEGER NOT NULL,
            hotkey TEXT NOT NULL, coldkey TEXT NOT NULL, stake REAL NOT NULL DEFAULT 0,
            validator_permit INTEGER NOT NULL DEFAULT 0, axon_ip TEXT, axon_port INTEGER,
            last_seen REAL, PRIMARY KEY (netuid, uid), UNIQUE (netuid, hotkey));
        INSERT INTO meta VALUES ('schema_version', '1'), ('block_offset', '4'), ('genesis', '');
        INSERT INTO subnets VALUES (1);
        INSERT INTO neurons (netuid, uid, hotkey, coldkey) VALUES (1, 0, 'hk', 'ck');
        """
    )
    db.commit()
    db.close()

    chain = ChainState(path)
    assert chain.neuron(1, "hk").last_update == 0
    assert chain.register(1, "hk-2", "ck").last_update == 4
    assert chain._read("SELECT value FROM meta WHERE key = 'schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]


def test_a_chain_fault_fails_the_next_calls_then_lets_them_through_and_records_them():
    chain, sub = _subnet()
    chain.faults.fail("set_weights", times=2)
    assert [_set(sub, [1], [1.0])[0] for _ in range(3)] == [False, False, True]
    assert [e.method for e in chain.faults.events] == ["set_weights", "set_weights"]
    assert chain.faults.pending == []


def test_a_chain_fault_can_raise_a_given_error_or_return_a_given_result():
    chain, sub = _subnet()
    chain.faults.fail("metagraph", error=TimeoutError("node down"))
    chain.faults.fail("get_current_block", result=-1)
    with pytest.raises(TimeoutError, match="node down"):
        sub.metagraph(1)
    assert sub.get_current_block() == -1
    assert sub.metagraph(1).n == 4


def test_a_chain_fault_on_a_query_raises_bittensors_connection_error_by_default():
    from bittensor.core.errors import ChainConnectionError

    chain, sub = _subnet()
    chain.faults.fail("metagraph")
    with pytest.raises(ChainConnectionError, match="simnet chain fault: metagraph failed"):
        sub.metagraph(1)


def test_a_chain_fault_on_an_unsimulated_method_is_refused_naming_the_choices():
    chain, _ = _subnet()
    with pytest.raises(ValueError, match=r"'set_weight' is not a subtensor method.*set_weights"):
        chain.faults.fail("set_weight")


def test_a_subtensor_method_simnet_does_not_simulate_says_so():
    _, sub = _subnet()
    with pytest.raises(NotSimulated, match=r"simnet does not simulate Subtensor\.get_delegates"):
        sub.get_delegates()
    with pytest.raises(AttributeError, match="no attribute 'not_a_subtensor_method'"):
        sub.not_a_subtensor_method  # noqa: B018


@pytest.mark.asyncio
async def test_the_async_double_shares_state_rules_and_faults_with_the_sync_one():
    from simnet.neurons.async_subtensor import AsyncFakeSubtensor

    chain, sub = _subnet()
    async with AsyncFakeSubtensor(chain) as async_sub:
        assert await async_sub.block == chain.block
        assert await async_sub.tempo(1) == 360
        assert await async_sub.is_hotkey_registered("miner-0", netuid=1)
        assert await async_sub.get_uid_for_hotkey_on_subnet("miner-2", 1) == 3
        metagraph = await async_sub.metagraph(1)
        assert metagraph.n == 4
        chain.faults.fail("set_weights")
        assert not (await async_sub.set_weights(_Wallet("validator"), 1, [1], [1.0]))[0]
        assert (await async_sub.set_weights(_Wallet("validator"), 1, [1], [1.0]))[0]
        assert sub.metagraph(1, lite=False).W[0][1] == 1.0
        assert await async_sub.blocks_since_last_update(1, 0) == 0
        await async_sub.wait_for_block(chain.block + 2)
        assert await async_sub.blocks_since_last_update(1, 0) == 2
        with pytest.raises(NotSimulated, match=r"Subtensor\.get_delegates"):
            await async_sub.get_delegates()
