"""11.x neurons as processes: `simnet register`, `simnet run` and `simnet status` on one
state file, the btauth example's own scripts unmodified; bad input in one line."""

import os
import socket
import subprocess
from pathlib import Path

import pytest

from simnet.network.processes import NeuronProcessError, answers
from tests.helpers import simnet_command
from tests.in_process import simnet_in_process

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "btauth_subnet"
# the example is not installed here: its package is found beside its scripts' folder
ENV = {"PYTHONPATH": str(EXAMPLE)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def neuron(role: str, name: str, *extra: str) -> list[str]:
    script = str(EXAMPLE / "neurons" / f"{role}.py")
    return ["python", script, "--netuid", "1", "--network", "finney", "--wallet.name", name, *extra]


def run(state: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return simnet_command("run", "--state", str(state), "--", *command, cwd=ROOT)


def test_the_examples_miner_and_validator_run_as_processes_on_one_state(simnet_local, simnet_run):
    state = str(simnet_local.path)
    for args in (["validator", "--validator", "--stake", "1000"], ["miner"]):
        registered = simnet_in_process(
            "register", *args, "--netuid", "1", "--state", state, cwd=ROOT
        )
        assert registered.returncode == 0, registered.stderr
    simnet_local.chain.advance(101)  # the validator sets weights once an epoch has passed
    port = free_port()
    miner = simnet_run(*neuron("miner", "miner", "--axon.port", str(port)), env=ENV)
    miner.wait_served(timeout=60)
    neuron_1 = simnet_local.chain.neuron(1, simnet_local.wallet("miner").hotkey.ss58_address)
    assert (neuron_1.axon_ip, neuron_1.axon_port) == ("127.0.0.1", port)  # its 0.0.0.0, mapped
    validator = simnet_run(*neuron("validator", "validator"), env=ENV)
    validator.wait_until(lambda chain: chain.weights(1, 1), timeout=60, what="setting weights")
    assert simnet_local.chain.weights(1, 1) == [(2, 65535)]
    status = simnet_in_process("status", "--netuid", "1", "--state", state, cwd=ROOT)
    assert status.returncode == 0, status.stderr
    rows = [line for line in status.stdout.splitlines() if line.startswith("│   1 ")]
    assert len(rows) == 1, status.stdout
    assert "2:1.00" in rows[0]
    assert "127.0.0.1:" + str(port) in status.stdout


def test_a_script_gets_the_state_files_wallets_with_no_path(tmp_path):
    state = tmp_path / "chain.sqlite"
    code = (
        "import bittensor as bt\n"
        "w = bt.Wallet('miner', path='/nowhere')\n"
        "from bittensor.wallet import Wallet\n"
        "print(w.hotkey.ss58_address, Wallet('miner/hot').hotkey.ss58_address,"
        " isinstance(w, bt.Wallet))\n"
    )
    result = run(state, "python", "-c", code)
    assert result.returncode == 0, result.stderr
    from simnet.v11.local import LocalNetwork

    local = LocalNetwork(state)
    miner, hot = local.wallet("miner"), local.wallet("miner", "hot")
    assert result.stdout.split() == [miner.hotkey.ss58_address, hot.hotkey.ss58_address, "True"]
    local.chain.close()


def test_every_client_with_any_network_name_or_endpoint_reaches_the_shared_chain(tmp_path):
    state = tmp_path / "chain.sqlite"
    registered = simnet_in_process(
        "register", "a", "--netuid", "3", "--state", str(state), cwd=ROOT
    )
    assert registered.returncode == 0, registered.stdout + registered.stderr
    code = (
        "import asyncio, bittensor as bt\n"
        "async def main():\n"
        "    for network in ('finney', 'test', 'ws://10.1.2.3:9944'):\n"
        "        async with bt.Client(network) as client:\n"
        "            print(len((await client.subnets.metagraph(3)).neurons))\n"
        "asyncio.run(main())\n"
        "with bt.SyncClient('local') as client:\n"
        "    print(len(client.subnets.metagraph(3).neurons))\n"
        "print(len(bt.Subtensor('test').subnets.metagraph(3).neurons))\n"
    )
    result = run(state, "python", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2"] * 5  # the owner and wallet a, through each client


@pytest.mark.parametrize(
    "code",
    ["import bittensor as bt; bt.Axon()", "from bittensor import Dendrite"],
    ids=["attribute", "import"],
)
def test_a_script_of_the_neuron_stack_is_one_line_naming_what_to_install(tmp_path, code):
    result = run(tmp_path / "chain.sqlite", "python", "-c", code)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("simnet run: -c uses bittensor.")
    assert "it is written for bittensor 9.x or 10.x (9.0-10.5): pip install" in lines[0]


def test_a_chain_read_simnet_does_not_model_is_one_line_and_exit_1(tmp_path):
    code = (
        "import asyncio, bittensor as bt\n"
        "async def main():\n"
        "    async with bt.Client('finney') as client:\n"
        "        await client.timestamp()\n"
        "asyncio.run(main())\n"
    )
    result = run(tmp_path / "chain.sqlite", "python", "-c", code)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("simnet run: simnet's chain does not simulate")


def test_an_unregistered_miner_is_one_line_naming_its_wallet(simnet_local, simnet_run):
    simnet_local.ensure_subnet(1)
    miner = simnet_run(*neuron("miner", "miner", "--axon.port", str(free_port())), env=ENV)
    with pytest.raises(NeuronProcessError) as failed:
        miner.wait_served(timeout=60)
    hotkey = simnet_local.wallet("miner").hotkey.ss58_address
    assert str(failed.value).startswith(f"hotkey {hotkey} is not registered on netuid 1")
    notes = [line for line in miner.output.splitlines() if line.startswith("simnet: ")]
    assert notes == [
        f"simnet: wallet miner/default (hotkey {hotkey}) is not registered on netuid 1 "
        "(simnet register miner --netuid 1)"
    ]


def test_an_address_nothing_answers_at_is_named(simnet_local, simnet_run):
    simnet_local.register(1, simnet_local.wallet("miner"))
    port = free_port()
    code = (
        "import asyncio, bittensor as bt\n"
        "async def main():\n"
        "    async with bt.Client('finney') as client:\n"
        f"        await client.execute(bt.ServeAxon(netuid=1, ip='0.0.0.0', port={port}),"
        " bt.Wallet('miner'))\n"
        "    await asyncio.sleep(60)\n"
        "asyncio.run(main())\n"
    )
    miner = simnet_run("python", "-c", code, "--netuid", "1", "--wallet.name", "miner")
    hotkey = simnet_local.wallet("miner").hotkey.ss58_address
    miner.wait_until(lambda chain: chain.neuron(1, hotkey).serving, timeout=60)
    with pytest.raises(NeuronProcessError) as failed:
        miner.wait_served(timeout=2)
    assert f"published 127.0.0.1:{port} on netuid 1, but nothing answers there" in str(failed.value)


def test_register_status_and_epoch_work_on_11x(tmp_path):
    state = str(tmp_path / "chain.sqlite")
    registered = simnet_command("register", "miner", "--netuid", "2", "--state", state, cwd=ROOT)
    assert registered.returncode == 0, registered.stderr
    assert registered.stdout.startswith("uid 1 on netuid 2: 5")
    bad = simnet_in_process(
        "register", "--ss58", "nope", "--netuid", "2", "--state", state, cwd=ROOT
    )
    assert bad.returncode == 1
    assert bad.stdout.strip().startswith("simnet register: invalid hotkey 'nope'")
    status = simnet_command("status", "--state", state, cwd=ROOT)
    assert status.returncode == 0, status.stderr
    assert registered.stdout.split()[-1] in status.stdout
    epoch = simnet_command("epoch", "--netuid", "2", "--state", state, cwd=ROOT)
    assert epoch.returncode == 0, epoch.stdout + epoch.stderr


INNER = """
import os
import socket
from pathlib import Path

EXAMPLE = Path({example!r})


def test_a_miner_process(simnet_local, simnet_run):
    simnet_local.register(1, simnet_local.wallet("miner"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    Path("port").write_text(str(port))
    process = simnet_run(
        "python", str(EXAMPLE / "neurons" / "miner.py"), "--netuid", "1",
        "--wallet.name", "miner", "--axon.port", str(port),
        env={{"PYTHONPATH": str(EXAMPLE)}},
    )
    process.wait_served(timeout=60)
    Path("pid").write_text(str(process.process.pid))
    assert False, "the test fails with its miner running"
"""


def test_simnet_run_stops_its_processes_and_reports_their_logs_when_a_test_fails(
    pytester, monkeypatch, tmp_path
):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))  # where the processes' temporary homes go
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # this checkout's simnet, as here
    pytester.makepyfile(INNER.format(example=str(EXAMPLE)))
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*simnet run python *miner.py*", "*Application startup complete*"])
    pid = int((pytester.path / "pid").read_text())
    port = int((pytester.path / "port").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not answers("127.0.0.1", port)
    assert list(scratch.glob("simnet-*")) == []
