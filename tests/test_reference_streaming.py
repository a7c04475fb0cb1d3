"""The reference miner streams to the reference client through a real Axon and Dendrite."""

import pytest

import simnet
from client import stream_prompt
from miner import EchoModel, Miner
from simnet._compat import Dendrite

pytestmark = pytest.mark.simnet(transport=["tcp", "memory"])

PROMPTS = {
    "ascii": "hello this is a test of a streaming response, lorem ipsum dolor sit",
    "multibyte": "héllo wörld — 日本語のテキスト 🎉🎉 ñandú ÅÄÖ",
    "seven-tokens": "one two three four five six seven",  # 7 is not a multiple of 3
    "one-token": "x",
    "empty": "",
}


@pytest.mark.asyncio
@pytest.mark.parametrize("prompt", PROMPTS.values(), ids=PROMPTS.keys())
async def test_every_token_arrives_in_order(
    simnet_serve, simnet_dendrite, simnet_metagraph, reference_miner, echo, prompt
):
    axon = simnet_serve(reference_miner)
    pieces: list[str] = []

    final = await stream_prompt(
        simnet_dendrite, simnet_metagraph.axons[axon.uid], prompt, on_text=pieces.append
    )

    assert "".join(pieces) == "".join(echo.tokens(prompt)) == prompt
    assert final.completion == prompt
    assert final.dendrite.status_code == 200
    assert final.axon.status_code == 200


@pytest.mark.asyncio
async def test_the_request_signature_was_verified_by_the_axon(
    simnet_serve, simnet_dendrite, simnet_metagraph, reference_miner
):
    axon = simnet_serve(reference_miner)

    final = await stream_prompt(
        simnet_dendrite, simnet_metagraph.axons[axon.uid], "hi", on_text=lambda _: None
    )

    endpoint_key = f"{final.dendrite.hotkey}:{final.dendrite.uuid}"
    assert final.dendrite.status_code == 200
    assert axon.axon.nonces[endpoint_key] == final.dendrite.nonce


class _ForgingDendrite(Dendrite):
    """A dendrite whose signatures are all zeros."""

    def preprocess_synapse_for_request(self, *args, **kwargs):
        synapse = super().preprocess_synapse_for_request(*args, **kwargs)
        synapse.dendrite.signature = "0x" + "00" * 64
        return synapse


@pytest.mark.asyncio
async def test_a_forged_signature_is_rejected_with_401(
    simnet, simnet_serve, simnet_validator, simnet_metagraph, reference_miner
):
    axon = simnet_serve(reference_miner)

    async with simnet.dendrite(simnet_validator, cls=_ForgingDendrite) as forger:
        final = await stream_prompt(
            forger, simnet_metagraph.axons[axon.uid], "hi", on_text=pytest.fail
        )

    assert final.dendrite.status_code == 401
    assert "Signature mismatch" in final.dendrite.status_message
    assert final.completion == ""


@pytest.mark.asyncio
async def test_an_unregistered_hotkey_is_blacklisted_with_403(
    simnet, simnet_serve, simnet_metagraph, reference_miner
):
    axon = simnet_serve(reference_miner)
    stranger = simnet.wallet("stranger")

    async with simnet.dendrite(stranger) as dendrite:
        final = await stream_prompt(
            dendrite, simnet_metagraph.axons[axon.uid], "hi", on_text=pytest.fail
        )

    assert final.dendrite.status_code == 403
    assert final.dendrite.status_message.startswith("Forbidden. Key is blacklisted")
    assert stranger.hotkey.ss58_address in final.dendrite.status_message
    assert final.completion == ""  # the JSON error body never becomes completion text


@pytest.mark.asyncio
async def test_two_miners_each_answer_for_their_own_uid(
    simnet_serve, simnet_dendrite, simnet_metagraph
):
    def labelled_miner(ctx: simnet.MinerContext) -> Miner:
        return Miner(ctx.wallet, ctx.metagraph, model=EchoModel(prefix=f"uid {ctx.uid}: "))

    first, second = simnet_serve(labelled_miner), simnet_serve(labelled_miner)

    for axon in (first, second):
        final = await stream_prompt(
            simnet_dendrite, simnet_metagraph.axons[axon.uid], "hello", on_text=lambda _: None
        )
        assert final.completion == f"uid {axon.uid}: hello"
        assert final.axon.hotkey == simnet_metagraph.hotkeys[axon.uid] == axon.hotkey
    assert first.uid != second.uid
    assert first.port != second.port


@pytest.mark.asyncio
async def test_a_stalled_miner_times_out_with_the_partial_completion_kept(
    simnet_serve, simnet_dendrite, simnet_metagraph
):
    slow = simnet_serve(lambda ctx: Miner(ctx.wallet, ctx.metagraph, token_delay=0.4))

    final = await stream_prompt(
        simnet_dendrite,
        simnet_metagraph.axons[slow.uid],
        "a b c d e f g h i",
        timeout=1.0,
        on_text=lambda _: None,
    )

    assert final.dendrite.status_code == 408
    assert "a b c d e f g h i".startswith(final.completion)
    assert final.completion  # some tokens arrived before the timeout
