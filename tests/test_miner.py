"""The reference miner's forward, blacklist and priority, called directly."""

import asyncio
import typing

import pytest

from miner import EchoModel, Miner, parse_args
from protocol import StreamPrompting


@pytest.mark.parametrize(
    "prompt", ["", "one", "héllo wörld 日本 🎉", "  leading and trailing  ", "a\nb\tc"]
)
def test_echo_tokens_join_back_into_the_prompt(prompt):
    assert "".join(EchoModel().tokens(prompt)) == prompt


async def _sent_bodies(miner: Miner, prompt: str) -> list[bytes]:
    bodies: list[bytes] = []

    async def send(message: dict) -> None:
        assert message["type"] == "http.response.body"
        assert message["more_body"] is True  # BTStreamingResponse sends the final empty body
        bodies.append(message["body"])

    await miner._stream(miner.model.tokens(prompt), send)
    return bodies


@pytest.mark.asyncio
@pytest.mark.parametrize("tokens_per_send", [1, 2, 3, 5])
async def test_sends_n_tokens_at_a_time_and_always_the_last_partial_buffer(tokens_per_send):
    miner = Miner(None, None, tokens_per_send=tokens_per_send)
    prompt = "one two three four five six seven"
    tokens = miner.model.tokens(prompt)

    bodies = await _sent_bodies(miner, prompt)

    expected = [
        "".join(tokens[i : i + tokens_per_send]).encode()
        for i in range(0, len(tokens), tokens_per_send)
    ]
    assert bodies == expected
    assert b"".join(bodies).decode() == prompt


@pytest.mark.asyncio
async def test_the_token_stream_does_not_block_the_event_loop():
    miner = Miner(None, None, tokens_per_send=1, token_delay=0.05)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.ensure_future(ticker())
    await _sent_bodies(miner, "a b c d e")
    task.cancel()
    assert ticks >= 10  # the loop kept running while the miner waited between tokens


class _Metagraph:
    netuid = 1
    hotkeys: typing.ClassVar[list[str]] = ["hk-validator", "hk-miner"]
    S: typing.ClassVar[list[float]] = [1000.0, 5.0]


def _request_from(hotkey: str) -> StreamPrompting:
    synapse = StreamPrompting(messages=["hi"])
    synapse.dendrite.hotkey = hotkey
    return synapse


@pytest.mark.asyncio
async def test_blacklists_hotkeys_not_in_the_metagraph():
    miner = Miner(None, _Metagraph())

    assert await miner.blacklist(_request_from("hk-validator")) == (False, "registered hotkey")
    blocked, reason = await miner.blacklist(_request_from("hk-stranger"))
    assert blocked
    assert reason == "hotkey hk-stranger is not registered on netuid 1"


@pytest.mark.asyncio
async def test_prioritises_callers_by_stake():
    miner = Miner(None, _Metagraph())

    assert await miner.priority(_request_from("hk-validator")) == 1000.0
    assert await miner.priority(_request_from("hk-miner")) == 5.0
    assert await miner.priority(_request_from("hk-stranger")) == 0.0


def test_accepts_the_tutorials_flags():
    args = parse_args(
        "--netuid 8 --wallet.name default --wallet.hotkey miner --subtensor.network test "
        "--axon.port 10000 --logging.trace".split()
    )
    assert (args.netuid, args.wallet_name, args.wallet_hotkey) == (8, "default", "miner")
    assert (args.network, args.axon_port, args.logging_trace) == ("test", 10000, True)


@pytest.mark.parametrize("kwargs", [{"tokens_per_send": 0}, {"token_delay": -1}])
def test_rejects_nonsense_settings(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        Miner(None, None, **kwargs)
