"""Miner hygiene: blocking calls, ASGI violations and handler exceptions reach the test."""

import asyncio
import re
import time
import typing
from functools import partial

import pytest

import simnet
from client import stream_prompt
from miner import Miner
from protocol import StreamPrompting


def _streaming(streamer):
    def forward(synapse: StreamPrompting) -> StreamPrompting.BTStreamingResponse:
        return synapse.create_streaming_response(partial(streamer, synapse.messages[0]))

    return forward


async def _body(send, text: str, more_body: bool = True) -> None:
    await send({"type": "http.response.body", "body": text.encode(), "more_body": more_body})


async def _serve_and_stream(forward, *, blacklist=None, **options):
    """Serve ``forward`` in a fresh Simnet, stream once, return (final synapse, Simnet)."""
    net = simnet.Simnet(**options)
    async with net:
        validator = net.register(1, "validator", stake=10, validator_permit=True)
        axon = net.serve(1, forward, blacklist=blacklist)
        async with net.dendrite(validator) as dendrite:
            final = await stream_prompt(
                dendrite, net.metagraph(1).axons[axon.uid], "a b c d", on_text=lambda _: None
            )
    return final, net


async def _problems_of(forward, **kwargs) -> list[simnet.MinerProblem]:
    with pytest.raises(simnet.MinerError) as failed:
        await _serve_and_stream(forward, **kwargs)
    return failed.value.problems


@pytest.mark.asyncio
async def test_time_sleep_in_an_async_token_streamer_fails_with_its_stack_once():
    """The axons' loop is not the main thread's: the first block says where its step
    stopped next; the next steps of the kind are profiled in the loop's own thread, which
    finds the blocking line. One problem for the four sleeps."""

    async def sleepy_streamer(text, send):
        for token in text.split():
            time.sleep(0.3)  # the tutorial's mistake: blocks the axon's event loop
            await _body(send, token)

    problems = await _problems_of(_streaming(sleepy_streamer))

    (blocking,) = [p for p in problems if p.kind == "blocking"]
    worst = r"blocked for more than 0\.20 s \(4 times, worst \d+\.\d\d s\)"
    assert re.search(worst, blocking.message)
    assert "stack of the blocking call" in blocking.details
    assert "in sleepy_streamer\n    time.sleep(0.3)" in blocking.details


@pytest.mark.asyncio
async def test_the_reference_miner_with_delays_does_not_block():
    final, net = await _serve_and_stream(
        lambda ctx: Miner(ctx.wallet, ctx.metagraph, token_delay=0.3)
    )
    assert final.completion == "a b c d"
    assert net.problems == []


@pytest.mark.asyncio
async def test_the_blocking_detector_can_be_switched_off():
    async def sleepy_streamer(text, send):
        time.sleep(0.3)
        await _body(send, text)

    final, net = await _serve_and_stream(_streaming(sleepy_streamer), blocking_threshold=None)
    assert final.completion == "a b c d"
    assert net.problems == []


@pytest.mark.asyncio
async def test_a_body_after_the_last_one_is_an_asgi_violation():
    async def tutorial_streamer(text, send):
        await _body(send, text, more_body=False)  # BTStreamingResponse sends one more

    problems = await _problems_of(_streaming(tutorial_streamer))

    asgi = [p for p in problems if p.kind == "asgi"]
    assert asgi
    assert "sent a body with more_body: False" in asgi[0].message
    assert "token streamer of forward" in asgi[0].where


@pytest.mark.asyncio
async def test_an_exception_in_forward_surfaces_with_its_traceback():
    def broken_forward(synapse: StreamPrompting) -> StreamPrompting.BTStreamingResponse:
        raise KeyError("model weights")

    with pytest.raises(simnet.MinerError, match="KeyError: 'model weights'") as failed:
        await _serve_and_stream(broken_forward)
    (problem,) = [p for p in failed.value.problems if p.kind == "exception"]
    assert "broken_forward" in problem.where
    assert 'raise KeyError("model weights")' in problem.details


@pytest.mark.asyncio
async def test_an_exception_in_the_token_streamer_surfaces_and_the_prefix_is_kept():
    async def failing_streamer(text, send):
        await _body(send, "a b")
        raise RuntimeError("GPU fell off the bus")

    net = simnet.Simnet(strict=False)
    async with net:
        validator = net.register(1, "validator", stake=10, validator_permit=True)
        axon = net.serve(1, _streaming(failing_streamer))
        async with net.dendrite(validator) as dendrite:
            final = await stream_prompt(
                dendrite, net.metagraph(1).axons[axon.uid], "x", on_text=lambda _: None
            )

    assert final.completion == "a b"
    messages = [p.message for p in net.problems]
    assert "RuntimeError: GPU fell off the bus" in messages
    assert any("token streamer" in p.where for p in net.problems)


@pytest.mark.asyncio
async def test_an_exception_in_blacklist_surfaces():
    async def blacklist(synapse: StreamPrompting) -> typing.Tuple[bool, str]:  # noqa: UP006
        raise ValueError("metagraph not synced")

    async def fine(text, send):
        await _body(send, text)

    with pytest.raises(simnet.MinerError, match="ValueError: metagraph not synced"):
        await _serve_and_stream(_streaming(fine), blacklist=blacklist)


def test_the_plugin_fails_the_test_whose_miner_misbehaved(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        """
import pytest
from protocol import StreamPrompting

def forward(synapse: StreamPrompting) -> StreamPrompting.BTStreamingResponse:
    raise KeyError("boom")

async def query(dendrite, axon_info):
    responses = await dendrite(
        [axon_info], StreamPrompting(messages=["x"]), streaming=True, deserialize=False
    )
    return [item async for item in responses[0]]

@pytest.mark.asyncio
async def test_misbehaving(simnet_serve, simnet_dendrite, simnet_metagraph):
    axon = simnet_serve(forward)
    (final,) = await query(simnet_dendrite, simnet_metagraph.axons[axon.uid])
    assert final.dendrite.status_code == 500

@pytest.mark.asyncio
@pytest.mark.simnet(strict=False)
async def test_relaxed(simnet_serve, simnet_dendrite, simnet_metagraph):
    axon = simnet_serve(forward)
    await query(simnet_dendrite, simnet_metagraph.axons[axon.uid])
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_misbehaving*", "*KeyError: 'boom'*"])


def test_an_unknown_marker_argument_is_a_usage_error(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        """
import pytest

@pytest.mark.simnet(netuid=1, stritc=False)
def test_typo(simnet):
    pass
"""
    )
    result = pytester.runpytest_inprocess()
    result.stdout.fnmatch_lines(["*unknown argument(s)*stritc*"])


def test_a_nonsense_threshold_is_rejected():
    with pytest.raises(ValueError, match="blocking_threshold=0 must be positive"):
        simnet.Simnet(blocking_threshold=0)


@pytest.mark.asyncio
async def test_asyncio_sleep_is_fine_even_when_long():
    async def patient(text, send):
        await asyncio.sleep(0.5)
        await _body(send, text)

    final, _ = await _serve_and_stream(_streaming(patient))
    assert final.completion == "a b c d"
