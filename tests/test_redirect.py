"""bittensor's own constructors, redirected to simnet while a Simnet asks for it."""

import asyncio
import sys
import time

import bittensor as bt
import pytest

import simnet
from simnet._compat import Axon, Dendrite, Metagraph, RealAsyncSubtensor, RealSubtensor, Wallet
from simnet.neurons.redirect import ROLES
from simnet.neurons.subtensor import NotSimulated
from tests.specimens.echo import Echo, echo_forward

NAMES = [name for name in ROLES if name in vars(bt)]


def _snapshot():
    return {name: vars(bt)[name] for name in NAMES}


def test_leaving_the_block_restores_bittensor_exactly():
    before = _snapshot()
    with simnet.Simnet(redirect=True):
        assert all(vars(bt)[name] is not before[name] for name in NAMES)
    assert _snapshot() == before
    assert all(vars(bt)[name] is before[name] for name in NAMES)


def test_objects_are_instances_of_the_real_classes_and_classmethods_work():
    with simnet.Simnet(redirect=True) as net:
        net.register(1, "miner")
        parser = __import__("argparse").ArgumentParser()
        bt.Wallet.add_args(parser)
        bt.Subtensor.add_args(parser)
        bt.Axon.add_args(parser)
        assert "--wallet.name" in parser.format_help()
        subtensor = bt.Subtensor(network="finney")
        assert isinstance(subtensor, RealSubtensor)
        assert isinstance(subtensor, bt.Subtensor)
        assert isinstance(bt.AsyncSubtensor(), RealAsyncSubtensor)
        assert isinstance(bt.Metagraph(1), Metagraph)
        wallet = bt.Wallet(name="miner")
        assert isinstance(wallet, Wallet)
        assert wallet.hotkey.ss58_address == net.wallet("miner").hotkey.ss58_address
        assert isinstance(bt.Dendrite(wallet=wallet), Dendrite)
        axon = bt.Axon(wallet=wallet)
        assert isinstance(axon, Axon)
        assert axon.external_ip == "127.0.0.1"


def test_the_config_names_the_wallet():
    parser = __import__("argparse").ArgumentParser()
    bt.Wallet.add_args(parser)
    config = bt.Config(parser, args=[])
    config.wallet.name, config.wallet.hotkey = "alice", "hot"
    with simnet.Simnet(redirect=True) as net:
        wallet = bt.Wallet(config=config)
        assert wallet.hotkey.ss58_address == net.wallet("alice", "hot").hotkey.ss58_address
        assert not str(wallet.path).startswith(str(__import__("pathlib").Path.home()))


def test_a_metagraph_built_by_bittensor_reads_the_simulated_chain_and_resyncs_from_it():
    with simnet.Simnet(redirect=True) as net:
        net.register(3, "a")
        metagraph = bt.Metagraph(3)
        assert metagraph.n == 1
        net.register(3, "b")
        metagraph.sync()
        assert metagraph.n == 2
        assert bt.Subtensor(network="simnet").metagraph(3).n == 2


@pytest.mark.parametrize("transport", ["tcp", "memory"])
def test_an_axon_started_by_the_neuron_is_served_and_reached_by_its_dendrite(transport):
    with simnet.Simnet(redirect=True, transport=transport) as net:
        net.register(1, "validator", stake=10, validator_permit=True)
        miner = net.register(1, "miner")
        subtensor = bt.Subtensor()
        axon = bt.Axon(wallet=bt.Wallet(name="miner"))
        axon.attach(forward_fn=echo_forward)
        axon.serve(netuid=1, subtensor=subtensor)
        axon.start()
        assert [a.uid for a in net.axons] == [miner.uid]
        target = subtensor.metagraph(1).axons[miner.uid]

        async def ask():
            async with bt.Dendrite(wallet=bt.Wallet(name="validator")) as dendrite:
                return await dendrite(target, Echo(text="hi"), deserialize=False)

        reply = asyncio.run(ask())
        assert reply.reply == "hi"
        axon.stop()
        assert not net.axons[0].running


