"""Miner hygiene: blocking calls, ASGI violations and handler exceptions reach the test."""

import asyncio
import gc
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
async def test_time_sleep_in_an_async_token_streamer_fails_with_its_stack():
    async def sleepy_streamer(text, send):
        for token in text.split():
            time.sleep(0.3)  # the tutorial's mistake: blocks the axon's event loop
            await _body(send, token)

    problems = await _problems_of(_streaming(sleepy_streamer))

    blocking = [p for p in problems if p.kind == "blocking"]
    assert blocking
    assert "blocked for more than 0.20 s" in blocking[0].message
    assert "sleepy_streamer" in blocking[0].details
    assert "time.sleep(0.3)" in blocking[0].details


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


@pytest.mark.parametrize(("collecting", "reported"), [(True, False), (False, True)])
def test_a_garbage_collection_pause_is_not_blocking_but_the_rest_of_a_callback_is(
    collecting, reported
):
    """A full collection of a big heap can hold every thread for most of a second."""
    from simnet.network.host import AxonHost

    host = AxonHost()
    problems = []
    unwatch = host.watch_blocking(0.1, problems.append)
    watchdog = host._watchdog

    def pause() -> None:  # 0.3 s in one callback, in collection or not
        if collecting:
            watchdog._on_gc("start", {})
        time.sleep(0.3)
        if collecting:
            watchdog._on_gc("stop", {})

    try:
        host._loop.call_soon_threadsafe(pause)
        time.sleep(0.5)
    finally:
        unwatch()
        host.close()
    assert bool(problems) is reported
    assert watchdog._on_gc not in gc.callbacks  # the host's close removed its hook


def test_a_stack_read_mid_change_is_skipped_not_the_end_of_the_watchdog(monkeypatch):
    """Another thread's stack is read while it runs; once in CI a frame's ``f_back`` was
    a ``bool``. That tick sees no handle; the watchdog thread goes on."""
    import sys
    import types

    from simnet.network.host import AxonHost

    host = AxonHost()
    host._ensure_started()
    watchdog = host._watchdog
    garbled = types.SimpleNamespace(f_code=types.SimpleNamespace(co_name="x"), f_locals={})
    garbled.f_back = True
    try:
        with monkeypatch.context() as patch:
            patch.setattr(sys, "_current_frames", lambda: {host._thread.ident: garbled})
            assert watchdog._running_handle() == (None, None)
            time.sleep(3 * watchdog.tick)  # the watchdog's own ticks read the same stack
            assert watchdog._thread.is_alive()
    finally:
        host.close()
