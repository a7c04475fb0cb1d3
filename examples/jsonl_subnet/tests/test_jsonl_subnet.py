"""The JSON-lines subnet, tested with simnet's public API only (fixtures, strategies,
properties, faults, attacks): no chain, no internet."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonl_subnet.miner import WordMiner
from jsonl_subnet.protocol import JsonLinesQuery
from jsonl_subnet.validator import query_all, run_step

from simnet import attacks, faults, strategies
from simnet.properties import check_chunking_invariance, check_error_bodies

QUERY = "streams are cut anywhere by the network"


def word_miner(ctx):
    return WordMiner(ctx.metagraph)


@pytest.mark.asyncio
async def test_the_validator_scores_and_weights_every_miner(simnet, simnet_subnet, simnet_dendrite):
    subnet = simnet_subnet(word_miner, miners=8, validators=0)
    validator = (
        subnet.metagraph.hotkeys.index(simnet_dendrite.keypair.ss58_address)
        if simnet_dendrite.keypair.ss58_address in subnet.metagraph.hotkeys
        else None
    )
    assert validator is not None  # simnet_dendrite signs as the registered validator
    uids = [m.uid for m in subnet.miners]

    scores = await run_step(
        simnet_dendrite,
        simnet.subtensor,
        simnet.wallet("validator"),
        subnet.netuid,
        subnet.metagraph,
        uids,
        QUERY,
    )

    assert scores == dict.fromkeys(uids, 1.0)
    weights = simnet.subtensor.metagraph(subnet.netuid, lite=False).W[validator]
    assert all(weights[uid] > 0 for uid in uids)


@pytest.mark.asyncio
async def test_a_miner_cut_off_mid_stream_scores_what_arrived(simnet_subnet, simnet_dendrite):
    subnet = simnet_subnet(
        word_miner,
        miners=2,
        validators=0,
        faults=lambda i: [faults.DisconnectAfter(chunks=3)] if i == 1 else [],
    )

    healthy, cut = await query_all(simnet_dendrite, subnet.axons, QUERY)

    assert healthy.tokens == QUERY.split()
    assert cut.tokens == QUERY.split()[:3]  # an exact prefix, nothing invented
    assert cut.dendrite.status_code == 400


@pytest.mark.asyncio
async def test_attacks_are_refused(simnet, simnet_serve, simnet_validator):
    axon = simnet_serve(word_miner)
    await attacks.assert_rejects(simnet, axon, JsonLinesQuery(query="hi"), caller=simnet_validator)


def _jsonl(words):
    return "".join(json.dumps({"i": i, "token": w}) + "\n" for i, w in enumerate(words)).encode()


def test_any_chunking_of_json_lines_gives_the_same_tokens():
    check_chunking_invariance(
        JsonLinesQuery,
        payloads=st.lists(st.text(max_size=8), max_size=6).map(_jsonl),
        synapses=strategies.synapses(JsonLinesQuery, tokens=[]),
    )


def test_error_bodies_never_become_tokens():
    check_error_bodies(JsonLinesQuery, synapses=strategies.synapses(JsonLinesQuery, tokens=[]))


@given(strategies.chunkings(_jsonl(["a", "b"])))
def test_the_strategies_work_in_our_own_tests_too(chunks):
    assert b"".join(chunks) == _jsonl(["a", "b"])
