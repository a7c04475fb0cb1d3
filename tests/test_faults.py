"""Every fault, through the real Axon and Dendrite: what the client ends up with.

The contract: the final synapse carries the status the real dendrite gives for the
fault, and what arrived is an exact prefix of the fault-free stream.
"""

import asyncio

import pytest

from client import stream_prompt
from miner import EchoModel, Miner
from simnet import faults
from simnet.faults import FaultPlan

pytestmark = pytest.mark.simnet(transport=["tcp", "memory"])

PROMPT = "alpha beta gamma delta epsilon"  # five tokens, one per send


def one_token_per_send(ctx):
    return Miner(ctx.wallet, ctx.metagraph, tokens_per_send=1, token_delay=0.01)


@pytest.fixture
def stream(simnet_serve, simnet_dendrite, simnet_metagraph):
    """stream(*faults, timeout=...) -> (final synapse, pieces the client received)."""

    async def run(*plan, timeout=12.0):
        axon = simnet_serve(one_token_per_send, faults=plan)
        pieces = []
        final = await stream_prompt(
            simnet_dendrite,
            simnet_metagraph.axons[axon.uid],
            PROMPT,
            timeout=timeout,
            on_text=pieces.append,
        )
        assert PROMPT.startswith("".join(pieces))  # an exact prefix: nothing invented
        assert final.completion == "".join(pieces)
        return final, pieces

    return run


@pytest.mark.asyncio
async def test_latency_delays_the_first_byte_only(stream):
    plan = FaultPlan(faults.Latency(0.3))
    final, _ = await stream(plan)
    assert (final.dendrite.status_code, final.completion) == (200, PROMPT)
    assert float(final.dendrite.process_time) >= 0.3
    assert [e.detail for e in plan.events] == ["waited 0.300 s before the first byte"]


@pytest.mark.asyncio
async def test_latency_past_the_timeout_is_a_408_with_nothing_received(stream):
    final, pieces = await stream(faults.Latency(1.5), timeout=0.5)
    assert final.dendrite.status_code == 408
    assert final.dendrite.status_message == "Request timeout after 0.5 seconds"
    assert pieces == []


@pytest.mark.asyncio
async def test_chunk_delays_with_jitter_are_deterministic_under_a_seed(stream):
    first, second = (FaultPlan(faults.ChunkDelay(0.01, jitter=0.02), seed=7) for _ in range(2))
    for plan in (first, second):
        final, _ = await stream(plan)
        assert (final.dendrite.status_code, final.completion) == (200, PROMPT)
    assert [e.detail for e in first.events] == [e.detail for e in second.events]
    assert len(first.events) == 5


@pytest.mark.asyncio
async def test_rechunking_replays_a_chunking_on_the_wire(stream):
    chunks = [b"al", b"pha b", b"e", b"ta gamma delta epsilo", b"n"]
    final, pieces = await stream(faults.Rechunk.like(chunks, gap=0.05))
    assert final.completion == PROMPT
    assert [p.encode() for p in pieces] == chunks


@pytest.mark.asyncio
async def test_drip_feed_sends_every_byte_on_its_own_and_loses_none(stream):
    plan = FaultPlan(faults.DripFeed(0.02, size=4))
    final, pieces = await stream(plan)
    assert (final.dendrite.status_code, final.completion) == (200, PROMPT)
    assert len(pieces) > 1  # a drip, not one body (how many reads: the reader's timing)
    assert [e.detail for e in plan.events] == [f"sent {len(PROMPT)} bytes 4 at a time"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("fault", "received"),
    [
        (faults.DisconnectAfter(bytes=8), "alpha be"),
        (faults.DisconnectAfter(bytes=0), ""),
        (faults.DisconnectAfter(chunks=2), "alpha beta"),
        (faults.Truncate(), PROMPT),
    ],
)
async def test_a_cut_connection_is_a_payload_error_keeping_what_arrived(stream, fault, received):
    plan = FaultPlan(fault)
    final, _ = await stream(plan)
    assert final.dendrite.status_code == 400
    assert final.dendrite.status_message.startswith("Payload error: Response payload is not")
    assert final.completion == received
    assert "closed the connection" in plan.events[-1].detail