def test_an_exception_in_a_redirected_axons_forward_is_reported():
    def broken(synapse: Echo) -> Echo:
        raise KeyError("boom")

    async def ask(target):
        async with bt.Dendrite(wallet=bt.Wallet(name="validator")) as dendrite:
            return await dendrite(target, Echo(text="x"), deserialize=False)

    with simnet.Simnet(redirect=True, strict=False) as net:
        net.register(1, "validator", stake=10, validator_permit=True)
        net.register(1, "miner")
        axon = bt.Axon(wallet=bt.Wallet(name="miner"))
        axon.attach(forward_fn=broken)
        axon.serve(netuid=1, subtensor=bt.Subtensor())
        axon.start()
        reply = asyncio.run(ask(bt.Subtensor().metagraph(1).axons[1]))
    assert reply.dendrite.status_code == 500
    (problem,) = net.problems
    assert problem.kind == "exception"
    assert "KeyError: 'boom'" in problem.message


def test_a_blocking_call_on_the_validators_loop_is_reported_with_its_stack():
    async def validator_step(target):
        async with bt.Dendrite(wallet=bt.Wallet(name="validator")) as dendrite:
            await dendrite(target, Echo(text="x"), deserialize=False)
            time.sleep(0.5)  # the template validator's time.sleep inside async forward

    with simnet.Simnet(redirect=True, strict=False) as net:
        net.register(1, "validator", stake=10, validator_permit=True)
        net.serve(1, echo_forward)
        asyncio.run(validator_step(bt.Subtensor().metagraph(1).axons[1]))
    assert len(net.problems) == 1, [str(p) for p in net.problems]
    (problem,) = net.problems
    assert problem.kind == "blocking"
    assert problem.where == "the event loop running the validator's code"
    assert "time.sleep(0.5)" in problem.details


def test_simnets_own_slow_calls_on_the_validators_loop_are_not_reported():
    async def step(net, dendrite):
        async with dendrite:
            await dendrite(net.metagraph(1).axons[1], Echo(text="x"), deserialize=False)
            net.subnet(1, echo_forward, miners=40, validators=0)  # sync, on the loop

    with simnet.Simnet(redirect=True, blocking_threshold=0.05) as net:
        net.register(1, "validator", stake=10, validator_permit=True)
        net.serve(1, echo_forward)
        # the wallet and dendrite are built off the loop: only simnet's call is slow on it
        asyncio.run(step(net, bt.Dendrite(wallet=bt.Wallet(name="validator"))))
        assert net.problems == []


def test_an_unsimulated_subtensor_method_is_named():
    with simnet.Simnet(redirect=True):
        subtensor = bt.Subtensor()
        with pytest.raises(NotSimulated, match=r"Subtensor\.get_delegates"):
            subtensor.get_delegates()


def test_only_one_network_redirects_bittensor_at_a_time_and_a_refused_one_holds_nothing():
    from simnet.sandbox.offline import GUARD

    with simnet.Simnet(redirect=True):
        second = simnet.Simnet(redirect=True)
        with pytest.raises(RuntimeError, match="already redirected"):
            second.open()
        assert repr(second).startswith("Simnet(closed")
    assert not GUARD.active


def test_home_points_at_a_temporary_directory_while_redirected():
    import os

    home = os.environ.get("HOME")
    with simnet.Simnet(redirect=True) as net:
        assert os.path.expanduser("~") == str(net.home)
    assert os.environ.get("HOME") == home


@pytest.mark.skipif(not hasattr(sys.modules["bittensor"], "axon"), reason="9.x aliases only")
def test_the_lower_case_aliases_of_9x_are_redirected_too():
    with simnet.Simnet(redirect=True):
        assert isinstance(bt.subtensor(), RealSubtensor)
        assert isinstance(bt.axon(wallet=bt.wallet(name="m")), Axon)
