"""The 9.x/10.x subtensor doubles answer as the chain does: its serving and registration
rules (through simnet.chain.rules, as the 11.x Substrate double applies them), what it
reports for neurons, and NotSimulated for what simnet does not model."""

from types import SimpleNamespace

import pytest

import simnet
from simnet import ChainState, FakeSubtensor
from simnet.chain import faults


def _wallet(hotkey: str, coldkey: str = "ck") -> SimpleNamespace:
    return SimpleNamespace(
        hotkey=SimpleNamespace(ss58_address=hotkey),
        coldkeypub=SimpleNamespace(ss58_address=coldkey),
    )


def _axon(hotkey: str, ip: str = "127.0.0.1", port: int = 8091, ip_type: int = 4):
    info = SimpleNamespace(hotkey=hotkey, ip=ip, port=port, ip_type=ip_type)
    return SimpleNamespace(info=lambda: info)


def _ok(result) -> bool:
    return bool(result if isinstance(result, bool) else result[0])


def _message(result) -> str:
    return "" if isinstance(result, bool) else str(result[1])


@pytest.fixture
def chain():
    state = ChainState()
    state.register(1, "validator", "ck", stake=1000, validator_permit=True)
    yield state
    state.close()


@pytest.mark.parametrize(
    ("hotkey", "ip", "port", "ip_type", "error"),
    [
        ("stranger", "127.0.0.1", 8091, 4, "HotKeyNotRegisteredInNetwork"),
        ("validator", "127.0.0.1", 8091, 5, "InvalidIpType"),
        ("validator", "255.255.255.255", 8091, 4, "InvalidIpAddress"),
        ("validator", "127.0.0.1", 0, 4, "InvalidPort"),
    ],
)
def test_serve_axon_is_refused_as_the_chain_refuses_it(chain, hotkey, ip, port, ip_type, error):
    result = FakeSubtensor(chain).serve_axon(1, _axon(hotkey, ip, port, ip_type))

    assert not _ok(result)
    assert error in _message(result) or isinstance(result, bool)
    assert chain.neuron(1, "validator").axon_ip is None


def test_serve_axon_with_raise_error_raises_the_chains_error(chain):
    with pytest.raises(Exception, match="InvalidPort"):
        FakeSubtensor(chain).serve_axon(1, _axon("validator", port=0), raise_error=True)


def test_an_accepted_serve_axon_records_the_address_the_zero_address_included(chain):
    sub = FakeSubtensor(chain)

    assert _ok(sub.serve_axon(1, _axon("validator", ip="0.0.0.0", port=9000)))
    assert (chain.neuron(1, "validator").axon_ip, chain.neuron(1, "validator").axon_port) == (
        "0.0.0.0",
        9000,
    )


@pytest.mark.parametrize(
    ("netuid", "hotkey", "error"),
    [
        (0, "newcomer", "RegistrationNotPermittedOnRootSubnet"),
        (7, "newcomer", "SubnetNotExists"),
        (1, "validator", "HotKeyAlreadyRegisteredInSubNet"),
    ],
)
def test_burned_register_is_refused_as_the_chain_refuses_it(chain, netuid, hotkey, error):
    result = FakeSubtensor(chain).burned_register(_wallet(hotkey), netuid)

    assert not _ok(result)
    assert error in _message(result) or isinstance(result, bool)
    assert chain.netuids() == [1]
    assert [n.hotkey for n in chain.neurons(1)] == ["validator"]


def test_burned_register_into_a_full_subnet_replaces_the_uid_the_chain_prunes(chain):
    chain.set_hyperparameters(1, max_allowed_uids=2)
    chain.register(1, "miner", "ck")
    sub = FakeSubtensor(chain)

    assert _ok(sub.burned_register(_wallet("newcomer"), 1))
    assert [n.hotkey for n in chain.neurons(1)] == ["newcomer", "miner"]
    assert chain.replacements[-1].old_hotkey == "validator"


def test_an_unsimulated_substrate_call_is_named_not_a_missing_attribute(chain):
    with pytest.raises(simnet.NotSimulated, match=r"Subtensor\.substrate\.get_constant"):
        _ = FakeSubtensor(chain).substrate.get_constant
    with pytest.raises(simnet.NotSimulated, match=r"Subtensor\.substrate\.get_constant"):
        _ = simnet.AsyncFakeSubtensor(chain).substrate.get_constant


def test_both_stacks_raise_the_one_not_simulated_of_the_chain_room():
    assert simnet.NotSimulated is faults.NotSimulated


def test_a_neuron_reports_what_the_chain_no_longer_computes_as_the_chain_does(chain):
    (neuron,) = FakeSubtensor(chain).neurons(1)

    # subtensor's NeuronInfo: rank 0, trust 0, pruning score u16 max (9.x still has them)
    assert getattr(neuron, "rank", 0.0) == 0.0
    assert getattr(neuron, "trust", 0.0) == 0.0
    assert getattr(neuron, "pruning_score", 65535) == 65535


def test_get_metagraph_info_answers_what_metagraph_sync_applies(chain):
    chain.advance(5)
    chain.register(1, "miner", "ck-2")
    sub = FakeSubtensor(chain)

    info = sub.get_metagraph_info(1)
    metagraph = sub.metagraph(1)

    assert (info.netuid, info.num_uids, info.hotkeys) == (1, 2, ["validator", "miner"])
    assert info.block_at_registration == [0, 5]
    assert list(metagraph.block_at_registration) == [0, 5]
    assert metagraph.pool.alpha_in == metagraph.pool.tao_in == 1000.0  # simnet's fixed pool
    assert metagraph.hparams.tempo == chain.hyperparameters(1).tempo


def test_get_metagraph_info_of_a_subnet_that_does_not_exist_is_none_as_on_the_chain(chain):
    assert FakeSubtensor(chain).get_metagraph_info(7) is None


def test_subnet_hyperparameters_include_the_yuma_ones_where_the_release_has_them(chain):
    chain.set_hyperparameters(1, kappa=30000, yuma3_enabled=False, liquid_alpha_enabled=True)
    sub = FakeSubtensor(chain)

    params = sub.get_subnet_hyperparameters(1)

    assert (params.kappa, params.liquid_alpha_enabled) == (30000, True)
    assert params.bonds_moving_avg == chain.hyperparameters(1).bonds_moving_avg
    assert getattr(params, "yuma_version", 2) == 2
    assert sub.get_hyperparameter("Kappa", 1) == 30000
    assert sub.get_hyperparameter("Yuma3On", 1) is False


def test_block_hashes_are_distinct_per_block_and_stop_at_the_head(chain):
    sub = FakeSubtensor(chain)
    chain.advance(2)

    assert sub.get_block_hash() == sub.get_block_hash(2) != sub.get_block_hash(1)
    with pytest.raises(ValueError, match="beyond the chain's head"):
        sub.get_block_hash(3)


def test_hotkey_owner_and_stake_come_from_the_registration(chain):
    sub = FakeSubtensor(chain)

    assert sub.get_hotkey_owner("validator") == "ck"
    assert sub.get_hotkey_owner("stranger") is None
    assert sub.get_stake("ck", "validator", 1).tao == pytest.approx(1000)
    assert sub.get_stake("someone-else", "validator", 1).tao == 0