@pytest.mark.asyncio
async def test_a_stall_past_the_timeout_is_a_408_keeping_the_prefix(stream):
    plan = FaultPlan(faults.Stall(after_chunks=2))
    final, _ = await stream(plan, timeout=1.0)
    assert final.dendrite.status_code == 408
    assert final.completion == "alpha beta"
    assert plan.events[0].detail == "stalled 2.000 s after 2 chunks"


class WaitsLong(faults.Fault):
    """A fault of the user's own: waits 30 s before the body with ``request.sleep``."""

    def body_stage(self, request, emit):
        async def wait(data, more):
            try:
                await request.sleep(30)
            finally:  # starlette before 0.38 cancels a response whose caller has gone
                request.record(self, "stopped waiting")
            await emit(data, more)

        return wait


@pytest.mark.asyncio
async def test_a_faults_wait_ends_once_the_caller_has_gone(stream):
    """A caller that timed out closed its connection: the miner's task ends, instead of
    sleeping on for 30 s (or until the server's shutdown grace at teardown)."""
    plan = FaultPlan(WaitsLong())
    final, _ = await stream(plan, timeout=0.3)
    assert final.dendrite.status_code == 408
    for _ in range(100):
        if plan.events:
            break
        await asyncio.sleep(0.05)
    assert plan.events
    assert {e.detail for e in plan.events} == {"stopped waiting"}  # one per chunk, at once


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "message"), [(429, "Too many requests"), (503, "Overloaded")])
async def test_an_error_status_instead_of_the_stream(stream, status, message):
    final, pieces = await stream(faults.ErrorStatus(status, message))
    assert (final.dendrite.status_code, final.dendrite.status_message) == (status, message)
    assert pieces == []
    assert final.completion == ""


class RecordingModel(EchoModel):
    """The reference model, keeping every prompt the miner was asked."""

    def __init__(self) -> None:
        super().__init__()
        self.prompts: list[str] = []

    def tokens(self, prompt: str) -> list[str]:
        self.prompts.append(prompt)
        return super().tokens(prompt)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("fault", "statuses"),
    [
        (faults.LostResponse(503, "Overloaded"), {503}),
        (faults.LostResponse(reset=True), {422, 503}),
    ],
    ids=["503", "reset"],
)
async def test_a_lost_response_is_lost_after_the_miner_handled_the_request(
    simnet_serve, simnet_dendrite, simnet_metagraph, fault, statuses
):
    model = RecordingModel()
    plan = FaultPlan(fault)
    axon = simnet_serve(lambda ctx: Miner(ctx.wallet, ctx.metagraph, model=model), faults=[plan])
    final = await stream_prompt(
        simnet_dendrite, simnet_metagraph.axons[axon.uid], PROMPT, on_text=lambda _: None
    )
    assert final.dendrite.status_code in statuses
    assert fault.reset or final.dendrite.status_message == "Overloaded"
    assert final.completion == ""
    assert model.prompts == [PROMPT]
    assert [e.fault for e in plan.events] == ["LostResponse"]


@pytest.mark.asyncio
async def test_dropped_and_recased_headers_still_stream(stream):
    mutate = faults.MutateHeaders(
        drop=("bt_header_axon_process_time",), recase=("bt_header_axon_hotkey",)
    )
    final, _ = await stream(mutate)
    assert (final.dendrite.status_code, final.completion) == (200, PROMPT)
    assert final.axon.process_time is None  # the dropped header never arrived


@pytest.mark.asyncio
async def test_a_corrupted_header_fails_parsing_but_keeps_the_text(stream):
    final, _ = await stream(faults.MutateHeaders(set=(("bt_header_axon_status_code", b"OK"),)))
    assert final.dendrite.status_code == 422
    assert final.dendrite.status_message.startswith("Failed to parse response")
    assert final.completion == PROMPT


