"""Host processes (``Simnet(hosts=N)``): miners served in child processes, the same
handle, faults and problems as on the host thread, bad input refused in one line, and
nothing left behind however the network ends."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from miner import EchoModel, Miner, echo_forward
from protocol import StreamPrompting
from simnet import MinerError, Simnet
from simnet.chain.state import ChainState
from simnet.faults import ErrorStatus
from simnet.network.hosts import cpu_count, parse_hosts
from simnet.neurons.hosted import ChainFile

PROMPT = "hello from a host process"


def pid_miner(ctx: Any) -> Miner:
    """A factory: its miner answers with the process it was built in and the metagraph's
    size there."""
    return Miner(ctx.wallet, ctx.metagraph, model=EchoModel(f"{os.getpid()} {ctx.metagraph.n} "))


class SleepingModel(EchoModel):
    def tokens(self, prompt: str) -> list[str]:
        time.sleep(0.5)  # blocks the host process's event loop
        return super().tokens(prompt)


def sleeping_miner(ctx: Any) -> Miner:
    return Miner(ctx.wallet, ctx.metagraph, model=SleepingModel())


def reference_miner(ctx: Any) -> Miner:
    return Miner(ctx.wallet, ctx.metagraph)


class BrokenModel(EchoModel):
    def tokens(self, prompt: str) -> list[str]:
        raise RuntimeError("the miner's own bug")


def broken_miner(ctx: Any) -> Miner:
    return Miner(ctx.wallet, ctx.metagraph, model=BrokenModel())


async def completions(net: Simnet, validator: Any, axons: list[Any]) -> list[tuple[int, str]]:
    async with net.dendrite(validator) as dendrite:
        streams = await dendrite(
            axons, StreamPrompting(messages=[PROMPT]), streaming=True, deserialize=False
        )

        async def last(stream: Any) -> Any:
            return [item async for item in stream][-1]

        finals = await asyncio.gather(*map(last, streams))
    return [(f.dendrite.status_code, f.completion) for f in finals]


@pytest.fixture(scope="module")
def hosted() -> Iterator[Simnet]:
    """One network on one host process for the tests that end well (each on a subnet of
    its own): a host process costs an interpreter start and bittensor's import."""
    with Simnet(hosts=1) as net:
        yield net


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def refused(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.asyncio
async def test_hosted_miners_stream_take_faults_and_stop(hosted: Simnet) -> None:
    net = hosted
    subnet = net.subnet(1, echo_forward, miners=3)
    first, second, _ = subnet.miners
    assert [m.uid for m in subnet.miners] == [1, 2, 3]
    assert await completions(net, subnet.validators[0], subnet.axons) == [(200, PROMPT)] * 3
    plan = first.inject(ErrorStatus(503))
    assert first.faults == [plan]
    statuses = [s for s, _ in await completions(net, subnet.validators[0], subnet.axons)]
    assert statuses == [503, 200, 200]
    await asyncio.sleep(0.2)  # the event travels home on the host's pipe
    assert [e.fault for e in plan.events] == ["ErrorStatus"]
    first.clear_faults()
    assert first.faults == []
    assert await completions(net, subnet.validators[0], subnet.axons[:1]) == [(200, PROMPT)]
    second.stop()
    assert not second.running
    assert refused(second.port)


@pytest.mark.asyncio
async def test_a_factory_is_built_in_the_host_process_over_the_one_chain(
    hosted: Simnet,
) -> None:
    net = hosted
    subnet = net.subnet(2, pid_miner, miners=2)
    (pid,) = net.host_pids
    answers = await completions(net, subnet.validators[0], subnet.axons)
    assert pid != os.getpid()
    assert answers == [(200, f"{pid} 3 {PROMPT}")] * 2  # the child's metagraph: all 3 uids


def test_what_cannot_cross_a_process_is_refused_in_one_line_naming_the_option(
    hosted: Simnet,
) -> None:
    net = hosted
    served = net.serve(3, echo_forward)
    with pytest.raises(RuntimeError, match=r"^with hosts=1 the Axon lives in a host process"):
        served.axon  # noqa: B018
    with pytest.raises(RuntimeError, match=r"^with hosts=1 .* inject\(\) and clear_faults"):
        served.faults.append(ErrorStatus(500))  # type: ignore[arg-type]
    sock = socket.socket()
    try:

        def closes_over_a_socket(ctx: Any) -> Any:
            return sock and echo_forward

        with pytest.raises(TypeError, match=r"^hosts=1: cannot send the miner") as caught:
            net.subnet(4, closes_over_a_socket, miners=2)
    finally:
        sock.close()
    assert "\n" not in str(caught.value)
    assert 4 not in net.chain.netuids()  # refused before anything was registered


def test_a_miner_the_host_process_cannot_import_is_refused_with_the_import_error(
    hosted: Simnet,
) -> None:
    """It pickles here (by reference to a module only this process has); the host process
    replies with the error it met unpickling it, and serves on."""
    ghost = types.ModuleType("simnet_test_ghost_miners")
    exec("def forward(synapse):\n    return synapse\n", ghost.__dict__)
    sys.modules[ghost.__name__] = ghost
    try:
        with pytest.raises(ModuleNotFoundError, match="simnet_test_ghost_miners"):
            hosted.serve(5, ghost.forward)
    finally:
        del sys.modules[ghost.__name__]
    assert hosted.serve(5, echo_forward).running


def second_miner_fails(ctx: Any) -> Miner:
    if ctx.uid == 2:
        raise RuntimeError("the factory's own bug at uid 2")
    return Miner(ctx.wallet, ctx.metagraph)


def test_a_subnet_whose_factory_fails_once_still_tracks_every_miner_it_served(
    hosted: Simnet,
) -> None:
    before = len(hosted.axons)
    with pytest.raises(RuntimeError, match="the factory's own bug at uid 2"):
        hosted.subnet(6, second_miner_fails, miners=3)
    served = hosted.axons[before:]
    assert [axon.uid for axon in served] == [1, 3]  # stopped at close, like every other
    assert all(hosted.chain.neuron(6, axon.hotkey).axon_port == axon.port for axon in served)


def test_the_chain_file_is_removed_at_close_and_the_chain_still_read() -> None:
    """A network with hosts keeps its chain in a temporary file the host processes open;
    after it closes the file is gone and ``net.chain`` reads as it does without hosts."""
    shared = ChainFile()
    shared.chain.create_subnet(3)
    shared.chain.register(3, "5Hot", "5Cold")
    path = shared.chain.path
    assert path is not None
    assert path.exists()
    shared.close()
    assert not path.parent.exists()
    assert shared.chain.path is None
    assert [n.hotkey for n in shared.chain.neurons(3)] == ["5Hot"]
    shared.chain.close()


@pytest.mark.parametrize(
    ("hosts", "message"),
    [
        (-1, r"^hosts=-1 must be a positive integer, 'auto' or None \(off\)$"),
        ("two", r"^hosts='two' must be a positive integer"),
        (True, r"^hosts=True must be a positive integer"),
        (1.5, r"^hosts=1.5 must be a positive integer"),
        (cpu_count() + 1, rf"^hosts={cpu_count() + 1} is more than this machine's"),
    ],
)
def test_bad_hosts_are_refused_in_one_line(hosts: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Simnet(hosts=hosts)  # type: ignore[arg-type]


def test_hosts_off_auto_and_counts() -> None:
    assert [parse_hosts(v) for v in (None, 0, "0", "", "off")] == [0] * 5
    assert parse_hosts("auto") == cpu_count()
    assert parse_hosts("1") == parse_hosts(1) == 1


def test_hosts_refuse_the_memory_transport_and_a_chain_in_memory() -> None:
    with pytest.raises(ValueError, match=r"^hosts=1 serves miners in other processes.*'memory'"):
        Simnet(hosts=1, transport="memory")
    chain = ChainState()
    try:
        with pytest.raises(ValueError, match=r"^hosts=1: host processes open the chain state"):
            Simnet(hosts=1, chain=chain)
    finally:
        chain.close()


async def _stream_from(miner: Any) -> None:
    async with Simnet(hosts=1) as net:
        subnet = net.subnet(1, miner, miners=1)
        async with net.dendrite(subnet.validators[0]) as dendrite:
            streams = await dendrite(
                subnet.axons, StreamPrompting(messages=[PROMPT]), streaming=True
            )
            async for _ in streams[0]:
                pass


@pytest.mark.asyncio
async def test_a_hosted_miners_exception_fails_the_network_at_close() -> None:
    with pytest.raises(MinerError, match="the miner's own bug"):
        await _stream_from(broken_miner)


@pytest.mark.asyncio
async def test_a_hosted_miner_blocking_its_loop_fails_the_network_at_close() -> None:
    with pytest.raises(MinerError, match=r"blocking in .*SleepingModel.tokens|time.sleep"):
        await _stream_from(sleeping_miner)


def _left_behind(pids: list[int], ports: list[int], paths: list[Path]) -> list[str]:
    return (
        [f"process {pid}" for pid in pids if alive(pid)]
        + [f"port {port}" for port in ports if not refused(port)]
        + [f"file {path}" for path in paths if path.exists()]
    )


@pytest.mark.parametrize("error", [AssertionError, KeyboardInterrupt])
def test_nothing_is_left_behind_when_the_test_fails_or_is_interrupted(
    error: type[BaseException],
) -> None:
    seen: dict[str, Any] = {}

    def serve_then_fail() -> None:
        with Simnet(hosts=1) as net:
            served = net.subnet(1, echo_forward, miners=2).miners
            assert net.chain.path is not None
            seen.update(pids=net.host_pids, ports=[m.port for m in served])
            seen.update(paths=[net.chain.path.parent])
            raise error()

    with pytest.raises(error):
        serve_then_fail()
    assert _left_behind(seen["pids"], seen["ports"], seen["paths"]) == []


SCRIPT = """
import json, signal, sys, time
# Ctrl-C raises KeyboardInterrupt, as in a terminal, even when whatever runs this suite
# started it with SIGINT ignored (a shell's background job does, and children inherit it)
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.path[:0] = {path!r}
from miner import echo_forward
from simnet import Simnet

if __name__ == "__main__":
    with Simnet(hosts=1) as net:
        served = net.subnet(1, echo_forward, miners=2).miners
        print(json.dumps({{"pids": net.host_pids, "ports": [m.port for m in served],
                          "paths": [str(net.chain.path.parent)]}}), flush=True)
        time.sleep(120)
"""


def test_ctrl_c_leaves_no_process_port_or_file_behind(tmp_path: Path) -> None:
    script = tmp_path / "serve.py"
    script.write_text(textwrap.dedent(SCRIPT.format(path=sys.path)))
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    process = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        env=env,
    )
    try:
        assert process.stdout is not None
        seen = json.loads(process.stdout.readline())
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole group gets SIGINT
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()  # reaped, pipes closed: nothing left for a later test's gc
    assert "KeyboardInterrupt" in stderr
    assert _left_behind(seen["pids"], seen["ports"], [Path(p) for p in seen["paths"]]) == []
    assert list((tmp_path / "tmp").iterdir()) == []  # no temporary file of anyone's
    # multiprocessing's resource tracker (one per process that spawns) ends with it
    assert _gone_within(10, lambda: not _group_alive(process.pid))


def _gone_within(seconds: float, done: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return any(
        alive(int(pid))
        for pid in os.listdir("/proc")
        if pid.isdigit() and _pgid(pid) == pgid and int(pid) != os.getpid()
    )


def _pgid(pid: str) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


@pytest.mark.asyncio
async def test_every_attack_reaches_a_hosted_miner_and_is_refused(hosted: Simnet) -> None:
    net = hosted
    from simnet import attacks

    validator = net.register(5, "validator", stake=1000, validator_permit=True)
    served = net.serve(5, reference_miner)  # its blacklist reads the child's metagraph
    results = await attacks.assert_rejects(
        net, served, StreamPrompting(messages=[PROMPT]), caller=validator
    )
    assert set(results) == set(attacks.ATTACKS)
    assert all(result.rejected for result in results.values())
