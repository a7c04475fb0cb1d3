"""The simnet_v11 fixture in inner pytest runs: it leaves nothing behind, and fails a test
whose code tried to leave loopback."""

import os

import pytest

# Import what the inner runs use up front: pytester's in-process runs drop modules first
# imported during a run.
import simnet.v11  # noqa: F401
from tests.helpers import nothing_left_behind

INNER = """
import bittensor as bt
import pytest
from fastapi import FastAPI


def create_app():
    app = FastAPI()

    @app.get("/ping")
    async def ping():
        return {"pong": True}

    return app


@pytest.mark.asyncio
async def test_serve_and_reach(simnet_v11):
    wallet = simnet_v11.wallet("miner")
    served = simnet_v11.serve(1, create_app(), wallet)
    async with bt.Client("local") as client:
        metagraph = await client.subnets.metagraph(1)
    async with simnet_v11.http() as http:
        response = await http.get(f"http://{metagraph.neurons[0].axon}/ping")
    assert response.json() == {"pong": True}
    assert served.uid == 0


def test_sync_use(simnet_v11):
    simnet_v11.serve(1, create_app(), simnet_v11.wallet("a"))
    simnet_v11.serve(1, create_app(), simnet_v11.wallet("b"))
    assert len(simnet_v11.served) == 2
"""


@pytest.fixture(autouse=True)
def _inner_ini(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to count sockets")
@pytest.mark.parametrize("transport", ["tcp", "memory"])
def test_the_fixture_leaves_no_thread_socket_or_event_loop_behind(pytester, transport):
    pytester.makepyfile(INNER)
    with nothing_left_behind():
        result = pytester.runpytest_inprocess(
            "-p", "no:randomly", f"--simnet-transport={transport}"
        )
        result.assert_outcomes(passed=2)


def test_a_connection_beyond_loopback_fails_the_test(pytester):
    pytester.makepyfile(
        """
import socket


def test_reaches_out(simnet_v11):
    try:
        socket.create_connection(("203.0.113.9", 80), timeout=0.5)
    except OSError:
        pass  # swallowed, as client code often does
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*simnet is offline: refused a connection to 203.0.113.9:80*"])


def test_host_processes_asked_for_on_11x_are_refused_in_one_line_not_ignored(pytester):
    pytester.makepyfile(
        """
import pytest


@pytest.mark.simnet(hosts=2)
def test_marked(simnet_v11):
    pass
"""
    )
    option = pytester.runpytest_inprocess("-p", "no:randomly", "--simnet-hosts=1")
    assert option.ret == pytest.ExitCode.USAGE_ERROR
    option.stderr.fnmatch_lines(["*--simnet-hosts: host processes serve bittensor 9.x/10.x*"])
    marked = pytester.runpytest_inprocess("-p", "no:randomly")
    marked.assert_outcomes(errors=1)
    marked.stdout.fnmatch_lines(
        ["*@pytest.mark.simnet(hosts=...): host processes serve bittensor 9.x/10.x axons only*"]
    )
