"""The tutorial's two terminals, offline: real miner and client processes over a shared
sqlite chain state, and the `simnet` commands that look after it."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from client import DEFAULT_PROMPT
from simnet import local as simnet_local
from simnet.chain.state import ChainState, ChainStateError
from tests.in_process import simnet_in_process

ROOT = Path(__file__).parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def env(tmp_path):
    return {
        **os.environ,
        "SIMNET_STATE": str(tmp_path / "state" / "chain.sqlite"),
        "COLUMNS": "200",
    }


def run(env, *args, timeout=60):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def simnet_cli(env, *args):
    """``python -m simnet ARGS`` in the test process (``run`` starts the real command; one
    test, register/status/reset, keeps it)."""
    return simnet_in_process(*args, cwd=ROOT, env=env)


@pytest.fixture
def miner(env):
    """start(port, wallet="default", hotkey="miner") -> the running miner process."""
    processes = []

    def start(port, wallet="default", hotkey="miner"):
        process = subprocess.Popen(
            [
                sys.executable,
                "miner.py",
                "--netuid",
                "8",
                "--wallet.name",
                wallet,
                "--wallet.hotkey",
                hotkey,
                "--subtensor.network",
                "simnet",
                "--axon.port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        line = process.stdout.readline()
        assert "serving netuid 8 on 127.0.0.1:" in line, line + process.stderr.read()
        return process

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=20)
        process.stdout.close()
        process.stderr.close()


def test_the_tutorial_commands_stream_offline(env, miner):
    port = free_port()
    process = miner(port)

    result = run(env, "client.py", "--netuid", "8", "--my_uid", "1", "--network", "simnet")

    assert result.returncode == 0, result.stderr
    assert DEFAULT_PROMPT in result.stdout
    status = simnet_cli(env, "status")
    assert f"127.0.0.1:{port}" in status.stdout
    assert "s ago" in status.stdout  # the miner's heartbeat
    process.terminate()
    assert process.wait(timeout=20) == 0


def test_a_stopped_miner_is_reported_unreachable(env, miner):
    process = miner(free_port())
    process.terminate()
    process.wait(timeout=20)

    result = run(env, "client.py", "--netuid", "8", "--my_uid", "1", "--network", "simnet")

    assert result.returncode == 1
    assert "the axon of uid 1 is not reachable" in result.stderr
    assert "is the miner running?" in result.stderr


def test_uids_line_up_with_the_tutorial(env, miner):
    miner(free_port())
    local = simnet_local.LocalNetwork(Path(env["SIMNET_STATE"]), create=False)
    owner, first_miner = local.chain.neurons(8)
    assert owner.validator_permit
    assert owner.stake == simnet_local.OWNER_STAKE
    assert owner.hotkey == local.wallet("default").hotkey.ss58_address
    assert first_miner.hotkey == local.wallet("default", "miner").hotkey.ss58_address
    assert first_miner.serving


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--netuid", "9", "--my_uid", "1"], "netuid 9 does not exist (subnets: 8)"),
        (["--netuid", "8", "--my_uid", "7"], "uid 7 does not exist on netuid 8 (uids 0..1)"),
        (["--netuid", "8", "--my_uid", "0"], "uid 0 on netuid 8 has no axon"),
    ],
)
def test_bad_client_input_gets_one_clear_line(env, miner, args, message):
    miner(free_port())
    result = run(env, "client.py", *args, "--network", "simnet")
    assert result.returncode == 2
    assert result.stderr.strip() == f"client: {message}" or message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_taken_port_is_one_clear_line_and_registers_nothing(env, miner):
    port = free_port()
    miner(port)
    result = run(
        env,
        "miner.py",
        "--netuid",
        "8",
        "--wallet.name",
        "other",
        "--subtensor.network",
        "simnet",
        "--axon.port",
        str(port),
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"miner: port {port} on 127.0.0.1 is in use"
    assert len(simnet_local.LocalNetwork(Path(env["SIMNET_STATE"])).chain.neurons(8)) == 2


def test_register_status_and_reset(env):
    registered = run(
        env, "-m", "simnet", "register", "alice", "--netuid", "3", "--stake", "5", "--validator"
    )
    assert registered.returncode == 0, registered.stderr
    assert registered.stdout.startswith("uid 1 on netuid 3: ")  # the owner took uid 0
    status = run(env, "-m", "simnet", "status", "--netuid", "3")
    assert "5.000" in status.stdout
    assert run(env, "-m", "simnet", "reset").returncode == 0
    gone = run(env, "-m", "simnet", "status")
    assert gone.returncode == 1
    assert "no simnet chain state at" in gone.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["register", "--netuid", "8", "--ss58", "notakey"], "invalid hotkey 'notakey'"),
        (["status", "--netuid", "4"], "netuid 4 does not exist"),
    ],
)
def test_bad_cli_input_gets_one_clear_line(env, args, message):
    simnet_cli(env, "register", "bob", "--netuid", "8")
    result = simnet_cli(env, *args)
    assert result.returncode == 1
    assert message in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_corrupt_state_file_is_named(tmp_path):
    path = tmp_path / "chain.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ChainStateError, match="is not a simnet chain state"):
        ChainState(path)


def test_a_state_from_a_newer_simnet_is_refused(tmp_path):
    path = tmp_path / "chain.sqlite"
    ChainState(path).close()
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.close()
    with pytest.raises(ChainStateError, match=r"written by a newer simnet \(schema 99\)"):
        ChainState(path)


def test_a_locked_state_says_so(tmp_path):
    path = tmp_path / "chain.sqlite"
    ChainState(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(ChainStateError, match=r"is locked by another process \(waited 0.2 s\)"):
            ChainState(path, busy_timeout=0.2, create=False).register(1, "hk", "ck")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_two_processes_share_the_state(tmp_path):
    path = tmp_path / "chain.sqlite"
    code = (
        "import sys; from simnet.chain.state import ChainState; s = ChainState(sys.argv[1]); "
        "[s.register(1, f'hk-{sys.argv[2]}-{i}', 'ck') for i in range(20)]"
    )
    writers = [subprocess.Popen([sys.executable, "-c", code, str(path), str(n)]) for n in range(3)]
    assert [w.wait(timeout=60) for w in writers] == [0, 0, 0]
    neurons = ChainState(path).neurons(1)
    assert len(neurons) == 60
    assert [n.uid for n in neurons] == list(range(60))


def test_the_block_advances_with_time_and_on_demand(tmp_path, monkeypatch):
    state = ChainState(tmp_path / "chain.sqlite")
    start = state.block
    assert state.advance(5) == start + 5
    later = time.time() + 3 * 12
    monkeypatch.setattr(time, "time", lambda: later)
    assert state.block == start + 5 + 3


def test_weights_set_through_the_subtensor_read_back_from_the_metagraph(simnet):
    validator = simnet.register(2, "validator", stake=10, validator_permit=True)
    simnet.register(2, "m1")
    simnet.register(2, "m2")

    result = simnet.subtensor.set_weights(validator.wallet, 2, [1, 2], [1.0, 3.0])
    refused = simnet.subtensor.set_weights(validator.wallet, 2, [9], [1.0])

    success, _ = result  # 10.x: ExtrinsicResponse, 9.x: a tuple; both unpack
    refused_success, refused_message = refused
    assert success
    assert not refused_success
    assert "UidVecContainInvalidOne" in refused_message
    assert "uids [9]" in refused_message
    weights = simnet.subtensor.metagraph(2, lite=False).W
    assert weights[0][1] == pytest.approx(0.25, abs=1e-4)
    assert weights[0][2] == pytest.approx(0.75, abs=1e-4)


def test_register_into_a_full_subnet_says_whom_it_replaced_and_epochs_show(env):
    assert simnet_cli(env, "register", "alice", "--netuid", "3").returncode == 0
    chain = simnet_local.LocalNetwork(Path(env["SIMNET_STATE"])).chain
    chain.set_hyperparameters(3, max_allowed_uids=2, immunity_period=0, min_non_immune_uids=0)
    chain.close()
    replaced = simnet_cli(env, "register", "bob", "--netuid", "3")
    assert replaced.returncode == 0, replaced.stderr
    assert replaced.stdout.startswith("uid 1 on netuid 3: ")
    assert "(the subnet was full: replaced 5" in replaced.stdout  # alice's ss58 hotkey
    epoch = simnet_cli(env, "epoch", "--netuid", "3")
    assert epoch.returncode == 0, epoch.stderr
    assert epoch.stdout.startswith("epoch of netuid 3 at block ")
    status = simnet_cli(env, "status", "--netuid", "3")
    assert "last epoch" in status.stdout
    assert "incentive" in status.stdout


def test_a_full_subnet_with_no_uid_to_give_is_one_line(env):
    local = simnet_local.LocalNetwork(Path(env["SIMNET_STATE"]))
    local.ensure_subnet(3)  # its owner at uid 0, never replaced
    local.chain.set_hyperparameters(3, max_allowed_uids=1)
    local.chain.close()
    refused = simnet_cli(env, "register", "bob", "--netuid", "3")
    assert refused.returncode == 1
    assert "NoNeuronIdAvailable" in refused.stdout
    assert "Traceback" not in refused.stdout + refused.stderr
