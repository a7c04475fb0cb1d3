"""aioresponses for a dendrite talking to an axon that is not running."""

import aiohttp
import pytest
from aioresponses import aioresponses

import simnet
from client import stream_prompt
from protocol import StreamPrompting
from simnet.mocking import mock_axon


def test_the_mocking_extra_brings_the_maintained_aioresponses_fork():
    from importlib.metadata import requires, version

    assert "aioresponses-ng>=0.8; extra == 'mocking'" in requires("bittensor-simnet")
    assert version("aioresponses-ng")  # the fork that works on the installed aiohttp
    assert aiohttp.__version__


@pytest.mark.asyncio
async def test_the_real_dendrite_reads_a_canned_stream(simnet):
    validator = simnet.register(1, "validator", stake=10, validator_permit=True)
    simnet.register(1, "absent-miner")
    absent = simnet.metagraph(1).axons[1]
    absent.ip, absent.port = "127.0.0.1", 9  # an address no axon listens on

    with aioresponses() as mocked:
        mock_axon(mocked, absent, StreamPrompting(messages=["x"]), body="héllo 日本".encode())
        async with simnet.dendrite(validator) as dendrite:
            final = await stream_prompt(dendrite, absent, "x", on_text=lambda _: None)

    assert final.dendrite.status_code == 200
    assert final.completion == "héllo 日本"


@pytest.mark.asyncio
async def test_a_canned_blacklist_answer_is_not_content(simnet):
    validator = simnet.register(1, "validator", stake=10, validator_permit=True)
    axon = simnet.metagraph(1).axons[0]
    axon.ip, axon.port = "127.0.0.1", 9

    with aioresponses() as mocked:
        mock_axon(mocked, axon, StreamPrompting(messages=["x"]), status=403)
        async with simnet.dendrite(validator) as dendrite:
            final = await stream_prompt(dendrite, axon, "x", on_text=pytest.fail)

    assert final.dendrite.status_code == 403
    assert final.completion == ""
    assert final.dendrite.status_message.startswith("Forbidden. Key is blacklisted")


def test_the_module_is_public():
    assert simnet.mocking.mock_axon is mock_axon