@pytest.mark.asyncio
async def test_plans_compose_in_order(stream):
    plan = FaultPlan(
        faults.Latency(0.05), faults.ChunkDelay(0.01), faults.DisconnectAfter(chunks=3)
    )
    final, _ = await stream(plan)
    assert final.completion == "alpha beta gamma"
    kinds = [e.fault for e in plan.events]
    assert kinds[0] == "Latency"
    assert kinds[-1] == "DisconnectAfter"


@pytest.mark.asyncio
async def test_a_plan_applies_only_to_its_caller(
    simnet, simnet_serve, simnet_dendrite, simnet_validator, simnet_metagraph
):
    plan = FaultPlan(faults.ErrorStatus(503), caller=simnet_validator.hotkey)
    other = simnet.register(1, "other-validator", stake=10)
    axon = simnet_serve(one_token_per_send, faults=[plan])
    target = simnet_metagraph.axons[axon.uid]

    blocked = await stream_prompt(simnet_dendrite, target, PROMPT, on_text=lambda _: None)
    async with simnet.dendrite(other) as dendrite:
        served = await stream_prompt(dendrite, target, PROMPT, on_text=lambda _: None)

    assert blocked.dendrite.status_code == 503
    assert (served.dendrite.status_code, served.completion) == (200, PROMPT)
    assert [e.caller for e in plan.events] == [simnet_validator.hotkey]


@pytest.mark.asyncio
async def test_faults_can_be_injected_and_cleared_on_a_running_axon(
    simnet_serve, simnet_dendrite, simnet_metagraph
):
    axon = simnet_serve(one_token_per_send)
    target = simnet_metagraph.axons[axon.uid]

    plan = axon.inject(faults.ErrorStatus(500, "boom"), faults.Latency(0.01))
    broken = await stream_prompt(simnet_dendrite, target, PROMPT, on_text=lambda _: None)
    axon.clear_faults()
    healthy = await stream_prompt(simnet_dendrite, target, PROMPT, on_text=lambda _: None)

    assert broken.dendrite.status_code == 500
    assert healthy.completion == PROMPT
    assert {e.fault for e in plan.events} == {"ErrorStatus", "Latency"}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: faults.Latency(-1), "seconds=-1 must not be negative"),
        (lambda: faults.DisconnectAfter(), "exactly one of bytes=N or chunks=N"),
        (lambda: faults.Rechunk(()), "must be positive chunk sizes"),
        (lambda: faults.DripFeed(0.01, size=0), "size=0 must be at least 1 byte"),
        (lambda: faults.ErrorStatus(200), "must be an HTTP error status"),
        (lambda: faults.LostResponse(302), "status=302 must be an HTTP error status"),
        (lambda: FaultPlan("latency"), "takes Fault objects"),
    ],
)
def test_bad_fault_settings_are_refused_with_their_name(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


@pytest.mark.asyncio
async def test_an_idle_disconnect_loses_the_request_on_a_reused_connection_only(
    simnet_serve, simnet_dendrite, simnet_metagraph
):
    plan = FaultPlan(faults.IdleDisconnect())
    axon = simnet_serve(one_token_per_send, faults=[plan])
    target = simnet_metagraph.axons[axon.uid]

    first = await stream_prompt(simnet_dendrite, target, PROMPT)
    second = await stream_prompt(simnet_dendrite, target, PROMPT)  # same pooled connection
    third = await stream_prompt(simnet_dendrite, target, PROMPT)  # a new connection

    assert (first.dendrite.status_code, first.completion) == (200, PROMPT)
    assert second.dendrite.status_code in (422, 503)  # reset, or "Server disconnected"
    assert second.completion == ""
    assert (third.dendrite.status_code, third.completion) == (200, PROMPT)
    assert [e.fault for e in plan.events] == ["IdleDisconnect"]


@pytest.mark.simnet(transport="tcp")
def test_simnets_servers_outlast_the_dendrites_keep_alive_pool(simnet_serve):
    from simnet.network.servers import KEEP_ALIVE_SECONDS

    axon = simnet_serve(one_token_per_send)
    assert axon._server.server.config.timeout_keep_alive == KEEP_ALIVE_SECONDS
    assert KEEP_ALIVE_SECONDS > 15.0  # aiohttp's pool, the dendrite's, reuses for 15 s
